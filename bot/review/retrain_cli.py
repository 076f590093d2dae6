"""`python -m bot retrain` and `python -m bot rollback`."""

from __future__ import annotations

import argparse

from bot.config import get_settings
from bot.ops.local_secrets import rasa_api_token
from bot.ops.replicas import running_lock_store, running_replicas
from bot.review.model_store import ModelStore
from bot.review.retrain import Server, retrain, rollback
from bot.review.verdict import Gate
from bot.store.db import get_session_factory
from bot.store.migrate import migrate


def share(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError("a number between 0 and 1, e.g. 0.05")
    return number


def add_retrain_commands(commands: argparse._SubParsersAction) -> None:
    settings = get_settings()
    again = commands.add_parser(
        "retrain",
        help="train a candidate with the labelled messages; promote it if it is not worse",
        description="Trains a candidate model with data/ plus the labelled review items, scores it "
        "and production on the held-out sets (tests/data/nlu_holdout*.yml) and promotes it only if "
        "its macro-F1 is not lower (beyond --tolerance) and no core intent loses more recall than "
        "--max-recall-drop. A promoted model is loaded into the running Rasa server. The report "
        "(Markdown and a confusion-matrix PNG) goes to reports/.",
    )
    again.add_argument(
        "--tolerance", type=share, default=settings.retrain_f1_tolerance,
        help="how much lower the candidate's macro-F1 may be (default RETRAIN_F1_TOLERANCE, 0)",
    )  # fmt: skip
    again.add_argument(
        "--max-recall-drop", type=share, default=settings.retrain_max_recall_drop,
        help="the most recall a core intent may lose (default RETRAIN_MAX_RECALL_DROP, 0.05)",
    )  # fmt: skip
    again.add_argument(
        "--epochs", type=int, help="train every component this many epochs: a quick trial, not for production"
    )
    commands.add_parser("rollback", help="put the previous model back in production (and in the server)")


def server() -> Server:
    """The Rasa server at RASA_PORT; with a cluster running, each of its Rasa servers (not the one
    nginx would pick at RASA_PORT); with a Redis lock store, every process of every Rasa server."""
    settings = get_settings()
    url = f"http://127.0.0.1:{settings.rasa_port}"
    return Server(
        url,
        rasa_api_token(settings),
        replicas=tuple(running_replicas()),
        lock_store_url=settings.lock_store_url or running_lock_store(),
    )


def run_retrain(args: argparse.Namespace) -> int:
    migrate()
    gate = Gate(f1_tolerance=args.tolerance, max_recall_drop=args.max_recall_drop)
    outcome = retrain(get_session_factory(), ModelStore(), gate, server(), epochs=args.epochs)
    for text in outcome.leaking:
        print(f"left out (a near-copy of a held-out sentence, so it cannot be trained on): {text}")
    if outcome.verdict is None:
        print("nothing to learn: no review item is labelled (python -m bot review collect, then label)")
        return 1
    verdict = outcome.verdict
    print(f"trained a candidate with {outcome.examples} labelled examples: {outcome.candidate}")
    production, candidate = f"{verdict.production_f1:.3f}", f"{verdict.candidate_f1:.3f}"
    print(f"macro-F1 on the held-out sets: production {production}, candidate {candidate}")
    if verdict.promote:
        print(f"PROMOTED; {outcome.server}")
    else:
        print("REFUSED: " + "; ".join(verdict.reasons) + ". Production stays.")
    print(f"report: {outcome.report}")
    return 0 if verdict.promote else 3


def run_rollback(args: argparse.Namespace) -> int:
    restored, said = rollback(ModelStore(), server())
    if restored is None:
        print(said)
        return 1
    print(f"back to the model kept in {restored.name}; {said}")
    return 0
