"""Telegram update ids already handled: each update is processed once, across restarts."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.models import ProcessedUpdate


def claim_update(
    factory: sessionmaker, update_id: int, also: Callable[[Session], object] | None = None
) -> bool:
    """True the first time `update_id` is claimed; False for a redelivery.

    `also` runs in the same transaction (one write per update, not two).
    """
    try:
        with factory.begin() as session:
            session.add(ProcessedUpdate(update_id=update_id))
            session.flush()
            if also is not None:
                also(session)
    except IntegrityError:
        return False
    return True
