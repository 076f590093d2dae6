"""Telegram's sending limits, kept by every process that sends as the bot (the Rasa servers and
their processes, and the worker): about 30 messages a second for the whole bot, and about one a
second in each private chat (bursts of three).

python-telegram-bot's limiter, and our per-chat one, keep them in one process only: two Rasa
server processes would send twice as much, and could both answer one chat at once. With a Redis
lock store the processes share each limit in that Redis: a key per bot and limit holding when the
next message may leave (the generic cell rate algorithm, in one Lua script, so the same bursts and
pace as the leaky buckets of one process); without one, or while Redis does not answer (tried again
every RETRY_SECONDS), each process keeps the limits alone.
"""

from __future__ import annotations

import asyncio
import logging
import time
from types import TracebackType

from aiolimiter import AsyncLimiter
from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

KEY_PREFIX = "atencion:telegram:sent:"
RETRY_SECONDS = 10.0  # Redis down: each message goes at the process's own rate until then
# KEYS[1]: when the next message may leave at the steady pace (TAT). ARGV: now, the interval between
# messages, the burst. Takes a place and returns 0, or returns the seconds to wait.
GCRA = """
local now, interval, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or now), now)
local allowed_at = tat - interval * (burst - 1)
if now < allowed_at then
  return tostring(allowed_at - now)
end
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', math.ceil((tat + interval - now) * 1000) + 1000)
return '0'
"""


class SharedWindows:
    """Counting sends in Redis, per key and window, for every process of the bot."""

    def __init__(self, redis_url: str | None, bot_id: str) -> None:
        self.redis_url = redis_url if redis_url and redis_url.startswith(("redis://", "rediss://")) else None
        self.prefix = f"{KEY_PREFIX}{bot_id}:"
        self._gcra: AsyncScript | None = None
        self._down_until = 0.0

    @property
    def available(self) -> bool:
        return self.redis_url is not None and time.monotonic() >= self._down_until

    async def take(self, key: str, limit: float, period: float) -> bool:
        """Waits for a place among `limit` sends per `period` seconds (bursts of `limit`); False if
        Redis is down."""
        try:
            script = self._script()
            while True:
                wait = float(
                    await script(keys=[f"{self.prefix}{key}"], args=[time.time(), period / limit, limit])
                )
                if wait <= 0:
                    return True
                await asyncio.sleep(wait)
        except (RedisError, OSError) as error:
            logger.warning(
                "the shared sending limits' Redis does not answer (%s): kept alone for %.0f s",
                error,
                RETRY_SECONDS,
            )
            self._down_until = time.monotonic() + RETRY_SECONDS
            return False

    def _script(self) -> AsyncScript:
        if self._gcra is None:  # created in the loop that sends (the bot's own thread)
            redis = Redis.from_url(self.redis_url, socket_timeout=2, socket_connect_timeout=2)
            self._gcra = redis.register_script(GCRA)
        return self._gcra


class Rate:
    """`async with rate:` before each send that counts against it: shared when Redis answers."""

    def __init__(self, limit: float, period: float, key: str, windows: SharedWindows) -> None:
        self.limit, self.period, self.key, self.windows = limit, period, key, windows
        self.local = AsyncLimiter(limit, period)

    async def __aenter__(self) -> None:
        if not self.windows.available or not await self.windows.take(self.key, self.limit, self.period):
            await self.local.acquire()

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        return None


class OverallRate(Rate):
    """The bot's overall rate (messages a second), and the windows its per-chat rates share."""

    def __init__(self, per_second: float, redis_url: str | None = None, bot_id: str = "") -> None:
        super().__init__(per_second, 1.0, "all", SharedWindows(redis_url, bot_id))

    def for_chat(self, chat_id: int, burst: int, period: float) -> Rate:
        return Rate(burst, period, f"chat:{chat_id}", self.windows)
