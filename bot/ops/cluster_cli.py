"""`python -m bot cluster [--rasa N] [--workers N] [--actions N] [--local-services]`: its arguments
(the cluster itself is bot/ops/cluster.py, kept running by bot/ops/cluster_serve.py, imported only
when asked for)."""

from __future__ import annotations

import argparse

from bot.ops.replicas import DEFAULT_ACTION_SERVERS, DEFAULT_RASA_SERVERS


def add_cluster_command(commands: argparse._SubParsersAction) -> None:
    cluster = commands.add_parser(
        "cluster",
        help="several Rasa and action servers behind nginx, the worker and the console (docs/scaling.md)",
        description="Rasa servers sharing the SQL tracker store (DATABASE_URL, PostgreSQL) and the Redis "
        "lock store (LOCK_STORE_URL), stateless action servers, one worker and the supervisors' console, "
        "with Debian's nginx in front: RASA_PORT is the public address, ACTION_PORT the action servers'.",
    )
    cluster.add_argument("--rasa", type=int, default=DEFAULT_RASA_SERVERS, help="Rasa servers (default 2)")
    cluster.add_argument(
        "--workers",
        type=int,
        help="processes of each Rasa server (Rasa's SANIC_WORKERS; default: SANIC_WORKERS if set, else "
        "the cores divided among the Rasa servers)",
    )
    cluster.add_argument(
        "--actions", type=int, default=DEFAULT_ACTION_SERVERS, help="action servers (default 2)"
    )
    cluster.add_argument(
        "--local-services",
        action="store_true",
        help="without DATABASE_URL / LOCK_STORE_URL, use the private PostgreSQL / Redis of "
        "scripts/postgres.sh and scripts/redis.sh (make cluster)",
    )


def run_cluster(args: argparse.Namespace) -> int:
    from bot.ops.cluster_serve import serve

    return serve(args.rasa, args.actions, args.local_services, args.workers)
