"""Sending within Telegram's limits: rate limiting, 429s honoured, network errors retried."""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter

from bot.metrics import TELEGRAM_API_ERRORS
from bot.telegram_api.shared_rate import OverallRate, Rate

logger = logging.getLogger(__name__)

T = TypeVar("T")

SEND_ATTEMPTS = 4
FIRST_BACKOFF_SECONDS = 0.5
# About one message a second in each private chat, with short bursts of three (Telegram's advice).
PRIVATE_CHAT_BURST = 3
PRIVATE_CHAT_PERIOD_SECONDS = 3.0
DEFAULT_MESSAGES_PER_SECOND = 30.0  # Telegram's overall limit for a bot («30 messages per second or so»)
# "typing…" is cosmetic: it must not take the place of a reply in the rate budget.
UNLIMITED_ENDPOINTS = {"sendChatAction"}


class ChatRateLimiter(AIORateLimiter):
    """python-telegram-bot's limiter (20/min per group, 429s retried after `retry_after`) with the
    overall rate (30/s by default) and a per-chat limit for private chats, which it does not have,
    both kept across the bot's processes (bot/telegram_api/shared_rate.py)."""

    def __init__(self, overall: OverallRate | None = None, max_retries: int = 3, **kwargs: Any) -> None:
        super().__init__(max_retries=max_retries, overall_max_rate=0, **kwargs)
        self.overall = overall or OverallRate(DEFAULT_MESSAGES_PER_SECOND)
        self._chat_limiters: dict[int, Rate] = {}

    def _chat_limiter(self, chat_id: int) -> Rate:
        if len(self._chat_limiters) > 1024:
            idle = [key for key, rate in self._chat_limiters.items() if rate.local.has_capacity(rate.limit)]
            for key in idle:
                del self._chat_limiters[key]
        if chat_id not in self._chat_limiters:
            self._chat_limiters[chat_id] = self.overall.for_chat(
                chat_id, PRIVATE_CHAT_BURST, PRIVATE_CHAT_PERIOD_SECONDS
            )
        return self._chat_limiters[chat_id]

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        callback = counting_failures(callback)
        if endpoint in UNLIMITED_ENDPOINTS:
            return await callback(*args, **kwargs)
        if data.get("chat_id") is None:  # python-telegram-bot counts only requests to a chat
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        chat_id = private_chat_id(data.get("chat_id"))
        if chat_id is None or not endpoint.startswith("send"):
            async with self.overall:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        async with self._chat_limiter(chat_id), self.overall:
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)


def counting_failures(call: Callable[..., Coroutine[Any, Any, T]]) -> Callable[..., Coroutine[Any, Any, T]]:
    """Each Bot API request that fails, counted by kind for Prometheus (bot/metrics.py), retries
    included: a 429 the limiter retries still says Telegram is pushing back."""

    async def counted(*args: Any, **kwargs: Any) -> T:
        try:
            return await call(*args, **kwargs)
        except RetryAfter:
            TELEGRAM_API_ERRORS.labels("rate_limited").inc()
            raise
        except (Forbidden, BadRequest):
            TELEGRAM_API_ERRORS.labels("refused").inc()
            raise
        except NetworkError:
            TELEGRAM_API_ERRORS.labels("network").inc()
            raise

    return counted


def private_chat_id(chat_id: Any) -> int | None:
    try:
        value = int(chat_id)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def retry_after_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def deliver(send: Callable[[], Awaitable[T]], attempts: int = SEND_ATTEMPTS) -> T:
    """Await `send()`, retrying network errors with exponential backoff and 429s after
    `retry_after`. A refusal (Forbidden, BadRequest) is raised at once: retrying cannot help."""
    for attempt in range(1, attempts + 1):
        try:
            return await send()
        except (Forbidden, BadRequest):
            raise
        except RetryAfter as error:
            delay = retry_after_seconds(error) + 0.1
            failure: Exception = error
        except NetworkError as error:
            delay = FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1)
            failure = error
        if attempt == attempts:
            raise failure
        logger.warning(
            "Telegram call failed (%s); attempt %d of %d in %.1f s", failure, attempt + 1, attempts, delay
        )
        await asyncio.sleep(delay)
    raise AssertionError("unreachable")
