"""Custom actions with rasa-sdk's real Tracker and CollectingDispatcher, on a real SQLite store."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from actions.consulta import ActionConsultarCaso
from actions.despedida import ActionDespedir
from actions.duda import ActionCerrarDuda, ActionResponderDuda
from actions.escalation import ActionAclarar, ActionEscalarCaso
from actions.registration import ActionRegistrarQueja, ActionRegistrarSolicitud
from bot.config import get_settings
from bot.store.models import Case, CaseEvent, Message
from bot.timeline import add_event
from tests.support.trackers import (
    action_event,
    as_dicts,
    domain,
    entity,
    opened_by,
    slot_event,
    tracker,
    user_event,
)


async def run(action, t):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, domain())
    return dispatcher.messages, events


def responses(messages) -> list[str]:
    return [m.get("response") for m in messages]


def one_case(session_factory) -> Case:
    with session_factory() as session:
        query = select(Case).options(selectinload(Case.events), selectinload(Case.team))
        return session.execute(query).scalar_one()


async def test_a_duda_is_answered_from_the_faq_registered_and_asked_about(session_factory):
    question = user_event("cuanto tarda un envio a canarias", "duda", 0.97, topic="envios")
    messages, events = await run(ActionResponderDuda(), tracker([question]))

    assert responses(messages) == ["utter_duda/envios", "utter_preguntar_resuelto"]
    case = one_case(session_factory)
    assert case.number.startswith("D-") and as_dicts(events)["caso_numero"] == case.number
    assert (case.type, case.topic, case.status, case.level) == ("duda", "envios", "en_proceso", 1)
    assert [e.kind for e in case.events] == ["captured", "classified", "registered", "solution_presented"]
    with session_factory() as session:
        transcript = session.execute(select(Message.sender, Message.text).order_by(Message.id)).all()
    assert transcript[0] == ("customer", "cuanto tarda un envio a canarias")
    assert transcript[1][0] == "bot" and "días" in transcript[1][1]


async def test_a_retried_duda_action_does_not_register_a_second_case(session_factory):
    question = user_event("aceptan paypal?", "duda", topic="pagos", message_id="m-1")
    await run(ActionResponderDuda(), tracker([question]))
    await run(ActionResponderDuda(), tracker([question]))
    with session_factory() as session:
        assert session.execute(select(func.count(Case.id))).scalar_one() == 1
        assert session.execute(select(func.count(CaseEvent.id))).scalar_one() == 4


async def test_a_duda_button_without_topic_asks_for_the_topic(session_factory):
    messages, events = await run(ActionResponderDuda(), tracker([user_event("/duda", "duda", 1.0)]))
    assert responses(messages) == ["utter_duda/sin_tema"]
    assert events == []


async def answered_duda(text: str, topic: str, then: dict) -> list[dict]:
    """A duda answered by the real action, followed by the customer's reply `then`."""
    question = user_event(text, "duda", topic=topic)
    _, events = await run(ActionResponderDuda(), tracker([question]))
    set_by_action = [slot_event(k, v) for k, v in as_dicts(events).items()]
    return [question, action_event("action_responder_duda"), *set_by_action, then]


async def test_yes_closes_the_duda_as_resolved_by_the_bot(session_factory):
    history = await answered_duda(
        "horario de las tiendas?", "horarios", then=user_event("/afirmar", "afirmar", 1.0)
    )
    messages, _ = await run(ActionCerrarDuda(), tracker(history))

    assert responses(messages) == ["utter_duda_resuelta"]
    case = one_case(session_factory)
    assert case.status == "cerrado" and case.closed_at is not None
    assert "horarios" in case.resolution
    assert [e.kind for e in case.events][-2:] == ["resolved", "closed"]


async def test_no_escalates_the_duda_to_a_person(session_factory):
    history = await answered_duda(
        "como cambio mi contraseña", "cuenta", then=user_event("/negar", "negar", 1.0)
    )
    messages, _ = await run(ActionEscalarCaso(), tracker(history))

    case = one_case(session_factory)
    assert responses(messages) == ["utter_escalado"] and messages[0]["numero"] == case.number
    assert (case.status, case.level) == ("escalado", 2)
    escalation = [e for e in case.events if e.kind == "escalated"][0]
    assert escalation.details["reason"] == "respuesta_no_resolvio"


