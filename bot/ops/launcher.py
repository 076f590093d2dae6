"""`python -m bot run`: start the action server and the Rasa server, then the console chat.

Stays in the foreground; Ctrl-C (SIGINT) or SIGTERM stops every process it started.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from bot.config import LISTEN_BACKLOG, PROJECT_ROOT, Settings, get_settings
from bot.ops.local_secrets import rasa_api_token
from bot.store.lock_store import lock_store_type
from bot.store.migrate import migrate
from bot.training.train import MODEL_PATH, ensure_model, quiet_rasa_environment

logger = logging.getLogger(__name__)

STARTUP_TIMEOUT_SECONDS = 180
STOP_TIMEOUT_SECONDS = 6  # then SIGKILL: every child is gone within 10 s of the stop, even on a busy machine


def service_environment(settings: Settings) -> dict[str, str]:
    """What endpoints.yml and credentials.yml read, with every default filled in."""
    channels = {
        "REST_CHANNEL_TOKEN": settings.rest_channel_token,
        "TELEGRAM_TOKEN": settings.telegram_token,
        "TELEGRAM_WEBHOOK_URL": settings.telegram_webhook_url,
        "TELEGRAM_WEBHOOK_SECRET": settings.telegram_webhook_secret,
        "TELEGRAM_AGENTS_CHAT_ID": settings.telegram_agents_chat_id,
        "TELEGRAM_API_BASE_URL": settings.telegram_api_base_url,
        "TELEGRAM_MESSAGES_PER_SECOND": str(settings.telegram_messages_per_second),
    }
    inherited = {key: value for key, value in quiet_rasa_environment().items() if key not in channels}
    return {
        **inherited,
        **{key: value for key, value in channels.items() if value},  # settings decide, not the shell
        "DATABASE_URL": settings.database_url,
        "LOCK_STORE_URL": settings.lock_store_url or "",
        "LOCK_STORE_TYPE": lock_store_type(settings.lock_store_url),
        "BUSINESS_HOURS_PATH": str(settings.business_hours_path),
        "SLA_PATH": str(settings.sla_path),
        "MAX_NEW_CASES_PER_HOUR": str(settings.max_new_cases_per_hour),
        "ACTION_HOST": os.environ.get("ACTION_HOST") or "127.0.0.1",
        "ACTION_PORT": str(settings.action_port),
        "WORKER_PORT": str(settings.worker_port),
        "SANIC_HOST": settings.bind_host,
        "SANIC_BACKLOG": os.environ.get("SANIC_BACKLOG") or str(LISTEN_BACKLOG),
        "SANIC_WORKERS": str(settings.rasa_workers),  # processes of each Rasa server
        "RASA_API_TOKEN": rasa_api_token(settings),
    }


def action_server_command(settings: Settings) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bot.ops.action_server",
        "--actions",
        "actions",
        "--port",
        str(settings.action_port),
    ]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "bot", "worker"]


def console_command() -> list[str]:
    return [sys.executable, "-m", "bot", "console"]


def rasa_server_command(settings: Settings, model: Path = MODEL_PATH) -> list[str]:
    """The Rasa server, with its HTTP API behind a token: `python -m bot retrain` and `rollback`
    load a new model into it (PUT /model) without a restart. The token travels in the environment
    (`service_environment`), never on the command line (bot/ops/rasa_server.py)."""
    return [
        sys.executable,
        "-m",
        "bot.ops.rasa_server",
        "--enable-api",
        "--model",
        str(model),
        "--credentials",
        "credentials.yml",
        "--endpoints",
        "endpoints.yml",
        "--interface",
        settings.bind_host,
        "--port",
        str(settings.rasa_port),
    ]


def log_path(name: str) -> Path:
    """Where the Supervisor writes the output of its child `name`."""
    return PROJECT_ROOT / "var" / "log" / f"{name}.log"


class Supervisor:
    """Child processes in their own sessions, stopped together; one can be restarted by name."""

    def __init__(self) -> None:
        self.children: dict[str, subprocess.Popen] = {}
        self.commands: dict[str, tuple[list[str], dict[str, str]]] = {}

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        path = log_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        logger.info("starting %s (log: %s)", name, path)
        # A stop signal arriving between the fork and the bookkeeping would leave the child unknown,
        # so never stopped: it waits until the child is in `children`.
        with open(path, "ab") as log, signals_deferred():  # the child keeps its own copy of the descriptor
            process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=env,
                start_new_session=True,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            self.children[name] = process
            self.commands[name] = (command, env)
        return process

    def restart(self, name: str) -> subprocess.Popen:
        """`name` started again with the same command and environment (stopped first if it runs);
        its log goes on in the same file."""
        self.stop(name)
        command, env = self.commands[name]
        logger.info("restarting %s", name)
        return self.start(name, command, env)

    def stop(self, name: str) -> None:
        """Stop one child and whatever is left of its process group (e.g. after a kill -9 of its
        first process, children it started)."""
        process = self.children[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        with signals_deferred():  # a stop signal now would cut the stop short; it arrives after it
            self._stop_all()

    def _stop_all(self) -> None:
        for name, process in self.children.items():
            if process.poll() is None:
                logger.info("stopping %s", name)
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for process in self.children.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def __enter__(self) -> Supervisor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop_all()


def wait_until_up(name: str, url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode}; see var/log/{name}.log")
        try:
            with urllib.request.urlopen(url, timeout=2):
                logger.info("%s is up at %s", name, url)
                return
        except (urllib.error.URLError, OSError):
            time.sleep(1)
    raise RuntimeError(f"{name} did not answer at {url} within {STARTUP_TIMEOUT_SECONDS} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_services(
    settings: Settings, log_prefix: str = "", model: Path = MODEL_PATH
) -> Iterator[Supervisor]:
    """The action server and the Rasa server for `settings`, up and answering."""
    env = service_environment(settings)
    with Supervisor() as supervisor:
        actions = supervisor.start(f"{log_prefix}actions", action_server_command(settings), env)
        rasa = supervisor.start(f"{log_prefix}rasa", rasa_server_command(settings, model), env)
        wait_until_up(f"{log_prefix}actions", f"http://127.0.0.1:{settings.action_port}/health", actions)
        wait_until_up(f"{log_prefix}rasa", f"http://127.0.0.1:{settings.rasa_port}/", rasa)
        yield supervisor


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Deferral:
    """Whether stop signals wait, and the one that waited."""

    active = False
    waiting = False


@contextmanager
def signals_deferred() -> Iterator[None]:
    """A stop signal (SIGINT, SIGTERM) that arrives inside the block interrupts at its end, not in
    the middle. Python-level, not the thread's signal mask: a child started inside the block must
    not inherit stop signals blocked (it would then ignore SIGTERM)."""
    _Deferral.active = True
    try:
        yield
    finally:
        _Deferral.active = False
    if _Deferral.waiting:
        _Deferral.waiting = False
        raise KeyboardInterrupt


def raise_keyboard_interrupt(_signum: int, _frame: FrameType | None) -> None:
    """The first stop signal interrupts; later ones are ignored, so that they cannot cut the stop
    itself short. `make run` stopped by a SIGTERM to its process group sends the launcher a second
    one (make passes SIGTERM on to its child), which used to end the launcher halfway through
    stopping its children and leave them running."""
    for sent in STOP_SIGNALS:
        signal.signal(sent, log_signal_while_stopping)
    if _Deferral.active:
        _Deferral.waiting = True
        return
    raise KeyboardInterrupt


def log_signal_while_stopping(signum: int, _frame: FrameType | None) -> None:
    logger.info("%s while stopping: already stopping", signal.Signals(signum).name)


def console_chat(settings: Settings) -> None:
    """Rasa's own console client, talking to our server over the REST channel."""
    from rasa.core.channels.console import record_messages

    server_url = f"http://127.0.0.1:{settings.rasa_port}"
    print("\nConsola del asistente: escribe tu mensaje (Ctrl-C para salir).\n", flush=True)
    sender_id = f"consola-{uuid.uuid4().hex[:8]}"
    token = settings.rest_channel_token or ""
    asyncio.run(record_messages(sender_id=sender_id, server_url=server_url, auth_token=token))


