"""Photos and documents customers send: kept with their open case, or until their next one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.customers import upsert_customer
from bot.store.models import OPEN_STATUSES, Attachment, Case, utcnow
from bot.timeline import CUSTOMER_ACTOR, add_event


@dataclass(frozen=True)
class SentFile:
    kind: str  # photo, document
    file_id: str
    file_unique_id: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    caption: str | None = None


def latest_open_case(session: Session, customer_id: int) -> Case | None:
    return session.execute(
        select(Case)
        .where(Case.customer_id == customer_id, Case.status.in_([s.value for s in OPEN_STATUSES]))
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def record_attached(session: Session, case: Case, attachment: Attachment, at: datetime) -> None:
    attachment.case = case
    add_event(
        session,
        case,
        "attachment_added",
        CUSTOMER_ACTOR,
        at=at,
        file_kind=attachment.kind,
        file=attachment.file_id,
    )


def attach_file(
    session: Session, chat_id: str, channel: str, sent: SentFile, now: datetime | None = None
) -> Case | None:
    """Store `sent`; attach it to the customer's latest open case, if any (returned)."""
    now = now or utcnow()
    customer = upsert_customer(session, chat_id, channel)
    attachment = Attachment(
        customer_id=customer.id,
        kind=sent.kind,
        file_id=sent.file_id,
        file_unique_id=sent.file_unique_id,
        file_name=sent.file_name,
        mime_type=sent.mime_type,
        caption=sent.caption,
        created_at=now,
    )
    session.add(attachment)
    case = latest_open_case(session, customer.id)
    if case is not None:
        record_attached(session, case, attachment, now)
    session.flush()
    return case


def attach_pending(session: Session, case: Case) -> None:
    """Give a newly registered case the files its customer sent before it existed."""
    session.flush()
    pending = session.execute(
        select(Attachment)
        .where(Attachment.customer_id == case.customer_id, Attachment.case_id.is_(None))
        .order_by(Attachment.id)
    ).scalars()
    for attachment in pending:
        record_attached(session, case, attachment, case.created_at or utcnow())


def case_attachments(session: Session, case: Case) -> list[Attachment]:
    query = select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
    return list(session.execute(query).scalars())
