"""`python -m bot run` (what `make run` starts) with a Telegram token: it serves Telegram by long
polling instead of opening the console, and Ctrl-C stops every process it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.launcher import free_port
from tests import telegram_updates as tg
from tests.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.slow


def wait_for_line(log: Path, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, f"{text!r} never appeared in:\n{log.read_text()}"
        time.sleep(0.2)


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(line) for line in out.split()]


def test_run_with_a_token_serves_telegram_and_ctrl_c_stops_everything(trained_model: Path, tmp_path: Path):
    with FakeBotApi() as fake:
        env = {
            **os.environ,
            "TELEGRAM_TOKEN": "123456789:LAUNCHER-test-token",
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_WEBHOOK_URL": "",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'atencion.db'}",
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
        }
        log = tmp_path / "run.log"
        with open(log, "wb") as output:
            launcher = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for_line(log, "serving Telegram (long polling", timeout=180)
            children = children_of(launcher.pid)
            fake.push_update(tg.text_update(424242, "hola"))
            (reply,) = fake.wait_for("sendMessage", timeout=60)
            assert "Hola" in reply.params["text"]
        finally:
            launcher.send_signal(signal.SIGINT)
            launcher.wait(timeout=60)
        assert launcher.returncode == 0, log.read_text()
        assert "stopped" in log.read_text()
        assert len(children) == 2 and all(not Path(f"/proc/{pid}").exists() for pid in children)
