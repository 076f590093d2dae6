"""Shared fixtures: a real, migrated SQLite case store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from bot.config import get_settings
from bot.db import create_session_factory, session_factory_for
from bot.migrate import migrate
from bot.policy import get_policy


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh SQLite file migrated to head, made the process's DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'atencion.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    session_factory_for.cache_clear()
    migrate(url)
    yield url
    get_settings.cache_clear()
    session_factory_for.cache_clear()


@pytest.fixture
def session_factory(database_url: str) -> sessionmaker:
    return create_session_factory(database_url)


@pytest.fixture
def policy():
    return get_policy()


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The real model trained on the repo's data (reused when data/ is unchanged)."""
    from bot.training import ensure_model

    return ensure_model()
