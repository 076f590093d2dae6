"""`python -m bot cluster`: Rasa's own horizontal scaling, on one machine (docs/scaling.md).

    customers ─► nginx RASA_PORT ─► Rasa servers rasa-1…N (loopback ports)
                                      │ tracker store: DATABASE_URL (PostgreSQL)
                                      │ lock store: LOCK_STORE_URL (Redis)
                                      └► nginx 127.0.0.1:ACTION_PORT ─► action servers actions-1…N
                                                                            └► case store: DATABASE_URL

plus one worker and the supervisors' console (CONSOLE_PORT). nginx is Debian's, run in the foreground
with a configuration rendered into var/cluster/ from deploy/nginx.conf.j2; every process runs under
the launcher's Supervisor, logs in var/log/. The Rasa servers' own addresses are listed in
var/cluster/replicas.json, where `python -m bot retrain` and `rollback` find them.
"""

from __future__ import annotations

import dataclasses
import logging
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import NullPool

from bot.config import Settings
from bot.ops.launcher import (
    STARTUP_TIMEOUT_SECONDS,
    Supervisor,
    action_server_command,
    console_command,
    free_port,
    log_path,
    rasa_server_command,
    service_environment,
    wait_until_up,
    worker_command,
)
from bot.ops.nginx_config import NginxLayout, nginx_binary, nginx_command, nginx_test_command, render
from bot.ops.prometheus_config import Targets, scrape_config
from bot.ops.replicas import (
    CLUSTER_DIR,
    DEFAULT_ACTION_SERVERS,
    DEFAULT_RASA_SERVERS,
    remove_replicas,
    write_replicas,
)
from bot.ops.shared_stores import refusal
from bot.training.train import MODEL_PATH

logger = logging.getLogger(__name__)

LISTEN_TIMEOUT_SECONDS = 10
LOOPBACK = "127.0.0.1"


class ClusterRefused(RuntimeError):
    """These settings cannot run the cluster asked for; the message says why and what to do."""


@dataclasses.dataclass
class Cluster:
    """A running cluster: its public address (nginx), each server's own, and the Supervisor of
    every process (names: rasa-1…, actions-1…, nginx, worker, console, after the log prefix)."""

    supervisor: Supervisor
    public_url: str
    actions_url: str
    rasa: dict[str, str]  # child's name: its own base URL
    actions: dict[str, str]
    access_log: Path
    health: dict[str, str]  # child's name: a URL that answers once it is up

    def restart(self, name: str) -> None:
        """Start `name` again (after it died, or stopping it first) and wait until it answers."""
        process = self.supervisor.restart(name)
        if name in self.health:
            wait_until_up(name, self.health[name], process)


@contextmanager
def running_cluster(
    settings: Settings,
    rasa: int = DEFAULT_RASA_SERVERS,
    actions: int = DEFAULT_ACTION_SERVERS,
    log_prefix: str = "",
    directory: Path = CLUSTER_DIR,
    model: Path = MODEL_PATH,
    worker: bool = True,
    console: bool = True,
) -> Iterator[Cluster]:
    """The cluster for `settings` (public port RASA_PORT, actions behind ACTION_PORT), up and
    answering through nginx; every process stopped on the way out."""
    reason = refusal(settings, rasa, actions)
    if reason:
        raise ClusterRefused(reason)
    binary = nginx_binary()
    if binary is None:
        raise ClusterRefused(
            "nginx is not installed: scripts/nginx.sh installs Debian's (make cluster runs it)"
        )
    running = planned_cluster(settings, rasa, actions, log_prefix)
    config = write_nginx_config(settings, directory, running)
    check_nginx_config(binary, directory, config)
    environment = {**service_environment(settings), "ACTION_HOST": LOOPBACK}  # nginx's action port
    with running.supervisor as supervisor:
        nginx_name = f"{log_prefix}nginx"
        nginx = supervisor.start(nginx_name, nginx_command(binary, directory, config), environment)
        wait_until_listening(nginx_name, settings.action_port, nginx)
        start_servers(running, settings, environment, model)
        wait_until_up(nginx_name, f"{running.public_url}/", nginx)
        wait_until_up(nginx_name, f"{running.actions_url}/health", nginx)
        if worker:
            supervisor.start(f"{log_prefix}worker", worker_command(), environment)
        if console:
            start_console(running, settings, environment, f"{log_prefix}console")
        replicas = directory / "replicas.json"
        write_replicas(
            replicas, running.public_url, list(running.rasa.values()), lock_store_url=settings.lock_store_url
        )
        write_prometheus_config(settings, directory, running)
        try:
            yield running
        finally:
            remove_replicas(replicas)


