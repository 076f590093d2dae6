"""The action server `make run` starts (rasa-sdk's, through bot/ops/action_server.py): it answers
custom action calls as rasa-sdk does, and adds /ready and /metrics (a real process, a real store)."""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import get_settings
from bot.ops.launcher import action_server_command, free_port, service_environment
from bot.store.migrate import migrate
from tests.support.processes import running_server

pytestmark = pytest.mark.slow


def call(url: str, body: dict | None = None) -> tuple[int, str]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def action_call(name: str) -> dict:
    latest = {"text": "adiós", "intent": {"name": "despedida", "confidence": 0.99}, "entities": []}
    tracker = {"sender_id": "730291846", "slots": {}, "latest_message": latest, "events": []}
    return {
        "next_action": name,
        "sender_id": "730291846",
        "tracker": tracker,
        "domain": {},
        "version": "3.6.21",
    }


def calls_counted(exposition: str, action: str, status: str) -> float:
    return sum(
        found.value
        for family in text_string_to_metric_families(exposition)
        for found in family.samples
        if found.name == "atencion_action_calls_total"
        and found.labels == {"action": action, "status": status}
    )


@contextmanager
def running_action_server(database_url: str, log: Path) -> Iterator[str]:
    settings = dataclasses.replace(get_settings(), database_url=database_url, action_port=free_port())
    url = f"http://127.0.0.1:{settings.action_port}"
    command, env = action_server_command(settings), service_environment(settings)
    with running_server("actions", command, env, log, f"{url}/health"):
        yield url


@pytest.fixture(scope="module")
def action_server(tmp_path_factory) -> Iterator[str]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('actions') / 'atencion.db'}"
    migrate(database_url)
    with running_action_server(database_url, tmp_path_factory.mktemp("log") / "actions.log") as url:
        yield url


def test_an_action_call_is_answered_and_counted(action_server):
    before = call(f"{action_server}/metrics")[1]
    status, body = call(f"{action_server}/webhook", action_call("action_despedir"))
    assert status == 200
    assert [r.get("response") for r in json.loads(body)["responses"]] == ["utter_despedida"]
    after = call(f"{action_server}/metrics")[1]
    assert (
        calls_counted(after, "action_despedir", "200") == calls_counted(before, "action_despedir", "200") + 1
    )
    assert "atencion_action_seconds_bucket" in after and "730291846" not in after  # no customer id


def test_an_unknown_action_is_refused_as_rasa_sdk_does_and_counted_without_its_name(action_server):
    status, body = call(f"{action_server}/webhook", action_call("action_que_no_existe"))
    assert status == 404 and json.loads(body)["action_name"] == "action_que_no_existe"
    exposition = call(f"{action_server}/metrics")[1]
    assert calls_counted(exposition, "unknown", "404") >= 1 and "action_que_no_existe" not in exposition


def test_a_body_that_is_not_a_call_is_refused_and_counted_without_a_name(action_server):
    request = urllib.request.Request(
        f"{action_server}/webhook", data=b"{no es json", headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code >= 400
    exposition = call(f"{action_server}/metrics")[1]
    assert calls_counted(exposition, "unknown", str(refused.value.code)) >= 1


def test_health_and_ready(action_server):
    status, body = call(f"{action_server}/health")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    status, body = call(f"{action_server}/ready")
    assert status == 200 and json.loads(body) == {"status": "ready", "checks": {"database": "ok"}}


def test_not_ready_while_its_store_does_not_answer(tmp_path):
    unreachable = f"postgresql+psycopg2://atencion@127.0.0.1:{free_port()}/atencion"
    with running_action_server(unreachable, tmp_path / "actions.log") as url:
        status, body = call(f"{url}/ready")
        assert call(f"{url}/health")[0] == 200  # alive all the same
    assert status == 503
    assert json.loads(body)["checks"]["database"].startswith("the database does not answer")
