"""Store work from the server's event loop: in a worker thread, except on SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import sessionmaker

T = TypeVar("T")
# The store not answering (down, unreachable, locked), as opposed to refusing a value.
STORE_DOWN = (OperationalError, DisconnectionError)


class StoreWork:
    """Rasa's SQL tracker store writes synchronously in the event loop thread. A write of ours
    from another thread that holds SQLite's lock makes it sleep in SQLite's busy handler,
    stalling every conversation; in the loop thread, the writes simply queue. PostgreSQL has no
    such lock, and its round trips must not block the loop."""

    def __init__(self, session_factory: sessionmaker) -> None:
        self.session_factory = session_factory
        self.sqlite = session_factory.kw["bind"].dialect.name == "sqlite"

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        if self.sqlite:
            return work(*args)
        return await asyncio.to_thread(work, *args)

    async def transaction(self, work: Callable[..., T], *args: Any) -> T:
        """`work(session, *args)` in one transaction."""

        def in_transaction() -> T:
            with self.session_factory.begin() as session:
                return work(session, *args)

        return await self.run(in_transaction)
