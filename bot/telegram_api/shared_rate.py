"""The bot's overall sending rate, which Telegram counts per bot (about 30 messages a second), kept
by every process that sends as that bot: the Rasa servers and their processes, and the worker.

python-telegram-bot's limiter keeps it in one process only: two Rasa servers would send twice as
much. With a Redis lock store the processes count their messages in a key per bot and second of
that Redis (a fixed window: a message waits for the next second once the count has reached the
rate); without one, or while Redis does not answer (tried again every RETRY_SECONDS), each process
keeps the rate on its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from types import TracebackType

from aiolimiter import AsyncLimiter
from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

KEY_PREFIX = "atencion:telegram:sent:"
KEY_SECONDS = 5
RETRY_SECONDS = 10.0  # Redis down: each message goes at the process's own rate until then


class OverallRate:
    """`async with rate:` before each request that counts against the bot's overall rate."""

    def __init__(self, per_second: float, redis_url: str | None = None, bot_id: str = "") -> None:
        self.per_second = per_second
        self.key_prefix = f"{KEY_PREFIX}{bot_id}:"
        self.local = AsyncLimiter(per_second, 1)
        self.redis_url = redis_url if redis_url and redis_url.startswith(("redis://", "rediss://")) else None
        self._redis: Redis | None = None
        self._down_until = 0.0

    async def __aenter__(self) -> None:
        if self.redis_url is None or time.monotonic() < self._down_until or not await self._shared():
            await self.local.acquire()

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        return None

    async def _shared(self) -> bool:
        """Waits for a place in a second shared with the other processes; False if Redis is down."""
        try:
            while True:
                now = time.time()
                window = int(now)
                key = f"{self.key_prefix}{window}"
                async with self._client().pipeline(transaction=True) as pipe:
                    sent, _ = await pipe.incr(key).expire(key, KEY_SECONDS).execute()
                if sent <= self.per_second:
                    return True
                await asyncio.sleep(window + 1 - now)
        except (RedisError, OSError) as error:
            logger.warning(
                "the shared sending rate's Redis does not answer (%s): kept alone for %.0f s",
                error,
                RETRY_SECONDS,
            )
            self._down_until = time.monotonic() + RETRY_SECONDS
            return False

    def _client(self) -> Redis:
        if self._redis is None:  # created in the loop that sends (the bot's own thread)
            self._redis = Redis.from_url(self.redis_url, socket_timeout=2, socket_connect_timeout=2)
        return self._redis
