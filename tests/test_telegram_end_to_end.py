"""The Telegram channel end to end: real Telegram update JSON posted to the webhook of a running
Rasa server (trained model, action server, SQLite store); python-telegram-bot talks to a local
fake Bot API, and the tests assert what the fake received and what the store kept."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from bot.attachments import case_attachments
from bot.config import PROJECT_ROOT
from bot.customers import customer_by_chat
from bot.store.db import create_session_factory
from bot.store.models import Case, InboxUpdate, Message
from tests.support import telegram_updates as tg
from tests.support.fake_bot_api import FakeBotApi
from tests.support.telegram_assistant import (
    SECRET,
    TOKEN,
    TelegramAssistant,
    telegram_assistant,
    texts,
    to_chat,
)

pytestmark = pytest.mark.slow

CASE_NUMBER = re.compile(r"[DQS]-\d{4}-\d{6}")

_chat_ids = iter(range(880001, 889999))


def new_chat() -> int:
    return next(_chat_ids)


@pytest.fixture(scope="module")
def fake_bot_api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def assistant(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory, fake_bot_api: FakeBotApi
) -> Iterator[TelegramAssistant]:
    store = tmp_path_factory.mktemp("telegram")
    webhook = "https://atencion.example.com"
    with telegram_assistant(store, fake_bot_api, webhook, "test-telegram-", worker=True) as running:
        yield running  # no agents' group configured: escalations still register and answer


def test_without_a_webhook_url_the_bot_polls_and_answers(trained_model, tmp_path_factory):
    with (
        FakeBotApi() as fake,
        telegram_assistant(tmp_path_factory.mktemp("polling"), fake, None, "test-polling-") as polling,
    ):
        chat = new_chat()
        fake.push_update(tg.text_update(chat, "hola"))
        fake.push_update(tg.text_update(chat, "/caso"))
        greeting, no_cases = polling.replies(chat, 2)
        assert "Hola" in greeting.params["text"] and "no tienes casos abiertos" in no_cases.params["text"]
        assert fake.calls("deleteWebhook") and fake.webhook is None


def metrics_url(assistant: TelegramAssistant) -> str:
    return assistant.webhook_url.removesuffix("/webhook") + "/metrics"


def metric_value(assistant: TelegramAssistant, sample: str) -> float:
    """One sample of the Rasa server's /webhooks/telegram/metrics, e.g. `x_total{channel="telegram"}`."""
    text = requests.get(metrics_url(assistant), timeout=10).text
    values = [float(line.rpartition(" ")[2]) for line in text.splitlines() if line.startswith(sample + " ")]
    return values[0] if values else 0.0


def test_turns_and_webhook_answers_are_counted_for_prometheus(assistant):
    turns, answered = (
        'atencion_turns_total{channel="telegram"}',
        'atencion_telegram_webhook_responses_total{status="200"}',
    )
    timed = 'atencion_turn_seconds_count{channel="telegram"}'
    before = {sample: metric_value(assistant, sample) for sample in (turns, answered, timed)}
    chat = new_chat()
    assistant.say(chat, "hola, una pregunta")
    deadline = time.monotonic() + 10  # the turn is counted once Rasa is done with it, just after the reply
    while metric_value(assistant, turns) < before[turns] + 1:
        assert time.monotonic() < deadline, "the turn was never counted"
        time.sleep(0.2)
    assert metric_value(assistant, timed) == before[timed] + 1
    assert metric_value(assistant, answered) >= before[answered] + 1
    text = requests.get(metrics_url(assistant), timeout=10).text
    assert str(chat) not in text and "pregunta" not in text
    assert re.search(r'atencion_model_info\{model_id="[0-9a-f]{32}",name="atencion.tar.gz"\} 1.0', text)
    held_out = re.search(r'atencion_model_heldout_macro_f1\{set="nlu_holdout"\} ([0-9.]+)', text)
    assert held_out and 0.9 <= float(held_out.group(1)) <= 1.0  # measured after training, for this model


