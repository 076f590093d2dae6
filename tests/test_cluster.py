"""`python -m bot cluster` (`make cluster`): two Rasa servers sharing the tests' PostgreSQL (tracker
store, case store) and Redis (lock store), two action servers, the worker, and Debian's nginx in front,
with the Telegram channel pointed at the fake Bot API. Through nginx a REST turn and a Telegram update
are answered and both Rasa servers take turns; after kill -9 of a Rasa server and of an action server,
a conversation begun on the killed server goes on and new ones are answered while the two restart,
and once up they take their share again. Settings a cluster cannot run on are refused, saying why."""

from __future__ import annotations

import dataclasses
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.config import LISTEN_BACKLOG, PROJECT_ROOT, get_settings
from bot.ops.cluster import (
    Cluster,
    ClusterRefused,
    planned_cluster,
    refusal,
    running_cluster,
    write_nginx_config,
    write_prometheus_config,
)
from bot.ops.cluster_serve import RestartBudget, keep_running, with_local_services
from bot.ops.launcher import Supervisor, free_port, wait_until_up
from bot.ops.local_secrets import rasa_api_token
from bot.ops.nginx_config import nginx_command, nginx_test_command
from bot.ops.replicas import remove_replicas, running_replicas, write_replicas
from bot.review.rasa_api import served_model
from tests.support.fake_bot_api import FakeBotApi
from tests.support.postgres import fresh_postgres_database
from tests.support.rest_assistant import Assistant, texts
from tests.support.services import nginx_path, service_url
from tests.support.sockets import listen_backlog
from tests.support.telegram_assistant import TOKEN, TelegramAssistant, assistant_settings

PREFIX = "test-cluster-"
WEBHOOK = "https://atencion.example.com"
REST_TOKEN = "cluster-rest-token"  # the operator enabled REST: nginx routes it, the servers want this token
POSTGRES = "postgresql+psycopg2://atencion:clave@127.0.0.1:5432/atencion"
REDIS = "redis://127.0.0.1:6379/0"
SHIPPING_QUESTION = "cuanto tarda un envio a sevilla?"  # answered by an action (a duda case)

_chats = iter(range(660001, 669999))


# --- what a cluster refuses, before anything starts


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"database_url": "sqlite:///var/atencion.db"}, "DATABASE_URL is SQLite"),
        ({"lock_store_url": None}, "LOCK_STORE_URL is not set"),
        ({"telegram_webhook_url": None}, "TELEGRAM_TOKEN is set without TELEGRAM_WEBHOOK_URL"),
    ],
)
def test_settings_two_rasa_servers_cannot_share_are_refused_before_anything_starts(changes, reason, tmp_path):
    good = dataclasses.replace(
        get_settings(),
        database_url=POSTGRES,
        lock_store_url=REDIS,
        telegram_token=TOKEN,
        telegram_webhook_url=WEBHOOK,
    )
    assert refusal(good, rasa=2, actions=2) is None
    with (
        pytest.raises(ClusterRefused, match=reason),
        running_cluster(dataclasses.replace(good, **changes), rasa=2, actions=2, directory=tmp_path),
    ):
        pass
    assert list(tmp_path.iterdir()) == []  # no configuration written, no process started


def test_one_rasa_server_may_use_sqlite_the_in_memory_lock_store_and_long_polling():
    alone = dataclasses.replace(
        get_settings(),
        database_url="sqlite:///var/atencion.db",
        lock_store_url=None,
        telegram_token=TOKEN,
        telegram_webhook_url=None,
    )
    assert refusal(alone, rasa=1, actions=2) is None
    assert "at least one" in refusal(alone, rasa=1, actions=0)


def test_the_command_refuses_sqlite_with_its_message_and_starts_nothing(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'atencion.db'}",
        "LOCK_STORE_URL": REDIS,
        "RASA_PORT": str(free_port()),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "cluster", "--rasa", "2"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "DATABASE_URL is SQLite" in done.stderr and "make cluster" in done.stderr
    assert not (tmp_path / "atencion.db").exists()  # not even migrated


