"""`python -m bot …`: the assistant's command line."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.handoff.agents_cli import add_agent_commands, run_agents_command
from bot.ops.cluster_cli import add_cluster_command, run_cluster
from bot.reports.cli import add_report_commands, run_report_command
from bot.review.cli import add_review_commands, run_review_command
from bot.review.retrain_cli import add_retrain_commands, run_retrain, run_rollback
from bot.store.migrate import migrate
from bot.training.train import ensure_model, train


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create or upgrade the case store's tables")
    commands.add_parser("run", help="start the action server, the Rasa server and the console chat")
    add_cluster_command(commands)
    one = commands.add_parser(
        "serve", help="one Rasa server or action server in the foreground, as make run starts it (containers)"
    )
    one.add_argument("server", choices=("rasa", "actions"))
    commands.add_parser("shell", help="Rasa's debug shell, with the action server running")
    train = commands.add_parser("train", help="train the Rasa model")
    train.add_argument(
        "--if-stale",
        action="store_true",
        help="only when data/, config.yml or domain.yml changed since the last model",
    )
    commands.add_parser(
        "worker", help="watch deadlines and deliver the outbox: case cards, alerts, notices, surveys"
    )
    commands.add_parser("console", help="the supervisors' web console (CONSOLE_PORT, default 8000)")
    add_agent_commands(commands)
    add_report_commands(commands)
    add_review_commands(commands)
    add_retrain_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    if args.command == "migrate":
        migrate(verbose=True)
    elif args.command == "run":
        from bot.ops.launcher import run

        run()
    elif args.command == "cluster":
        return run_cluster(args)
    elif args.command == "serve":
        from bot.ops.serve import serve

        serve(args.server)
    elif args.command == "shell":
        from bot.ops.launcher import shell

        shell()
    elif args.command == "train":
        ensure_model() if args.if_stale else train()
    elif args.command == "worker":
        import asyncio

        from bot.worker import serve

        asyncio.run(serve())
    elif args.command == "console":
        from bot.console.serve import serve as serve_console

        serve_console()
    elif args.command == "agents":
        return run_agents_command(args)
    elif args.command == "report":
        return run_report_command(args)
    elif args.command == "review":
        return run_review_command(args)
    elif args.command == "retrain":
        return run_retrain(args)
    elif args.command == "rollback":
        return run_rollback(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
