"""`python -m bot review collect|export|import` over Rasa's own SQL tracker store (conversations
saved by its SQLTrackerStore) and the real case store: what is collected and why, masked,
merged, counted once; labels from agents' corrections and from a file, conflicts reported."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import select

from bot.__main__ import main
from bot.cases import Demand, register_case, retype_case, withdraw_case
from bot.handoff.agents import register_agent
from bot.store.models import CaseType, Level, ReviewItem
from bot.timeline import agent_actor
from tests.support.tracker_events import action, save_conversations, user

# Chat ids long enough that a hash or a timestamp never contains one by chance ("111" did).
ANA, LUIS, MARTA = "730291846", "730291857", "730291868"
CONVERSATIONS = {
    ANA: [
        user("hola", "saludo", 0.98),  # sure: not collected
        user("no me llega el paquete, escribidme a ana.perez@correo.es", "queja", 0.52),  # unsure
        action("utter_pedir_numero_pedido"),
    ],
    LUIS: [
        user("No me llega el paquete, escribidme a luis@mail.com!!", "queja", 0.61),  # a near-duplicate
        user("asdfgh qwerty", "saludo", 0.2, fallback=True),
        action("action_default_fallback"),
    ],
    MARTA: [
        user("puedo pagar con bizum?", "duda", 0.93, topic="pagos"),  # sure, but the answer did not help
        action("action_responder_duda"),
        user("/negar", "negar", 1.0),  # the «No» button
        action("action_escalar_caso"),
    ],
}


@pytest.fixture
def logged(database_url: str, session_factory, policy) -> str:
    save_conversations(database_url, CONVERSATIONS)
    with session_factory.begin() as session:
        laura, _ = register_agent(session, 51001, "Laura Gómez", "logistica", Level.AGENT, policy)
        queja, solicitud = CaseType.QUEJA, CaseType.SOLICITUD
        for chat, text, wrong, right in [
            ("444", "quiero que me devuelvan el dinero del pedido 1234567", queja, solicitud),
            ("555", "Quiero que me devuelvan el dinero del pedido 7654321.", queja, solicitud),
            ("666", "me cobrasteis dos veces el 612345678", solicitud, queja),
        ]:
            demand = Demand(chat, "telegram", wrong, "general", text, intent=wrong.value, confidence=0.8)
            case = register_case(session, demand, policy)
            retype_case(session, case, right, agent_actor(laura))
    return database_url


def items(session_factory) -> dict[str, ReviewItem]:
    with session_factory() as session:
        return {item.text: item for item in session.execute(select(ReviewItem)).scalars()}


def test_collect_finds_the_doubtful_masks_merges_and_labels_corrections(logged, session_factory, capsys):
    assert main(["review", "collect"]) == 0
    said = capsys.readouterr().out
    assert "read 5 customer messages" in said  # the button's «/negar» is not language
    assert "collected by reason: corrected 3, fallback 1, low_confidence 2, not_resolved 1" in said
    found = items(session_factory)
    assert set(found) == {
        "no me llega el paquete, escribidme a [email]",
        "asdfgh qwerty",
        "puedo pagar con bizum?",
        "quiero que me devuelvan el dinero del pedido [pedido]",
        "me cobrasteis dos veces el [teléfono]",
    }
    parcel = found["no me llega el paquete, escribidme a [email]"]
    assert (parcel.count, parcel.predicted_intent, parcel.confidence) == (2, "queja", 0.52)
    assert parcel.reasons == ["low_confidence"] and parcel.status == "pendiente"
    assert all(source.startswith("conversacion:") and ANA not in source for source in parcel.sources)
    assert sorted(parcel.conversations) == [ANA, LUIS]  # kept in the store for the context only
    assert found["asdfgh qwerty"].reasons == ["fallback"]
    bizum = found["puedo pagar con bizum?"]
    assert (bizum.reasons, bizum.predicted_intent) == (["not_resolved"], "duda/pagos")
    refund = found["quiero que me devuelvan el dinero del pedido [pedido]"]
    assert (refund.label, refund.status, refund.count) == ("solicitud", "etiquetado", 2)
    assert [source.split("-")[0] for source in refund.sources] == ["caso:Q", "caso:Q"]
    assert found["me cobrasteis dos veces el [teléfono]"].label == "queja"
    assert not [item for item in found.values() for value in ("ana.perez", "luis@", "612345678", "1234567")
                if value in item.text]  # fmt: skip


def test_collecting_again_counts_each_message_once(logged, session_factory, capsys):
    main(["review", "collect"])
    first = {text: item.count for text, item in items(session_factory).items()}
    capsys.readouterr()
    assert main(["review", "collect"]) == 0
    assert "0 new items, 0 seen again" in capsys.readouterr().out
    assert {text: item.count for text, item in items(session_factory).items()} == first


def test_long_messages_are_collected_apart_and_found_again(database_url, session_factory, capsys):
    story = "pedí una lavadora el lunes y nadie me dice nada del envío, " * 12  # 700 characters
    save_conversations(
        database_url,
        {
            "801": [user(story + "¿dónde está?", "queja", 0.4)],
            "802": [user(story + "quiero anularlo", "queja", 0.45)],
        },
    )
    assert main(["review", "collect"]) == 0
    assert "2 new items" in capsys.readouterr().out
    keys = sorted(item.key for item in items(session_factory).values())
    assert [len(key) for key in keys] == [500, 500] and keys[0] != keys[1]
    assert main(["review", "collect"]) == 0
    assert "0 new items, 0 seen again" in capsys.readouterr().out


def test_confident_mistakes_are_collected_from_what_followed(database_url, session_factory, capsys):
    save_conversations(
        database_url,
        {
            # A confident queja whose form the customer left at once: it was not a complaint.
            "901": [
                user("tengo una pregunta sobre mi pedido de ayer", "queja", 0.97),
                action("queja_form"),
                user("mejor lo dejo", "negar", 0.95),
                action("action_salir_formulario"),
            ],
            # A confident solicitud that got «Otra cosa» as its kind.
            "902": [
                user("quiero saber si llegan a Ibiza", "solicitud", 0.93),
                action("solicitud_form"),
                user('/solicitud{"tipo_solicitud": "general"}', "solicitud", 1.0),
            ],
            # Said again at once in other words, and understood differently.
            "903": [
                user("el pedido no me llegó todavía", "duda", 0.9, topic="envios"),
                action("action_responder_duda"),
                user("que todavía no me llegó el pedido, es una queja", "queja", 0.95),
            ],
            # Sure and nothing after it went wrong: not collected.
            "904": [
                user("quiero cancelar el pedido PED-1234567", "solicitud", 0.98),
                action("solicitud_form"),
                user("gracias", "agradecer", 0.99),
            ],
        },
    )
    assert main(["review", "collect"]) == 0
    assert "collected by reason: left_form 1, other_kind 1, rephrased 1" in capsys.readouterr().out
    reasons = {text: item.reasons for text, item in items(session_factory).items()}
    assert reasons == {
        "tengo una pregunta sobre mi pedido de ayer": ["left_form"],
        "quiero saber si llegan a Ibiza": ["other_kind"],
        "el pedido no me llegó todavía": ["rephrased"],
    }


def test_a_case_taken_back_at_once_is_collected_with_how_it_was_read(
    database_url, session_factory, policy, capsys
):
    save_conversations(database_url, {"779": [user("hola", "saludo", 0.98)]})  # sure: not collected
    with session_factory.begin() as session:
        text = "solo quería saber cómo funciona esto, mi hija me lo instaló"
        demand = Demand("777", "telegram", CaseType.QUEJA, "general", text, intent="queja", confidence=0.9)
        withdraw_case(session, register_case(session, demand, policy))
        kept = Demand("778", "telegram", CaseType.QUEJA, "envio", "no me llega el paquete", intent="queja")
        register_case(session, kept, policy)  # not taken back: not collected
    assert main(["review", "collect"]) == 0
    assert "collected by reason: withdrawn 1" in capsys.readouterr().out
    [(text, item)] = items(session_factory).items()
    assert text == "solo quería saber cómo funciona esto, mi hija me lo instaló"
    assert item.reasons == ["withdrawn"] and item.predicted_intent == "queja"


def test_a_stricter_threshold_collects_less(logged, session_factory):
    main(["review", "collect", "--threshold", "0.55"])
    assert items(session_factory)["no me llega el paquete, escribidme a [email]"].count == 1  # 0.52, not 0.61


def test_labels_from_a_file_are_applied_and_disagreements_reported(logged, session_factory, tmp_path, capsys):
    main(["review", "collect"])
    export = tmp_path / "revisar.yml"
    assert main(["review", "export", str(export)]) == 0
    rows = yaml.safe_load(export.read_text(encoding="utf-8"))
    assert "wrote 3 items" in capsys.readouterr().out  # the pending ones: corrections are labelled
    by_text = {row["text"]: row for row in rows}
    assert by_text["puedo pagar con bizum?"]["predicted"] == "duda/pagos"
    assert all(ANA not in " ".join(map(str, row.values())) for row in rows)  # no chat id leaves
    by_text["no me llega el paquete, escribidme a [email]"]["label"] = "queja"
    by_text["asdfgh qwerty"]["label"] = "descartar"
    by_text["puedo pagar con bizum?"]["label"] = "duda"  # needs its topic
    export.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    assert main(["review", "import", str(export)]) == 1
    said = capsys.readouterr().out
    assert "labelled 1, discarded 1" in said and "a duda needs its topic, e.g. duda/envios" in said

    twice = [{**by_text["puedo pagar con bizum?"], "label": label} for label in ("duda/pagos", "solicitud")]
    export.write_text(yaml.safe_dump(twice, allow_unicode=True), encoding="utf-8")
    assert main(["review", "import", str(export)]) == 1
    assert (
        "conflict: «puedo pagar con bizum?» was labelled duda/pagos and solicitud" in capsys.readouterr().out
    )
    found = items(session_factory)
    assert found["puedo pagar con bizum?"].status == "pendiente"
    assert (found["asdfgh qwerty"].status, found["no me llega el paquete, escribidme a [email]"].label) == (
        "descartado",
        "queja",
    )


def test_a_csv_round_trip_and_an_unreadable_file(logged, session_factory, tmp_path, capsys):
    main(["review", "collect"])
    export = tmp_path / "revisar.csv"
    main(["review", "export", str(export), "--all"])
    lines = export.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "id,text,count,predicted,confidence,reasons,label,sources,link" and len(lines) == 6
    assert lines[1].endswith(
        f"http://127.0.0.1:8000/revision/{lines[1].split(',')[0]}"
    )  # with its conversation
    broken = tmp_path / "roto.yml"
    broken.write_text("texto: [sin cerrar", encoding="utf-8")
    assert main(["review", "import", str(broken)]) == 2
    assert "cannot be read" in capsys.readouterr().err


@pytest.mark.slow
def test_real_conversations_through_the_running_assistant_are_collected_masked(
    assistant, monkeypatch, capsys
):
    """The tracker store the running Rasa server wrote, the case store its actions wrote."""
    from bot.config import get_settings
    from bot.store.db import create_session_factory, session_factory_for
    from tests.support.rest_assistant import new_customer

    lost, doubtful, talker = new_customer(), new_customer(), new_customer()
    assistant.say(lost, "asdfgh qwerty zxcv")  # the fallback takes it
    assistant.say(doubtful, "aceptan pago con paypal?")  # a FAQ answer…
    assistant.say(doubtful, "/negar")  # … that did not help
    assistant.say(talker, "hola buenas")
    assistant.say(talker, "mi correo es marta.gil@correo.es y mi móvil 612 345 678, ¿me llamáis?")
    monkeypatch.setenv("DATABASE_URL", assistant.database_url)
    get_settings.cache_clear()
    session_factory_for.cache_clear()
    try:
        assert main(["review", "collect"]) == 0
        with create_session_factory(assistant.database_url)() as session:
            found = {item.text: item for item in session.execute(select(ReviewItem)).scalars()}
        assert "fallback" in found["asdfgh qwerty zxcv"].reasons
        assert found["aceptan pago con paypal?"].reasons == ["not_resolved"]
        assert found["aceptan pago con paypal?"].predicted_intent.startswith("duda/")
        assert "hola buenas" not in found  # understood: nothing to review
        assert main(["review", "collect", "--threshold", "1"]) == 0  # now every message is «unsure»
        with create_session_factory(assistant.database_url)() as session:
            texts = set(session.execute(select(ReviewItem.text)).scalars())
        assert "mi correo es [email] y mi móvil [teléfono], ¿me llamáis?" in texts
        assert not [text for text in texts if "marta" in text or "612" in text]
    finally:
        get_settings.cache_clear()
        session_factory_for.cache_clear()
