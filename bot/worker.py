"""`python -m bot worker`: delivers the outbox — for now, case cards in the agents' group.

One forum topic per case where the agents' group is a forum, otherwise a card whose reply
thread is the case. A card already posted is edited to match the case. The clock is injectable.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker
from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.case_card import case_card, topic_name
from bot.db import get_session_factory
from bot.models import Agent, Case, Message, Notification, utcnow
from bot.outbox import CASE_CARD, claim_due, finish, retry_later
from bot.telegram.config import TelegramConfig
from bot.telegram.input import build_bot
from bot.telegram.keyboards import inline_keyboard

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0


@dataclass
class CardState:
    """What posting a case card needs, read in one transaction."""

    case: Case
    customer_name: str | None
    transcript: list[Message]
    owner: Agent | None
    agent_names: dict[int, str]


def card_state(session: Session, case_id: int) -> CardState:
    loaded = (selectinload(Case.team), selectinload(Case.customer), selectinload(Case.assigned_agent))
    case = session.execute(select(Case).where(Case.id == case_id).options(*loaded)).scalar_one()
    transcript = list(
        session.execute(select(Message).where(Message.case_id == case_id).order_by(Message.id)).scalars()
    )
    agent_ids = {m.agent_id for m in transcript if m.agent_id}
    names = {a.id: a.name for a in session.execute(select(Agent).where(Agent.id.in_(agent_ids))).scalars()}
    return CardState(case, case.customer.name, transcript, case.assigned_agent, names)


def keyboard(buttons: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Card buttons carry short data of their own (`tomar:<número>`), used as it is."""
    return inline_keyboard([{"title": title, "payload": data} for title, data in buttons], str)


@dataclass
class Worker:
    bot: Bot
    session_factory: sessionmaker
    agents_chat_id: int | None
    clock: Callable[[], datetime] = utcnow
    name: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    forum: bool | None = None

    async def run(self, stop: asyncio.Event) -> None:
        if self.agents_chat_id is None:
            logger.warning(
                "TELEGRAM_AGENTS_CHAT_ID is not set: escalated cases are registered, but no card is posted"
            )
        while not stop.is_set():
            if await self.deliver_due() == 0:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), POLL_SECONDS)

    async def deliver_due(self) -> int:
        """Deliver what is due now; the number of notifications claimed."""
        ids = await asyncio.to_thread(claim_due, self.session_factory, self.name, self.clock())
        for notification_id in ids:
            await self.deliver(notification_id)
        return len(ids)

    async def deliver(self, notification_id: int) -> None:
        with self.session_factory() as session:
            notification = session.get(Notification, notification_id)
            kind, case_id = notification.kind, notification.case_id
        try:
            if kind != CASE_CARD:
                raise ValueError(f"no worker delivers {kind!r} notifications")
            status = await self.post_case_card(case_id)
        except (TelegramError, ValueError) as error:
            reason = str(error)
            logger.warning(
                "notification %s (%s, case %s) not delivered: %s", notification_id, kind, case_id, reason
            )
            self.record(notification_id, lambda n: retry_later(n, reason, self.clock()))
            return
        self.record(notification_id, lambda n: finish(n, status, self.clock()))

    def record(self, notification_id: int, change: Callable[[Notification], None]) -> None:
        with self.session_factory.begin() as session:
            notification = session.get(Notification, notification_id)
            change(notification)
            if notification.status == "failed":
                logger.error(
                    "notification %s gave up after %s attempts", notification_id, notification.attempts
                )

    async def post_case_card(self, case_id: int) -> str:
        """Post or update the card; `skipped` when there is no agents' group to post to."""
        with self.session_factory() as session:
            state = card_state(session, case_id)
        case = state.case
        if self.agents_chat_id is None:
            logger.warning(
                "TELEGRAM_AGENTS_CHAT_ID is not set: the card of case %s was not posted", case.number
            )
            return "skipped"
        card = case_card(case, state.customer_name, state.transcript, state.owner, state.agent_names)
        markup = keyboard(card.buttons)
        if case.card_message_id is not None:
            await self.edit_card(case, card.text, markup)
            return "sent"
        thread_id = case.agents_thread_id or await self.open_topic(case)
        sent = await self.bot.send_message(
            self.agents_chat_id,
            card.text,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            message_thread_id=thread_id,
        )
        self.save_case(case_id, card_message_id=sent.message_id)
        return "sent"

    async def edit_card(self, case: Case, text: str, markup: InlineKeyboardMarkup) -> None:
        try:
            await self.bot.edit_message_text(
                text,
                self.agents_chat_id,
                case.card_message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise

    async def open_topic(self, case: Case) -> int | None:
        """The case's own forum topic, when the agents' group is a forum (saved at once: a retry
        reuses it instead of opening a second one)."""
        if self.forum is None:
            self.forum = bool((await self.bot.get_chat(self.agents_chat_id)).is_forum)
        if not self.forum:
            return None
        topic = await self.bot.create_forum_topic(self.agents_chat_id, topic_name(case))
        self.save_case(case.id, agents_thread_id=topic.message_thread_id)
        return topic.message_thread_id

    def save_case(self, case_id: int, **values: int) -> None:
        with self.session_factory.begin() as session:
            case = session.get(Case, case_id)
            for column, value in values.items():
                setattr(case, column, value)


async def serve() -> None:
    """The worker process: until SIGTERM or Ctrl-C."""
    config = TelegramConfig.from_credentials(None)
    if not config.enabled:
        logger.error("TELEGRAM_TOKEN is not set: the worker has nowhere to deliver; stopping")
        return
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with build_bot(config) as bot:
        worker = Worker(bot, get_session_factory(), config.agents_chat_id)
        logger.info("worker %s delivering to the agents' group %s", worker.name, config.agents_chat_id)
        await worker.run(stop)