def test_the_webhook_is_registered_with_its_secret_and_update_kinds(assistant):
    webhook = assistant.fake.webhook
    assert webhook["url"] == "https://atencion.example.com/webhooks/telegram/webhook"
    assert webhook["secret_token"] == SECRET
    assert set(webhook["allowed_updates"]) == {
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
    }


@pytest.mark.parametrize("secret", [None, "otro-secreto"])
def test_a_wrong_or_missing_secret_gets_403_and_nothing_happens(assistant, secret):
    chat = new_chat()
    assert assistant.post(tg.text_update(chat, "hola"), secret=secret) == 403
    assistant.say(new_chat(), "hola")  # a later, valid update is answered…
    assert assistant.sent(chat) == []  # …but the forged one never was


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"esto no es JSON", 400),
        (b'["una", "lista"]', 400),
        (b'{"sin": "update_id"}', 400),
        (b'{"update_id": 77, "message": {"chat": "no es un chat"}}', 200),  # dropped, not retried
    ],
)
def test_malformed_bodies_are_refused_or_dropped_and_the_bot_goes_on(assistant, body, status):
    assert assistant.post_body(body) == status
    assistant.say(new_chat(), "hola")


def test_a_padded_update_larger_than_any_telegram_update_is_refused_unread(assistant):
    chat = new_chat()
    padded = tg.text_update(chat, "hola")
    padded["relleno"] = "x" * 10_000_000
    assert assistant.post(padded) == 413
    with create_session_factory(assistant.database_url)() as session:
        stored = session.execute(select(InboxUpdate).where(InboxUpdate.update_id == padded["update_id"]))
        assert stored.first() is None
    assert assistant.sent(chat) == []


def test_text_direction_overrides_never_reach_the_store(assistant):
    chat = new_chat()
    reversed_name = {"from": tg.user(chat, first_name="\u202eodnaloR", last_name="\u2066Ruiz\u2069")}
    assistant.send(chat, tg.text_update(chat, "quiero poner una queja", **reversed_name), expect=2)
    assistant.send(chat, tg.text_update(chat, "me cobraron \u202e05 €\u202c de más", **reversed_name))
    assistant.send(chat, tg.text_update(chat, "PED-3334445", **reversed_name))

    (case,) = assistant.cases(chat)
    with create_session_factory(assistant.database_url)() as session:
        customer = customer_by_chat(session, str(chat))
        texts_kept = list(session.execute(select(Message.text).where(Message.case_id == case.id)).scalars())
    assert customer.name == "odnaloR Ruiz"  # the letters as sent, with nothing that turns them around
    assert any("me cobraron 05 € de más" in text for text in texts_kept)
    assert not any(
        c in text
        for text in [customer.name, *texts_kept]
        for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    )


def test_start_greets_and_says_what_the_assistant_can_do(assistant):
    chat = new_chat()
    greeting = texts(assistant.say(chat, "/start"))
    assert "dudas" in greeting and "queja" in greeting and "caso" in greeting
    with create_session_factory(assistant.database_url)() as session:
        customer = customer_by_chat(session, str(chat))
        assert (customer.name, customer.channel, customer.language) == ("Ana García", "telegram", "es")


def test_a_duda_answered_then_closed_with_the_si_button(assistant):
    chat = new_chat()
    answer, question = assistant.say(chat, "cuanto tarda un envio a sevilla?", expect=2)
    assert "días laborables" in answer.params["text"]
    assert question.params["text"] == "¿Resolví tu duda?"
    keys = question.params["reply_markup"]["inline_keyboard"]
    assert [[k["text"] for k in row] for row in keys] == [["Sí", "No"]]

    (closing,) = assistant.press(chat, question, "Sí")
    assert "Me alegro" in closing.params["text"]
    answered = assistant.fake.calls("answerCallbackQuery")
    assert answered and answered[-1].ok
    edited = assistant.fake.wait_for("editMessageText", predicate=to_chat(chat))[-1]
    assert edited.params["text"].endswith("» Sí") and "reply_markup" not in edited.params
    (case,) = assistant.cases(chat)
    assert (case.type, case.status, case.channel) == ("duda", "cerrado", "telegram")


