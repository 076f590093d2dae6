"""The running Rasa server's HTTP API (enabled by the launcher, behind its token): which model it
serves, and loading another one without a restart (PUT /model)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

LOAD_TIMEOUT_SECONDS = 180


class RasaUnavailable(RuntimeError):
    """Nothing answers at the server's address: it is not running."""


class RasaRefused(RuntimeError):
    """The server answered with an error (a wrong token, a model it cannot load)."""


def call(base_url: str, token: str, method: str, path: str, body: dict | None = None) -> Any:
    query = urllib.parse.urlencode({"token": token})
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}{path}?{query}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=LOAD_TIMEOUT_SECONDS) as response:
            content = response.read()
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")[:300]
        raise RasaRefused(f"{method} {path} answered {error.code}: {detail}") from None
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        raise RasaUnavailable(f"no Rasa server answers at {base_url} ({error})") from None
    return json.loads(content) if content else None


def served_model(base_url: str, token: str) -> str:
    """The file of the model the server has loaded."""
    return call(base_url, token, "GET", "/status")["model_file"]


def load_model(base_url: str, token: str, model: Path) -> None:
    call(base_url, token, "PUT", "/model", {"model_file": str(model.resolve())})
