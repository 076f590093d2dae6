"""Telegram counts a bot's messages per bot (about 30 a second) and per chat (about one a second,
short bursts), however many processes send them: two processes of the bot sharing the lock store's
Redis keep both limits together; without Redis, or with it down, each keeps them alone and nothing
is lost."""

from __future__ import annotations

import asyncio
import logging
import time

from bot.ops.launcher import free_port
from bot.telegram_api.client import build_bot
from bot.telegram_api.config import TelegramConfig
from tests.support.fake_bot_api import FakeBotApi
from tests.support.services import redis_database

RATE = 5.0
CHATS = iter(range(7_310_000, 7_319_999))


def config(fake: FakeBotApi, redis_url: str | None) -> TelegramConfig:
    return TelegramConfig(
        "123:TEST", None, None, fake.base_url, None, messages_per_second=RATE, shared_rate_url=redis_url
    )


async def send_from_two_processes(fake: FakeBotApi, redis_url: str | None, each: int) -> float:
    """Seconds for two bots (as two processes would build them) to send `each` messages apiece,
    every message to a chat of its own (no chat's limit in the way)."""
    async with build_bot(config(fake, redis_url)) as first, build_bot(config(fake, redis_url)) as second:
        started = time.monotonic()
        await asyncio.gather(
            *(bot.send_message(next(CHATS), "Hola") for bot in (first, second) for _ in range(each))
        )
        return time.monotonic() - started


async def test_two_processes_of_the_bot_keep_the_rate_together(fake):
    fake.reset()
    took = await send_from_two_processes(fake, redis_database(13), each=10)
    assert len(fake.calls("sendMessage")) == 20
    assert took >= 1.9  # 20 at 5 a second between them: four seconds' windows, at least 2 s


async def test_without_redis_each_process_keeps_the_rate_alone(fake):
    fake.reset()
    took = await send_from_two_processes(fake, None, each=10)
    assert len(fake.calls("sendMessage")) == 20
    assert took < 1.9  # each sent 5 at once and 5 more within the second: together twice the rate


async def test_with_redis_down_messages_still_go_at_each_process_rate(fake, caplog):
    fake.reset()
    caplog.set_level(logging.WARNING, "bot.telegram_api.shared_rate")
    took = await send_from_two_processes(fake, f"redis://127.0.0.1:{free_port()}/0", each=4)
    assert len(fake.calls("sendMessage")) == 8
    assert took < 5
    assert "does not answer" in caplog.text


async def one_chat_from_two_processes(fake: FakeBotApi, redis_url: str | None) -> float:
    """Seconds for two bots to send two messages apiece to the same private chat."""
    chat = next(CHATS)
    async with build_bot(config(fake, redis_url)) as first, build_bot(config(fake, redis_url)) as second:
        started = time.monotonic()
        await asyncio.gather(*(bot.send_message(chat, "Hola") for bot in (first, second, first, second)))
        return time.monotonic() - started


async def test_one_chat_gets_a_burst_of_three_then_one_a_second_from_both_processes(fake):
    fake.reset()
    assert await one_chat_from_two_processes(fake, redis_database(13)) >= 0.9  # the fourth waited its second
    assert await one_chat_from_two_processes(fake, None) < 0.5  # alone, each sent its two at once
    assert len(fake.calls("sendMessage")) == 8
