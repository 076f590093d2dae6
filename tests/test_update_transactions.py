"""One update, few round trips to the store: accepted, then started together with the customer
and the chat's state (an agent's case, a survey waiting), then finished (real processor, real
python-telegram-bot against the fake Bot API, a real store)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import yaml
from sqlalchemy import event
from telegram import Update

from bot.config import PROJECT_ROOT
from bot.customers import customer_by_chat
from bot.desk.conversations import Conversations
from bot.store.models import InboxState, InboxUpdate
from bot.telegram.input import agents_desk
from bot.telegram.processing import UpdateProcessor
from bot.telegram.store_work import StoreWork
from bot.telegram_api.bot_thread import BotThread
from bot.telegram_api.incoming import Context
from tests.support import telegram_updates as tg
from tests.support.telegram_assistant import to_chat

CHAT, AGENTS = 730291846, -1001234500777
RESPONSES = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["responses"]


@pytest.fixture
def processor(telegram: BotThread, session_factory) -> UpdateProcessor:
    async def turn(message) -> None:  # the assistant greets back, as Rasa would
        await message.output_channel.send_text_message(message.sender_id, "¡Hola! ¿En qué te ayudo?")

    async def no_form(_sender: str) -> None:
        return None

    store_work = StoreWork(session_factory)
    no_model = Conversations(SimpleNamespace(ctx=SimpleNamespace()))
    return UpdateProcessor(
        telegram,
        Context(1, "atencion_test_bot", AGENTS),
        turn,
        store_work,
        lambda: RESPONSES,
        no_form,
        desk=agents_desk(telegram, store_work, AGENTS, no_model),
    )


async def test_a_customer_message_is_started_with_its_customer_and_chat_state_in_one_transaction(
    processor, session_factory, fake
):
    update = tg.text_update(CHAT, "hola")
    assert await processor.inbox.accept(update["update_id"], str(CHAT), json.dumps(update))
    engine = session_factory.kw["bind"]
    transactions: list[object] = []
    count = transactions.append
    event.listen(engine, "begin", count)
    try:
        await processor.process(Update.de_json(update, None))
    finally:
        event.remove(engine, "begin", count)

    assert len(transactions) == 2  # started (customer, agent's case, survey), finished
    (reply,) = fake.wait_for("sendMessage", timeout=30, predicate=to_chat(CHAT))
    assert reply.params["text"] == "¡Hola! ¿En qué te ayudo?"
    with session_factory() as session:
        assert customer_by_chat(session, str(CHAT)).name
        assert session.get(InboxUpdate, update["update_id"]).state == InboxState.DONE.value
