"""The timeline of a case: events (moments of truth) and the transcript."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.store.models import Agent, Case, CaseEvent, Message, utcnow

BOT_ACTOR = "bot"
CUSTOMER_ACTOR = "customer"


def agent_actor(agent: Agent) -> str:
    return f"agent:{agent.id}"


def add_event(
    session: Session,
    case: Case,
    kind: str,
    actor: str = BOT_ACTOR,
    at: datetime | None = None,
    **details: Any,
) -> CaseEvent:
    """Record what happened to `case`; it changes nothing of the case (`bot.cases` does that)."""
    event = CaseEvent(case=case, kind=kind, actor=actor, details=details, created_at=at or utcnow())
    session.add(event)
    return event


def add_message(session: Session, case: Case, sender: str, text: str, at: datetime | None = None) -> None:
    session.add(Message(case=case, sender=sender, text=text, created_at=at or utcnow()))
