"""What customers receive from the output channel: the real python-telegram-bot (with our rate
limiter) against the fake Bot API, and a real SQLite store."""

from __future__ import annotations

import logging
import re

import pytest
import yaml

from bot.cases import Demand, register_case
from bot.config import PROJECT_ROOT
from bot.customers import customer_by_chat, upsert_customer
from bot.store.callback_payloads import CALLBACK_DATA_LIMIT, payload_for
from bot.store.models import CaseType
from bot.telegram.output import TelegramOutput
from bot.telegram.processing import UpdateProcessor
from bot.telegram.store_work import StoreWork
from bot.telegram_api.bot_thread import BotThread
from bot.telegram_api.incoming import Context

CHAT = 4242
RESPONSES = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["responses"]


@pytest.fixture
def output(telegram: BotThread, session_factory) -> TelegramOutput:
    async def no_turns(_message) -> None:
        raise AssertionError("no turn expected")

    async def no_form(_sender: str) -> None:
        return None

    processor = UpdateProcessor(
        telegram,
        Context(1, "atencion_test_bot"),
        no_turns,
        StoreWork(session_factory),
        lambda: RESPONSES,
        no_form,
    )
    return processor.output()


async def delivered(output: TelegramOutput) -> None:
    """Sending is not awaited by the turn: wait until the chat's outbox is empty."""
    await output.telegram.drain(timeout=30)


def paragraphs(count: int) -> str:
    sentence = "Tu pedido sale del almacén en 24 horas laborables y te avisamos por correo con el enlace. "
    return "\n\n".join(sentence * 6 for _ in range(count))


async def test_a_10000_character_answer_arrives_whole_in_parts_telegram_accepts(output, fake):
    text = paragraphs(19)
    assert len(text) > 10_000
    await output.send_text_message(str(CHAT), text)
    await delivered(output)
    parts = fake.sent_texts(CHAT)
    assert len(parts) == 3 and all(len(part) <= 4096 for part in parts)
    assert all(part.rstrip().endswith(".") for part in parts)  # cut between paragraphs, never inside a word
    assert re.sub(r"\s+", " ", " ".join(parts)) == re.sub(r"\s+", " ", text)


async def test_buttons_become_an_inline_keyboard_with_the_choice_under_the_last_part(output, fake):
    buttons = [{"title": "Sí", "payload": "/afirmar"}, {"title": "No", "payload": "/negar"}]
    await output.send_text_with_buttons(str(CHAT), paragraphs(10) + "\n\n¿Resolví tu duda?", buttons)
    await delivered(output)
    calls = fake.calls("sendMessage")
    assert [("reply_markup" in c.params) for c in calls] == [False, True]
    keyboard = calls[-1].params["reply_markup"]["inline_keyboard"]
    assert keyboard == [
        [{"text": "Sí", "callback_data": "/afirmar"}, {"text": "No", "callback_data": "/negar"}]
    ]


async def test_a_payload_longer_than_64_bytes_travels_as_a_short_key(output, fake, session_factory):
    payload = '/consultar_caso{"numero_caso": "Q-2026-000123", "origen": "recordatorio de la encuesta"}'
    await output.send_text_with_buttons(
        str(CHAT), "¿Quieres ver tu caso?", [{"title": "Ver", "payload": payload}]
    )
    await delivered(output)
    (key,) = fake.calls("sendMessage")[-1].params["reply_markup"]["inline_keyboard"][0]
    assert len(key["callback_data"].encode()) <= CALLBACK_DATA_LIMIT
    assert payload_for(session_factory, key["callback_data"]) == payload


async def test_server_errors_are_retried_until_the_message_is_delivered(output, fake):
    fake.fail_next("sendMessage", status=502, times=2)
    await output.send_text_message(str(CHAT), "Hola")
    await delivered(output)
    assert [c.status for c in fake.calls("sendMessage")] == [502, 502, 200]
    assert fake.sent_texts(CHAT) == ["Hola"]


async def test_a_message_that_cannot_be_delivered_is_logged_with_the_case_and_nothing_crashes(
    output, fake, session_factory, policy, caplog
):
    with session_factory.begin() as session:
        demand = Demand(str(CHAT), "telegram", CaseType.QUEJA, "envio", "No llegó", source_key="k1")
        number = register_case(session, demand, policy).number
    fake.fail_next("sendMessage", status=500, times=10)
    with caplog.at_level(logging.ERROR):
        await output.send_text_message(str(CHAT), "Tu caso está en marcha")
        await delivered(output)
    assert fake.sent_texts(CHAT) == []
    assert any(number in record.getMessage() for record in caplog.records)


async def test_a_customer_who_blocked_the_bot_is_marked_unreachable_and_not_written_again(
    output, fake, session_factory
):
    with session_factory.begin() as session:
        upsert_customer(session, str(CHAT), "telegram")
    fake.blocked_chats.add(CHAT)
    try:
        await output.send_text_message(str(CHAT), "Primero")
        await delivered(output)
        await output.send_text_message(str(CHAT), "Segundo")
        await delivered(output)
    finally:
        fake.blocked_chats.discard(CHAT)
    assert len(fake.calls("sendMessage")) == 1  # the second message was not even tried
    with session_factory() as session:
        assert customer_by_chat(session, str(CHAT)).reachable is False


async def test_images_are_sent_as_photos(output, fake):
    await output.send_image_url(str(CHAT), "https://tienda.example.com/guia-tallas.png")
    await delivered(output)
    (photo,) = fake.calls("sendPhoto")
    assert photo.params["photo"] == "https://tienda.example.com/guia-tallas.png" and photo.ok
