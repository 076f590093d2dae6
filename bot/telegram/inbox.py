"""This Rasa server's side of the update inbox (bot/store/inbox.py): accepting, starting and finishing
its updates, renewing their leases, and taking over those of servers that died.

The leases are renewed from a thread of their own: under load Rasa keeps the server's event loop
busy with NLU and policies for seconds at a time, and a renewal waiting there would let leases
run out on a server that is alive (another server would then apologize for updates being answered).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.store import inbox
from bot.store.inbox import Start, TakenOver
from bot.store.models import InboxState
from bot.telegram.store_work import STORE_DOWN, StoreWork

logger = logging.getLogger(__name__)

WAIT_POLL_SECONDS = 0.2
MAX_WAIT_FOR_EARLIER_SECONDS = 30.0  # an earlier update elsewhere; then this one goes ahead
START_RETRY_SECONDS = (0.5, 1, 2, 4, 8)  # the store unreachable: about 15 s, then the customer is told

T = TypeVar("T")
OnTaken = Callable[[TakenOver], Awaitable[None]]


class StoreUnavailable(RuntimeError):
    """The store did not answer while an update was being started."""


@dataclass(frozen=True)
class Begun(Generic[T]):
    """Whether this server is to process the update now, and what was read starting it."""

    started: bool
    read: T | None = None


def new_owner() -> str:
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class TelegramInbox:
    def __init__(self, store: StoreWork) -> None:
        self.store = store
        self.owner = new_owner()
        self._held: set[int] = set()
        self._unfinished: dict[int, InboxState] = {}  # to record once the store answers again
        self._lock = threading.Lock()  # the lease keeper's thread reads what the loop changes
        self._stopping = threading.Event()

    def hold(self, update_id: int) -> None:
        with self._lock:
            self._held.add(update_id)

    def release(self, update_id: int) -> None:
        """Stop renewing it: when its lease runs out, a server (maybe this one) takes it over."""
        with self._lock:
            self._held.discard(update_id)

    async def accept(self, update_id: int, chat_key: str | None, body: str) -> bool:
        """Stored and held by this server; False for a redelivery. Raises when the store is down."""
        accepted = await self.store.transaction(inbox.accept, update_id, chat_key, body, self.owner)
        if accepted:
            self.hold(update_id)
        return accepted

    async def start(self, update_id: int, read: Callable[[Session], T] | None = None) -> Begun[T]:
        """Whether this server is to process the update now (after the chat's earlier ones); once
        started, `read(session)` runs in the same transaction (the customer stored, the chat's
        state read) and its result comes back with it."""
        waited = 0.0
        while True:
            force = waited >= MAX_WAIT_FOR_EARLIER_SECONDS
            outcome, result = await self.start_once(update_id, read, force)
            if outcome is not Start.WAIT:
                if outcome is Start.GONE:
                    self.release(update_id)
                return Begun(outcome is Start.STARTED, result)
            await asyncio.sleep(WAIT_POLL_SECONDS)
            waited += WAIT_POLL_SECONDS

    async def start_once(
        self, update_id: int, read: Callable[[Session], T] | None, force: bool
    ) -> tuple[Start, T | None]:
        def transaction(session: Session) -> tuple[Start, T | None]:
            outcome = inbox.start(session, update_id, self.owner, ignore_earlier=force)
            if outcome is Start.STARTED and read is not None:
                return outcome, read(session)
            return outcome, None

        for pause in (*START_RETRY_SECONDS, None):
            try:
                return await self.store.transaction(transaction)
            except STORE_DOWN as error:
                if pause is None:
                    raise StoreUnavailable(str(error)) from error
                logger.warning("the store did not answer starting update %s; retrying: %s", update_id, error)
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")

    async def finish(self, update_id: int, state: InboxState = InboxState.DONE) -> None:
        """Recorded now, or (the store down) still held and recorded by the lease keeper once the
        store is back: its lease must not run out, or another server would apologize for it."""
        try:
            await self.store.transaction(inbox.finish, update_id, self.owner, state)
        except SQLAlchemyError as error:
            logger.error("could not record update %s as %s yet: %s", update_id, state.value, error)
            with self._lock:
                self._unfinished[update_id] = state
            return
        self.release(update_id)

    def keep(self, loop: asyncio.AbstractEventLoop, on_taken: OnTaken) -> threading.Thread:
        """Start the lease keeper: every third of a lease, renew this server's leases, record
        what could not be recorded, and take over expired leases (processed on `loop`)."""
        thread = threading.Thread(target=self._keep, args=(loop, on_taken), name="inbox-leases", daemon=True)
        thread.start()
        return thread

    def stop_keeping(self) -> None:
        self._stopping.set()

    def _keep(self, loop: asyncio.AbstractEventLoop, on_taken: OnTaken) -> None:
        interval = inbox.lease_duration().total_seconds() / 3
        while True:
            try:
                self._renew_and_take_over(loop, on_taken)
            except SQLAlchemyError as error:
                logger.warning("could not renew or take over inbox leases: %s", error)
            if self._stopping.wait(interval):
                return

    def _renew_and_take_over(self, loop: asyncio.AbstractEventLoop, on_taken: OnTaken) -> None:
        factory = self.store.session_factory
        with self._lock:
            held, unfinished = sorted(self._held), dict(self._unfinished)
        with factory.begin() as session:
            inbox.renew(session, self.owner, held)
            for update_id, state in unfinished.items():
                inbox.finish(session, update_id, self.owner, state)
        with self._lock:
            for update_id in unfinished:
                del self._unfinished[update_id]
                self._held.discard(update_id)
        with factory.begin() as session:
            taken_over = inbox.take_over(session, self.owner)
        for taken in taken_over:
            self.hold(taken.update_id)
            logger.warning("took over update %s (%s) from a server that stopped", taken.update_id,
                           taken.state.value)  # fmt: skip
            asyncio.run_coroutine_threadsafe(on_taken(taken), loop)
