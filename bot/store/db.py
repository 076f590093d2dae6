"""Engines and sessions for the case store (SQLAlchemy 1.4 in 2.0 style)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.config import get_settings

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def create_store_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get WAL and serialised writers.

    SQLite lets one writer in at a time. Starting every transaction with
    `BEGIN IMMEDIATE` makes concurrent writers queue on the busy timeout instead of
    failing with "database is locked" when a reader tries to become a writer
    (SQLAlchemy's documented recipe for pysqlite).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)

    in_file = bool(parsed.database) and parsed.database != ":memory:"
    if in_file:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        future=True,
        # An error's message and log never carry the statement's values: customers' words, e-mails.
        hide_parameters=True,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        # SQLAlchemy 1.4 opens a new connection per transaction on SQLite files (NullPool):
        # connecting and its PRAGMAs showed in the webhook's profile. 2.0 pools them too.
        **({"poolclass": QueuePool} if in_file else {}),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_reading_engine(url: str) -> Engine:
    """For reading only (Rasa's tracker store, beside an open session): SQLite's plain deferred
    transactions, which read alongside a writer under WAL instead of queueing behind it."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)
    return create_engine(
        url, future=True, hide_parameters=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
    )


def create_session_factory(url: str) -> sessionmaker:
    return sessionmaker(bind=create_store_engine(url), future=True, expire_on_commit=False)


@cache
def session_factory_for(url: str) -> sessionmaker:
    return create_session_factory(url)


def get_session_factory() -> sessionmaker:
    """The process-wide session factory for `DATABASE_URL`, created on first use."""
    return session_factory_for(get_settings().database_url)


def insert_unless_present(session: Session, model: Any, **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING (SQLite and PostgreSQL): True when the row was inserted.

    For rows that must exist once (a customer per chat, a team per name): on PostgreSQL concurrent
    transactions may both find the row missing; the second one's insert then waits for the first
    and does nothing instead of failing on the unique constraint. (SQLite serialises writers.)
    """
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return session.execute(insert(model).values(**values).on_conflict_do_nothing()).rowcount == 1


__all__ = [
    "Session",
    "create_session_factory",
    "create_store_engine",
    "get_session_factory",
    "insert_unless_present",
]
