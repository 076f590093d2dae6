"""Service levels of the cases created in a range: first response and resolution against their
deadlines, and the open backlog, in total, by team and by agent.

The facts of each case (its deadlines, its first answer and its first resolution) come from one
portable SQL query (SQLite and PostgreSQL); percentiles, shares on time and the backlog are worked
out from them in Python. Times are wall-clock elapsed hours since the case was created, not
opening hours (the deadlines themselves are set in opening hours by sla.yml).

Percentiles are nearest-rank (bot.reports.figures).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from bot.labels import team_label
from bot.reports.command import ReportCommand
from bot.reports.figures import hours, one_decimal, percentile
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
from bot.store.models import OPEN_STATUSES, RESPONDED, Agent, Case, CaseEvent, Team, utcnow

RESOLVED = "resolved"
OPEN = frozenset(status.value for status in OPEN_STATUSES)

HEADERS = (
    "casos",
    "con 1ª resp.",
    "1ª resp. p50 h",
    "1ª resp. p90 h",
    "% 1ª resp. a tiempo",
    "resueltos",
    "resolución p50 h",
    "resolución p90 h",
    "% resuelto a tiempo",
    "abiertos",
    "vencidos",
)
CSV_HEADERS = (
    "group",
    "name",
    "cases",
    "responded",
    "first_response_p50_hours",
    "first_response_p90_hours",
    "first_response_on_time_pct",
    "resolved",
    "resolution_p50_hours",
    "resolution_p90_hours",
    "resolution_on_time_pct",
    "open",
    "open_overdue",
)

PERSON_ANSWERED = "first_response"  # the event an agent's first message to the customer records


@dataclass(frozen=True)
class CaseFacts:
    """One case as the report sees it; `*_at` are the first such moments, None if none yet."""

    team: str
    agent_key: Hashable  # the agent's id, None when no agent has it
    agent: str
    created_at: datetime
    first_response_due: datetime | None
    first_response_at: datetime | None
    resolution_due: datetime | None
    resolved_at: datetime | None
    is_open: bool
    person_response_at: datetime | None = None  # a person's first answer (not the bot's FAQ answer)


@dataclass(frozen=True)
class SlaRow:
    label: str
    cases: int
    response_times: tuple[timedelta, ...]  # of the cases with a first response
    responses_on_time: int
    responses_with_due: int  # first responses of cases that had a first-response deadline
    resolution_times: tuple[timedelta, ...]  # of the resolved cases
    resolutions_on_time: int
    resolutions_with_due: int
    open: int
    overdue: int  # open and past the resolution deadline

    @property
    def responded(self) -> int:
        return len(self.response_times)

    @property
    def resolved(self) -> int:
        return len(self.resolution_times)

    @property
    def response_p50(self) -> float | None:
        return hours(percentile(self.response_times, 50))

    @property
    def response_p90(self) -> float | None:
        return hours(percentile(self.response_times, 90))

    @property
    def response_on_time_pct(self) -> float | None:
        return one_decimal(self.responses_on_time, self.responses_with_due, scale=100)

    @property
    def resolution_p50(self) -> float | None:
        return hours(percentile(self.resolution_times, 50))

    @property
    def resolution_p90(self) -> float | None:
        return hours(percentile(self.resolution_times, 90))

    @property
    def resolution_on_time_pct(self) -> float | None:
        return one_decimal(self.resolutions_on_time, self.resolutions_with_due, scale=100)


@dataclass(frozen=True)
class SlaReport:
    start: date | None
    end: date | None
    now: datetime
    total: SlaRow
    teams: list[SlaRow]
    agents: list[SlaRow]

    @property
    def is_empty(self) -> bool:
        return self.total.cases == 0


def sla_row(label: str, cases: Iterable[CaseFacts], now: datetime) -> SlaRow:
    """The SLA figures of `cases` under `label`, at `now` (for what is still open and overdue)."""
    cases = list(cases)
    responded = [case for case in cases if case.first_response_at is not None]
    resolved = [case for case in cases if case.resolved_at is not None]
    responded_with_due = [case for case in responded if case.first_response_due is not None]
    resolved_with_due = [case for case in resolved if case.resolution_due is not None]
    still_open = [case for case in cases if case.is_open]
    return SlaRow(
        label=label,
        cases=len(cases),
        response_times=tuple(case.first_response_at - case.created_at for case in responded),
        responses_on_time=sum(
            case.first_response_at <= case.first_response_due for case in responded_with_due
        ),
        responses_with_due=len(responded_with_due),
        resolution_times=tuple(case.resolved_at - case.created_at for case in resolved),
        resolutions_on_time=sum(case.resolved_at <= case.resolution_due for case in resolved_with_due),
        resolutions_with_due=len(resolved_with_due),
        open=len(still_open),
        overdue=sum(case.resolution_due is not None and case.resolution_due < now for case in still_open),
    )


def _grouped(
    cases: list[CaseFacts], group: Callable[[CaseFacts], tuple[Hashable, str]], unnamed: str, now: datetime
) -> list[SlaRow]:
    """One row per (key, label) of `group`; named rows first, alphabetically, then `unnamed`."""
    groups: dict[tuple[Hashable, str], list[CaseFacts]] = defaultdict(list)
    for case in cases:
        groups[group(case)].append(case)
    return named_first([sla_row(label, members, now) for (_, label), members in groups.items()], unnamed)


def first_event_times(kinds: tuple[str, ...], name: str) -> Subquery:
    """Per case, the earliest event of one of `kinds`: a subquery `name` of (case_id, first_at)."""
    return (
        select(CaseEvent.case_id, func.min(CaseEvent.created_at).label("first_at"))
        .where(CaseEvent.kind.in_(kinds))
        .group_by(CaseEvent.case_id)
        .subquery(name)
    )


def case_facts(session: Session, start: date | None = None, end: date | None = None) -> list[CaseFacts]:
    """The cases created between `start` and `end` (UTC dates, both included; None: no limit)."""
    responded, resolved, person = (
        first_event_times(RESPONDED, "responded"),
        first_event_times((RESOLVED,), "resolved"),
        first_event_times((PERSON_ANSWERED,), "person_responded"),
    )
    query = (
        select(
            Team.name,
            Case.assigned_agent_id,
            Agent.name,
            Case.created_at,
            Case.first_response_due,
            responded.c.first_at,
            Case.sla_due_at,
            resolved.c.first_at,
            Case.status,
            person.c.first_at,
        )
        .select_from(Case)
        .outerjoin(Team, Case.team_id == Team.id)
        .outerjoin(Agent, Case.assigned_agent_id == Agent.id)
        .outerjoin(responded, responded.c.case_id == Case.id)
        .outerjoin(resolved, resolved.c.case_id == Case.id)
        .outerjoin(person, person.c.case_id == Case.id)
        .order_by(Case.id)
    )
    return [
        CaseFacts(
            team=NO_TEAM_LABEL if team is None else team_label(team),
            agent_key=agent_id,
            agent=NO_AGENT_LABEL if agent_id is None else agent,
            created_at=created_at,
            first_response_due=first_response_due,
            first_response_at=first_response_at,
            resolution_due=resolution_due,
            resolved_at=resolved_at,
            is_open=status in OPEN,
            person_response_at=person_response_at,
        )
        for (
            team,
            agent_id,
            agent,
            created_at,
            first_response_due,
            first_response_at,
            resolution_due,
            resolved_at,
            status,
            person_response_at,
        ) in session.execute(within_days(query, Case.created_at, start, end))
    ]


def sla_report(
    session: Session, start: date | None = None, end: date | None = None, now: datetime | None = None
) -> SlaReport:
    """The cases created between `start` and `end` (UTC dates, both days included; None: no limit);
    the backlog is counted at `now` (naive UTC; default: the current time)."""
    now = now or utcnow()
    cases = case_facts(session, start, end)
    return SlaReport(
        start,
        end,
        now,
        sla_row(TOTAL_LABEL, cases, now),
        _grouped(cases, lambda case: (case.team, case.team), NO_TEAM_LABEL, now),
        _grouped(cases, lambda case: (case.agent_key, case.agent), NO_AGENT_LABEL, now),
    )


def _cells(row: SlaRow) -> list[str]:
    return [
        row.label,
        str(row.cases),
        str(row.responded),
        cell_text(row.response_p50),
        cell_text(row.response_p90),
        cell_text(row.response_on_time_pct, "%"),
        str(row.resolved),
        cell_text(row.resolution_p50),
        cell_text(row.resolution_p90),
        cell_text(row.resolution_on_time_pct, "%"),
        str(row.open),
        str(row.overdue),
    ]


def sla_tables(report: SlaReport) -> list[Table]:
    """Total, Por equipo and Por agente, as printed by `python -m bot report sla`."""
    return grouped_tables(report, HEADERS, _cells)


def sla_csv_rows(report: SlaReport) -> list[list]:
    """One row per group, under CSV_HEADERS; `group` is total, team or agent."""
    return grouped_csv_rows(report, _values)


def _values(row: SlaRow) -> list:
    return [
        row.label,
        row.cases,
        row.responded,
        row.response_p50,
        row.response_p90,
        row.response_on_time_pct,
        row.resolved,
        row.resolution_p50,
        row.resolution_p90,
        row.resolution_on_time_pct,
        row.open,
        row.overdue,
    ]


COMMAND = ReportCommand(
    name="sla",
    help="first response and resolution against their deadlines, and the open backlog",
    description="Cases created in the range (whole days, as UTC dates, not the service's time "
    "zone): first-response and resolution times p50 and p90 (nearest rank) and % on time, "
    "open cases now and how many of them are past their resolution deadline. Times are "
    "wall-clock hours elapsed since the case was created, not opening hours.",
    build=sla_report,
    headline=lambda report, span: (
        f"SLA: {report.total.cases} cases created {span}; wall-clock hours; "
        f"open and overdue as of {report.now:%Y-%m-%d %H:%M} UTC"
    ),
    nothing="no cases",
    tables=sla_tables,
    csv_headers=CSV_HEADERS,
    csv_rows=sla_csv_rows,
)