def test_local_services_fill_only_the_settings_left_unset(monkeypatch):
    postgres, redis = service_url("PostgreSQL"), service_url("Redis")
    if os.environ.get("TEST_POSTGRES_URL") or os.environ.get("TEST_REDIS_URL"):
        pytest.skip("the private servers of the scripts are replaced by TEST_*_URL here")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("LOCK_STORE_URL", raising=False)
    filled = with_local_services(get_settings())
    assert (filled.database_url, filled.lock_store_url) == (postgres, redis)

    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    kept = with_local_services(dataclasses.replace(get_settings(), database_url=POSTGRES))
    assert (kept.database_url, kept.lock_store_url) == (POSTGRES, redis)


# --- the pieces: nginx's configuration, the replicas file, restarting what dies


def test_prometheus_is_told_where_every_process_of_the_cluster_serves_its_metrics(tmp_path):
    settings = dataclasses.replace(
        get_settings(), rasa_port=free_port(), action_port=free_port(), worker_port=8101, console_port=8100
    )
    planned = planned_cluster(settings, rasa=2, actions=3, log_prefix=PREFIX)
    config = yaml.safe_load(write_prometheus_config(settings, tmp_path, planned).read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    targets = {name: job["static_configs"][0]["targets"] for name, job in jobs.items()}
    assert targets["atencion-rasa"] == [url.removeprefix("http://") for url in planned.rasa.values()]
    assert targets["atencion-actions"] == [url.removeprefix("http://") for url in planned.actions.values()]
    assert (targets["atencion-worker"], targets["atencion-store"]) == (["127.0.0.1:8101"], ["127.0.0.1:8100"])
    assert jobs["atencion-rasa"]["metrics_path"] == "/webhooks/telegram/metrics"


def test_the_generated_nginx_configuration_is_accepted_by_nginx(tmp_path):
    binary = nginx_path()
    settings = dataclasses.replace(get_settings(), rasa_port=free_port(), action_port=free_port())
    planned = planned_cluster(settings, rasa=2, actions=1, log_prefix=PREFIX)
    config = write_nginx_config(settings, tmp_path, planned)
    text = config.read_text()
    servers = re.findall(r"server (127\.0\.0\.1:\d+) max_fails", text)
    assert servers == [
        url.removeprefix("http://") for url in [*planned.rasa.values(), *planned.actions.values()]
    ]
    assert f"listen 127.0.0.1:{settings.action_port} backlog={LISTEN_BACKLOG};" in text
    assert str(planned.access_log) in text
    checked = subprocess.run(nginx_test_command(binary, tmp_path, config), capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


class AnswersEverything(http.server.BaseHTTPRequestHandler):
    """Stands in for a Rasa server: any GET or POST is answered 200 with the path it reached."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = json.dumps({"reached": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET  # noqa: N815

    def log_message(self, *_args) -> None:
        pass


def post_status(url: str) -> int:
    request = urllib.request.Request(url, data=b"{}", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("rest_token, rest_status", [(None, 404), ("operator-enabled", 200)])
def test_nginx_routes_the_rest_channel_only_when_an_operator_enabled_it(tmp_path, rest_token, rest_status):
    binary = nginx_path()
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), AnswersEverything)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    settings = dataclasses.replace(
        get_settings(), rasa_port=free_port(), action_port=free_port(), rest_channel_token=rest_token
    )
    planned = planned_cluster(settings, rasa=1, actions=1, log_prefix=PREFIX)
    planned.rasa = {name: f"http://127.0.0.1:{upstream.server_port}" for name in planned.rasa}
    config = write_nginx_config(settings, tmp_path, planned)
    nginx = subprocess.Popen(nginx_command(binary, tmp_path, config), stderr=subprocess.PIPE)
    try:
        wait_until_up("nginx", f"{planned.public_url}/", nginx)
        assert listen_backlog(settings.rasa_port) == LISTEN_BACKLOG  # a burst queues, it is not refused
        assert post_status(f"{planned.public_url}/webhooks/telegram/webhook") == 200
        assert post_status(f"{planned.public_url}/webhooks/rest/webhook") == rest_status
        assert post_status(f"{planned.public_url}/conversations/123/tracker/events") == 404  # the Rasa API
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        upstream.shutdown()


def test_the_replicas_file_is_read_only_while_the_cluster_that_wrote_it_runs(tmp_path):
    path = tmp_path / "replicas.json"
    assert running_replicas(path) == []
    urls = ["http://127.0.0.1:41001", "http://127.0.0.1:41002"]
    write_replicas(path, "http://127.0.0.1:5005", urls)
    assert running_replicas(path) == urls

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    write_replicas(path, "http://127.0.0.1:5005", urls, pid=gone.pid)
    assert running_replicas(path) == []  # stale: its cluster is gone
    remove_replicas(path)
    assert path.exists()  # another process's file is left alone
    write_replicas(path, "http://127.0.0.1:5005", urls)
    remove_replicas(path)
    assert not path.exists()
    path.write_text("{not json")
    assert running_replicas(path) == []


def test_a_process_that_dies_is_started_again_until_it_keeps_dying():
    supervisor = Supervisor()
    with supervisor:
        flaky = f"{PREFIX}flaky"
        supervisor.start(flaky, [sys.executable, "-c", "import sys; sys.exit(3)"], dict(os.environ))
        steady = supervisor.start(
            f"{PREFIX}steady", [sys.executable, "-c", "import time; time.sleep(60)"], {}
        )
        cluster = Cluster(supervisor, "", "", {}, {}, Path("/dev/null"), {})
        budget = RestartBudget(times=2, window=60)
        started = time.monotonic()
        keep_running(cluster, budget, pause=lambda _seconds: time.sleep(0.05))
        assert time.monotonic() - started < 30
        assert len(budget.restarts[flaky]) == 2  # started twice more, then given up on
        assert steady.poll() is None and supervisor.children[f"{PREFIX}steady"] is steady
    assert RestartBudget(times=1, window=10).allow("x", 0) and not RestartBudget(times=0).allow("x", 0)
    later = RestartBudget(times=1, window=10)
    assert later.allow("x", 0) and not later.allow("x", 5) and later.allow("x", 11)


# --- the cluster, running


@pytest.fixture(scope="module")
def cluster(
    trained_model: Path, postgres_databases, fake: FakeBotApi, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Cluster, Assistant, TelegramAssistant]]:
    nginx_path()
    redis = service_url("Redis")
    with fresh_postgres_database(postgres_databases) as database_url:
        settings = dataclasses.replace(
            assistant_settings(fake, database_url, WEBHOOK, lock_store_url=redis),
            rest_channel_token=REST_TOKEN,
        )
        directory = tmp_path_factory.mktemp("cluster")
        with running_cluster(settings, log_prefix=PREFIX, directory=directory, console=False) as running:
            fake.wait_for("setWebhook", 2, timeout=60)  # each Rasa server registers the same webhook
            log = PROJECT_ROOT / "var" / "log" / f"{PREFIX}rasa-1.log"
            telegram = TelegramAssistant(
                f"{running.public_url}/webhooks/telegram/webhook",
                f"{running.public_url}/webhooks/rest/webhook",
                database_url,
                fake,
                log,
                log.stat().st_size,
            )
            yield running, Assistant(running.public_url, database_url, REST_TOKEN), telegram


def access_lines(cluster: Cluster, since: int) -> list[tuple[str, str, str]]:
    """(path, final upstream, its status) of each request nginx logged after byte `since`."""
    with open(cluster.access_log, "rb") as log:
        log.seek(since)
        lines = log.read().decode().splitlines()
    found = []
    for line in lines:
        match = re.search(r'"\w+ (\S+)" \d+ upstream=(.+?) upstream_status=(.+?) time=', line)
        if match:
            path, upstreams, statuses = match.groups()
            found.append((path, upstreams.split(", ")[-1], statuses.split(", ")[-1]))
    return found


def served_by(cluster: Cluster, since: int, path: str, timeout: float = 5) -> list[str]:
    """The servers (host:port) that answered `path` with 200 after byte `since`, once logged."""
    deadline = time.monotonic() + timeout
    while True:
        served = [
            upstream
            for logged, upstream, status in access_lines(cluster, since)
            if logged == path and status == "200"
        ]
        if served or time.monotonic() > deadline:
            return served
        time.sleep(0.1)


def address(url: str) -> str:
    return url.removeprefix("http://")


def name_of(servers: dict[str, str], upstream: str) -> str:
    return next(name for name, url in servers.items() if address(url) == upstream)


@pytest.mark.slow
def test_rest_and_telegram_are_answered_through_nginx_by_both_rasa_servers(cluster):
    running, assistant, telegram = cluster
    since = running.access_log.stat().st_size

    assert "Hola" in texts(assistant.say("cluster-rest", "hola"))
    chat = next(_chats)
    (greeting,) = telegram.say(chat, "hola")
    assert "Hola" in greeting.params["text"]
    for n in range(4):
        assert "Envío estándar" in texts(assistant.say(f"cluster-envio-{n}", SHIPPING_QUESTION))

    rasa_servers = {address(url) for url in running.rasa.values()}
    action_servers = {address(url) for url in running.actions.values()}
    assert set(served_by(running, since, "/webhooks/rest/webhook")) == rasa_servers
    assert set(served_by(running, since, "/webhooks/telegram/webhook")) <= rasa_servers
    assert set(served_by(running, since, "/webhook")) == action_servers
    assert len(assistant.cases("cluster-envio-0")) == 1

    # The Rasa HTTP API answers at each server's own address, never through nginx.
    token = rasa_api_token(get_settings())
    assert {Path(served_model(url, token)).name for url in running.rasa.values()} == {"atencion.tar.gz"}
    with pytest.raises(Exception, match="404"):
        served_model(running.public_url, token)


@pytest.mark.slow
def test_after_kill_9_of_a_rasa_and_an_action_server_messages_are_answered_and_both_rejoin(cluster):
    running, assistant, telegram = cluster
    supervisor = running.supervisor
    customer = "cluster-queja"
    since = running.access_log.stat().st_size
    assert "qué pasó" in texts(assistant.say(customer, "quiero poner una queja"))
    (began_on,) = served_by(running, since, "/webhooks/rest/webhook")
    rasa_name = name_of(running.rasa, began_on)  # the server the complaint began on…
    actions_name = next(iter(running.actions))
    for name in (rasa_name, actions_name):
        os.kill(supervisor.children[name].pid, signal.SIGKILL)
        supervisor.children[name].wait()
        supervisor.restart(name)  # …is back only once it has loaded the model again

    since = running.access_log.stat().st_size
    assert "número de pedido" in texts(
        assistant.say(customer, "el repartidor dejó el paquete en la calle y llegó mojado")
    )
    registered = texts(assistant.say(customer, "PED-4021937"))
    assert re.search(r"Q-\d{4}-\d{6}", registered), registered
    (case,) = assistant.cases(customer)
    assert case.type == "queja"
    (answer,) = telegram.say(next(_chats), SHIPPING_QUESTION)
    assert "Envío estándar" in answer.params["text"]
    assert "Envío estándar" in texts(assistant.say("cluster-after-kill", SHIPPING_QUESTION))
    assert began_on not in served_by(running, since, "/webhooks/rest/webhook")

    for name in (rasa_name, actions_name):
        wait_until_up(name, running.health[name], supervisor.children[name])
    since = running.access_log.stat().st_size
    deadline = time.monotonic() + 30  # nginx tries a failed server again 5 s after its last failure
    rejoined: set[str] = set()
    wanted = {began_on, address(running.actions[actions_name])}
    while not wanted <= rejoined and time.monotonic() < deadline:
        assert "Envío estándar" in texts(assistant.say(f"cluster-back-{len(rejoined)}", SHIPPING_QUESTION))
        rejoined = set(served_by(running, since, "/webhooks/rest/webhook", timeout=0.5))
        rejoined |= set(served_by(running, since, "/webhook", timeout=0.5))
        time.sleep(0.5)
    assert wanted <= rejoined, access_lines(running, since)
