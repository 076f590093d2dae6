"""`python -m bot report <name> …`: reports from the case store, printed as tables or saved as CSV.

A new report is a module that declares a `COMMAND` (bot.reports.command), listed in `REPORTS`.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bot.reports import agents, assistance, bottlenecks, csat, sla, teams, volume
from bot.reports.command import ReportCommand
from bot.reports.tables import format_table, write_csv
from bot.store.db import get_session_factory
from bot.store.migrate import migrate

REPORTS: tuple[ReportCommand, ...] = (
    agents.COMMAND,
    assistance.COMMAND,
    bottlenecks.COMMAND,
    csat.COMMAND,
    sla.COMMAND,
    teams.COMMAND,
    volume.COMMAND,
)


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {value!r}: use YYYY-MM-DD, e.g. 2026-01-31") from None


def describe_range(start: date | None, end: date | None) -> str:
    if start and end:
        return f"from {start} to {end} (UTC)"
    if start:
        return f"from {start} (UTC)"
    if end:
        return f"up to {end} (UTC)"
    return "all dates"


def add_report_commands(commands: argparse._SubParsersAction) -> None:
    names = ", ".join(command.name for command in REPORTS)
    report = commands.add_parser("report", help=f"reports from the case store ({names})")
    reports = report.add_subparsers(dest="report", required=True)
    for command in REPORTS:
        parser = reports.add_parser(command.name, help=command.help, description=command.description)
        parser.add_argument(
            "--from", dest="start", type=iso_date, metavar="YYYY-MM-DD", help="first day included (UTC date)"
        )
        parser.add_argument(
            "--to", dest="end", type=iso_date, metavar="YYYY-MM-DD", help="last day included (UTC date)"
        )
        parser.add_argument("--csv", type=Path, metavar="FILE", help="also write every row to FILE (CSV)")
        parser.set_defaults(report_command=command)


def run_report_command(args: argparse.Namespace) -> int:
    if args.start and args.end and args.start > args.end:
        print(f"error: --from {args.start} is after --to {args.end}", file=sys.stderr)
        return 2
    migrate()
    with get_session_factory()() as session:
        show(args.report_command, args.report_command.build(session, args.start, args.end), args)
    return 0


def show(command: ReportCommand, report, args: argparse.Namespace) -> None:
    """Print the tables under their headline (or what was not found); `--csv` writes the rows
    (just the headers when the range is empty, so scripts always find the file)."""
    span = describe_range(args.start, args.end)
    if report.is_empty:
        print(f"{command.nothing} in this range ({span})")
    else:
        print(command.headline(report, span))
        for table in command.tables(report):
            print()
            print("\n".join(format_table(table)))
    if args.csv is not None:
        write_csv(args.csv, command.csv_headers, [] if report.is_empty else command.csv_rows(report))
        print(f"wrote {args.csv}")
