"""`python -m bot cluster`: the cluster of bot/ops/cluster.py in the foreground. A process that dies is
started again (nginx sends its share to the others meanwhile); one that keeps dying stops the
cluster. Ctrl-C (SIGINT) or SIGTERM stops every process.

`--local-services` (what `make cluster` passes): DATABASE_URL and LOCK_STORE_URL, when neither the
environment nor .env sets them, are the private PostgreSQL and Redis of scripts/postgres.sh and
scripts/redis.sh (started if stopped); the case store is migrated on that same DATABASE_URL.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import time
from collections import defaultdict, deque
from collections.abc import Callable

from bot.config import PROJECT_ROOT, Settings, get_settings
from bot.ops.cluster import Cluster, ClusterRefused, refusal, running_cluster
from bot.ops.launcher import log_path, stop_on_signals
from bot.ops.shared_stores import workers_per_server
from bot.store.migrate import migrate
from bot.training.train import ensure_model

logger = logging.getLogger(__name__)

# Setting: (script that starts the private server and prints its URL last, what it is).
LOCAL_SERVICES = {"DATABASE_URL": ("postgres.sh", "PostgreSQL"), "LOCK_STORE_URL": ("redis.sh", "Redis")}


def serve(rasa: int, actions: int, local_services: bool, workers: int | None = None) -> int:
    settings = get_settings()
    try:
        if local_services:
            settings = with_local_services(settings)
        settings = dataclasses.replace(settings, rasa_workers=workers or sized_workers(rasa))
        reason = refusal(settings, rasa, actions)
        if reason:
            raise ClusterRefused(reason)
        stop_on_signals()
        migrate(settings.database_url)
        ensure_model()
        with running_cluster(settings, rasa, actions) as cluster:
            log_serving(settings, cluster)
            keep_running(cluster, RestartBudget())
    except ClusterRefused as error:
        logger.error("%s", error)
        return 2
    except RuntimeError as error:  # a process did not come up: every other one is stopped
        logger.error("%s", error)
        return 1
    except KeyboardInterrupt:
        logger.info("stopped")
        return 0
    return 1  # a process kept dying


def sized_workers(rasa: int) -> int:
    """SANIC_WORKERS when the environment or .env sets it, else the cores divided among the servers."""
    if os.environ.get("SANIC_WORKERS"):
        return get_settings().rasa_workers
    return workers_per_server(rasa)


def with_local_services(settings: Settings) -> Settings:
    """`settings` with the private servers for DATABASE_URL and LOCK_STORE_URL where neither the
    environment nor .env (loaded into the environment by get_settings) sets them."""
    changes = {}
    for variable, field in (("DATABASE_URL", "database_url"), ("LOCK_STORE_URL", "lock_store_url")):
        if not os.environ.get(variable):
            script, name = LOCAL_SERVICES[variable]
            changes[field] = private_service_url(script, name)
            logger.info("%s is not set: using the private %s of scripts/%s", variable, name, script)
    return dataclasses.replace(settings, **changes)


def private_service_url(script: str, name: str) -> str:
    """The URL the script prints last; its messages go to our stderr."""
    done = subprocess.run(
        [str(PROJECT_ROOT / "scripts" / script)], stdout=subprocess.PIPE, text=True, check=False
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise ClusterRefused(f"scripts/{script} started no {name} (exit {done.returncode}; see its messages)")
    return lines[-1]


class RestartBudget:
    """A process may be started again at most `times` times within `window` seconds."""

    def __init__(self, times: int = 3, window: float = 60.0) -> None:
        self.times, self.window = times, window
        self.restarts: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, name: str, now: float) -> bool:
        recent = self.restarts[name]
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(recent) >= self.times:
            return False
        recent.append(now)
        return True


def keep_running(
    cluster: Cluster,
    budget: RestartBudget,
    clock: Callable[[], float] = time.monotonic,
    pause: Callable[[float], None] = time.sleep,
) -> None:
    """Start again every process that dies, until one dies more often than `budget` allows."""
    supervisor = cluster.supervisor
    while True:
        for name, process in list(supervisor.children.items()):
            if process.poll() is None:
                continue
            if not budget.allow(name, clock()):
                logger.error("%s keeps stopping (see %s): shutting the cluster down", name, log_path(name))
                return
            logger.warning("%s exited with code %s: starting it again", name, process.returncode)
            supervisor.restart(name)
        pause(1)


def log_serving(settings: Settings, cluster: Cluster) -> None:
    telegram = "off (no TELEGRAM_TOKEN)"
    if settings.telegram_token:
        telegram = (
            f"webhook {settings.telegram_webhook_url}" if settings.telegram_webhook_url else "long polling"
        )
    rest = (
        "and /webhooks/rest/webhook (bearer token)" if settings.rest_channel_token else "(REST not exposed)"
    )
    logger.info(
        "serving on %s/webhooks/telegram/webhook %s (Telegram: %s): nginx in front "
        "of %d Rasa servers of %d processes each (%s) and %d action servers (%s); Ctrl-C stops everything",
        cluster.public_url,
        rest,
        telegram,
        len(cluster.rasa),
        settings.rasa_workers,
        ", ".join(cluster.rasa.values()),
        len(cluster.actions),
        ", ".join(cluster.actions.values()),
    )
