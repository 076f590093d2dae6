"""`python -m bot review collect|export|import`: the operators' review of what customers wrote."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time
from pathlib import Path

from bot.config import get_settings
from bot.review.collect import collect
from bot.review.files import ReviewFileError, export_rows, import_rows, read_file, write_file
from bot.store.db import create_reading_engine, get_session_factory
from bot.store.migrate import migrate


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {value!r}: use YYYY-MM-DD") from None


def share(value: str) -> float:
    number = float(value)
    if not 0 < number <= 1:
        raise argparse.ArgumentTypeError("a confidence between 0 and 1, e.g. 0.7")
    return number


def add_review_commands(commands: argparse._SubParsersAction) -> None:
    review = commands.add_parser("review", help="collect, export and import customer messages to label")
    actions = review.add_subparsers(dest="review_command", required=True)
    gather = actions.add_parser(
        "collect",
        help="gather the messages worth a look from the conversation logs and agents' corrections",
        description="Reads the tracker store (DATABASE_URL) and the /tipo corrections; masks personal "
        "data; merges near-duplicates; adds them to the review items (running it again adds only "
        "what is new).",
    )
    gather.add_argument(
        "--since", type=iso_date, metavar="YYYY-MM-DD", help="only messages from this day (UTC)"
    )
    gather.add_argument(
        "--threshold",
        type=share,
        help="collect messages below this confidence (default REVIEW_CONFIDENCE, 0.7)",
    )
    export = actions.add_parser("export", help="write the items to label to FILE (.yml or .csv)")
    export.add_argument("file", type=Path)
    export.add_argument("--all", action="store_true", help="every item, labelled and discarded ones too")
    load = actions.add_parser("import", help="read the labels (or `descartar`) filled in FILE")
    load.add_argument("file", type=Path)


def run_review_command(args: argparse.Namespace) -> int:
    migrate()
    return {"collect": run_collect, "export": run_export, "import": run_import}[args.review_command](args)


def run_collect(args: argparse.Namespace) -> int:
    settings = get_settings()
    since = datetime.combine(args.since, time.min) if args.since else None
    threshold = args.threshold or settings.review_confidence
    with get_session_factory().begin() as session:
        found = collect(session, create_reading_engine(settings.database_url), threshold, since)
    reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(found.by_reason.items())) or "none"
    print(f"read {found.messages_read} customer messages; collected by reason: {reasons}")
    print(f"{found.groups} distinct texts: {found.new_items} new items, {found.updated_items} seen again")
    report_conflicts(found.conflicts)
    return 0


def run_export(args: argparse.Namespace) -> int:
    with get_session_factory()() as session:
        rows = export_rows(session, get_settings().console_url, args.all)
    write_file(args.file, rows)
    print(f"wrote {len(rows)} items to {args.file}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    try:
        rows = read_file(args.file)
    except ReviewFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with get_session_factory().begin() as session:
        result = import_rows(session, rows)
    print(f"labelled {result.labelled}, discarded {result.discarded}, left as they were {result.unchanged}")
    for problem in result.problems:
        print(f"not applied: {problem}")
    report_conflicts(result.conflicts)
    return 1 if result.problems or result.conflicts else 0


def report_conflicts(conflicts: list[tuple[str, list[str]]]) -> None:
    for text, labels in conflicts:
        print(f"conflict: «{text}» was labelled {' and '.join(labels)}; choose one")
