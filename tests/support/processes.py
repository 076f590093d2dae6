"""A server the tests start as its own process, its output in a log, until they are done with it."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.ops.launcher import wait_until_up


@contextmanager
def running_server(
    name: str, command: list[str], env: dict[str, str], log: Path, ready_url: str
) -> Iterator[None]:
    """`command` running from the project's root, once `ready_url` answers; stopped on the way out."""
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_until_up(name, ready_url, process)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)
