"""Stopping `make run`, whichever way the stop is sent — Ctrl-C in a terminal (SIGINT to the
foreground process group: make and the launcher), a service manager's SIGTERM to the launcher alone,
or SIGTERM to the whole process group (make passes it on: the launcher gets it twice) — and at
whichever moment of the start: every process it started is gone within 10 s and its ports are free.

Each way is stopped at three moments: while the servers are being started, while the Rasa server
loads its model, and fully up. A full start takes about a minute here (the Rasa server loads its
model for about 30 s), so CI runs one round; STOP_TEST_ROUNDS=10 repeats them (the issue's «ten times
each»), which takes about 15 minutes a way."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.test_launcher import launcher_environment

pytestmark = pytest.mark.slow

# When, in the launcher's log, each stop is sent: (line, seconds after it).
MOMENTS = (
    ("starting rasa", 0),  # the servers being started
    ("actions is up", 3),  # the Rasa server loading its model
    ("serving on", 0),  # fully up: the worker and the console too
)
ROUNDS = int(os.environ.get("STOP_TEST_ROUNDS") or 1)
WAYS = ("ctrl-c", "sigterm-to-the-launcher", "sigterm-to-the-group")
STOP_SECONDS = 10


def marked_processes(marker: str) -> list[int]:
    """Every process whose environment carries `marker`: make, the launcher and all it started,
    wherever they were reparented."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes()
        except OSError:  # gone meanwhile, or a kernel thread
            continue
        if marker.encode() in environment:
            found.append(int(entry.name))
    return found


def port_is_free(port: int) -> bool:
    """Free for the next start: no process listens on it (connections of the last run left in
    TIME_WAIT do not count; the servers bind with SO_REUSEADDR, as this does)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen()
        except OSError:
            return False
    return True


def wait_for_line(log: Path, line: str, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while line not in log.read_text(errors="replace"):
        assert process.poll() is None, f"stopped before {line!r}:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"{line!r} never appeared in:\n{log.read_text()}"
        time.sleep(0.05)


def start(way: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    """In its own session, as a terminal or a service manager would start it: `make run`, or (the
    service manager) the launcher itself."""
    command = ["make", "--no-print-directory", "run"]
    if way == "sigterm-to-the-launcher":
        command = [sys.executable, "-m", "bot", "run"]
    with open(log, "wb") as output:
        return subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=output,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def send_stop(way: str, started: subprocess.Popen) -> None:
    if way == "ctrl-c":
        os.killpg(started.pid, signal.SIGINT)
    elif way == "sigterm-to-the-group":
        os.killpg(started.pid, signal.SIGTERM)
    else:
        started.send_signal(signal.SIGTERM)


@pytest.mark.parametrize("way", WAYS)
def test_every_process_is_gone_within_10_s_whichever_way_and_whenever_make_run_is_stopped(
    way: str, trained_model: Path, tmp_path: Path
):
    failures = []
    for attempt, (line, delay) in enumerate(MOMENTS * ROUNDS):
        marker = f"ATENCION_STOP_TEST={uuid.uuid4().hex}"
        env = launcher_environment(tmp_path, ATENCION_STOP_TEST=marker.split("=")[1])
        env.pop("TELEGRAM_TOKEN", None)
        ports = [int(env[name]) for name in ("RASA_PORT", "ACTION_PORT", "CONSOLE_PORT")]
        log = tmp_path / f"run-{attempt}.log"
        started = start(way, env, log)
        try:
            wait_for_line(log, line, started)
            time.sleep(delay)
            send_stop(way, started)
            stopped_at = time.monotonic()
            while marked_processes(marker) and time.monotonic() - stopped_at < STOP_SECONDS:
                time.sleep(0.1)
            left = marked_processes(marker)
            taken = [port for port in ports if not port_is_free(port)]
            outcome = "LEFT RUNNING" if left else f"gone after {time.monotonic() - stopped_at:.1f} s"
            print(f"{way}, stop {attempt + 1} ({line!r} + {delay} s): {outcome}")
            if left or taken:
                commands = [Path(f"/proc/{pid}/cmdline").read_text(errors="replace") for pid in left]
                failures.append(
                    f"stop {attempt + 1} ({line!r} + {delay} s): left {commands}, ports held {taken}"
                )
        finally:
            for pid in marked_processes(marker):  # never leave them to the next test
                os.kill(pid, signal.SIGKILL)
    assert not failures, "\n".join(failures)
