"""The real console process (`python -m bot console`) over a given store, for the console tests."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from bot.ops.launcher import free_port
from tests.support.processes import running_server

USER, PASSWORD = "supervisora", "clave-de-prueba-9"
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]*)"')


class ConsoleSession(requests.Session):
    """A client that behaves like the browser: every form it posts carries the CSRF token of the
    last page it was given (pass `csrf` in the data to post something else)."""

    def __init__(self) -> None:
        super().__init__()
        self.csrf = ""
        self.hooks["response"].append(self._remember_csrf)

    def _remember_csrf(self, response: requests.Response, *args, **kwargs) -> None:
        if "html" in response.headers.get("Content-Type", "") and (found := CSRF_FIELD.search(response.text)):
            self.csrf = found.group(1)

    def post(self, url: str, data: dict | None = None, **kwargs) -> requests.Response:
        return super().post(url, data={"csrf": self.csrf, **(data or {})}, **kwargs)


def sign_in(session: ConsoleSession, base: str, password: str = PASSWORD) -> requests.Response:
    """Open the login page (its form's token) and log in."""
    session.get(f"{base}/entrar")
    return session.post(f"{base}/entrar", data={"usuario": USER, "contrasena": password})


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
    base = f"http://127.0.0.1:{port}"
    with running_server("console", [sys.executable, "-m", "bot", "console"], env, log, f"{base}/entrar"):
        yield base
