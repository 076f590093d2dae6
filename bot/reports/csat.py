"""Customer satisfaction from the surveys run when cases close: in total, by team and by agent.

Counts and sums are computed in SQL (portable: SQLite and PostgreSQL); averages and percentages
are derived from them exactly and rounded half up to one decimal, so both databases agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.labels import team_label
from bot.reports.command import ReportCommand
from bot.reports.figures import one_decimal
from bot.reports.grouped import (
    NO_AGENT_LABEL,
    NO_TEAM_LABEL,
    TOTAL_LABEL,
    grouped_csv_rows,
    grouped_tables,
    named_first,
    within_days,
)
from bot.reports.tables import Table, cell_text
from bot.store.models import Agent, Survey, Team

RATINGS = (1, 2, 3, 4, 5)
SATISFIED = (4, 5)

HEADERS = ("encuestas", "respondidas", "CSAT medio", *map(str, RATINGS), "% resuelto", "% CSAT")
CSV_HEADERS = (
    "group",
    "name",
    "surveys",
    "answered",
    "csat_average",
    *(f"csat_{rating}" for rating in RATINGS),
    "resolved_pct",
    "csat_pct",
)


@dataclass(frozen=True)
class CsatRow:
    label: str
    surveys: int
    answered: int  # with a CSAT rating
    csat_sum: int
    distribution: tuple[int, int, int, int, int]  # how many 1, 2, 3, 4 and 5
    resolved_yes: int
    resolved_answered: int  # «¿Se resolvió tu caso?» answered, yes or no

    @property
    def csat_average(self) -> float | None:
        return one_decimal(self.csat_sum, self.answered)

    @property
    def resolved_pct(self) -> float | None:
        return one_decimal(self.resolved_yes, self.resolved_answered, scale=100)

    @property
    def csat_pct(self) -> float | None:
        """The industry's CSAT: the share of ratings that are 4 or 5."""
        satisfied = sum(self.distribution[rating - 1] for rating in SATISFIED)
        return one_decimal(satisfied, sum(self.distribution), scale=100)


@dataclass(frozen=True)
class CsatReport:
    start: date | None
    end: date | None
    total: CsatRow
    teams: list[CsatRow]
    agents: list[CsatRow]

    @property
    def is_empty(self) -> bool:
        return self.total.surveys == 0


def _figures() -> list:
    counted = [func.count(case((Survey.csat == rating, 1))) for rating in RATINGS]
    return [
        func.count(Survey.id),
        func.count(Survey.csat),
        func.coalesce(func.sum(Survey.csat), 0),
        *counted,
        func.count(case((Survey.resolved.is_(True), 1))),
        func.count(Survey.resolved),
    ]


def _row(label: str, figures: Iterable[int]) -> CsatRow:
    surveys, answered, csat_sum, one, two, three, four, five, resolved_yes, resolved_answered = (
        int(value) for value in figures
    )
    return CsatRow(
        label, surveys, answered, csat_sum, (one, two, three, four, five), resolved_yes, resolved_answered
    )


def csat_report(session: Session, start: date | None = None, end: date | None = None) -> CsatReport:
    """The surveys created between `start` and `end` (UTC dates, both days included; None: no limit)."""
    total = session.execute(within_days(select(*_figures()), Survey.created_at, start, end)).one()
    by_team = (
        select(Team.name, *_figures())
        .select_from(Survey)
        .outerjoin(Team, Survey.team_id == Team.id)
        .group_by(Team.name)
    )
    by_agent = (
        select(Survey.agent_id, Agent.name, *_figures())
        .select_from(Survey)
        .outerjoin(Agent, Survey.agent_id == Agent.id)
        .group_by(Survey.agent_id, Agent.name)
    )
    teams = [
        _row(NO_TEAM_LABEL if name is None else team_label(name), figures)
        for name, *figures in session.execute(within_days(by_team, Survey.created_at, start, end))
    ]
    agents = [
        _row(NO_AGENT_LABEL if agent_id is None else name, figures)
        for agent_id, name, *figures in session.execute(within_days(by_agent, Survey.created_at, start, end))
    ]
    return CsatReport(
        start,
        end,
        _row(TOTAL_LABEL, total),
        named_first(teams, NO_TEAM_LABEL),
        named_first(agents, NO_AGENT_LABEL),
    )


def _cells(row: CsatRow) -> list[str]:
    return [
        row.label,
        str(row.surveys),
        str(row.answered),
        cell_text(row.csat_average),
        *map(str, row.distribution),
        cell_text(row.resolved_pct, "%"),
        cell_text(row.csat_pct, "%"),
    ]


def csat_tables(report: CsatReport) -> list[Table]:
    """Total, Por equipo and Por agente, as printed by `python -m bot report csat`."""
    return grouped_tables(report, HEADERS, _cells)


def csat_csv_rows(report: CsatReport) -> list[list]:
    """One row per group, under CSV_HEADERS; `group` is total, team or agent."""
    return grouped_csv_rows(report, _values)


def _values(row: CsatRow) -> list:
    return [
        row.label,
        row.surveys,
        row.answered,
        row.csat_average,
        *row.distribution,
        row.resolved_pct,
        row.csat_pct,
    ]


COMMAND = ReportCommand(
    name="csat",
    help="customer satisfaction from the closing surveys: total, by team, by agent",
    description="Satisfaction surveys created in the range (whole days, as UTC dates, not the "
    "service's time zone): count, answers, average rating, ratings 1-5, % resolved and CSAT % "
    "(share of ratings 4 or 5).",
    build=csat_report,
    headline=lambda report, span: f"CSAT: {report.total.surveys} surveys created {span}",
    nothing="no surveys",
    tables=csat_tables,
    csv_headers=CSV_HEADERS,
    csv_rows=csat_csv_rows,
)