@pytest.mark.parametrize(
    "data, keyboard",
    [
        ("/restart", None),  # not on the pressed message's keyboard
        ("/pedir_humano", None),  # one of ours, but not on this message
        ("x" * 100, None),  # longer than Telegram's 64 bytes
        ("encuesta:Q-2026-000001:calificacion:9", "9"),  # on a forged keyboard, but no answer of ours
        ("encuesta:Q-2026-000001:calificacion:3.5", "3.5"),
    ],
)
def test_button_data_that_is_not_on_the_pressed_keyboard_gets_a_pop_up_and_changes_nothing(
    assistant, data, keyboard
):
    chat = new_chat()
    _answer, question = assistant.say(chat, "cuanto tarda un envio a sevilla?", expect=2)
    buttons = [
        (k["text"], k["callback_data"])
        for row in question.params["reply_markup"]["inline_keyboard"]
        for k in row
    ]
    if keyboard is not None:
        buttons.append((keyboard, data))
    pressed = tg.bot_message(
        chat, question.params["text"], buttons, question.response["result"]["message_id"]
    )
    update = tg.callback_update(chat, data, pressed)
    sent = len(assistant.sent(chat))

    assert assistant.post(update) == 200
    (answer,) = assistant.fake.wait_for(
        "answerCallbackQuery",
        predicate=lambda c: c.params["callback_query_id"] == update["callback_query"]["id"],
    )
    assert answer.params["text"] == "Ese botón ya no está disponible. Escríbeme lo que necesitas."
    (closing,) = assistant.press(chat, question, "Sí")  # the real keyboard still works, and was not used
    assert "Me alegro" in closing.params["text"]
    assert len(assistant.sent(chat)) == sent + 1
    assert not any(data in call.params.get("text", "") for call in assistant.fake.calls("editMessageText"))
    assert [(case.type, case.status) for case in assistant.cases(chat)] == [("duda", "cerrado")]


def test_the_no_button_escalates_the_duda(assistant):
    chat = new_chat()
    _, question = assistant.say(chat, "que metodos de pago aceptan", expect=2)
    (escalated,) = assistant.press(chat, question, "No")
    assert "persona" in escalated.params["text"]
    assert assistant.cases(chat)[0].status == "escalado"


def test_a_queja_is_registered_and_a_photo_joins_it(assistant):
    chat = new_chat()
    assistant.say(chat, "quiero poner una queja", expect=2)  # empathy, then «¿qué pasó?»
    assistant.say(chat, "el repartidor dejó el paquete en la calle y llegó mojado")
    (registered,) = assistant.say(chat, "PED-4021937")
    number = CASE_NUMBER.search(registered.params["text"]).group()
    assert number.startswith("Q-")

    (ack,) = assistant.send(chat, tg.photo_update(chat))
    assert number in ack.params["text"]
    with create_session_factory(assistant.database_url)() as session:
        case = session.execute(select(Case).where(Case.number == number)).scalar_one()
        assert [a.file_id for a in case_attachments(session, case)] == [f"large-{chat}"]


def test_without_an_agents_group_an_escalation_is_registered_told_and_logged(assistant):
    chat = new_chat()
    (escalated,) = assistant.say(chat, "quiero hablar con una persona")
    number = CASE_NUMBER.search(escalated.params["text"]).group()
    assert "persona" in escalated.params["text"]
    (case,) = assistant.cases(chat)
    assert (case.number, case.status) == (number, "escalado")
    worker_log = PROJECT_ROOT / "var" / "log" / "test-telegram-worker.log"
    deadline = time.monotonic() + 30
    while f"the card of case {number} was not posted" not in worker_log.read_text():
        assert time.monotonic() < deadline, "the worker did not warn about the missing agents' group"
        time.sleep(0.2)


