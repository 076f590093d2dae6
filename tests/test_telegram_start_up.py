"""Start-up of the Telegram channel: its settings, the secret check and webhook registration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY

from bot.telegram.input import TelegramInput
from bot.telegram_api.bot_thread import BotThread
from bot.telegram_api.client import build_bot
from bot.telegram_api.config import TelegramConfig, secret_matches
from bot.telegram_api.incoming import ALLOWED_UPDATES
from tests.support.fake_bot_api import FakeBotApi


def config(**overrides) -> TelegramConfig:
    values = dict(
        token="123:TEST",
        webhook_url="https://bot.example.com",
        webhook_secret=None,
        api_base_url="http://127.0.0.1:8081/bot",
        agents_chat_id=None,
    )
    return TelegramConfig(**{**values, **overrides})


def test_a_bare_host_gets_the_webhook_path_and_a_full_url_is_kept():
    assert config().public_webhook_url == "https://bot.example.com/webhooks/telegram/webhook"
    assert (
        config(webhook_url="https://x.example.com/tg/hook").public_webhook_url
        == "https://x.example.com/tg/hook"
    )
    assert config(webhook_url=None).public_webhook_url is None


def test_files_are_fetched_from_the_same_server_as_the_api():
    assert config().file_base_url == "http://127.0.0.1:8081/file/bot"
    assert (
        config(api_base_url="https://api.telegram.org/bot").file_base_url
        == "https://api.telegram.org/file/bot"
    )


def test_without_a_configured_secret_one_is_derived_from_the_token_and_still_checked():
    derived = config().secret
    assert derived == config().secret and derived != config(token="456:OTHER").secret
    assert secret_matches(derived, derived)
    assert not secret_matches(None, derived) and not secret_matches("adivina", derived)
    assert config(webhook_secret="mi-secreto").secret == "mi-secreto"


def test_credentials_override_the_environment(monkeypatch):
    from bot.config import get_settings

    monkeypatch.setenv("TELEGRAM_TOKEN", "1:ENV")
    monkeypatch.setenv("TELEGRAM_AGENTS_CHAT_ID", "-1001")
    get_settings.cache_clear()
    try:
        channel = TelegramInput.from_credentials({"webhook_url": "https://c.example.com", "token": None})
    finally:
        get_settings.cache_clear()
    assert channel.config.token == "1:ENV" and channel.config.agents_chat_id == -1001
    assert channel.config.webhook_url == "https://c.example.com"


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as api:
        yield api


async def test_a_429_from_set_webhook_is_retried_after_retry_after(fake):
    fake.fail_next("setWebhook", status=429, times=2, retry_after=1)
    channel = TelegramInput(config(api_base_url=fake.base_url, webhook_secret="s3cr3t"))
    telegram = BotThread(build_bot(channel.config))
    await telegram.start()
    try:
        await channel.register_webhook(telegram, channel.config.public_webhook_url)
    finally:
        await telegram.stop(timeout=10)
    calls = fake.calls("setWebhook")
    assert [c.status for c in calls] == [429, 429, 200]
    assert REGISTRY.get_sample_value("atencion_telegram_api_errors_total", {"kind": "rate_limited"}) >= 2
    assert calls[1].at - calls[0].at >= 1.0  # waited as long as Telegram asked
    assert fake.webhook["secret_token"] == "s3cr3t"
    assert fake.webhook["allowed_updates"] == ALLOWED_UPDATES
