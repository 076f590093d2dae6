"""What the handoff and survey end-to-end tests share: agents, a complaint taken by an agent,
and reading the store and the agents' group."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.handoff.agents import register_agent
from bot.policy import get_policy
from bot.store.db import create_session_factory
from bot.store.models import Case, CaseEvent, Level, Message, Notification
from tests.support.fake_bot_api import Call, FakeBotApi
from tests.support.telegram_assistant import TelegramAssistant, telegram_assistant

AGENTS = -1001234500001  # a forum supergroup: one topic per case
PLAIN_AGENTS = -1001234500002  # a plain supergroup: a case is its card's reply thread
LAURA, PEDRO, MARTA, STRANGER = 31001, 31002, 31003, 39999
CASE_NUMBER = re.compile(r"[DQS]-\d{4}-\d{6}")


@contextmanager
def forum_fake() -> Iterator[FakeBotApi]:
    """A fake Bot API whose agents' group is a forum (one topic per case)."""
    with FakeBotApi() as fake:
        fake.forums.add(AGENTS)
        yield fake


@contextmanager
def assistant_with_agents(tmp_path_factory, fake: FakeBotApi, name: str) -> Iterator[TelegramAssistant]:
    """The assistant and its worker, with the agents' group `AGENTS` and three agents in it."""
    store = tmp_path_factory.mktemp(name)
    webhook = "https://atencion.example.com"
    with telegram_assistant(
        store, fake, webhook, f"test-{name}-", agents_chat_id=AGENTS, worker=True
    ) as running:
        register_agents(running.database_url)
        yield running


def register_agents(database_url: str) -> None:
    with create_session_factory(database_url).begin() as session:
        register_agent(session, LAURA, "Laura Gómez", "logistica", Level.AGENT, get_policy())
        register_agent(session, PEDRO, "Pedro Ruiz", "logistica", Level.AGENT, get_policy())
        register_agent(session, MARTA, "Marta Sanz", "logistica", Level.SUPERVISOR, get_policy())


def complaint(assistant: TelegramAssistant, chat: int) -> str:
    """A customer's complaint about a parcel, registered and escalated: its number."""
    assistant.say(chat, "quiero poner una queja", expect=2)
    assistant.say(chat, "el repartidor dejó el paquete en la calle y llegó mojado")
    (registered,) = assistant.say(chat, "PED-4021937")
    return CASE_NUMBER.search(registered.params["text"]).group()


def taken_by_laura(assistant: TelegramAssistant, chat: int) -> tuple[str, Call, int]:
    """A complaint Laura took: its number, its card and its forum topic."""
    number = complaint(assistant, chat)
    card = assistant.card_of(number)
    before = len(assistant.sent(chat))
    assistant.agent_press(LAURA, card, "Tomar")
    assistant.replies(chat, before + 1)
    return number, card, card.params["message_thread_id"]


def wait_until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.1)


def card_now(assistant: TelegramAssistant, card: Call) -> str:
    """The card as agents see it now (its last edit, if any), and its buttons."""
    message_id = card.response["result"]["message_id"]
    edits = [
        c
        for c in assistant.fake.calls("editMessageText")
        if c.ok and int(c.params["message_id"]) == message_id
    ]
    shown = (edits or [card])[-1].params
    buttons = [key["text"] for row in shown["reply_markup"]["inline_keyboard"] for key in row]
    return f"{shown['text']}\n{' '.join(buttons)}"


def cards_pending(assistant: TelegramAssistant, number: str) -> int:
    """Card redraws of the case the worker has not done yet."""
    with create_session_factory(assistant.database_url)() as session:
        pending = (Case.number == number, Notification.kind == "case_card", Notification.status == "pending")
        query = select(Notification).join(Case).where(*pending)
        return len(list(session.execute(query).scalars()))


def stored_case(assistant: TelegramAssistant, number: str) -> tuple[Case, list[CaseEvent], list[Message]]:
    with create_session_factory(assistant.database_url)() as session:
        query = select(Case).where(Case.number == number).options(selectinload(Case.assigned_agent))
        case = session.execute(query).scalar_one()
        events = session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
        messages = session.execute(select(Message).where(Message.case_id == case.id).order_by(Message.id))
        return case, list(events.scalars()), list(messages.scalars())
