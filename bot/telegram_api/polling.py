"""Long polling (no public URL, e.g. on a laptop): getUpdates feeding the webhook's handler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, Update
from telegram.error import Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter

from bot.telegram_api.delivery import retry_after_seconds
from bot.telegram_api.incoming import ALLOWED_UPDATES

logger = logging.getLogger(__name__)

POLL_TIMEOUT_SECONDS = 25
MAX_BACKOFF_SECONDS = 30.0


async def poll_updates(
    bot: Bot, feed: Callable[[Update], Awaitable[bool]], timeout: int = POLL_TIMEOUT_SECONDS
) -> None:
    """Fetch updates until cancelled. Each is confirmed (the next offset) only once `feed` says it is
    stored; one that is not is fetched again, with those after it, after a growing pause."""
    await bot.delete_webhook()
    logger.info("polling Telegram for updates")
    offset: int | None = None
    backoff = 1.0
    while True:
        try:
            updates = await bot.get_updates(offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES)
        except (InvalidToken, Forbidden):
            logger.error("Telegram refused the bot token; polling stopped")
            return
        except RetryAfter as error:
            await asyncio.sleep(retry_after_seconds(error))
            continue
        except (Conflict, NetworkError) as error:
            logger.warning("getUpdates failed (%s); retrying in %.0f s", error, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            continue
        stored_all = True
        for update in updates:
            if not await feed(update):
                stored_all = False
                break
            offset = update.update_id + 1
        if stored_all:
            backoff = 1.0
            continue
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
