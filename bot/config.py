"""Every setting of the assistant, read from the environment (and `.env` when present)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'atencion.db'}"
# Connections that wait to be accepted by a Rasa server (Rasa's SANIC_BACKLOG) and by nginx in
# front of them: 500 customers writing at once queue instead of being refused (Sanic's default is
# 100). The kernel caps it at net.core.somaxconn (4096 on current Linux).
LISTEN_BACKLOG = 1024


TRUE_WORDS = ("1", "true", "yes", "si", "sí")


@dataclass(frozen=True)
class Settings:
    database_url: str
    telegram_token: str | None
    telegram_webhook_url: str | None
    telegram_webhook_secret: str | None
    telegram_agents_chat_id: str | None
    telegram_api_base_url: str
    lock_store_url: str | None
    bind_host: str
    rasa_port: int
    action_port: int
    console_port: int
    worker_port: int  # the worker's /health, /ready and /metrics
    console_user: str
    console_password: str | None
    console_secure_cookie: bool  # also set on its own behind a proxy saying https
    case_policy_path: Path
    business_hours_path: Path
    sla_path: Path
    timezone: str
    survey_reminder_hours: float
    survey_expiry_hours: float
    review_confidence: float
    rasa_api_token: str | None
    rest_channel_token: str | None
    max_new_cases_per_hour: int
    retrain_f1_tolerance: float
    retrain_max_recall_drop: float
    # Processes of each Rasa server (Rasa's own SANIC_WORKERS): more than one only with a Redis lock
    # store, a network database and a webhook (bot/ops/shared_stores.py).
    rasa_workers: int = 1
    # Telegram's overall limit for a bot, kept by all its processes (bot/telegram_api/shared_rate.py).
    telegram_messages_per_second: float = 30.0

    @property
    def console_url(self) -> str:
        """Where the supervisors' console answers."""
        return f"http://{self.bind_host}:{self.console_port}/"

    @classmethod
    def from_environment(cls) -> Settings:
        env = os.environ
        return cls(
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            telegram_token=env.get("TELEGRAM_TOKEN") or None,
            telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL") or None,
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
            telegram_agents_chat_id=env.get("TELEGRAM_AGENTS_CHAT_ID") or None,
            telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL") or "https://api.telegram.org/bot",
            lock_store_url=env.get("LOCK_STORE_URL") or None,
            bind_host=env.get("BIND_HOST") or "127.0.0.1",
            rasa_port=int(env.get("RASA_PORT") or 5005),
            action_port=int(env.get("ACTION_PORT") or 5055),
            console_port=int(env.get("CONSOLE_PORT") or 8000),
            worker_port=int(env.get("WORKER_PORT") or 8001),
            console_user=env.get("CONSOLE_USER") or "supervisor",
            console_password=env.get("CONSOLE_PASSWORD") or None,
            console_secure_cookie=(env.get("CONSOLE_SECURE_COOKIE") or "").lower() in TRUE_WORDS,
            case_policy_path=Path(env.get("CASE_POLICY_PATH") or PROJECT_ROOT / "case_policy.yml"),
            business_hours_path=Path(env.get("BUSINESS_HOURS_PATH") or PROJECT_ROOT / "business_hours.yml"),
            sla_path=Path(env.get("SLA_PATH") or PROJECT_ROOT / "sla.yml"),
            timezone=env.get("TIMEZONE") or "Europe/Madrid",
            survey_reminder_hours=float(env.get("SURVEY_REMINDER_HOURS") or 24),
            survey_expiry_hours=float(env.get("SURVEY_EXPIRY_HOURS") or 24),
            review_confidence=float(env.get("REVIEW_CONFIDENCE") or 0.7),
            rasa_api_token=env.get("RASA_API_TOKEN") or None,
            rest_channel_token=env.get("REST_CHANNEL_TOKEN") or None,
            max_new_cases_per_hour=int(env.get("MAX_NEW_CASES_PER_HOUR") or 10),
            retrain_f1_tolerance=float(env.get("RETRAIN_F1_TOLERANCE") or 0.0),
            retrain_max_recall_drop=float(env.get("RETRAIN_MAX_RECALL_DROP") or 0.05),
            rasa_workers=int(env.get("SANIC_WORKERS") or 1),
            telegram_messages_per_second=float(env.get("TELEGRAM_MESSAGES_PER_SECOND") or 30),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process; `.env` never overrides a variable already set."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    return Settings.from_environment()