async def test_asking_for_a_person_registers_an_escalated_case(session_factory):
    ask = user_event("quiero hablar con una persona", "pedir_humano")
    messages, events = await run(ActionEscalarCaso(), tracker([ask]))
    case = one_case(session_factory)
    assert (case.type, case.topic, case.status) == ("solicitud", "hablar_con_persona", "escalado")
    assert case.description == "quiero hablar con una persona"
    assert as_dicts(events)["caso_numero"] == case.number
    assert messages[0]["fecha"]  # the customer is told when to expect an answer


def queja_form_history(opening: str, **slots):
    return [*opened_by(opening, "queja", 0.91), *[slot_event(k, v) for k, v in slots.items()]]


async def test_a_completed_queja_is_registered_escalated_with_its_number(session_factory):
    history = queja_form_history(
        "El pedido PED-1234567 llegó roto y nadie me responde", numero_pedido="PED-1234567"
    )
    messages, events = await run(ActionRegistrarQueja(), tracker(history))

    case = one_case(session_factory)
    assert responses(messages) == ["utter_queja_registrada"]
    assert messages[0]["numero"] == case.number and case.number.startswith("Q-")
    assert case.details == {"numero_pedido": "PED-1234567"}
    assert (case.status, case.intent, case.intent_confidence) == ("escalado", "queja", 0.91)
    slots = as_dicts(events)
    assert slots["caso_numero"] == case.number and slots["demanda"] is None and slots["numero_pedido"] is None


async def test_a_queja_about_the_website_follows_its_topic_policy(session_factory):
    history = queja_form_history("la web me da error al pagar y no puedo terminar la compra")
    messages, _ = await run(ActionRegistrarQueja(), tracker(history))
    case = one_case(session_factory)
    assert case.topic == "web" and case.status == "nuevo"  # this topic is not escalated by policy
    assert responses(messages) == ["utter_queja_registrada_sin_escalar"]


async def test_a_form_that_gave_up_offers_a_person_and_registers_nothing(session_factory):
    history = queja_form_history("queja", intentos_fallidos=3)
    messages, events = await run(ActionRegistrarQueja(), tracker(history))
    assert messages == []
    assert events == [{"event": "followup", "timestamp": None, "name": "action_ofrecer_persona"}]
    with session_factory() as session:
        assert session.execute(select(func.count(Case.id))).scalar_one() == 0


async def test_a_solicitud_is_registered_with_its_kind_team_and_fields(session_factory):
    history = [
        *opened_by("necesito la factura de mi compra", "solicitud", 0.88),
        slot_event("tipo_solicitud", "factura"),
        user_event("PED-7654321", "nlu_fallback", 0.3),
        slot_event("numero_pedido", "PED-7654321"),
        user_event("ana@correo.com", "nlu_fallback", 0.3),
        slot_event("email", "ana@correo.com"),
    ]
    messages, _ = await run(ActionRegistrarSolicitud(), tracker(history))

    case = one_case(session_factory)
    assert (case.type, case.topic, case.team.name, case.status) == (
        "solicitud",
        "factura",
        "facturacion",
        "nuevo",
    )
    assert case.details == {"numero_pedido": "PED-7654321", "email": "ana@correo.com"}
    assert responses(messages) == ["utter_solicitud_registrada"]
    assert messages[0]["equipo"] == "Facturación" and messages[0]["fecha"]
    assert messages[0]["tipo"] == "factura"  # the kind of request, in Spanish


async def register_queja_for(sender: str) -> str:
    history = queja_form_history(
        "el repartidor no vino y perdí el día esperando", numero_pedido="PED-1111111"
    )
    _, events = await run(ActionRegistrarQueja(), tracker(history, sender_id=sender))
    return as_dicts(events)["caso_numero"]


async def test_a_customer_gets_the_status_of_their_own_case(session_factory):
    number = await register_queja_for("cliente-1")
    ask = user_event(
        f"como va mi caso {number.lower()}",
        "consultar_caso",
        entities=[entity("numero_caso", number.lower())],
    )
    messages, _ = await run(ActionConsultarCaso(), tracker([ask]))
    assert responses(messages) == ["utter_estado_caso"]
    assert messages[0]["numero"] == number
    assert messages[0]["estado"] == "en manos de una persona del equipo"
    assert messages[0]["ultimo_evento"] == "lo pasamos a una persona del equipo"


