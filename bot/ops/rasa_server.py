"""`rasa run`, with its HTTP API token taken from the environment (`RASA_API_TOKEN`) instead of the
command line, where every local user can read it in `ps`. The launcher, `make cluster` and
`python -m bot serve rasa` start the Rasa server through this module; the other arguments are
`rasa run`'s own. It also makes Rasa check custom action responses with a validator built once
(bot/ops/action_responses.py)."""

from __future__ import annotations

import os
import sys


def rasa_run_argv(arguments: list[str], token: str) -> list[str]:
    # One argument, `--auth-token=…`: a generated token may begin with «-», which argparse would
    # take for an option if it came as an argument of its own.
    return ["rasa", "run", *arguments, f"--auth-token={token}"]


def main() -> None:
    token = os.environ.get("RASA_API_TOKEN")
    if not token:
        raise SystemExit("RASA_API_TOKEN is not set: the Rasa server's HTTP API would have no token")
    # Rasa reads its arguments from sys.argv; changing it here is invisible to `ps`.
    sys.argv = rasa_run_argv(sys.argv[1:], token)
    from rasa.__main__ import main as rasa_main

    from bot.ops.action_responses import INSTALLED, install

    install()
    print(f"bot.ops.rasa_server: {INSTALLED}", file=sys.stderr, flush=True)  # before Rasa sets up logging

    rasa_main()


if __name__ == "__main__":
    main()
