"""Telegram update ids already handled: each update is processed once, across restarts."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.models import ProcessedUpdate


def claim_update(factory: sessionmaker, update_id: int) -> bool:
    """True the first time `update_id` is claimed; False for a redelivery."""
    try:
        with factory.begin() as session:
            session.add(ProcessedUpdate(update_id=update_id))
    except IntegrityError:
        return False
    return True
