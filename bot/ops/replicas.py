"""The Rasa servers of a running cluster (`python -m bot cluster`), listed in a file for the commands
that must reach every one of them rather than the one nginx picks: `python -m bot retrain` and
`rollback` load a new model into each, through their lock store's Redis (bot/ops/model_reload.py),
or without one at each server's own address (PUT /model).

The file names the process that wrote it; once that process is gone the file is stale and ignored,
so a cluster killed without cleaning up leaves `retrain` working as with one server.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from bot.config import PROJECT_ROOT

DEFAULT_RASA_SERVERS = 2
DEFAULT_ACTION_SERVERS = 2
CLUSTER_DIR = PROJECT_ROOT / "var" / "cluster"
REPLICAS_FILE = CLUSTER_DIR / "replicas.json"


def write_replicas(
    path: Path,
    public_url: str,
    replicas: list[str],
    pid: int | None = None,
    lock_store_url: str | None = None,
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"pid": pid or os.getpid(), "public_url": public_url, "rasa": replicas}
    if lock_store_url:
        record["lock_store_url"] = lock_store_url
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)  # readers never see half a file


def remove_replicas(path: Path, pid: int | None = None) -> None:
    """Remove the file if this process (or `pid`) wrote it."""
    record = read_record(path)
    if record is not None and record.get("pid") == (pid or os.getpid()):
        path.unlink(missing_ok=True)


def running_replicas(path: Path = REPLICAS_FILE) -> list[str]:
    """The base URLs of the running cluster's Rasa servers; empty without a running cluster."""
    replicas = running_record(path).get("rasa")
    return [url for url in replicas if isinstance(url, str)] if isinstance(replicas, list) else []


def running_lock_store(path: Path = REPLICAS_FILE) -> str | None:
    """The Redis the running cluster's Rasa servers share, if it uses one."""
    url = running_record(path).get("lock_store_url")
    return url if isinstance(url, str) else None


def running_record(path: Path) -> dict:
    record = read_record(path)
    return record if record is not None and is_alive(record.get("pid")) else {}


def read_record(path: Path) -> dict | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def is_alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True
