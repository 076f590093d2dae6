"""`/health`, `/ready` and `/metrics` for a process that serves no HTTP of its own (the worker):
prometheus-client's WSGI app behind a router of three paths, on a thread of its own, so that a
busy or stuck event loop still answers `/health` truthfully about the process."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app

from bot.health import Check

logger = logging.getLogger(__name__)

StartResponse = Callable[[str, list[tuple[str, str]]], object]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *_args: object) -> None:  # one line per scrape would drown the log
        pass


def status_app(checks: Mapping[str, Check]) -> Callable[[dict, StartResponse], Iterable[bytes]]:
    metrics = make_wsgi_app()

    def app(environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return metrics(environ, start_response)
        if path == "/health":
            return answer(start_response, 200, {"status": "alive"})
        if path == "/ready":
            failed = {name: why for name, check in checks.items() if (why := check())}
            body = {
                "status": "not ready" if failed else "ready",
                "checks": {name: failed.get(name, "ok") for name in checks},
            }
            return answer(start_response, 503 if failed else 200, body)
        return answer(start_response, 404, {"status": "not found"})

    return app


def answer(start_response: StartResponse, status: int, body: dict) -> list[bytes]:
    reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/json")])
    return [json.dumps(body).encode()]


def serve_status(host: str, port: int, checks: Mapping[str, Check]) -> WSGIServer | None:
    """Serving on a daemon thread; None (logged) when the port cannot be had: the process's own
    work goes on without it."""
    try:
        server = make_server(host, port, status_app(checks), handler_class=QuietHandler)
    except OSError as error:
        logger.error("no /health, /ready or /metrics: cannot listen on %s:%s (%s)", host, port, error)
        return None
    threading.Thread(target=server.serve_forever, name="status-server", daemon=True).start()
    logger.info("/health, /ready and /metrics on http://%s:%s", host, port)
    return server
