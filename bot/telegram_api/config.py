"""The Telegram channel's settings: credentials.yml keys, else the TELEGRAM_* environment."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.config import get_settings

CHANNEL = "telegram"  # the name of the Rasa input channel, and customers.channel for its customers
WEBHOOK_PATH = "/webhooks/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class TelegramConfig:
    token: str | None
    webhook_url: str | None
    webhook_secret: str | None
    api_base_url: str
    agents_chat_id: int | None
    messages_per_second: float = 30.0  # the bot's overall rate, kept together with…
    shared_rate_url: str | None = None  # …the other processes counting in this Redis (LOCK_STORE_URL)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramConfig:
        given = {key: value for key, value in (credentials or {}).items() if value not in (None, "")}
        settings = get_settings()
        agents_chat_id = given.get("agents_chat_id", settings.telegram_agents_chat_id)
        return cls(
            token=given.get("token", settings.telegram_token),
            webhook_url=given.get("webhook_url", settings.telegram_webhook_url),
            webhook_secret=given.get("webhook_secret", settings.telegram_webhook_secret),
            api_base_url=given.get("api_base_url", settings.telegram_api_base_url),
            agents_chat_id=int(agents_chat_id) if agents_chat_id else None,
            messages_per_second=settings.telegram_messages_per_second,
            shared_rate_url=settings.lock_store_url,
        )

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    @property
    def file_base_url(self) -> str:
        """Downloads go to the same server as the API: `…/bot` → `…/file/bot`."""
        base = self.api_base_url.rstrip("/")
        return base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file/bot"

    @property
    def public_webhook_url(self) -> str | None:
        """TELEGRAM_WEBHOOK_URL, with our webhook path added when only a host was given."""
        if not self.webhook_url:
            return None
        if urlsplit(self.webhook_url).path in ("", "/"):
            return self.webhook_url.rstrip("/") + WEBHOOK_PATH
        return self.webhook_url

    @property
    def secret(self) -> str:
        """The webhook secret; derived from the token when none is configured, so it is always checked."""
        if self.webhook_secret:
            return self.webhook_secret
        return hashlib.sha256(f"webhook:{self.token}".encode()).hexdigest()


def secret_matches(received: str | None, expected: str) -> bool:
    return received is not None and hmac.compare_digest(received.encode(), expected.encode())
