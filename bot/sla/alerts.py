"""Delivering SLA alerts (claimed by `bot.sla.watch`, queued in the outbox): at 75 % and 90 % a
warning in the case's thread and to its agent in private; when a deadline passes, the case goes up
to supervision, its team's supervisors are told, and the customer hears once, with a new date."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, selectinload, sessionmaker
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from bot.cases import raise_level, set_deadlines
from bot.handoff.agents import supervisors_of
from bot.handoff.case_card import in_case_thread
from bot.labels import format_datetime, label
from bot.sla.watch import FIRST_RESPONSE, OVERDUE, claim_once
from bot.store.models import Agent, Case, Level
from bot.timeline import add_event

logger = logging.getLogger(__name__)

CUSTOMER_LATE = "customer_late"  # the one late notice a customer gets, claimed like an alert


def text(key: str, **variables: object) -> str:
    return label("sla", key).format(**variables)


def mention(agent: Agent) -> str:
    return f'<a href="tg://user?id={agent.telegram_user_id}">{html.escape(agent.name)}</a>'


@dataclass(frozen=True)
class Warning:
    """What an alert says and to whom, read in the transaction that records it."""

    case: Case
    agents_text: str
    private_to: list[int]  # Telegram user ids: the owner, or the supervisors
    customer_text: str | None = None


@dataclass
class SlaNotifier:
    bot: Bot | None  # None without Telegram: the alert and the escalation are recorded, not sent
    session_factory: sessionmaker
    agents_chat_id: int | None
    clock: Callable[[], datetime]

    async def deliver(self, case_id: int, deadline: str, level: str) -> str:
        with self.session_factory.begin() as session:
            warning = self.record(session, case_id, deadline, level)
        if warning is None or self.bot is None:
            return "skipped"
        await self.post_in_thread(warning)
        for user_id in warning.private_to:
            await self.send_privately(user_id, warning.agents_text)
        if warning.customer_text:
            await self.tell_customer(warning.case, warning.customer_text)
        return "sent"

    def record(self, session: Session, case_id: int, deadline: str, level: str) -> Warning | None:
        case = session.get(Case, case_id, options=[selectinload(Case.customer), selectinload(Case.team)])
        if not case.is_open:
            return None
        now, plazo = self.clock(), label("sla", f"deadline_{deadline}")
        if level != OVERDUE:
            add_event(session, case, "sla_warning", at=now, deadline=deadline, percent=int(level))
            due = case.first_response_due if deadline == FIRST_RESPONSE else case.sla_due_at
            owner = session.get(Agent, case.assigned_agent_id) if case.assigned_agent_id else None
            words = text("warning", numero=case.number, usado=level, plazo=plazo, fecha=format_datetime(due))
            return Warning(case, words, [owner.telegram_user_id] if owner else [])
        return self.overdue(session, case, deadline, plazo, now)

    def overdue(self, session: Session, case: Case, deadline: str, plazo: str, now: datetime) -> Warning:
        """Up one level to supervision; the customer is told once, with a new resolution date."""
        add_event(session, case, "sla_overdue", at=now, deadline=deadline)
        raise_level(session, case, Level.SUPERVISOR, "sla_vencido", now=now)
        supervisors = supervisors_of(session, case.team.name) if case.team else []
        told = ", ".join(mention(s) for s in supervisors) or label("sla", "nobody")
        words = text("overdue", numero=case.number, plazo=plazo) + " " + text("notified", nombres=told)
        customer_text = None
        if self.can_tell(case) and claim_once(session, case.id, CUSTOMER_LATE, now):
            set_deadlines(case, now, first_response=False)
            customer_text = text("customer_late", numero=case.number, fecha=format_datetime(case.sla_due_at))
            add_event(session, case, "customer_notified", at=now, notice="late")
        return Warning(case, words, [s.telegram_user_id for s in supervisors], customer_text)

    async def post_in_thread(self, warning: Warning) -> None:
        where = in_case_thread(warning.case)
        if self.agents_chat_id is None or not where:
            return
        await self.bot.send_message(
            self.agents_chat_id, warning.agents_text, parse_mode=ParseMode.HTML, **where
        )

    async def send_privately(self, user_id: int, words: str) -> None:
        try:
            await self.bot.send_message(user_id, words, parse_mode=ParseMode.HTML)
        except Forbidden:  # they never opened a private chat with the bot: the thread has it
            logger.info("agent %s cannot be written to in private", user_id)

    def can_tell(self, case: Case) -> bool:
        """Only a Telegram customer who has not blocked the bot hears that their case is late."""
        return self.bot is not None and case.channel == "telegram" and case.customer.reachable

    async def tell_customer(self, case: Case, words: str) -> None:
        try:
            await self.bot.send_message(int(case.customer.chat_id), words)
        except TelegramError as error:
            logger.warning("late notice of case %s not delivered: %s", case.number, error)
