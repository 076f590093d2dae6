"""A Rasa server of several processes (Rasa's SANIC_WORKERS): refused where they cannot share the
stores, sized to the cores by `make cluster`, and — running for real on the tests' PostgreSQL and
Redis behind nginx — answering from every process, counting every turn in one set of metrics
whichever process is scraped, and loading a model `retrain` publishes into every process."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, get_settings
from bot.ops import model_reload
from bot.ops.cluster import Cluster, ClusterRefused, running_cluster
from bot.ops.launcher import free_port
from bot.ops.local_secrets import rasa_api_token
from bot.ops.shared_stores import refusal, workers_per_server
from bot.review.rasa_api import served_model
from bot.review.retrain import Server, reload
from tests.support.fake_bot_api import FakeBotApi
from tests.support.postgres import fresh_postgres_database
from tests.support.rest_assistant import Assistant, texts
from tests.support.services import nginx_path, redis_database
from tests.support.telegram_assistant import TOKEN, assistant_settings

POSTGRES = "postgresql+psycopg2://atencion:clave@127.0.0.1:5432/atencion"
REDIS = "redis://127.0.0.1:6379/0"
WEBHOOK = "https://atencion.example.com"
REST_TOKEN = "workers-rest-token"
SHIPPING_QUESTION = "cuanto tarda un envio a sevilla?"


def shared(**changes) -> object:
    good = dataclasses.replace(
        get_settings(),
        database_url=POSTGRES,
        lock_store_url=REDIS,
        telegram_token=TOKEN,
        telegram_webhook_url=WEBHOOK,
        rasa_workers=2,
    )
    return dataclasses.replace(good, **changes)


# --- what several processes of one server need


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"database_url": "sqlite:///var/atencion.db"}, "DATABASE_URL is SQLite"),
        ({"lock_store_url": None}, "LOCK_STORE_URL is not set"),
        ({"telegram_webhook_url": None}, "TELEGRAM_TOKEN is set without TELEGRAM_WEBHOOK_URL"),
        ({"rasa_workers": 0}, "at least one process"),
    ],
)
def test_one_rasa_server_of_two_processes_needs_what_two_servers_need(changes, reason, tmp_path):
    assert refusal(shared(), rasa=1, actions=1) is None
    said = refusal(shared(**changes), rasa=1, actions=1)
    assert reason in said
    with (
        pytest.raises(ClusterRefused, match=reason),
        running_cluster(shared(**changes), rasa=1, actions=1, directory=tmp_path),
    ):
        pass
    assert list(tmp_path.iterdir()) == []


def test_the_refusal_names_the_processes_and_the_setting():
    said = refusal(shared(database_url="sqlite:///var/atencion.db"), rasa=2, actions=1)
    assert "2 Rasa servers of 2 processes each (SANIC_WORKERS=2)" in said
    alone = shared(database_url="sqlite:///var/atencion.db", lock_store_url=None, rasa_workers=1)
    assert refusal(alone, rasa=1, actions=1) is None  # make run: one process, SQLite, no Redis


@pytest.mark.parametrize(
    ("rasa", "cores", "workers"), [(2, 2, 1), (1, 2, 2), (2, 8, 4), (3, 8, 2), (3, 2, 1), (1, 1, 1)]
)
def test_make_cluster_gives_each_rasa_server_its_share_of_the_cores(rasa, cores, workers):
    assert workers_per_server(rasa, cores) == workers


def test_the_rasa_server_refuses_several_processes_on_sqlite_before_loading_anything(tmp_path):
    environment = {
        **os.environ,
        "RASA_API_TOKEN": "clave",
        "SANIC_WORKERS": "2",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'atencion.db'}",
        "LOCK_STORE_URL": REDIS,
        "TELEGRAM_TOKEN": "",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.ops.rasa_server", "--port", str(free_port())],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "DATABASE_URL is SQLite" in done.stderr and "SANIC_WORKERS=2" in done.stderr
    assert "bot.ops.rasa_server: " not in done.stderr  # Rasa was never started


def test_a_model_published_with_no_rasa_server_listening_says_so(trained_model):
    redis = redis_database(15)
    published = model_reload.broadcast(redis, trained_model, timeout=2)
    assert published.heard_by == 0 and published.answers == ()
    said = reload(Server("http://127.0.0.1:9", "clave", lock_store_url=redis), trained_model)
    assert said.startswith("no Rasa server listens on LOCK_STORE_URL")


# --- one Rasa server of two processes, running


@pytest.fixture(scope="module")
def two_processes(
    trained_model: Path, postgres_databases, fake: FakeBotApi, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Cluster, Assistant, str]]:
    nginx_path()
    redis = redis_database(11)
    with fresh_postgres_database(postgres_databases) as database_url:
        settings = dataclasses.replace(
            assistant_settings(fake, database_url, WEBHOOK, lock_store_url=redis),
            rest_channel_token=REST_TOKEN,
            rasa_workers=2,
        )
        directory = tmp_path_factory.mktemp("workers")
        prefix = "test-workers-"
        with running_cluster(
            settings, rasa=1, actions=1, log_prefix=prefix, directory=directory, worker=False, console=False
        ) as running:
            fake.wait_for("setWebhook", 2, timeout=120)  # each process starts the Telegram channel
            yield running, Assistant(running.public_url, database_url, REST_TOKEN), redis


def own_url(cluster: Cluster) -> str:
    (url,) = cluster.rasa.values()
    return url


def server_processes(cluster: Cluster) -> list[int]:
    """The processes Sanic forked under the Rasa server's (each answers on the shared socket)."""
    (name,) = cluster.rasa
    pid = cluster.supervisor.children[name].pid
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def turns_counted(url: str) -> float:
    with urllib.request.urlopen(f"{url}/webhooks/telegram/metrics", timeout=10) as answer:
        text = answer.read().decode()
    match = re.search(r'^atencion_turns_total\{channel="rest"\} (\S+)$', text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


@pytest.mark.slow
def test_every_turn_is_counted_whichever_process_answers_and_whichever_is_scraped(two_processes):
    running, _assistant, _redis = two_processes
    assert len(server_processes(running)) == 2
    direct = Assistant(
        own_url(running), "", REST_TOKEN
    )  # a new connection per turn: both processes take some
    before = turns_counted(own_url(running))
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda n: direct.say(f"workers-{n}", SHIPPING_QUESTION), range(16)))
    assert all("Envío estándar" in texts(answer) for answer in answers)
    for _ in range(8):  # each scrape a new connection, to either process
        assert turns_counted(own_url(running)) == before + 16


@pytest.mark.slow
def test_a_model_published_by_retrain_is_loaded_by_every_process(two_processes, trained_model, tmp_path):
    running, assistant, redis = two_processes
    other = tmp_path / "atencion-republished.tar.gz"
    shutil.copyfile(trained_model, other)
    server = Server(running.public_url, rasa_api_token(get_settings()), lock_store_url=redis)
    try:
        assert reload(server, other) == "loaded into 2 of 2 Rasa server processes"
        served = {served_model(own_url(running), server.token) for _ in range(12)}
        assert served == {other.name}
        assert "Envío estándar" in texts(assistant.say("workers-after-reload", SHIPPING_QUESTION))

        said = reload(server, tmp_path / "missing.tar.gz")
        assert said.startswith("loaded into 0 of 2 Rasa server processes")
        assert said.count("could not load it (FileNotFoundError") == 2
        assert {served_model(own_url(running), server.token) for _ in range(6)} == {other.name}
    finally:
        reload(server, trained_model)
