"""The REST channel beside Telegram (docs: DESIGN «Trust boundaries»): with TELEGRAM_TOKEN it is off
unless REST_CHANNEL_TOKEN is set, then it wants that token; and whatever sender a REST client names,
it never reaches a Telegram customer's conversation, cases or chat."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.customers import customer_by_chat
from bot.store.db import create_session_factory
from tests.support.fake_bot_api import FakeBotApi
from tests.support.rest_assistant import Assistant
from tests.support.rest_assistant import texts as rest_texts
from tests.support.telegram_assistant import TelegramAssistant, telegram_assistant

pytestmark = pytest.mark.slow

CASE_NUMBER = re.compile(r"[DQS]-\d{4}-\d{6}")
REST_TOKEN = "token-del-canal-rest"
_chats = iter(range(770001, 779999))


@pytest.fixture(scope="module")
def fake_bot_api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def servers(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory, fake_bot_api: FakeBotApi
) -> Iterator[tuple[TelegramAssistant, Assistant]]:
    store = tmp_path_factory.mktemp("trust")
    webhook = "https://atencion.example.com"
    with telegram_assistant(
        store, fake_bot_api, webhook, "test-trust-", rest_channel_token=REST_TOKEN
    ) as running:
        base = running.rest_url.split("/webhooks/")[0]
        yield running, Assistant(base, running.database_url, REST_TOKEN)


def telegram_customer_with_a_case(telegram: TelegramAssistant) -> tuple[int, str]:
    chat = next(_chats)
    telegram.say(chat, "quiero poner una queja", expect=2)
    telegram.say(chat, "el paquete llegó roto y nadie me contesta")
    (registered,) = telegram.say(chat, "PED-5556667")
    return chat, CASE_NUMBER.search(registered.params["text"]).group()


@pytest.mark.parametrize("token", [None, "otro-token", REST_TOKEN.upper()])
def test_without_the_right_bearer_token_the_rest_channel_answers_401_and_nothing_happens(servers, token):
    telegram, rest = servers
    sender = f"intruso-{token}"
    anonymous = Assistant(rest.url, rest.database_url)
    status, body = anonymous.post({"sender": sender, "message": "quiero poner una queja"}, token=token)
    assert status == 401 and "token" in body["description"]
    with create_session_factory(rest.database_url)() as session:
        assert customer_by_chat(session, f"rest:{sender}") is None


@pytest.mark.parametrize(
    "body, problem",
    [
        ([1, 2], "JSON object"),
        ({"message": "hola"}, "`sender`"),
        ({"sender": "", "message": "hola"}, "`sender`"),
        ({"sender": 7, "message": "hola"}, "`sender`"),
        ({"sender": "x" * 500, "message": "hola"}, "longer than"),
        ({"sender": "alguien", "message": {"text": "hola"}}, "`message`"),
    ],
)
def test_a_body_that_is_not_a_rest_message_gets_400_with_the_reason(servers, body, problem):
    _telegram, rest = servers
    status, answer = rest.post(body)
    assert status == 400 and problem in answer["description"]


def test_a_body_over_a_megabyte_gets_413_and_registers_nothing(servers):
    _telegram, rest = servers
    status, answer = rest.post({"sender": "relleno", "message": "quiero poner una queja " + "x" * 1_100_000})
    assert status == 413 and "larger than" in answer["description"]
    with create_session_factory(rest.database_url)() as session:
        assert customer_by_chat(session, "rest:relleno") is None


def test_a_rest_client_naming_a_telegram_chat_reaches_nothing_of_that_customer(servers):
    telegram, rest = servers
    chat, number = telegram_customer_with_a_case(telegram)
    sent_to_chat = len(telegram.sent(chat))

    seen = rest_texts(rest.say(str(chat), "/consultar_caso"))
    seen += rest_texts(rest.say(str(chat), f"¿cómo va mi caso {number}?"))
    assert number not in seen
    seen += rest_texts(rest.say(str(chat), "quiero poner una queja"))
    seen += rest_texts(rest.say(str(chat), "me cobraron dos veces el pedido"))
    seen += rest_texts(rest.say(str(chat), "PED-1234567"))

    (own,) = telegram.cases(chat)  # the Telegram customer's cases: still only theirs
    assert own.number == number
    (filed,) = rest.cases(str(chat))  # the REST conversation's own customer, `rest:<chat>`
    assert filed.number != number and filed.number in seen and filed.channel == "rest"
    assert len(telegram.sent(chat)) == sent_to_chat  # nothing reached the Telegram chat


def test_the_body_cannot_claim_another_input_channel(servers):
    _telegram, rest = servers
    sender = "dice-ser-telegram"
    status, _replies = rest.post({"sender": sender, "message": "hola", "input_channel": "telegram"})
    assert status == 200
    with create_session_factory(rest.database_url)() as session:
        assert customer_by_chat(session, sender) is None
    rest.say(sender, "quiero poner una queja")
    rest.say(sender, "no me dejan cambiar la dirección de entrega")
    rest.say(sender, "PED-7654321")
    assert [case.channel for case in rest.cases(sender)] == ["rest"]


def test_with_telegram_on_and_no_rest_token_the_rest_channel_is_off(trained_model, tmp_path, fake_bot_api):
    with telegram_assistant(tmp_path, fake_bot_api, None, "test-trust-off-") as running:
        rest = Assistant(running.rest_url.split("/webhooks/")[0], running.database_url)
        status, body = rest.post({"sender": "alguien", "message": "hola"}, token="cualquiera")
        assert status == 404 and "REST_CHANNEL_TOKEN" in body["description"]
        chat = next(_chats)
        (greeting,) = running.say(chat, "hola")  # Telegram itself works
        assert "Hola" in greeting.params["text"]
