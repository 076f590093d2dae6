"""`python -m bot worker`: delivers the outbox — case cards in the agents' group, and notices to
customers whose escalated case nobody has taken yet.

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
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker
from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.cases import set_agents_thread, set_card_message
from bot.config import get_settings
from bot.customers import set_reachable
from bot.deadlines.business_hours import BusinessHours, get_business_hours, when_back
from bot.deadlines.sla import SlaPolicy, get_sla_policy
from bot.handoff.case_card import case_card, topic_name
from bot.health import Check, database_check
from bot.labels import label
from bot.metrics import DELIVERIES, DELIVERY_DELAY_SECONDS, SLA_ALERTS_CLAIMED
from bot.sla.alerts import SlaNotifier
from bot.sla.watch import claim_new
from bot.status_server import serve_status
from bot.store.callback_payloads import callback_data_for
from bot.store.db import get_session_factory
from bot.store.models import Agent, Case, Message, Notification, utcnow
from bot.store.outbox import (
    CASE_CARD,
    SLA_ALERT,
    SURVEY_EXPIRY,
    SURVEY_REMINDER,
    UNATTENDED,
    claim_due,
    enqueue,
    finish,
    retry_later,
)
from bot.survey.messages import card_line, question
from bot.survey.messages import text as survey_text
from bot.survey.store import expire, remind, survey_of_case
from bot.telegram_api.client import build_bot
from bot.telegram_api.config import TelegramConfig
from bot.telegram_api.keyboards import inline_keyboard
from bot.timeline import add_event

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
WATCH_EVERY = timedelta(seconds=30)  # how often open cases' deadlines are checked


@dataclass
class CardState:
    """What posting a case card needs, read in one transaction."""

    case: Case
    customer_name: str | None
    transcript: list[Message]
    owner: Agent | None
    agent_names: dict[int, str]
    outcome: str | None  # the survey's, once answered


def card_state(session: Session, case_id: int) -> CardState:
    loaded = (selectinload(Case.team), selectinload(Case.customer), selectinload(Case.assigned_agent))
    case = session.execute(select(Case).where(Case.id == case_id).options(*loaded)).scalar_one()
    transcript = list(
        session.execute(select(Message).where(Message.case_id == case_id).order_by(Message.id)).scalars()
    )
    agent_ids = {m.agent_id for m in transcript if m.agent_id}
    names = {a.id: a.name for a in session.execute(select(Agent).where(Agent.id.in_(agent_ids))).scalars()}
    outcome = card_line(survey_of_case(session, case_id))
    return CardState(case, case.customer.name, transcript, case.assigned_agent, names, outcome)


def keyboard(buttons: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Card buttons carry short data of their own (`tomar:<número>`), used as it is."""
    return inline_keyboard([{"title": title, "payload": data} for title, data in buttons], str)


@dataclass(frozen=True)
class Outcome:
    """How a delivery ended (`sent` or `skipped`), and what is stored with it in one transaction."""

    status: str
    event: tuple[str, dict[str, Any]] | None = None  # a case event: kind and details
    blocked_chat: str | None = None  # a customer who has blocked the bot


def waiting_customer(session: Session, case_id: int) -> tuple[str, str] | None:
    """(Telegram chat id, case number) when the case is open, nobody has taken it and its
    customer can be written to on Telegram; otherwise None."""
    case = session.get(Case, case_id)
    customer = case.customer
    waiting = case.is_open and case.assigned_agent_id is None
    if not (waiting and customer.channel == "telegram" and customer.reachable):
        return None
    return customer.chat_id, case.number


def unattended_text(number: str, hours: BusinessHours, now: datetime) -> str:
    """The case is registered; when a person will write, from the business hours at `now`."""
    if hours.is_open(now):
        text = label("unattended_notice", "within_hours")
        return text.format(numero=number, minutos=hours.typical_wait_minutes)
    return label("unattended_notice", "outside_hours").format(numero=number, cuando=when_back(hours, now))


