"""The worker's /health, /ready and /metrics, what a container's healthcheck and Prometheus read
(the worker serves no other HTTP): on a real store, scraped over HTTP."""

from __future__ import annotations

import json
import logging
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.cases import Demand, register_case
from bot.config import get_settings
from bot.ops.launcher import free_port
from bot.status_server import serve_status
from bot.store.db import session_factory_for
from bot.store.models import CaseType
from bot.worker import WORKER_CHECKS, Worker


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def sample(exposition: str, name: str, labels: dict[str, str]) -> float:
    values = [
        found.value
        for family in text_string_to_metric_families(exposition)
        for found in family.samples
        if found.name == name and found.labels == labels
    ]
    return values[0] if values else 0.0


@pytest.fixture
def status(database_url: str) -> Iterator[str]:
    port = free_port()
    server = serve_status("127.0.0.1", port, WORKER_CHECKS)
    assert server is not None
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def test_alive_and_ready_while_the_store_answers(status):
    assert get(f"{status}/health") == (200, json.dumps({"status": "alive"}))
    code, body = get(f"{status}/ready")
    assert code == 200 and json.loads(body) == {"status": "ready", "checks": {"database": "ok"}}
    assert get(f"{status}/casos")[0] == 404


def test_not_ready_while_the_store_does_not_answer(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg2://atencion@127.0.0.1:{free_port()}/atencion")
    get_settings.cache_clear()
    session_factory_for.cache_clear()
    port = free_port()
    server = serve_status("127.0.0.1", port, WORKER_CHECKS)
    try:
        code, body = get(f"http://127.0.0.1:{port}/ready")
        assert get(f"http://127.0.0.1:{port}/health")[0] == 200  # alive all the same
    finally:
        server.shutdown()
        server.server_close()
        get_settings.cache_clear()
        session_factory_for.cache_clear()
    assert code == 503
    assert json.loads(body)["checks"]["database"].startswith("the database does not answer")


async def test_a_delivery_moves_the_workers_counters(status, session_factory, policy):
    delivered = ("atencion_outbox_deliveries_total", {"kind": "case_card", "status": "skipped"})
    delayed = ("atencion_outbox_delivery_delay_seconds_count", {"kind": "case_card"})
    before = get(f"{status}/metrics")[1]
    demand = Demand("730291846", "telegram", CaseType.QUEJA, "envio", "El paquete llegó roto")
    with session_factory.begin() as session:
        register_case(session, demand, policy)  # a complaint: its card is queued for the agents

    await Worker(None, session_factory, None).deliver_due()  # no Telegram: the card is skipped

    after = get(f"{status}/metrics")[1]
    assert sample(after, *delivered) == sample(before, *delivered) + 1
    assert sample(after, *delayed) == sample(before, *delayed) + 1
    assert "730291846" not in after and "roto" not in after  # no customer's id or words


def test_a_port_already_taken_leaves_the_worker_working_without_them(caplog):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with caplog.at_level(logging.ERROR):
            assert serve_status("127.0.0.1", taken.getsockname()[1], WORKER_CHECKS) is None
    assert "no /health, /ready or /metrics: cannot listen on 127.0.0.1" in caplog.text
