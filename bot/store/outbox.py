"""The outbox: what to post outside a conversation, written in the same transaction as the change
that calls for it, and delivered by a worker that claims it with a lease.

A worker that dies mid-delivery loses nothing: its lease runs out and another claims the row.
Claiming re-checks the lease in the UPDATE itself, so two workers never hold the same row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import Case, Notification, utcnow

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8
CASE_CARD = "case_card"
UNATTENDED = "unattended_notice"  # to a customer whose escalated case nobody has taken yet
SURVEY_REMINDER = "survey_reminder"  # the one reminder of an unanswered survey
SURVEY_EXPIRY = "survey_expiry"  # an unanswered survey closes
SLA_ALERT = "sla_alert"  # a deadline at 75 % or 90 % of its time, or passed


def enqueue(
    session: Session,
    kind: str,
    case: Case | None = None,
    not_before: datetime | None = None,
    **payload: Any,
) -> Notification:
    """Deliver `kind` (about `case`) from `not_before` on; default now."""
    notification = Notification(kind=kind, case=case, payload=payload, not_before=not_before or utcnow())
    session.add(notification)
    return notification


def claimable(now: datetime) -> Any:
    return or_(Notification.claimed_until.is_(None), Notification.claimed_until < now)


def claim_due(
    factory: sessionmaker, worker: str, now: datetime, limit: int = 20, lease: timedelta = LEASE
) -> list[int]:
    """Ids of pending notifications now leased to `worker`, oldest first."""
    until = now + lease
    with factory.begin() as session:
        due = (
            select(Notification.id)
            .where(Notification.status == "pending", Notification.not_before <= now, claimable(now))
            .order_by(Notification.id)
            .limit(limit)
        )
        ids = list(session.execute(due).scalars())
        if not ids:
            return []
        session.execute(
            update(Notification)
            .where(Notification.id.in_(ids), claimable(now))
            .values(claimed_by=worker, claimed_until=until)
            .execution_options(synchronize_session=False)
        )
        mine = select(Notification.id).where(
            Notification.id.in_(ids), Notification.claimed_by == worker, Notification.claimed_until == until
        )
        return sorted(session.execute(mine).scalars())


def finish(notification: Notification, status: str, now: datetime) -> None:
    """`sent`, or `skipped` (nothing to deliver to, e.g. no agents' group configured)."""
    notification.status = status
    notification.sent_at = now
    notification.claimed_until = None


def retry_later(notification: Notification, error: str, now: datetime) -> None:
    """Back off exponentially; after MAX_ATTEMPTS the notification is `failed` (and logged)."""
    notification.attempts += 1
    notification.last_error = error[:2000]
    notification.claimed_until = None
    if notification.attempts >= MAX_ATTEMPTS:
        notification.status = "failed"
    else:
        notification.not_before = now + timedelta(seconds=5 * 2 ** (notification.attempts - 1))
