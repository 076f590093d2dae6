"""`rasa run`, with its HTTP API token taken from the environment (`RASA_API_TOKEN`) instead of the
command line, where every local user can read it in `ps`. The launcher, `make cluster` and
`python -m bot serve rasa` start the Rasa server through this module; the other arguments are
`rasa run`'s own. It also makes Rasa check custom action responses with a validator built once
(bot/ops/action_responses.py) and look event classes up in a table (bot/ops/event_types.py).

With `SANIC_WORKERS` above 1 Rasa forks that many processes, which share the listening socket. They
need what replicas need (bot/ops/shared_stores.py), refused here before Rasa starts, and one set of
metrics: prometheus-client's multiprocess mode, whose files live in a directory of this server
(`PROMETHEUS_MULTIPROC_DIR`, set before anything imports prometheus-client; an operator's own is
kept)."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from bot.config import get_settings
from bot.ops.shared_stores import refusal

METRICS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"


def rasa_run_argv(arguments: list[str], token: str) -> list[str]:
    # One argument, `--auth-token=…`: a generated token may begin with «-», which argparse would
    # take for an option if it came as an argument of its own.
    return ["rasa", "run", *arguments, f"--auth-token={token}"]


@contextmanager
def shared_metrics(workers: int) -> Iterator[None]:
    """Every process of this server counting into one set of metrics, when there are several."""
    if workers == 1 or os.environ.get(METRICS_DIRECTORY):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="atencion-rasa-metrics-") as directory:
        os.environ[METRICS_DIRECTORY] = directory
        yield


def main() -> None:
    token = os.environ.get("RASA_API_TOKEN")
    if not token:
        raise SystemExit("RASA_API_TOKEN is not set: the Rasa server's HTTP API would have no token")
    settings = get_settings()
    if reason := refusal(settings, rasa=1, actions=1):
        raise SystemExit(reason)
    # Rasa reads its arguments from sys.argv; changing it here is invisible to `ps`.
    sys.argv = rasa_run_argv(sys.argv[1:], token)
    with shared_metrics(settings.rasa_workers):
        from rasa.__main__ import main as rasa_main

        from bot.ops import action_responses, event_types

        for override in (action_responses, event_types):
            override.install()
            print(
                f"bot.ops.rasa_server: {override.INSTALLED}", file=sys.stderr, flush=True
            )  # before Rasa's logging

        rasa_main()


if __name__ == "__main__":
    main()
