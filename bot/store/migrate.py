"""Bring the case store's schema up to date (Alembic, programmatically)."""

from __future__ import annotations

import logging

from alembic import command
from alembic.config import Config

from bot.config import PROJECT_ROOT, get_settings


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def migrate(database_url: str | None = None, verbose: bool = False) -> None:
    """Upgrade to the newest revision. Alembic's INFO lines (which revisions ran) only when `verbose`:
    a report or a review command says what it was asked, not that the schema was already current."""
    alembic_logger = logging.getLogger("alembic")
    level = alembic_logger.level
    alembic_logger.setLevel(logging.INFO if verbose else logging.WARNING)
    try:
        command.upgrade(alembic_config(database_url or get_settings().database_url), "head")
    finally:
        alembic_logger.setLevel(level)
