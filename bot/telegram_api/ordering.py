"""Background work per chat: one chat's updates strictly in order, different chats in parallel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class ChatQueues:
    def __init__(self) -> None:
        self._tails: dict[Hashable, asyncio.Task] = {}

    def submit(self, chat: Hashable, job: Job) -> asyncio.Task:
        """Run `job` after every job submitted before it for `chat`; failures are logged."""
        task = asyncio.create_task(self._run_after(self._tails.get(chat), job, chat))
        self._tails[chat] = task
        task.add_done_callback(lambda done: self._forget(chat, done))
        return task

    @property
    def pending(self) -> int:
        return len(self._tails)

    async def drain(self, timeout: float) -> None:
        """Wait (at most `timeout` seconds) for the jobs already submitted."""
        if self._tails:
            await asyncio.wait(list(self._tails.values()), timeout=timeout)

    async def _run_after(self, previous: asyncio.Task | None, job: Job, chat: Hashable) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        try:
            await job()
        except Exception:
            logger.exception("processing an update of chat %s failed", chat)

    def _forget(self, chat: Hashable, task: asyncio.Task) -> None:
        if self._tails.get(chat) is task:
            del self._tails[chat]
