"""`python -m bot.ops.action_server`: rasa-sdk's action server (`python -m rasa_sdk`, the same
arguments) with `/ready` (its store answers) and `/metrics` (every action call counted and timed),
added through rasa-sdk's own plugin hook. rasa-sdk already answers `/health`."""

from __future__ import annotations

import json
import time
import zlib

import pluggy
from sanic import Request, Sanic
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse

from bot import health, metrics
from bot.store.db import get_session_factory

hookimpl = pluggy.HookimplMarker("rasa_sdk")
UNKNOWN = "unknown"  # not an action the server has: no label of its own (labels stay few)


def called_action(request: Request) -> str | None:
    """The action a POST /webhook asks for, as rasa-sdk reads it: the body Sanic already parsed
    for rasa-sdk (no second parse of the tracker), or decompressed when it came deflated."""
    try:
        if request.headers.get("Content-Encoding") == "deflate":
            call = json.loads(zlib.decompress(request.body))
        else:
            call = request.json
        return str(call.get("next_action") or "") or None
    except (ValueError, zlib.error, AttributeError, SanicException):  # not a call: no name
        return None


class StatusRoutes:
    """rasa-sdk calls `attach_sanic_app_extensions` on the app it built, before it runs."""

    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic) -> None:
        checks = {"database": health.database_check(get_session_factory)}

        async def ready(_request: Request) -> HTTPResponse:
            return await health.ready(checks)

        async def exposition(_request: Request) -> HTTPResponse:
            return await metrics.exposition()

        async def started(request: Request) -> None:
            if request.path == "/webhook":
                request.ctx.started = time.perf_counter()

        async def counted(request: Request, response: HTTPResponse) -> None:
            if request.path != "/webhook" or not hasattr(request.ctx, "started"):
                return
            action = (called_action(request) if response.status != 404 else None) or UNKNOWN
            metrics.count_action(action, response.status, time.perf_counter() - request.ctx.started)

        app.add_route(ready, "/ready", methods=["GET"])
        app.add_route(exposition, "/metrics", methods=["GET"])
        app.register_middleware(started, "request")
        app.register_middleware(counted, "response")


def main() -> None:
    from rasa_sdk.__main__ import main as rasa_sdk_main
    from rasa_sdk.plugin import plugin_manager

    plugin_manager().register(StatusRoutes())
    rasa_sdk_main()


if __name__ == "__main__":
    main()
