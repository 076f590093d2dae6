"""The Alembic migrations on each database: down to nothing and up again from scratch, ending with
exactly the schema the models describe; and the data migrations on data."""

from __future__ import annotations

import os
import subprocess
import sys

from alembic import command
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, inspect, select

from bot.cases import Demand, register_case_once
from bot.review.collect import conversation_ref
from bot.store.db import create_session_factory
from bot.store.migrate import alembic_config, migrate
from bot.store.models import Base, Case, CaseType, Customer, ReviewItem


def tables(url: str) -> set[str]:
    engine = create_engine(url, future=True)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_the_migrations_go_down_to_nothing_and_up_again_to_the_models(database_url: str):
    assert tables(database_url) == set(Base.metadata.tables) | {"alembic_version"}

    command.downgrade(alembic_config(database_url), "base")
    assert tables(database_url) == {"alembic_version"}

    migrate(database_url)
    assert tables(database_url) == set(Base.metadata.tables) | {"alembic_version"}
    command.check(alembic_config(database_url))  # raises if the models and the migrations differ


def test_rest_conversations_are_renamed_into_their_own_namespace_and_back(database_url: str, policy):
    """0010: a console/REST customer `cliente-1` becomes `rest:cliente-1` (its case's source key, its
    Rasa tracker and the review items that point at it too); Telegram chat ids stay as they are."""
    factory = create_session_factory(database_url)
    for sender, channel in (("cliente-1", "rest"), ("555001", "telegram")):
        demand = Demand(sender, channel, CaseType.QUEJA, "envios", "no llegó", source_key=f"{sender}:m1")
        register_case_once(factory, demand, policy)
    engine = create_engine(database_url, future=True)
    events = Table(
        "events", MetaData(), Column("id", Integer, primary_key=True), Column("sender_id", String(255))
    )
    with engine.begin() as connection:
        events.create(connection)
        connection.execute(
            events.insert(), [{"sender_id": s} for s in ("cliente-1", "sin-caso", "555001", "-100")]
        )
    with factory.begin() as session:
        session.add(ReviewItem(key="no llego", text="no llegó", count=1, reasons=["fallback"],
                               sources=[f"conversacion:{conversation_ref('cliente-1')}:m1"],
                               conversations=["cliente-1", "555001"]))  # fmt: skip
    config = alembic_config(database_url)

    def stored() -> tuple[set, set, set, tuple]:
        with engine.connect() as connection:
            customers = set(connection.execute(select(Customer.chat_id)))
            keys = set(connection.execute(select(Case.source_key)))
            senders = set(connection.execute(select(events.c.sender_id)))
            item = connection.execute(select(ReviewItem.sources, ReviewItem.conversations)).one()
        return {c for (c,) in customers}, {k for (k,) in keys}, {s for (s,) in senders}, tuple(item)

    try:
        command.stamp(config, "0009")  # the data as 0009 left it
        command.upgrade(config, "head")
        assert stored() == (
            {"rest:cliente-1", "555001"},
            {"rest:cliente-1:m1", "555001:m1"},
            {"rest:cliente-1", "rest:sin-caso", "555001", "-100"},
            ([f"conversacion:{conversation_ref('rest:cliente-1')}:m1"], ["rest:cliente-1", "555001"]),
        )
        command.downgrade(config, "0009")
        assert stored() == (
            {"cliente-1", "555001"},
            {"cliente-1:m1", "555001:m1"},
            {"cliente-1", "sin-caso", "555001", "-100"},
            ([f"conversacion:{conversation_ref('cliente-1')}:m1"], ["cliente-1", "555001"]),
        )
    finally:
        command.upgrade(config, "head")
        with engine.begin() as connection:
            events.drop(connection)
        engine.dispose()


def test_commands_migrate_quietly_and_only_migrate_says_which_revisions_ran(tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'atencion.db'}"}
        return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env)

    report = run("report", "volume")
    assert report.returncode == 0 and "no cases" in report.stdout
    assert "alembic" not in report.stderr  # the schema was created, and nothing said so
    (tmp_path / "atencion.db").unlink()
    migrated = run("migrate")
    assert "Running upgrade  -> 0001" in migrated.stderr
