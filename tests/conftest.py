"""Shared fixtures: a real, migrated case store per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from bot.config import get_settings
from bot.policy import get_policy
from bot.store.db import create_session_factory, session_factory_for
from bot.store.migrate import migrate
from tests.support.fake_bot_api import FakeBotApi
from tests.support.postgres import fresh_postgres_database

# Fixtures kept beside their helpers: `assistant` (the REST channel's assistant), `browser` (Chromium),
# `postgres_databases` (the PostgreSQL server and copies of a migrated template database).
pytest_plugins = ("tests.support.rest_assistant", "tests.support.browser", "tests.support.postgres")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh store migrated to head, made the process's DATABASE_URL: an SQLite file, or a new
    PostgreSQL database (a copy of the session's migrated template, dropped after the test)."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'atencion.db'}"
            migrate(url)
        else:
            url = stack.enter_context(fresh_postgres_database(request.getfixturevalue("postgres_databases")))
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        session_factory_for.cache_clear()
        yield url
        if session_factory_for.cache_info().currsize:  # the code's own engine: its connections closed
            session_factory_for(url).kw["bind"].dispose()
        get_settings.cache_clear()
        session_factory_for.cache_clear()


@pytest.fixture
def session_factory(database_url: str) -> Iterator[sessionmaker]:
    factory = create_session_factory(database_url)
    yield factory
    factory.kw["bind"].dispose()


@pytest.fixture
def policy():
    return get_policy()


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The real model trained on the repo's data (reused when data/ is unchanged)."""
    from bot.training.train import ensure_model

    return ensure_model()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBotApi]:
    """A fake Telegram Bot API for the module (reset by `bot` before each test)."""
    with FakeBotApi() as api:
        yield api


@pytest.fixture
async def bot(fake: FakeBotApi):
    """python-telegram-bot's real Bot, talking to `fake` (as the worker's does)."""
    from bot.telegram_api.client import build_bot  # Rasa and Sanic come with it: only when needed
    from bot.telegram_api.config import TelegramConfig

    fake.reset()
    async with build_bot(TelegramConfig("123:TEST", None, None, fake.base_url, None)) as telegram_bot:
        yield telegram_bot


@pytest.fixture
async def telegram(fake: FakeBotApi):
    """python-telegram-bot on a thread of its own, as our channel runs it, talking to `fake`."""
    from bot.telegram_api.bot_thread import BotThread  # Rasa and Sanic come with it: only when needed
    from bot.telegram_api.client import build_bot
    from bot.telegram_api.config import TelegramConfig

    fake.reset()
    thread = BotThread(build_bot(TelegramConfig("123:TEST", None, None, fake.base_url, None)))
    await thread.start()
    yield thread
    await thread.stop(timeout=30)


@pytest.fixture(scope="module")
def forum_api() -> Iterator[FakeBotApi]:
    """A fake Bot API whose agents' group is a forum (handoff and survey tests)."""
    from tests.support.handoff_helpers import forum_fake

    with forum_fake() as api:
        yield api


@pytest.fixture(scope="module")
def agents_assistant(request, trained_model: Path, tmp_path_factory, forum_api: FakeBotApi):
    """The assistant and its worker on `forum_api`, with three agents: one per test module."""
    from tests.support.handoff_helpers import assistant_with_agents

    name = request.module.__name__.rpartition(".")[2].removeprefix("test_").removesuffix("_end_to_end")
    with assistant_with_agents(tmp_path_factory, forum_api, name) as running:
        yield running


@pytest.fixture(scope="module")
def console_store(tmp_path_factory) -> str:
    """A migrated SQLite store with three weeks of seeded cases (tests/support/console_seed.py)."""
    from bot.store.models import utcnow
    from tests.support.console_seed import seed_console_cases

    url = f"sqlite:///{tmp_path_factory.mktemp('console') / 'atencion.db'}"
    migrate(url)
    seed_console_cases(create_session_factory(url), get_policy(), utcnow().replace(minute=0, second=0))
    return url


@pytest.fixture(scope="module")
def console(console_store: str, tmp_path_factory) -> Iterator[str]:
    """The real `python -m bot console` over `console_store`: its base URL."""
    from tests.support.console_server import console_server

    with console_server(console_store, tmp_path_factory.mktemp("log") / "console.log") as base:
        yield base


# The longest files, first: `make test` runs files on two processes, and a long file started last
# would leave one process idle while it finishes.
LONGEST_FIRST = (
    "test_retrain.py",
    "test_reliability.py",
    "test_webhook_fuzz.py",
    "test_handoff_end_to_end.py",
    "test_telegram_end_to_end.py",
    "test_survey_end_to_end.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: every other test keeps its order


def skipped_reports(config: pytest.Config) -> list[pytest.TestReport]:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return list(reporter.stats.get("skipped", [])) if reporter else []


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (`CI` set, as .ci/run does) a skipped test fails the run: a missing PostgreSQL, Redis,
    nginx or Chromium must never pass for a green build."""
    if os.environ.get("CI") and skipped_reports(session.config) and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    skipped = skipped_reports(config)
    terminalreporter.write_line(f"{len(skipped)} tests skipped")
    if os.environ.get("CI") and skipped:
        terminalreporter.write_line("FAILED: tests skipped in CI (CI is set): every service must be there")
