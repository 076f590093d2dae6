"""The inbox of Telegram updates in the store: each update is processed once, in its chat's order,
and one accepted by a server that dies is taken over by another.

An update is *accepted* (stored with its body, owned by the accepting server, under a lease)
before Telegram gets its 200; it is *started* when processing begins and *finished* at the end.
A live server renews the leases of the updates it holds; when a lease runs out, any server takes
the update over: one never started is processed, one cut off mid-way is apologized for (its
effects may be half done, so it is not run twice).
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.selectable import Exists

from bot.store.db import insert_unless_present
from bot.store.models import InboxState, InboxUpdate, utcnow

PENDING = (InboxState.RECEIVED.value, InboxState.PROCESSING.value)


def lease_duration() -> timedelta:
    """How long an update stays with a server that stops renewing it (INBOX_LEASE_SECONDS, 30)."""
    return timedelta(seconds=float(os.environ.get("INBOX_LEASE_SECONDS") or 30))


class Start(enum.Enum):
    STARTED = "started"
    WAIT = "wait"  # an earlier update of the same chat is still with another server
    GONE = "gone"  # already processed, or taken over by another server


@dataclass(frozen=True)
class TakenOver:
    update_id: int
    state: InboxState
    body: str | None


def accept(
    session: Session, update_id: int, chat_key: str | None, body: str, owner: str, now: datetime | None = None
) -> bool:
    """Store a new update; False when it was already there (Telegram delivered it again)."""
    now = now or utcnow()
    return insert_unless_present(
        session,
        InboxUpdate,
        update_id=update_id,
        received_at=now,
        chat_key=chat_key,
        body=body,
        state=InboxState.RECEIVED.value,
        owner=owner,
        lease_until=now + lease_duration(),
    )


def start(
    session: Session, update_id: int, owner: str, now: datetime | None = None, ignore_earlier: bool = False
) -> Start:
    """Mark the update processing, unless it is not this server's to process (GONE) or an earlier
    update of its chat is still pending on another server (WAIT): one statement reads both, the
    update's row locked."""
    now = now or utcnow()
    found = session.execute(
        select(InboxUpdate, earlier_update_elsewhere(owner).label("earlier"))
        .where(InboxUpdate.update_id == update_id)
        .with_for_update(of=InboxUpdate)
    ).first()
    if found is None:
        return Start.GONE
    row, earlier = found
    if row.state != InboxState.RECEIVED.value or row.owner != owner:
        return Start.GONE
    if earlier and not ignore_earlier:
        return Start.WAIT
    row.state = InboxState.PROCESSING.value
    row.lease_until = now + lease_duration()
    return Start.STARTED


def earlier_update_elsewhere(owner: str) -> Exists:
    """An earlier update of the same chat, still pending on another server (this server's own are
    already ahead in its chat queue); for the row of the outer query."""
    earlier = aliased(InboxUpdate)
    return exists().where(
        earlier.chat_key == InboxUpdate.chat_key,
        earlier.update_id < InboxUpdate.update_id,
        earlier.state.in_(PENDING),
        earlier.owner != owner,
    )


def finish(session: Session, update_id: int, owner: str, state: InboxState) -> None:
    session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id == update_id, InboxUpdate.owner == owner)
        .values(state=state.value)
    )


def renew(session: Session, owner: str, update_ids: list[int], now: datetime | None = None) -> None:
    if not update_ids:
        return
    session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.owner == owner, InboxUpdate.update_id.in_(update_ids))
        .values(lease_until=(now or utcnow()) + lease_duration())
    )


def take_over(session: Session, owner: str, now: datetime | None = None, limit: int = 100) -> list[TakenOver]:
    """Updates whose lease ran out, now this server's, oldest first."""
    now = now or utcnow()
    stale = session.execute(
        select(InboxUpdate.update_id, InboxUpdate.owner, InboxUpdate.state, InboxUpdate.body)
        .where(InboxUpdate.state.in_(PENDING), InboxUpdate.lease_until < now)
        .order_by(InboxUpdate.update_id)
        .limit(limit)
    ).all()
    taken = []
    for update_id, previous_owner, state, body in stale:
        claimed = session.execute(
            update(InboxUpdate)
            .where(
                InboxUpdate.update_id == update_id,
                InboxUpdate.owner.is_(None)
                if previous_owner is None
                else InboxUpdate.owner == previous_owner,
                InboxUpdate.lease_until < now,
            )
            .values(owner=owner, lease_until=now + lease_duration())
        )
        if claimed.rowcount == 1:
            taken.append(TakenOver(update_id, InboxState(state), body))
    return taken
