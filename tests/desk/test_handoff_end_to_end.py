"""The human handoff end to end: a running assistant (trained model, action server, worker,
SQLite store) whose Telegram side is the fake Bot API. Customers and agents post real update
JSON; the tests assert what each of them receives and what the store keeps."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from bot.config import PROJECT_ROOT
from bot.store.db import create_session_factory
from bot.store.models import Customer
from tests.support import telegram_updates as tg
from tests.support.chats import new_chat
from tests.support.fake_bot_api import FakeBotApi
from tests.support.handoff_helpers import (
    AGENTS,
    LAURA,
    MARTA,
    PEDRO,
    PLAIN_AGENTS,
    STRANGER,
    card_now,
    cards_pending,
    complaint,
    register_agents,
    stored_case,
    taken_by_laura,
    wait_until,
)
from tests.support.telegram_assistant import telegram_assistant, to_chat

pytestmark = pytest.mark.slow


def test_complaint_taken_relayed_transferred_to_a_supervisor_and_closed(assistant, fake):
    chat = new_chat()
    number = complaint(assistant, chat)

    card = assistant.card_of(number)
    assert [k["text"] for row in card.params["reply_markup"]["inline_keyboard"] for k in row] == [
        "Tomar",
        "Historial",
    ]
    topic = card.params["message_thread_id"]
    assert any(c.params["name"].startswith(number) for c in fake.calls("createForumTopic"))

    before = len(assistant.sent(chat))
    toast = assistant.agent_press(LAURA, card, "Tomar")
    assert number in toast.params["text"] and not toast.params.get("show_alert")
    (told,) = assistant.replies(chat, before + 1)[before:]
    assert "Laura del equipo de atención te va a ayudar" in told.params["text"]
    fake.wait_for("editMessageText", predicate=lambda c: "Lo lleva: <b>Laura Gómez</b>" in c.params["text"])

    # The customer writes: the agents see it in the case's topic; the bot does not answer.
    before_customer = len(assistant.sent(chat))
    assert assistant.post(tg.text_update(chat, "¿Cuándo me lo reenviáis?")) == 200
    relayed = assistant.wait_agents_post("¿Cuándo me lo reenviáis?", topic)
    assert relayed.params["message_thread_id"] == topic and "Ana García" in relayed.params["text"]
    assert assistant.post(tg.photo_update(chat, caption="así llegó")) == 200
    copied = fake.wait_for("copyMessage", predicate=to_chat(AGENTS))[-1]
    assert copied.params["from_chat_id"] == str(chat) or int(copied.params["from_chat_id"]) == chat

    # Laura answers in the topic: the customer reads it with her first name.
    assistant.agent_says(LAURA, "Hola Ana, lo reenviamos hoy mismo", thread_id=topic)
    (answer,) = assistant.replies(chat, before_customer + 1)[before_customer:]
    assert answer.params["text"] == "Laura: Hola Ana, lo reenviamos hoy mismo"

    # Laura hands it to a supervisor: the customer is told, Marta is mentioned, the card offers Tomar again.
    assistant.agent_says(LAURA, "/transferir supervisor", thread_id=topic)
    transferred = assistant.wait_agents_post("transferido el caso a supervisión", topic)
    assert "tg://user?id=31003" in transferred.params["text"] and "Marta Sanz" in transferred.params["text"]
    (moved,) = assistant.replies(chat, before_customer + 2)[before_customer + 1 :]
    assert number in moved.params["text"] and "responsable" in moved.params["text"]

    refused = assistant.agent_press(PEDRO, card, "Tomar", name="Pedro")
    assert refused.params["show_alert"] and "supervisor" in refused.params["text"]
    assistant.agent_press(MARTA, card, "Tomar", name="Marta")
    (marta,) = assistant.replies(chat, before_customer + 3)[before_customer + 2 :]
    assert "Marta del equipo de atención" in marta.params["text"]

    assistant.agent_says(
        MARTA, "/cerrar Te enviamos un pedido nuevo sin coste", thread_id=topic, name="Marta"
    )
    (closed,) = assistant.replies(chat, before_customer + 4)[before_customer + 3 :]
    assert (
        number in closed.params["text"]
        and "Resolución: Te enviamos un pedido nuevo sin coste" in closed.params["text"]
    )
    assistant.wait_agents_post("Caso resuelto por <b>Marta Sanz</b>", topic)

    case, events, messages = stored_case(assistant, number)
    assert (case.status, case.level, case.assigned_agent.name, case.handoff) == (
        "resuelto",
        3,
        "Marta Sanz",
        None,
    )
    assert case.resolution == "Te enviamos un pedido nuevo sin coste"
    kinds = [e.kind for e in events]
    expected = [
        "captured", "classified", "registered", "escalated", "taken", "customer_notified", "first_response",
        "transferred", "escalated", "customer_notified", "taken", "customer_notified", "resolved",
        "customer_notified",
    ]  # fmt: skip
    assert [k for k in kinds if k in set(expected)] == expected
    assert [e.details["agent"] for e in events if e.kind == "taken"] == ["Laura Gómez", "Marta Sanz"]
    transcript = [(m.sender, m.text) for m in messages]
    assert ("customer", "¿Cuándo me lo reenviáis?") in transcript
    assert ("customer", "[foto] así llegó") in transcript
    assert ("agent", "Hola Ana, lo reenviamos hoy mismo") in transcript

    # With the case resolved the assistant talks to the customer again.
    (greeting,) = assistant.say(chat, "hola")
    assert "Hola" in greeting.params["text"]


def test_two_agents_pressing_tomar_at_once_give_one_owner(assistant, fake):
    chat = new_chat()
    number = complaint(assistant, chat)
    card = assistant.card_of(number)
    data = f"tomar:{number}"
    laura = tg.agents_callback(LAURA, data, card.response["result"], "Laura")
    pedro = tg.agents_callback(PEDRO, data, card.response["result"], "Pedro")
    assert assistant.post(laura) == 200 and assistant.post(pedro) == 200
    ids = {laura["callback_query"]["id"], pedro["callback_query"]["id"]}
    answers = fake.wait_for(
        "answerCallbackQuery", 2, predicate=lambda c: c.params["callback_query_id"] in ids
    )
    alerts = [a for a in answers if a.params.get("show_alert")]
    assert len(alerts) == 1 and "Este caso ya lo tiene Laura Gómez" in alerts[0].params["text"]
    case, events, _ = stored_case(assistant, number)
    assert case.assigned_agent.name == "Laura Gómez" and [e.kind for e in events].count("taken") == 1


def test_someone_who_is_not_an_agent_cannot_take_a_case(assistant):
    chat = new_chat()
    number = complaint(assistant, chat)
    refused = assistant.agent_press(STRANGER, assistant.card_of(number), "Tomar", name="Curioso")
    assert refused.params["show_alert"] and "Solo los agentes registrados" in refused.params["text"]
    case, events, _ = stored_case(assistant, number)
    assert case.assigned_agent_id is None and "taken" not in [e.kind for e in events]


def test_an_agent_reply_after_the_case_was_closed_is_not_sent(assistant):
    chat = new_chat()
    number, _, topic = taken_by_laura(assistant, chat)
    assistant.agent_says(LAURA, "/cerrar Reembolso hecho", thread_id=topic)
    assistant.wait_agents_post("Caso resuelto por", topic)
    sent = len(assistant.sent(chat))
    assistant.agent_says(LAURA, "¿Algo más?", thread_id=topic)
    refusal = assistant.wait_agents_post("tu mensaje no se envió al cliente", topic)
    assert number in refusal.params["text"] and "resuelto" in refusal.params["text"]
    assert len(assistant.sent(chat)) == sent


def test_a_customer_who_blocked_the_bot_makes_the_agent_know(assistant, fake):
    chat = new_chat()
    number, _, topic = taken_by_laura(assistant, chat)
    fake.blocked_chats.add(chat)
    try:
        assistant.agent_says(LAURA, "¿Sigues ahí?", thread_id=topic)
        warning = assistant.wait_agents_post("el cliente ha bloqueado el bot", topic)
        assert warning.params["message_thread_id"] == topic
    finally:
        fake.blocked_chats.discard(chat)
    with create_session_factory(assistant.database_url)() as session:
        assert (
            session.execute(select(Customer.reachable).where(Customer.chat_id == str(chat))).scalar_one()
            is False
        )
    _, _, messages = stored_case(assistant, number)
    assert "¿Sigues ahí?" not in [m.text for m in messages]


def test_html_and_markdown_from_the_customer_reach_the_agents_as_text(assistant):
    chat = new_chat()
    _, _, topic = taken_by_laura(assistant, chat)
    raw = "<b>URGENTE</b> & *ya* _por favor_ <script>x</script>"
    assert assistant.post(tg.text_update(chat, raw)) == 200
    relayed = assistant.wait_agents_post("URGENTE", topic)
    assert relayed.params["parse_mode"] == "HTML"
    assert "&lt;b&gt;URGENTE&lt;/b&gt; &amp; *ya* _por favor_ &lt;script&gt;" in relayed.params["text"]


def test_goodbye_ends_the_handoff_and_a_later_message_goes_to_the_same_agent(assistant):
    chat = new_chat()
    number, _, topic = taken_by_laura(assistant, chat)
    (farewell,) = assistant.say(chat, "adiós, hasta luego")
    assert "Laura seguirá con tu caso" in farewell.params["text"] and number in farewell.params["text"]
    assistant.wait_agents_post("El cliente se despidió", topic)
    sent = len(assistant.sent(chat))
    assert assistant.post(tg.text_update(chat, "perdona, una cosa más")) == 200
    assistant.wait_agents_post("El cliente ha vuelto a escribir", topic)
    assistant.wait_agents_post("una cosa más", topic)
    assert len(assistant.sent(chat)) == sent  # the bot stays quiet: Laura has it
    kinds = [e.kind for e in stored_case(assistant, number)[1]]
    assert kinds.index("customer_left") < kinds.index("handoff_resumed")


def test_devolver_gives_the_conversation_back_to_the_bot(assistant):
    chat = new_chat()
    number, _, topic = taken_by_laura(assistant, chat)
    sent = len(assistant.sent(chat))
    assistant.agent_says(LAURA, "/devolver", thread_id=topic)
    assistant.wait_agents_post("El asistente vuelve a atender", topic)
    (told,) = assistant.replies(chat, sent + 1)[sent:]
    assert "asistente virtual" in told.params["text"] and number in told.params["text"]
    (greeting,) = assistant.say(chat, "hola")
    assert "Hola" in greeting.params["text"]
    case, events, _ = stored_case(assistant, number)
    assert case.is_open and case.handoff is None and "returned_to_bot" in [e.kind for e in events]


def test_soltar_puts_the_case_back_in_the_queue(assistant, fake):
    chat = new_chat()
    number, card, topic = taken_by_laura(assistant, chat)
    sent = len(assistant.sent(chat))
    assistant.agent_says(LAURA, "/soltar", thread_id=topic)
    assistant.wait_agents_post("ha devuelto el caso a la cola", topic)
    wait_until(lambda: cards_pending(assistant, number) == 0)
    shown = card_now(assistant, card)
    assert "Sin asignar" in shown and shown.endswith("Tomar Historial")
    (told,) = assistant.replies(chat, sent + 1)[sent:]
    assert "vuelve a la cola" in told.params["text"] and number in told.params["text"]
    case, _, _ = stored_case(assistant, number)
    assert (case.assigned_agent_id, case.status) == (None, "escalado")


def test_history_notes_and_type_corrections_stay_internal(assistant):
    chat = new_chat()
    number, card, topic = taken_by_laura(assistant, chat)
    sent = len(assistant.sent(chat))
    assistant.agent_press(PEDRO, card, "Historial", name="Pedro")
    history = assistant.wait_agents_post(f"Historial de {number}", topic)
    assert "el repartidor dejó el paquete en la calle y llegó mojado" in history.params["text"]
    assistant.agent_says(LAURA, "/nota El cliente ya reclamó por teléfono", thread_id=topic)
    assistant.wait_agents_post("Nota guardada", topic)
    assistant.agent_says(LAURA, "/tipo solicitud", thread_id=topic)
    assistant.wait_agents_post("Tipo corregido: queja → solicitud", topic)
    assistant.agent_says(PEDRO, "/cerrar no es mío", thread_id=topic, name="Pedro")
    assistant.wait_agents_post("Este caso lo lleva Laura Gómez", topic)
    assert len(assistant.sent(chat)) == sent
    case, events, _ = stored_case(assistant, number)
    assert case.type == "solicitud" and case.is_open
    (note,) = [e for e in events if e.kind == "note"]
    (corrected,) = [e for e in events if e.kind == "type_corrected"]
    assert note.details["text"] == "El cliente ya reclamó por teléfono"
    assert corrected.details["from"] == "queja" and corrected.details["to"] == "solicitud"
    assert "paquete" in corrected.details["text"]


def test_agents_list_their_cases_and_the_queue_in_private(assistant):
    chat = new_chat()
    number, _, _ = taken_by_laura(assistant, chat)
    waiting = complaint(assistant, new_chat())
    (mine,) = assistant.say(LAURA, "/casos")
    assert number in mine.params["text"] and "Tus casos abiertos" in mine.params["text"]
    (queue,) = assistant.say(LAURA, "/cola")
    assert waiting in queue.params["text"] and number not in queue.params["text"]
    (refused,) = assistant.say(STRANGER, "/cola")
    assert "Casos sin asignar" not in refused.params["text"]


# --- a plain group (no topics), and every process restarted in the middle of a handoff ------


def test_in_a_plain_group_replies_to_the_card_are_the_relay_and_survive_a_restart(
    trained_model, tmp_path_factory
):
    store = tmp_path_factory.mktemp("handoff-restart")
    chat = new_chat()
    with FakeBotApi() as fake:
        start = dict(
            store=store,
            fake=fake,
            webhook_url="https://atencion.example.com",
            log_prefix="test-handoff-restart-",
            agents_chat_id=PLAIN_AGENTS,
            worker=True,
        )
        with telegram_assistant(**start) as first:
            register_agents(first.database_url)
            number = complaint(first, chat)
            card = first.card_of(number)
            assert "message_thread_id" not in card.params
            first.agent_press(LAURA, card, "Tomar")
            first.replies(chat, len(first.sent(chat)) + 1)
            first.agent_says(LAURA, "Hola, soy Laura", reply_to=card)
            first.replies(chat, len(first.sent(chat)) + 1)

        with telegram_assistant(**start) as second:
            sent = len(second.sent(chat))
            assert second.post(tg.text_update(chat, "sigo esperando el reenvío")) == 200
            relayed = second.wait_agents_post("sigo esperando el reenvío")
            # An agent answers what the store already ties to the case (a person is never that quick).
            wait_until(
                lambda: "sigo esperando el reenvío" in [m.text for m in stored_case(second, number)[2]]
            )
            assert relayed.params["reply_parameters"]["message_id"] == card.response["result"]["message_id"]
            second.agent_says(LAURA, "Sale mañana", reply_to=relayed)
            (answer,) = second.replies(chat, sent + 1)[sent:]
            assert answer.params["text"] == "Laura: Sale mañana"


def test_what_customers_write_reaches_no_log_line(assistant):
    """Customer text is logged at debug level only (the servers run at info): neither the Rasa
    server, the action server nor the worker writes it, whether the bot or an agent handles it."""
    marker = f"Zq{uuid.uuid4().hex[:12]}"
    chat = new_chat()
    assistant.say(chat, f"cuanto tarda un envio a {marker}?")
    chat = new_chat()
    _, _, topic = taken_by_laura(assistant, chat)
    assert assistant.post(tg.text_update(chat, f"el paquete lo tiene {marker}, mi vecino")) == 200
    assistant.wait_agents_post(marker, topic)
    logs = {
        path.name: path.read_text(errors="replace")
        for path in (PROJECT_ROOT / "var" / "log").glob("test-handoff-*.log")
    }
    assert {"test-handoff-rasa.log", "test-handoff-actions.log", "test-handoff-worker.log"} <= set(logs)
    assert [name for name, text in logs.items() if marker in text] == []