async def test_the_status_names_the_latest_thing_the_customer_saw_in_spanish(session_factory):
    number = await register_queja_for("cliente-2")
    with session_factory.begin() as session:
        case = session.execute(select(Case).where(Case.number == number)).scalar_one()
        add_event(session, case, "customer_notified", notice="closed")
        add_event(session, case, "note", "agent:7", text="cliente pesado")  # internal: never named
        add_event(session, case, "sla_warning")
    ask = user_event(f"y mi caso {number}?", "consultar_caso", entities=[entity("numero_caso", number)])
    messages, _ = await run(ActionConsultarCaso(), tracker([ask], sender_id="cliente-2"))
    assert messages[0]["ultimo_evento"] == "te avisamos por aquí"


@pytest.mark.parametrize("number", ["other", "Q-2026-999999"])
async def test_unknown_and_foreign_cases_get_the_same_answer(session_factory, number):
    foreign = await register_queja_for("otro-cliente")
    asked = foreign if number == "other" else number
    messages, _ = await run(
        ActionConsultarCaso(), tracker([user_event(f"estado del caso {asked}", "consultar_caso")])
    )
    assert responses(messages) == ["utter_caso_no_encontrado"]
    assert foreign not in str(messages)


async def test_without_a_number_the_only_open_case_is_the_one_asked_about(session_factory):
    number = await register_queja_for("cliente-1")
    await register_queja_for("otro-cliente")
    messages, _ = await run(
        ActionConsultarCaso(), tracker([user_event("¿me avisan cuando haya novedades?", "consultar_caso")])
    )
    assert responses(messages) == ["utter_estado_caso"]
    assert messages[0]["numero"] == number and messages[0]["fecha"]


async def test_without_a_number_the_customer_gets_their_open_cases(session_factory):
    numbers = [await register_queja_for("cliente-1") for _ in range(2)]
    await register_queja_for("otro-cliente")
    messages, _ = await run(
        ActionConsultarCaso(), tracker([user_event("que paso con mi reclamo", "consultar_caso")])
    )
    assert responses(messages) == ["utter_casos_abiertos"]
    assert messages[0]["lista"].count("•") == 2 and all(n in messages[0]["lista"] for n in numbers)


async def test_without_open_cases_the_customer_is_told_so(session_factory):
    messages, _ = await run(ActionConsultarCaso(), tracker([user_event("mis casos", "consultar_caso")]))
    assert responses(messages) == ["utter_sin_casos_abiertos"]


async def test_a_first_misunderstanding_asks_with_buttons(session_factory):
    messages, _ = await run(ActionAclarar(), tracker([user_event("blablabla", "nlu_fallback", 0.2)]))
    assert responses(messages) == ["utter_aclarar"]


async def test_a_second_misunderstanding_in_a_row_escalates(session_factory):
    history = [
        user_event("asdf qwer", "nlu_fallback", 0.2),
        action_event("action_aclarar"),
        user_event(
            "el coso ese del otro dia", "nlu_fallback", 0.3, ranking=[("nlu_fallback", 0.3), ("queja", 0.25)]
        ),
    ]
    messages, _ = await run(ActionAclarar(), tracker(history))
    case = one_case(session_factory)
    assert responses(messages) == ["utter_no_entiendo_escalado"]
    assert (case.type, case.status) == ("queja", "escalado")
    assert "asdf qwer" in case.description and "el coso ese" in case.description


async def test_two_misunderstood_answers_to_a_faq_hand_that_duda_to_a_person(session_factory):
    history = await answered_duda(
        "las tarjetas regalo caducan?", "tarjeta_regalo", user_event("mmm pues ya veré", "nlu_fallback", 0.2)
    )
    history += [action_event("action_aclarar"), user_event("quedo pendiente", "nlu_fallback", 0.2)]
    messages, events = await run(ActionAclarar(), tracker(history))
    case = one_case(session_factory)
    assert responses(messages) == ["utter_no_entiendo_escalado"] and messages[0]["numero"] == case.number
    assert (case.type, case.topic, case.status, case.level) == ("duda", "tarjeta_regalo", "escalado", 2)
    with session_factory() as session:
        kept = session.execute(select(Message.text).where(Message.case_id == case.id)).scalars().all()
    assert "mmm pues ya veré\nquedo pendiente" in kept


