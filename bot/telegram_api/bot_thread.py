"""python-telegram-bot on an event loop of its own, in a thread.

Rasa runs NLU and the policies on the server's event loop, so under load every await there
waits for other conversations' CPU-bound steps: a profile at 10 concurrent chats showed each
sendMessage taking 140 ms that way. From this loop, Telegram calls go out as soon as the GIL
allows, and a turn never waits for Telegram (nor for its 429s) to finish.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from telegram.ext import ExtBot

from bot.telegram_api.ordering import ChatQueues

T = TypeVar("T")


class BotThread:
    def __init__(self, bot: ExtBot) -> None:
        self.bot = bot
        self.loop = asyncio.new_event_loop()
        self.outboxes = ChatQueues()
        self.thread = threading.Thread(target=self.loop.run_forever, name="telegram-bot", daemon=True)

    async def start(self) -> None:
        """Start the loop and initialize the bot (getMe); raises what Telegram answered."""
        self.thread.start()
        await self.call(lambda bot: bot.initialize())

    def submit(self, make: Callable[[], Awaitable[T]]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(make(), self.loop)

    async def call(self, make: Callable[[ExtBot], Awaitable[T]]) -> T:
        """Run `make(bot)` on the bot's loop and wait for its result."""
        return await asyncio.wrap_future(self.submit(lambda: make(self.bot)))

    def post(self, chat: Hashable, job: Callable[[], Awaitable[None]]) -> None:
        """Run `job` on the bot's loop after the chat's earlier jobs, without waiting for it."""
        self.loop.call_soon_threadsafe(self.outboxes.submit, chat, job)

    async def drain(self, timeout: float) -> None:
        """Wait for the jobs posted so far."""
        await asyncio.wrap_future(self.submit(lambda: self.outboxes.drain(timeout)))

    async def stop(self, timeout: float) -> None:
        if not self.thread.is_alive():
            return
        await self.drain(timeout)
        await asyncio.wrap_future(self.submit(self.bot.shutdown))
        self.loop.call_soon_threadsafe(self.loop.stop)
        await asyncio.to_thread(self.thread.join, timeout)
