"""The Bot API client every process uses: python-telegram-bot's `ExtBot`, with our limits."""

from __future__ import annotations

import logging

from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.telegram_api.config import TelegramConfig
from bot.telegram_api.delivery import ChatRateLimiter
from bot.telegram_api.polling import POLL_TIMEOUT_SECONDS
from bot.telegram_api.shared_rate import OverallRate

CONNECTION_POOL_SIZE = 64


def build_bot(config: TelegramConfig) -> ExtBot:
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    bot_id = (config.token or "").split(":")[0]  # the bot's public id, never the secret part
    return ExtBot(
        config.token or "",
        base_url=config.api_base_url,
        base_file_url=config.file_base_url,
        request=HTTPXRequest(connection_pool_size=CONNECTION_POOL_SIZE),
        get_updates_request=HTTPXRequest(read_timeout=POLL_TIMEOUT_SECONDS + 10),
        rate_limiter=ChatRateLimiter(OverallRate(config.messages_per_second, config.shared_rate_url, bot_id)),
    )