def test_not_understood_then_a_solicitud_chosen_with_buttons(assistant):
    chat = new_chat()
    (clarify,) = assistant.say(chat, "asdfgh qwerty")
    keys = [key["text"] for row in clarify.params["reply_markup"]["inline_keyboard"] for key in row]
    assert keys == ["Una duda", "Una queja", "Una solicitud", "Hablar con una persona"]
    (kinds,) = assistant.press(chat, clarify, "Una solicitud")
    (question,) = assistant.press(chat, kinds, "Cancelar un pedido")
    assert "número de pedido" in question.params["text"]
    (registered,) = assistant.say(chat, "PED-7654321")
    assert CASE_NUMBER.search(registered.params["text"]).group().startswith("S-")


def test_caso_command_shows_only_the_customers_own_case(assistant):
    owner, stranger = new_chat(), new_chat()
    assistant.say(owner, "quiero poner una queja", expect=2)
    assistant.say(owner, "me cobraron dos veces la misma compra con tarjeta")
    (registered,) = assistant.say(owner, "PED-1112223")
    number = CASE_NUMBER.search(registered.params["text"]).group()

    (status,) = assistant.say(owner, f"/caso {number}")
    assert number in status.params["text"]
    (not_found,) = assistant.say(stranger, f"/caso {number}")
    assert "No encuentro ese caso" in not_found.params["text"] and number not in not_found.params["text"]


def test_the_same_update_delivered_three_times_is_answered_once(assistant):
    chat = new_chat()
    update = tg.text_update(chat, "hola")
    assert [assistant.post(update) for _ in range(3)] == [200, 200, 200]
    assistant.say(chat, "gracias")  # answered after the greeting, so the greeting was processed
    assert sum("Hola" in c.params["text"] for c in assistant.sent(chat)) == 1


def test_a_429_storm_delivers_every_message_in_order(assistant):
    chat = new_chat()
    assistant.fake.fail_next("sendMessage", status=429, times=4, retry_after=1)
    for text in ("hola", "/caso", "/ayuda"):
        assert assistant.post(tg.text_update(chat, text)) == 200
    greeting, no_cases, help_text = (c.params["text"] for c in assistant.replies(chat, 3, timeout=90))
    assert "Hola" in greeting and "no tienes casos abiertos" in no_cases and "/caso" in help_text


def test_the_webhook_answers_before_the_turn_is_done(assistant):
    chat = new_chat()
    assistant.fake.delay("sendMessage", 3)
    try:
        assert assistant.post(tg.text_update(chat, "hola")) == 200
        assert assistant.sent(chat) == []  # answered 200 while the reply was still on its way
        assistant.replies(chat, 1)
    finally:
        assistant.fake.delay("sendMessage", 0)


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (tg.voice_update, "No puedo escuchar audios"),
        (tg.sticker_update, "Cuéntame por escrito"),
        (lambda chat: tg.edited_update(chat, "otra cosa"), "no leo las ediciones"),
        (lambda chat: tg.text_update(chat, "/borrar"), "No conozco ese comando"),
    ],
)
def test_messages_the_assistant_cannot_read_get_a_spanish_reply(assistant, build, expected):
    chat = new_chat()
    (reply,) = assistant.send(chat, build(chat))
    assert expected in reply.params["text"]


def test_a_customer_who_blocks_the_bot_is_marked_unreachable(assistant):
    chat = new_chat()
    assistant.say(chat, "hola")
    assert assistant.post(tg.my_chat_member_update(chat, "kicked")) == 200
    assistant.say(chat, "/ayuda")  # the same chat's next update runs after the membership change
    with create_session_factory(assistant.database_url)() as session:
        assert customer_by_chat(session, str(chat)).reachable is False


def test_the_bot_token_never_reaches_the_logs(assistant):
    assistant.say(new_chat(), "hola")
    log = assistant.log_text()
    assert "Telegram channel on as @atencion_test_bot (webhook)" in log
    assert TOKEN.split(":")[1] not in log
