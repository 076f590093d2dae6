"""Button payloads for Telegram's callback_data, which holds at most 64 bytes.

A payload that fits travels as it is; a longer one is stored under a short key derived from
its content (the same payload always gets the same key) and travels as `#<key>`.
"""

from __future__ import annotations

import base64
import hashlib

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.store.db import insert_unless_present
from bot.store.models import CallbackPayload

CALLBACK_DATA_LIMIT = 64
STORED_PREFIX = "#"


def payload_key(payload: str) -> str:
    digest = hashlib.sha256(payload.encode()).digest()[:15]
    return base64.urlsafe_b64encode(digest).decode()


def callback_data_for(factory: sessionmaker, payload: str) -> str:
    if len(payload.encode()) <= CALLBACK_DATA_LIMIT and not payload.startswith(STORED_PREFIX):
        return payload
    key = payload_key(payload)
    with factory.begin() as session:
        if session.get(CallbackPayload, key) is None:  # the same buttons may be sent twice at once
            insert_unless_present(session, CallbackPayload, key=key, payload=payload)
    return STORED_PREFIX + key


def payload_for(factory: sessionmaker, callback_data: str) -> str | None:
    """The payload behind a button's callback_data; None when the stored key is unknown."""
    if not callback_data.startswith(STORED_PREFIX):
        return callback_data
    key = callback_data[len(STORED_PREFIX) :]
    with factory() as session:
        return session.execute(
            select(CallbackPayload.payload).where(CallbackPayload.key == key)
        ).scalar_one_or_none()
