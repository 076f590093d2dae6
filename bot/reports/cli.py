"""`python -m bot report csat|sla …`: reports from the case store, printed as tables or saved as CSV.

A new report is one `add_<name>_command(reports)` below that sets `run=` on its parser, plus its
line in `REPORTS`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from bot.db import get_session_factory
from bot.migrate import migrate
from bot.reports.csat import CSV_HEADERS, csat_csv_rows, csat_report, csat_tables
from bot.reports.sla import CSV_HEADERS as SLA_CSV_HEADERS
from bot.reports.sla import sla_csv_rows, sla_report, sla_tables
from bot.reports.tables import Table, format_table, write_csv


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {value!r}: use YYYY-MM-DD, e.g. 2026-01-31") from None


def add_date_range(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="start", type=iso_date, metavar="YYYY-MM-DD", help="first day included (UTC date)"
    )
    parser.add_argument(
        "--to", dest="end", type=iso_date, metavar="YYYY-MM-DD", help="last day included (UTC date)"
    )


def describe_range(start: date | None, end: date | None) -> str:
    if start and end:
        return f"from {start} to {end} (UTC)"
    if start:
        return f"from {start} (UTC)"
    if end:
        return f"up to {end} (UTC)"
    return "all dates"


def add_csat_command(reports: argparse._SubParsersAction) -> None:
    csat = reports.add_parser(
        "csat",
        help="customer satisfaction from the closing surveys: total, by team, by agent",
        description="Satisfaction surveys created in the range (whole days, as UTC dates, not the "
        "service's time zone): count, answers, average rating, ratings 1-5, % resolved and CSAT % "
        "(share of ratings 4 or 5).",
    )
    add_date_range(csat)
    csat.add_argument("--csv", type=Path, metavar="FILE", help="also write every row to FILE (CSV)")
    csat.set_defaults(run=run_csat)


def add_sla_command(reports: argparse._SubParsersAction) -> None:
    sla = reports.add_parser(
        "sla",
        help="first response and resolution against their deadlines, and the open backlog",
        description="Cases created in the range (whole days, as UTC dates, not the service's time "
        "zone): first-response and resolution times p50 and p90 (nearest rank) and % on time, "
        "open cases now and how many of them are past their resolution deadline. Times are "
        "wall-clock hours elapsed since the case was created, not opening hours.",
    )
    add_date_range(sla)
    sla.add_argument("--csv", type=Path, metavar="FILE", help="also write every row to FILE (CSV)")
    sla.set_defaults(run=run_sla)


REPORTS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (add_csat_command, add_sla_command)


def add_report_commands(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="reports from the case store (csat, sla)")
    reports = report.add_subparsers(dest="report", required=True)
    for add_command in REPORTS:
        add_command(reports)


def run_report_command(args: argparse.Namespace) -> int:
    start, end = getattr(args, "start", None), getattr(args, "end", None)
    if start and end and start > end:
        print(f"error: --from {start} is after --to {end}", file=sys.stderr)
        return 2
    migrate()
    with get_session_factory()() as session:
        return args.run(session, args)


def run_csat(session: Session, args: argparse.Namespace) -> int:
    report = csat_report(session, args.start, args.end)
    span = describe_range(args.start, args.end)
    headline = f"CSAT: {report.total.surveys} surveys created {span}"
    nothing = f"no surveys in this range ({span})"
    return show(
        args, report.is_empty, headline, nothing, csat_tables(report), CSV_HEADERS, csat_csv_rows(report)
    )


def run_sla(session: Session, args: argparse.Namespace) -> int:
    report = sla_report(session, args.start, args.end)
    span = describe_range(args.start, args.end)
    headline = (
        f"SLA: {report.total.cases} cases created {span}; wall-clock hours; "
        f"open and overdue as of {report.now:%Y-%m-%d %H:%M} UTC"
    )
    nothing = f"no cases in this range ({span})"
    return show(
        args, report.is_empty, headline, nothing, sla_tables(report), SLA_CSV_HEADERS, sla_csv_rows(report)
    )


def show(
    args: argparse.Namespace,
    empty: bool,
    headline: str,
    nothing: str,
    tables: list[Table],
    csv_headers: Sequence[str],
    csv_rows: list[list],
) -> int:
    """Print the tables under `headline` (or `nothing` for an empty range); `--csv` writes the rows
    (just the headers when the range is empty, so scripts always find the file)."""
    if empty:
        print(nothing)
    else:
        print(headline)
        for table in tables:
            print()
            print("\n".join(format_table(table)))
    if args.csv is not None:
        write_csv(args.csv, csv_headers, [] if empty else csv_rows)
        print(f"wrote {args.csv}")
    return 0
