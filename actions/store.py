"""Access to the case store from actions: lazily created, replaced in tests by DATABASE_URL."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.cases import customer_case
from bot.policy import get_policy
from bot.store.db import get_session_factory
from bot.store.models import Case, utcnow

logger = logging.getLogger(__name__)

session_factory = get_session_factory
policy = get_policy
now = utcnow


def conversation_case(session: Session, tracker: Tracker) -> Case | None:
    """The case this conversation is about (slot `caso_numero`), if it is the customer's."""
    number = tracker.get_slot("caso_numero")
    return customer_case(session, tracker.sender_id, number) if number else None


RunMethod = Callable[[Any, CollectingDispatcher, Tracker, dict], Awaitable[list]]


def apologize_on_store_error(run: RunMethod) -> RunMethod:
    """A store failure becomes a Spanish apology, never a crashed turn."""

    @functools.wraps(run)
    async def wrapper(self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        try:
            return await run(self, dispatcher, tracker, domain)
        except SQLAlchemyError:
            logger.exception("case store error in %s for %s", self.name(), tracker.sender_id)
            dispatcher.utter_message(response="utter_error_interno")
            return []

    return wrapper
