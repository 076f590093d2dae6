"""The timeline of a case: events (moments of truth) and the transcript."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.store.models import Case, CaseEvent, Message, utcnow

BOT_ACTOR = "bot"
CUSTOMER_ACTOR = "customer"


def add_event(
    session: Session,
    case: Case,
    kind: str,
    actor: str = BOT_ACTOR,
    at: datetime | None = None,
    status_to: str | None = None,
    **details: Any,
) -> CaseEvent:
    event = CaseEvent(
        case=case,
        kind=kind,
        actor=actor,
        status_from=case.status if status_to else None,
        status_to=status_to,
        details=details,
        created_at=at or utcnow(),
    )
    if status_to:
        case.status = status_to
    session.add(event)
    return event


def add_message(session: Session, case: Case, sender: str, text: str, at: datetime | None = None) -> None:
    session.add(Message(case=case, sender=sender, text=text, created_at=at or utcnow()))
