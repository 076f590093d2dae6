"""The real console process (`python -m bot console`) over a given store, for the console tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.launcher import free_port, wait_until_up

USER, PASSWORD = "supervisora", "clave-de-prueba-9"


@contextmanager
def console_server(database_url: str, log: Path) -> Iterator[str]:
    """Its base URL (`http://127.0.0.1:<port>`) while it runs."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CONSOLE_PORT": str(port),
        "CONSOLE_USER": USER,
        "CONSOLE_PASSWORD": PASSWORD,
    }
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "console"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up("console", f"{base}/entrar", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