TELEGRAM_ONLY = (CASE_CARD, UNATTENDED, SURVEY_REMINDER)  # nothing to do without Telegram


# Ready: the store answers. Without a Telegram token the worker still does its job (deadlines).
WORKER_CHECKS: dict[str, Check] = {"database": database_check(get_session_factory)}


@dataclass
class Worker:
    bot: Bot | None  # None without TELEGRAM_TOKEN: deadlines are still watched and escalated
    session_factory: sessionmaker
    agents_chat_id: int | None
    clock: Callable[[], datetime] = utcnow
    name: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    forum: bool | None = None
    hours: BusinessHours = field(default_factory=get_business_hours)
    sla: SlaPolicy = field(default_factory=get_sla_policy)
    watched_at: datetime | None = None

    async def run(self, stop: asyncio.Event) -> None:
        if self.bot is None:
            logger.warning("TELEGRAM_TOKEN is not set: deadlines are watched and escalated; nothing is sent")
        elif self.agents_chat_id is None:
            logger.warning(
                "TELEGRAM_AGENTS_CHAT_ID is not set: escalated cases are registered, but no card is posted"
            )
        while not stop.is_set():
            await self.watch_deadlines()
            if await self.deliver_due() == 0:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), POLL_SECONDS)

    async def watch_deadlines(self) -> int:
        """Claim the SLA alerts open cases have reached and queue them, in one transaction."""
        now = self.clock()
        if self.watched_at is not None and now - self.watched_at < WATCH_EVERY:
            return 0
        self.watched_at = now

        def claim() -> int:
            with self.session_factory.begin() as session:
                alerts = claim_new(session, self.hours, self.sla.alerts_percent, now)
                for alert in alerts:
                    SLA_ALERTS_CLAIMED.labels(alert.level).inc()
                    case = session.get(Case, alert.case_id)
                    enqueue(
                        session, SLA_ALERT, case, not_before=now, deadline=alert.deadline, level=alert.level
                    )
                return len(alerts)

        return await asyncio.to_thread(claim)

    async def deliver_due(self) -> int:
        """Deliver what is due now; the number of notifications claimed."""
        ids = await asyncio.to_thread(claim_due, self.session_factory, self.name, self.clock())
        for notification_id in ids:
            await self.deliver(notification_id)
        return len(ids)

    async def deliver(self, notification_id: int) -> None:
        with self.session_factory() as session:
            notification = session.get(Notification, notification_id)
            kind, case_id, payload = notification.kind, notification.case_id, dict(notification.payload)
        try:
            outcome = await self.dispatch(kind, case_id, payload)
        except (TelegramError, ValueError) as error:
            reason = str(error)
            logger.warning(
                "notification %s (%s, case %s) not delivered: %s", notification_id, kind, case_id, reason
            )
            self.record(notification_id, lambda session, n: retry_later(n, reason, self.clock()))
            return
        self.record(notification_id, lambda session, n: self.settle(session, n, outcome))

    async def dispatch(self, kind: str, case_id: int, payload: dict[str, Any]) -> Outcome:
        if self.bot is None and kind in TELEGRAM_ONLY:
            return Outcome("skipped")
        if kind == SLA_ALERT:
            notifier = SlaNotifier(self.bot, self.session_factory, self.agents_chat_id, self.clock)
            return Outcome(await notifier.deliver(case_id, payload["deadline"], payload["level"]))
        if kind == CASE_CARD:
            return Outcome(await self.post_case_card(case_id))
        if kind == UNATTENDED:
            return await self.notify_unattended(case_id)
        if kind == SURVEY_REMINDER:
            return await self.remind_survey(case_id)
        if kind == SURVEY_EXPIRY:
            return self.expire_survey(case_id)
        raise ValueError(f"no worker delivers {kind!r} notifications")

    def record(self, notification_id: int, change: Callable[[Session, Notification], None]) -> None:
        with self.session_factory.begin() as session:
            notification = session.get(Notification, notification_id)
            kind, due = notification.kind, notification.not_before
            change(session, notification)
            status = "retry" if notification.status == "pending" else notification.status
            if status == "failed":
                logger.error(
                    "notification %s gave up after %s attempts", notification_id, notification.attempts
                )
        DELIVERIES.labels(kind, status).inc()
        if status != "retry":
            DELIVERY_DELAY_SECONDS.labels(kind).observe(max((self.clock() - due).total_seconds(), 0.0))

    def settle(self, session: Session, notification: Notification, outcome: Outcome) -> None:
        now = self.clock()
        finish(notification, outcome.status, now)
        if outcome.event is not None:
            kind, details = outcome.event
            add_event(session, notification.case, kind, at=now, **details)
        if outcome.blocked_chat is not None:
            set_reachable(session, outcome.blocked_chat, False)

    async def notify_unattended(self, case_id: int) -> Outcome:
        """Tell a customer still waiting for a person that the case is registered and when someone
        will write; `skipped` when the case was taken or closed meanwhile, or they cannot be written to."""
        with self.session_factory() as session:
            target = waiting_customer(session, case_id)
        if target is None:
            return Outcome("skipped")
        chat_id, number = target
        try:
            await self.bot.send_message(int(chat_id), unattended_text(number, self.hours, self.clock()))
        except Forbidden:
            logger.info("the customer of case %s has blocked the bot: no notice sent", number)
            return Outcome("skipped", blocked_chat=chat_id)
        return Outcome("sent", event=("customer_notified", {"notice": "unattended"}))

    async def remind_survey(self, case_id: int) -> Outcome:
        """The one reminder of an unanswered survey: its pending question again, with its buttons."""
        with self.session_factory.begin() as session:
            survey = survey_of_case(session, case_id)
            if survey is None or not remind(session, survey, self.clock()):
                return Outcome("skipped")
            case, step = survey.case, survey.step
            chat_id, number = case.customer.chat_id, case.number
        asked = question(number, step, lead=survey_text("reminder", numero=number))
        markup = inline_keyboard(asked.buttons, lambda data: callback_data_for(self.session_factory, data))
        try:
            await self.bot.send_message(int(chat_id), asked.text, reply_markup=markup)
        except Forbidden:
            return Outcome("skipped", blocked_chat=chat_id)
        return Outcome("sent")

    def expire_survey(self, case_id: int) -> Outcome:
        with self.session_factory.begin() as session:
            survey = survey_of_case(session, case_id)
            expired = survey is not None and expire(session, survey, self.clock())
        return Outcome("sent" if expired else "skipped")

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
        card = case_card(
            case,
            state.customer_name,
            state.transcript,
            state.owner,
            state.agent_names,
            state.outcome,
            now=self.clock(),
        )
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
        self.save_case(set_card_message, case_id, sent.message_id)
        with self.session_factory.begin() as session:  # the agents' group knows: a moment of truth
            add_event(session, session.get(Case, case_id), "card_posted", at=self.clock())
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
        self.save_case(set_agents_thread, case.id, topic.message_thread_id)
        return topic.message_thread_id

    def save_case(self, change: Callable[[Session, int, int], None], case_id: int, value: int) -> None:
        with self.session_factory.begin() as session:
            change(session, case_id, value)


async def serve() -> None:
    """The worker process: until SIGTERM or Ctrl-C. Without TELEGRAM_TOKEN it still watches the
    deadlines and escalates late cases (the console shows them), with nothing to send."""
    config = TelegramConfig.from_credentials(None)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    settings = get_settings()
    server = serve_status(settings.bind_host, settings.worker_port, WORKER_CHECKS)
    try:
        await run_worker(config, stop)
    finally:
        if server is not None:
            server.shutdown()


async def run_worker(config: TelegramConfig, stop: asyncio.Event) -> None:
    if not config.enabled:
        await Worker(None, get_session_factory(), None).run(stop)
        return
    async with build_bot(config) as bot:
        worker = Worker(bot, get_session_factory(), config.agents_chat_id)
        logger.info("worker %s delivering to the agents' group %s", worker.name, config.agents_chat_id)
        await worker.run(stop)
