"""What a report command is: how `python -m bot report <name>` builds, prints and exports it.

Each report module declares one `COMMAND`; `bot.reports.cli.REPORTS` lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy.orm import Session

from bot.reports.tables import Table


class Report(Protocol):
    @property
    def is_empty(self) -> bool: ...


@dataclass(frozen=True)
class ReportCommand:
    name: str
    help: str  # one line, in `python -m bot report --help`
    description: str  # what is counted and how, in `python -m bot report <name> --help`
    build: Callable[[Session, date | None, date | None], Any]  # (session, from, to) → the report
    headline: Callable[[Any, str], str]  # (report, "from … to …") → the line above the tables
    nothing: str  # what was not found in an empty range, e.g. "no cases"
    tables: Callable[[Any], list[Table]]
    csv_headers: Sequence[str]
    csv_rows: Callable[[Any], list[list]]
