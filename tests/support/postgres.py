"""PostgreSQL for the store-level tests: the server, a template migrated once per session, and a
fresh copy of it per test (`CREATE DATABASE … TEMPLATE`, much faster than migrating each time),
dropped after the test.

The server is TEST_POSTGRES_URL when set (its role must be allowed to create databases), else the
private one `scripts/postgres.sh` installs and starts (var/postgres, 127.0.0.1:55432); without it
the PostgreSQL tests skip outside CI and fail in CI (tests/support/services.py).
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from bot.store.migrate import migrate
from tests.support.services import service_url, unavailable


def database_named(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


class PostgresServer:
    """CREATE and DROP DATABASE through one autocommit connection to the server's own database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(
            url, future=True, poolclass=NullPool, isolation_level="AUTOCOMMIT"
        )

    def execute(self, statement: str) -> None:
        with self.engine.connect() as connection:
            connection.execute(text(statement))

    def create(self, name: str, template: str | None = None) -> str:
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return database_named(self.url, name)

    def drop(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # PostgreSQL 13+


class FreshDatabases:
    """Copies of the migrated template, a few made ahead in background threads and each dropped in
    the background after its test. CREATE DATABASE writes a file per catalog table: tens of
    milliseconds on a quick disk, several times that on a slow one, and it parallelises well."""

    AHEAD = 4

    def __init__(self, server: PostgresServer, template: str) -> None:
        self.server, self.template = server, template
        self.threads = ThreadPoolExecutor(self.AHEAD, thread_name_prefix="test-databases")
        self.ready: deque[Future[str]] = deque()
        self.drops: list[Future[None]] = []

    def copy(self) -> str:
        name = f"test_{uuid.uuid4().hex[:16]}"
        self.server.create(name, template=self.template)
        return name

    def take(self) -> str:
        """The name of a new database, migrated (a copy of the template)."""
        while len(self.ready) <= self.AHEAD:
            self.ready.append(self.threads.submit(self.copy))
        return self.ready.popleft().result()

    def drop(self, name: str) -> None:
        self.drops.append(self.threads.submit(self.server.drop, name))

    def close(self) -> None:
        """Drop the copies nobody took, wait for every drop; a failed one is reported here."""
        for made in self.ready:
            if not made.cancel() and made.exception() is None:
                self.drop(made.result())
        self.threads.shutdown(wait=True)
        for dropped in self.drops:
            dropped.result()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[FreshDatabases]:
    """The server and, on it, a template database migrated to head once per session (dropped after)."""
    url = service_url("PostgreSQL")
    server = PostgresServer(url)
    try:
        server.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any connection failure: the server is not there
        server.engine.dispose()
        unavailable("PostgreSQL", f"cannot connect to {make_url(url)!r}: {error}")
    template = f"test_template_{uuid.uuid4().hex[:12]}"
    try:
        migrate(server.create(template))
        databases = FreshDatabases(server, template)
        try:
            yield databases
        finally:
            databases.close()
    finally:
        server.drop(template)
        server.engine.dispose()


@contextmanager
def fresh_postgres_database(databases: FreshDatabases) -> Iterator[str]:
    """A new migrated database for one test, dropped afterwards: its URL."""
    name = databases.take()
    try:
        yield database_named(databases.server.url, name)
    finally:
        databases.drop(name)