def log_serving(settings: Settings) -> None:
    base = f"http://{settings.bind_host}:{settings.rasa_port}/webhooks"
    if settings.telegram_token:
        mode = f"webhook {settings.telegram_webhook_url}" if settings.telegram_webhook_url else "long polling"
        rest = f"{base}/rest/webhook (bearer token)" if settings.rest_channel_token else "no REST channel"
        logger.info("serving Telegram (%s; log: var/log/rasa.log) and %s", mode, rest)
    else:
        logger.info("serving on %s/rest/webhook", base)


def start_worker_and_console(settings: Settings, supervisor: Supervisor) -> None:
    """The worker (deadlines; with Telegram, the agents' group and notices) and the supervisors'
    console, up and answering."""
    env = {**service_environment(settings), "CONSOLE_PORT": str(settings.console_port)}
    supervisor.start("worker", worker_command(), env)
    console = supervisor.start("console", console_command(), env)
    address = f"http://127.0.0.1:{settings.console_port}/entrar"
    wait_until_up("console", address, console)
    password = "CONSOLE_PASSWORD" if settings.console_password else "var/console_password"
    logger.info(
        "supervisors' console: %s (user %s, password in %s)", address, settings.console_user, password
    )


def stop_on_signals() -> None:
    """SIGINT and SIGTERM end the process through KeyboardInterrupt, so every `finally` stops what
    was started (a training included); SIGINT too, since a shell starts background jobs with it
    ignored, and Python then leaves Ctrl-C without effect."""
    for sent in STOP_SIGNALS:
        signal.signal(sent, raise_keyboard_interrupt)


def run() -> None:
    settings = get_settings()
    stop_on_signals()
    try:
        migrate()
        ensure_model()
        with running_services(settings) as supervisor:
            start_worker_and_console(settings, supervisor)
            if sys.stdin.isatty() and not settings.telegram_token:
                console_chat(settings)
            else:
                log_serving(settings)
                while all(p.poll() is None for p in supervisor.children.values()):
                    time.sleep(1)
                logger.error("a process stopped; shutting down the others")
    except KeyboardInterrupt:
        logger.info("stopped")


def shell() -> None:
    """Rasa's own shell (`--debug` shows every prediction), with our action server running."""
    settings = get_settings()
    migrate()
    ensure_model()
    env = service_environment(settings)
    shell_command = [
        sys.executable, "-m", "rasa", "shell", "--debug",
        "--model", str(MODEL_PATH), "--endpoints", "endpoints.yml", "--port", str(settings.rasa_port),
    ]  # fmt: skip
    with Supervisor() as supervisor:
        actions = supervisor.start("actions", action_server_command(settings), env)
        wait_until_up("actions", f"http://127.0.0.1:{settings.action_port}/health", actions)
        try:
            subprocess.run(shell_command, cwd=PROJECT_ROOT, env=env)
        except KeyboardInterrupt:
            logger.info("stopped")