def case_count(session_factory) -> int:
    with session_factory() as session:
        return session.execute(select(func.count(Case.id))).scalar_one()


@pytest.mark.parametrize("said", [("👋", "😅"), ("???", "🙃"), ("😅", "el coso ese del otro dia")])
async def test_emoji_or_signs_not_understood_open_no_case(session_factory, said):
    first, second = said
    history = [user_event(first, "nlu_fallback", 0.2), action_event("action_aclarar")]
    history.append(user_event(second, "nlu_fallback", 0.2))
    messages, _ = await run(ActionAclarar(), tracker(history))
    assert responses(messages) in (["utter_aclarar_sin_palabras"], ["utter_aclarar"])
    assert case_count(session_factory) == 0


async def test_more_misunderstandings_after_an_escalation_join_the_case_already_with_a_person(
    session_factory,
):
    history = [user_event("asdf qwer", "nlu_fallback", 0.2), action_event("action_aclarar")]
    history.append(user_event("qwerty zxcv", "nlu_fallback", 0.1))
    await run(ActionAclarar(), tracker(history))
    (case,) = [one_case(session_factory)]
    for junk in ("👍🏼", "jjjj", "??"):
        history += [action_event("action_aclarar"), user_event(junk, "nlu_fallback", 0.1)]
        messages, events = await run(ActionAclarar(), tracker(history))
        assert responses(messages) == ["utter_caso_ya_con_persona"] and messages[0]["numero"] == case.number
        assert as_dicts(events)["caso_numero"] == case.number
    assert case_count(session_factory) == 1
    with session_factory() as session:
        kept = session.execute(select(Message.text).where(Message.case_id == case.id)).scalars().all()
    assert {"👍🏼", "jjjj", "??"} <= set(kept)


async def test_asking_for_a_person_with_a_case_already_with_one_gets_that_case(session_factory):
    number = await register_queja_for("cliente-1")  # complaints are escalated by the policy
    messages, _ = await run(ActionEscalarCaso(), tracker([user_event("pásame con alguien", "pedir_humano")]))
    assert responses(messages) == ["utter_caso_ya_con_persona"] and messages[0]["numero"] == number
    assert case_count(session_factory) == 1


async def test_beyond_the_hourly_limit_no_case_is_opened_and_the_words_join_the_newest(
    session_factory, monkeypatch
):
    monkeypatch.setenv("MAX_NEW_CASES_PER_HOUR", "2")
    get_settings.cache_clear()
    try:
        first, second = [await register_queja_for("cliente-1") for _ in range(2)]
        history = queja_form_history("y otra cosa más que me pasó con el envío", numero_pedido="PED-2222222")
        messages, events = await run(ActionRegistrarQueja(), tracker(history))
        assert responses(messages) == ["utter_limite_casos"] and messages[0]["numero"] == second
        assert case_count(session_factory) == 2
        answer, events = await run(
            ActionResponderDuda(), tracker([user_event("cuanto tarda un envio?", "duda", topic="envios")])
        )
        assert "utter_duda/envios" in responses(answer) and as_dicts(events)["caso_numero"] is None
        assert case_count(session_factory) == 2
    finally:
        get_settings.cache_clear()


async def test_goodbye_reminds_of_an_open_case(session_factory):
    number = await register_queja_for("cliente-1")
    messages, _ = await run(
        ActionDespedir(), tracker([user_event("chao", "despedida")], slots={"caso_numero": number})
    )
    assert responses(messages) == ["utter_despedida_caso_abierto"] and messages[0]["numero"] == number


async def test_a_store_failure_gets_an_apology_not_a_crash(tmp_path, monkeypatch):
    from bot.config import get_settings
    from bot.store.db import session_factory_for

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'not-migrated.db'}")
    get_settings.cache_clear()
    session_factory_for.cache_clear()
    messages, events = await run(
        ActionResponderDuda(), tracker([user_event("aceptan paypal", "duda", topic="pagos")])
    )
    assert responses(messages) == ["utter_error_interno"] and events == []
    get_settings.cache_clear()
    session_factory_for.cache_clear()
