"""What several Rasa server processes need to share, whether they are replicas (`make cluster`) or
the Sanic workers of one server (`SANIC_WORKERS`, Rasa's own setting): one tracker and case store
over the network, one lock store, and a webhook, since each would otherwise poll Telegram."""

from __future__ import annotations

import os

from bot.config import Settings


def refusal(settings: Settings, rasa: int, actions: int) -> str | None:
    """Why `settings` cannot run `rasa` Rasa servers of `settings.rasa_workers` processes each and
    `actions` action servers, if they cannot."""
    if rasa < 1 or actions < 1:
        return "a cluster needs at least one Rasa server and one action server (--rasa 1 --actions 1)"
    if settings.rasa_workers < 1:
        return f"SANIC_WORKERS is {settings.rasa_workers}: each Rasa server needs at least one process"
    processes = rasa * settings.rasa_workers
    if processes == 1:
        return None
    them = describe(rasa, settings.rasa_workers)
    if settings.database_url.startswith("sqlite"):
        return (
            f"DATABASE_URL is SQLite ({settings.database_url}): {them} must share one "
            "tracker store over the network. Set DATABASE_URL to PostgreSQL "
            "(postgresql+psycopg2://user:password@host:5432/atencion), or leave it unset and run "
            "`make cluster`, which uses the private server of scripts/postgres.sh."
        )
    if not settings.lock_store_url:
        return (
            f"LOCK_STORE_URL is not set: {them} must share one lock store, or two of them "
            "can answer the same conversation at once. Set LOCK_STORE_URL=redis://host:6379/0, or leave "
            "it unset and run `make cluster`, which uses the private server of scripts/redis.sh."
        )
    if settings.telegram_token and not settings.telegram_webhook_url:
        return (
            f"TELEGRAM_TOKEN is set without TELEGRAM_WEBHOOK_URL: {them} would each poll "
            "Telegram for updates and take each other's. Set TELEGRAM_WEBHOOK_URL to the public https "
            "address that reaches nginx, or run one Rasa server process (--rasa 1, SANIC_WORKERS=1)."
        )
    return None


def describe(rasa: int, workers: int) -> str:
    servers = f"{rasa} Rasa servers" if rasa > 1 else "the Rasa server"
    if workers == 1:
        return servers
    return f"{servers} of {workers} processes each (SANIC_WORKERS={workers})"


def cores() -> int:
    """The cores this process may run on (a container's share, not the host's)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def workers_per_server(rasa: int, available: int | None = None) -> int:
    """Processes for each of `rasa` Rasa servers so that together they use every core once: each
    process keeps about one core busy under load (one event loop, the GIL), and one more would only
    take turns on a core with another while holding a copy of the model."""
    return max(1, (available or cores()) // max(1, rasa))
