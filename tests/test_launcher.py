"""`python -m bot run` (what `make run` starts) with a Telegram token: it serves Telegram by long
polling instead of opening the console chat and starts the supervisors' web console; a complaint
registered there reaches the agents' group as a card posted by the worker it starts; Ctrl-C stops
every process it started."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from bot.config import LISTEN_BACKLOG, PROJECT_ROOT
from bot.ops import action_responses, event_types
from bot.ops.launcher import free_port
from tests.support import telegram_updates as tg
from tests.support.fake_bot_api import FakeBotApi
from tests.support.sockets import listen_backlog
from tests.support.telegram_assistant import to_chat

pytestmark = pytest.mark.slow

CUSTOMER = 424242
AGENTS = -1009876543210


def wait_for_line(log: Path, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, f"{text!r} never appeared in:\n{log.read_text()}"
        time.sleep(0.2)


API_TOKEN = "rasa-api-token-del-launcher-9"


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(line) for line in out.split()]


def launcher_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """`python -m bot run` on its own SQLite store and free ports."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'atencion.db'}",
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "CONSOLE_PORT": str(free_port()),
        "WORKER_PORT": str(free_port()),
        "CONSOLE_PASSWORD": "launcher-test",
        **extra,
    }


def answers(url: str, timeout: float) -> str:
    """The body `url` answers with once it is up."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def start_launcher(env: dict[str, str], log: Path, **popen: Any) -> subprocess.Popen:
    with open(log, "wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            **popen,
        )


def test_run_with_a_token_serves_telegram_starts_the_worker_and_ctrl_c_stops_everything(
    trained_model: Path, tmp_path: Path
):
    with FakeBotApi() as fake:
        telegram = {
            "TELEGRAM_TOKEN": "123456789:LAUNCHER-test-token",
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_WEBHOOK_URL": "",
            "TELEGRAM_AGENTS_CHAT_ID": str(AGENTS),
            "RASA_API_TOKEN": API_TOKEN,
        }
        env, log = launcher_environment(tmp_path, **telegram), tmp_path / "run.log"
        rasa_log = PROJECT_ROOT / "var" / "log" / "rasa.log"
        rasa_log_start = rasa_log.stat().st_size if rasa_log.exists() else 0
        launcher = start_launcher(env, log)
        try:
            wait_for_line(log, "serving Telegram (long polling", timeout=180)
            wait_for_line(log, "starting worker")
            wait_for_line(log, "supervisors' console: http://127.0.0.1:")
            assert (
                listen_backlog(int(env["RASA_PORT"])) == LISTEN_BACKLOG
            )  # a burst queues, it is not refused
            children = children_of(launcher.pid)
            for child in children:  # no secret on a command line: `ps` shows them to every local user
                command_line = Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace")
                assert API_TOKEN not in command_line and "LAUNCHER-test-token" not in command_line
            worker_ready = answers(f"http://127.0.0.1:{env['WORKER_PORT']}/ready", timeout=60)
            assert json.loads(worker_ready) == {"status": "ready", "checks": {"database": "ok"}}
            login = f"http://127.0.0.1:{env['CONSOLE_PORT']}/entrar"
            assert "Entrar en la consola" in urllib.request.urlopen(login).read().decode()
            for text in ("hola", "quiero poner una queja", "dejaron el paquete en la calle", "PED-4021937"):
                fake.push_update(tg.text_update(CUSTOMER, text))
            replies = fake.wait_for("sendMessage", 5, timeout=90, predicate=to_chat(CUSTOMER))
            assert "Hola" in replies[0].params["text"]
            number = re.search(r"Q-\d{4}-\d{6}", replies[4].params["text"]).group()
            (card,) = fake.wait_for("sendMessage", timeout=60, predicate=to_chat(AGENTS))
            assert number in card.params["text"] and "dejaron el paquete en la calle" in card.params["text"]
        finally:
            launcher.send_signal(signal.SIGINT)
            launcher.wait(timeout=60)
        assert launcher.returncode == 0, log.read_text()
        worker_log = (PROJECT_ROOT / "var" / "log" / "worker.log").read_text()
        assert "LAUNCHER-test-token" not in worker_log
        assert "stopped" in log.read_text()
        with open(rasa_log, "rb") as server_log:  # the Rasa server's overrides (bot/ops/) are in place
            server_log.seek(rasa_log_start)
            started = server_log.read().decode(errors="replace")
            assert action_responses.INSTALLED in started and event_types.INSTALLED in started
        assert len(children) == 4 and all(not Path(f"/proc/{pid}").exists() for pid in children)


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM])
def test_a_training_stopped_by_a_signal_to_the_launcher_alone_leaves_no_rasa_behind(tmp_path: Path, sent):
    """`make run` trains a stale model before serving: Ctrl-C (or a service manager's SIGTERM to the
    launcher's pid only) meanwhile must not leave `rasa train` running on its own."""
    script = (
        "import signal, sys; from pathlib import Path; from bot.training.train import run_rasa_train\n"
        "from bot.ops.launcher import raise_keyboard_interrupt\n"
        "signal.signal(signal.SIGTERM, raise_keyboard_interrupt)\n"
        f"run_rasa_train(Path({str(tmp_path)!r}), Path({str(tmp_path / 'train.log')!r}))\n"
    )
    trainer = subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT_ROOT)
    deadline = time.monotonic() + 60
    while not (children := children_of(trainer.pid)):
        assert time.monotonic() < deadline and trainer.poll() is None, "rasa train never started"
        time.sleep(0.2)
    trainer.send_signal(sent)
    trainer.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in children):
        assert time.monotonic() < deadline, "rasa train outlived the launcher"
        time.sleep(0.2)


def test_ctrl_c_stops_everything_even_when_the_shell_started_the_launcher_with_sigint_ignored(
    trained_model: Path, tmp_path: Path
):
    """A shell starts background jobs with SIGINT ignored, and Python then keeps ignoring it."""
    env = {key: value for key, value in launcher_environment(tmp_path).items() if key != "TELEGRAM_TOKEN"}
    log = tmp_path / "run.log"
    launcher = start_launcher(env, log, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        wait_for_line(log, "serving on http://", timeout=180)
        children = children_of(launcher.pid)
        launcher.send_signal(signal.SIGINT)
        launcher.wait(timeout=30)
    finally:
        if launcher.poll() is None:  # SIGINT did nothing: SIGTERM still stops the children
            launcher.terminate()
            launcher.wait(timeout=60)
    assert "stopped" in log.read_text()
    assert children and all(not Path(f"/proc/{pid}").exists() for pid in children)
