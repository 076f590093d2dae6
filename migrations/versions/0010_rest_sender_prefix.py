"""REST conversations get their own sender ids (`rest:<sender>`): no REST client can speak as a
Telegram customer. Existing REST/console customers, the source keys of their cases, their Rasa
trackers and the review items that point at them are renamed; Telegram chat ids (numbers) stay.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PREFIX = "rest:"
TELEGRAM_CHAT = re.compile(r"-?\d+")


def add_prefix(sender: str) -> str | None:
    if sender.startswith(PREFIX) or TELEGRAM_CHAT.fullmatch(sender):
        return None
    return PREFIX + sender


def drop_prefix(sender: str) -> str | None:
    return sender.removeprefix(PREFIX) if sender.startswith(PREFIX) else None


def conversation_ref(sender_id: str) -> str:  # bot.review.collect.conversation_ref, frozen here
    return hashlib.sha256(sender_id.encode()).hexdigest()[:12]


def rename_senders(rename: Callable[[str], str | None]) -> None:
    connection = op.get_bind()
    tables = set(sa.inspect(connection).get_table_names())
    customers = sa.table("customers", sa.column("id"), sa.column("chat_id"), sa.column("channel"))
    cases = sa.table("cases", sa.column("id"), sa.column("customer_id"), sa.column("source_key"))
    renamed: dict[str, str] = {}
    for customer_id, chat_id, channel in connection.execute(sa.select(customers)).all():
        new = rename(chat_id) if channel != "telegram" else None
        if new is None:
            continue
        renamed[chat_id] = new
        connection.execute(customers.update().where(customers.c.id == customer_id).values(chat_id=new))
        for case_id, source_key in connection.execute(
            sa.select(cases.c.id, cases.c.source_key).where(cases.c.customer_id == customer_id)
        ).all():
            if source_key and source_key.startswith(f"{chat_id}:"):
                key = new + source_key[len(chat_id) :]
                connection.execute(cases.update().where(cases.c.id == case_id).values(source_key=key))
    if "events" in tables:  # Rasa's tracker store: created by the Rasa server on first use
        events = sa.table("events", sa.column("sender_id"))
        for (sender,) in connection.execute(sa.select(events.c.sender_id).distinct()).all():
            new = renamed.get(sender) or rename(sender)
            if new is not None:
                renamed[sender] = new
                connection.execute(events.update().where(events.c.sender_id == sender).values(sender_id=new))
    rename_in_review_items(connection, renamed)


def rename_in_review_items(connection: sa.engine.Connection, renamed: dict[str, str]) -> None:
    items = sa.table(
        "review_items", sa.column("id"), sa.column("sources", sa.JSON), sa.column("conversations", sa.JSON)
    )
    refs = {
        f"conversacion:{conversation_ref(old)}:": f"conversacion:{conversation_ref(new)}:"
        for old, new in renamed.items()
    }
    for item_id, sources, conversations in connection.execute(sa.select(items)).all():
        new_conversations = [renamed.get(sender, sender) for sender in conversations or []]
        new_sources = [renamed_source(source, refs) for source in sources or []]
        if new_conversations != (conversations or []) or new_sources != (sources or []):
            connection.execute(
                items.update()
                .where(items.c.id == item_id)
                .values(sources=new_sources, conversations=new_conversations)
            )


def renamed_source(source: str, refs: dict[str, str]) -> str:
    for old, new in refs.items():
        if source.startswith(old):
            return new + source[len(old) :]
    return source


def upgrade() -> None:
    rename_senders(add_prefix)


def downgrade() -> None:
    rename_senders(drop_prefix)
