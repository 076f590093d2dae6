"""`/health` answers while the process runs; `/ready` only when it can do its job, with each check
named (503 otherwise): for docker-compose healthchecks and load balancers. Neither says anything
about customers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from sanic import response
from sanic.response import HTTPResponse
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

Check = Callable[[], "str | None"]  # None when fine, otherwise why not, in a few words


def database_check(session_factory: Callable[[], sessionmaker]) -> Check:
    def check() -> str | None:
        try:
            with session_factory()() as session:
                session.execute(text("SELECT 1"))
        except Exception as error:  # any driver's error means the same: not ready
            return f"the database does not answer ({type(error).__name__})"
        return None

    return check


def alive() -> HTTPResponse:
    return response.json({"status": "alive"})


async def ready(checks: Mapping[str, Check]) -> HTTPResponse:
    """Every check, off the event loop (a database that hangs must not stall the server)."""
    results = await asyncio.gather(*(asyncio.to_thread(check) for check in checks.values()))
    failed = {name: why for name, why in zip(checks, results, strict=True) if why}
    body = {
        "status": "not ready" if failed else "ready",
        "checks": {name: failed.get(name, "ok") for name in checks},
    }
    return response.json(body, status=503 if failed else 200)