def planned_cluster(settings: Settings, rasa: int, actions: int, log_prefix: str) -> Cluster:
    """Names, free loopback ports and addresses; nothing started yet."""
    running = Cluster(
        supervisor=Supervisor(),
        public_url=f"http://{LOOPBACK}:{settings.rasa_port}",
        actions_url=f"http://{LOOPBACK}:{settings.action_port}",
        rasa={f"{log_prefix}rasa-{n}": f"http://{LOOPBACK}:{free_port()}" for n in range(1, rasa + 1)},
        actions={
            f"{log_prefix}actions-{n}": f"http://{LOOPBACK}:{free_port()}" for n in range(1, actions + 1)
        },
        access_log=log_path(f"{log_prefix}nginx-access"),
        health={},
    )
    running.health.update({name: f"{url}/" for name, url in running.rasa.items()})
    running.health.update({name: f"{url}/health" for name, url in running.actions.items()})
    return running


def port_of(url: str) -> int:
    return urlsplit(url).port or 80


def start_servers(running: Cluster, settings: Settings, environment: dict[str, str], model: Path) -> None:
    """The action servers, then the Rasa servers: the first alone until it has created the tracker
    store's table (two creating it at once can collide on CREATE TABLE), the others then; every
    one answering on return."""
    supervisor = running.supervisor
    for name, url in running.actions.items():
        one = dataclasses.replace(settings, action_port=port_of(url))
        supervisor.start(name, action_server_command(one), {**environment, "SANIC_HOST": LOOPBACK})
    first, *others = running.rasa
    for name, url in running.rasa.items():
        one = dataclasses.replace(settings, rasa_port=port_of(url), bind_host=LOOPBACK)
        process = supervisor.start(name, rasa_server_command(one, model), environment)
        if name == first and others:
            wait_for_tracker_store(name, settings.database_url, process)
    for name in [*running.rasa, *running.actions]:
        wait_until_up(name, running.health[name], supervisor.children[name])


def start_console(running: Cluster, settings: Settings, environment: dict[str, str], name: str) -> None:
    environment = {**environment, "CONSOLE_PORT": str(settings.console_port)}
    process = running.supervisor.start(name, console_command(), environment)
    running.health[name] = f"http://{LOOPBACK}:{settings.console_port}/entrar"
    wait_until_up(name, running.health[name], process)


def listen_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def write_nginx_config(settings: Settings, directory: Path, running: Cluster) -> Path:
    """var/cluster/nginx.conf (or `directory`'s) from deploy/nginx.conf.j2."""
    (directory / "tmp").mkdir(parents=True, exist_ok=True)
    layout = NginxLayout(
        rasa_listen=listen_address(settings.bind_host, settings.rasa_port),
        actions_listen=listen_address(LOOPBACK, settings.action_port),
        rasa_servers=[f"{LOOPBACK}:{port_of(url)}" for url in running.rasa.values()],
        action_servers=[f"{LOOPBACK}:{port_of(url)}" for url in running.actions.values()],
        pid=str(directory / "nginx.pid"),
        access_log=str(running.access_log),
        temp_dir=str(directory / "tmp"),
        expose_rest=settings.rest_channel_token is not None,
    )
    config = directory / "nginx.conf"
    config.write_text(
        render(layout, "Written by python -m bot cluster from deploy/nginx.conf.j2 at each start.")
    )
    return config


def write_prometheus_config(settings: Settings, directory: Path, running: Cluster) -> Path:
    """var/cluster/prometheus.yml: where Prometheus finds every process's metrics."""
    targets = Targets(
        rasa=[f"{LOOPBACK}:{port_of(url)}" for url in running.rasa.values()],
        actions=[f"{LOOPBACK}:{port_of(url)}" for url in running.actions.values()],
        worker=f"{LOOPBACK}:{settings.worker_port}",
        console=f"{LOOPBACK}:{settings.console_port}",
    )
    config = directory / "prometheus.yml"
    config.write_text(scrape_config(targets, "Written by python -m bot cluster at each start."))
    logger.info("Prometheus can scrape every process with %s", config)
    return config


def check_nginx_config(binary: str, directory: Path, config: Path) -> None:
    """`nginx -t`: a configuration nginx would refuse is refused here, with nginx's words."""
    checked = subprocess.run(
        nginx_test_command(binary, directory, config), capture_output=True, text=True, check=False
    )
    if checked.returncode != 0:
        raise ClusterRefused(f"nginx refused {config}: {checked.stderr.strip()}")


def wait_for_tracker_store(name: str, database_url: str, process: subprocess.Popen) -> None:
    """Until the Rasa server `name` has created Rasa's SQL tracker store table in `database_url`."""
    from rasa.core.tracker_store import SQLTrackerStore

    table = SQLTrackerStore.SQLEvent.__tablename__
    engine = create_engine(database_url, future=True, poolclass=NullPool)
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    try:
        while not inspect(engine).has_table(table):
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with code {process.returncode}; see {log_path(name)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} made no tracker store within {STARTUP_TIMEOUT_SECONDS} s")
            time.sleep(0.5)
    finally:
        engine.dispose()


def wait_until_listening(name: str, port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + LISTEN_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode}; see {log_path(name)}")
        try:
            socket.create_connection((LOOPBACK, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} is not listening on port {port} after {LISTEN_TIMEOUT_SECONDS} s")
