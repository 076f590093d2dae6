"""What every report "in total, by team and by agent" shares: the range of whole UTC days, the
order of its rows, its three printed tables and its CSV rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy.sql import ColumnElement, Select

from bot.reports.tables import Table

TOTAL_LABEL = "Total"
NO_AGENT_LABEL = "Sin agente (bot)"
NO_TEAM_LABEL = "Sin equipo"

Row = TypeVar("Row")


class Grouped(Protocol):
    total: Any
    teams: Sequence[Any]
    agents: Sequence[Any]


def within_days(query: Select, column: ColumnElement, start: date | None, end: date | None) -> Select:
    """Whole UTC days: from `start` 00:00 to `end` 23:59:59.999… (the store keeps naive UTC)."""
    if start is not None:
        query = query.where(column >= datetime.combine(start, time.min))
    if end is not None:
        query = query.where(column < datetime.combine(end + timedelta(days=1), time.min))
    return query


def named_first(rows: list[Row], unnamed: str) -> list[Row]:
    """Named rows alphabetically, then the `unnamed` one (no team, no agent)."""
    return sorted(rows, key=lambda row: (row.label == unnamed, row.label.casefold()))


def grouped_tables(report: Grouped, headers: Sequence[str], cells: Callable[[Any], list[str]]) -> list[Table]:
    """Total, Por equipo and Por agente, as the report commands print them."""
    return [
        Table("Total", ("", *headers), [cells(report.total)]),
        Table("Por equipo", ("equipo", *headers), [cells(row) for row in report.teams]),
        Table("Por agente", ("agente", *headers), [cells(row) for row in report.agents]),
    ]


def grouped_csv_rows(report: Grouped, values: Callable[[Any], list]) -> list[list]:
    """One row per group, led by its `group` (total, team or agent), then `values(row)`."""
    groups = [("total", [report.total]), ("team", report.teams), ("agent", report.agents)]
    return [[group, *values(row)] for group, rows in groups for row in rows]
