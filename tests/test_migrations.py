"""The Alembic migrations on each database: down to nothing and up again from scratch, ending with
exactly the schema the models describe."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from bot.migrate import alembic_config, migrate
from bot.models import Base


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
