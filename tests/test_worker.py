"""The worker posts escalated cases' cards in the agents' group (real python-telegram-bot against
the fake Bot API, a real SQLite store, an injected clock)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.cases import Demand, register_case
from bot.models import Case, CaseType, Notification, utcnow
from bot.outbox import CASE_CARD, enqueue
from bot.telegram.config import TelegramConfig
from bot.telegram.input import build_bot
from bot.worker import Worker
from tests.fake_bot_api import FakeBotApi

AGENTS = -1001234567890


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(seconds=1)

    def __call__(self):
        return utcnow() + self.offset


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as api:
        yield api


@pytest.fixture
async def bot(fake):
    fake.reset()
    async with build_bot(TelegramConfig("123:TEST", None, None, fake.base_url, AGENTS)) as telegram_bot:
        yield telegram_bot


def worker_for(bot, session_factory, agents_chat_id: int | None = AGENTS) -> Worker:
    return Worker(bot, session_factory, agents_chat_id, clock=Clock())


def complaint(session_factory, policy, text: str = "El paquete llegó mojado", chat: str = "555") -> int:
    demand = Demand(
        chat, "telegram", CaseType.QUEJA, "envio", text, source_key=f"{chat}:1", customer_name="Ana"
    )
    with session_factory.begin() as session:
        return register_case(session, demand, policy).id  # complaints escalate: a card to post


def stored(session_factory, case_id: int) -> tuple[Case, list[Notification]]:
    with session_factory() as session:
        query = select(Notification).where(Notification.case_id == case_id).order_by(Notification.id)
        return session.get(Case, case_id), list(session.execute(query).scalars())


async def test_in_a_forum_each_case_gets_its_topic_and_a_card_to_take(bot, fake, session_factory, policy):
    fake.forums.add(AGENTS)
    case_id = complaint(session_factory, policy, text="<b>urgente</b> & el paquete llegó mojado")
    assert await worker_for(bot, session_factory).deliver_due() == 1

    (topic,) = fake.calls("createForumTopic")
    (card,) = fake.calls("sendMessage")
    assert topic.params["name"].startswith("Q-2026-") and topic.params["name"].endswith("entrega o envío")
    assert card.params["chat_id"] == AGENTS and card.params["parse_mode"] == "HTML"
    assert card.params["message_thread_id"] == topic.response["result"]["message_thread_id"]
    assert (
        "&lt;b&gt;urgente&lt;/b&gt; &amp; el paquete" in card.params["text"]
    )  # escaped, and Telegram accepted it
    keys = card.params["reply_markup"]["inline_keyboard"][0]
    assert [k["text"] for k in keys] == ["Tomar", "Historial"]
    case, (notification,) = stored(session_factory, case_id)
    assert case.card_message_id == card.response["result"]["message_id"]
    assert case.agents_thread_id == topic.response["result"]["message_thread_id"]
    assert notification.status == "sent"


async def test_a_card_already_posted_is_updated_not_posted_again(bot, fake, session_factory, policy):
    case_id = complaint(session_factory, policy)
    worker = worker_for(bot, session_factory)
    await worker.deliver_due()
    with session_factory.begin() as session:
        enqueue(session, CASE_CARD, session.get(Case, case_id))
    await worker.deliver_due()
    assert len(fake.calls("sendMessage")) == 1 and fake.calls("createForumTopic") == []  # not a forum
    (edit,) = fake.calls("editMessageText")
    assert edit.status == 400 and "not modified" in edit.response["description"]  # nothing changed
    assert [n.status for n in stored(session_factory, case_id)[1]] == ["sent", "sent"]


async def test_without_an_agents_group_the_case_stays_registered_and_a_warning_says_why(
    bot, fake, session_factory, policy, caplog
):
    case_id = complaint(session_factory, policy)
    with caplog.at_level(logging.WARNING):
        await worker_for(bot, session_factory, agents_chat_id=None).deliver_due()
    case, (notification,) = stored(session_factory, case_id)
    assert case.status == "escalado" and notification.status == "skipped"
    assert fake.calls("sendMessage") == []
    assert any(
        "TELEGRAM_AGENTS_CHAT_ID is not set" in r.getMessage() and case.number in r.getMessage()
        for r in caplog.records
    )


async def test_a_failed_post_is_retried_later_without_a_second_topic(bot, fake, session_factory, policy):
    fake.forums.add(AGENTS)
    case_id = complaint(session_factory, policy)
    worker = worker_for(bot, session_factory)
    fake.fail_next("sendMessage", status=500, times=10)
    await worker.deliver_due()
    case, (notification,) = stored(session_factory, case_id)
    assert (notification.status, notification.attempts, case.card_message_id) == ("pending", 1, None)
    assert await worker.deliver_due() == 0  # backing off

    fake.reset()
    fake.forums.add(AGENTS)
    worker.clock.offset += timedelta(seconds=10)
    assert await worker.deliver_due() == 1
    case, (notification,) = stored(session_factory, case_id)
    assert notification.status == "sent" and case.card_message_id is not None
    assert fake.calls("createForumTopic") == []  # the topic opened before the failure is reused
