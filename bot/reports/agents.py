"""Which agent best meets the deadlines: the cases created in a range, by the agent they are
assigned to — handled, resolved, % resolved on time, first response p50, CSAT, reopened and
escalated to supervision.

Every active agent has a row, even without cases (an idle agent is worth seeing); the cases nobody
took have their own row, last. Deadlines, first answers and resolutions are report sla's facts
(bot.reports.sla.case_facts, same rules); what this report adds — ratings, reopened cases, levels
reached — is counted in one portable SQL query per grouping (`service_counts`, shared with report
teams). Times are wall-clock hours; percentiles are nearest-rank (bot.reports.figures).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import astuple, dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from bot.labels import team_label
from bot.reports.command import ReportCommand
from bot.reports.figures import one_decimal
from bot.reports.grouped import NO_AGENT_LABEL, TOTAL_LABEL, named_first, within_days
from bot.reports.sla import RESOLVED, CaseFacts, SlaRow, case_facts, first_event_times, sla_row
from bot.reports.tables import Table, cell_text
from bot.store.models import Agent, Case, Level, Survey, Team, utcnow

REOPENED = "reopened"

HEADERS = (
    "equipo",
    "casos",
    "resueltos",
    "% resuelto a tiempo",
    "1ª resp. p50 h",
    "CSAT medio",
    "valoraciones",
    "% reabiertos",
    "a supervisión",
)
CSV_HEADERS = (
    "group",
    "name",
    "team",
    "cases",
    "resolved",
    "resolution_on_time_pct",
    "first_response_p50_hours",
    "csat_average",
    "csat_answered",
    "reopened_pct",
    "escalated_to_supervision",
)


@dataclass(frozen=True)
class Counts:
    """What is counted in SQL for a group of cases, on top of report sla's facts."""

    handed: int = 0  # reached level 2 or 3: a person had them, not the bot alone
    supervised: int = 0  # reached level 3 (supervision)
    rated: int = 0  # their surveys with a CSAT rating
    csat_sum: int = 0
    reopened: int = 0  # resolved, then reopened by the customer in the survey

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(mine + theirs for mine, theirs in zip(astuple(self), astuple(other), strict=True)))


@dataclass(frozen=True)
class ServiceRow:
    """A group of cases: report sla's figures and the counts above, with the shares derived."""

    label: str
    sla: SlaRow
    counts: Counts

    @property
    def handed_pct(self) -> float | None:
        return one_decimal(self.counts.handed, self.sla.cases, scale=100)

    @property
    def csat_average(self) -> float | None:
        return one_decimal(self.counts.csat_sum, self.counts.rated)

    @property
    def reopened_pct(self) -> float | None:
        """The share of the resolved cases that the customer reopened."""
        return one_decimal(self.counts.reopened, self.sla.resolved, scale=100)


@dataclass(frozen=True)
class AgentRow(ServiceRow):
    team: str = ""  # the agent's team; empty for the bot's row and the total


@dataclass(frozen=True)
class AgentsReport:
    start: date | None
    end: date | None
    now: datetime
    total: AgentRow
    agents: list[AgentRow]  # named alphabetically, then the cases nobody took (if any)

    @property
    def is_empty(self) -> bool:
        return self.total.sla.cases == 0


def service_counts(
    session: Session, key: ColumnElement, start: date | None, end: date | None
) -> dict[Hashable, Counts]:
    """`Counts` of the cases created between `start` and `end`, by `key` (a column of the case or
    of its team); portable SQL, no dialect's functions."""
    resolved, reopened = (
        first_event_times((RESOLVED,), "resolved"),
        first_event_times((REOPENED,), "reopened"),
    )
    was_reopened = and_(resolved.c.first_at.is_not(None), reopened.c.first_at.is_not(None))
    query = (
        select(
            key,
            func.count(case((Case.level >= int(Level.AGENT), 1))),
            func.count(case((Case.level >= int(Level.SUPERVISOR), 1))),
            func.count(Survey.csat),
            func.coalesce(func.sum(Survey.csat), 0),
            func.count(case((was_reopened, 1))),
        )
        .select_from(Case)
        .outerjoin(Team, Case.team_id == Team.id)
        .outerjoin(Survey, Survey.case_id == Case.id)
        .outerjoin(resolved, resolved.c.case_id == Case.id)
        .outerjoin(reopened, reopened.c.case_id == Case.id)
        .group_by(key)
    )
    return {
        group: Counts(*(int(value) for value in figures))
        for group, *figures in session.execute(within_days(query, Case.created_at, start, end))
    }


def cases_by(
    cases: Iterable[CaseFacts], key: Callable[[CaseFacts], Hashable]
) -> dict[Hashable, list[CaseFacts]]:
    """The cases by `key`, each group in the order given."""
    groups: dict[Hashable, list[CaseFacts]] = defaultdict(list)
    for facts in cases:
        groups[key(facts)].append(facts)
    return groups


def _agents(session: Session, with_cases: Iterable[Hashable]) -> list[tuple[int, str, str]]:
    """(id, name, team) of the active agents and of any other agent who has cases in the range."""
    ids = [agent_id for agent_id in with_cases if agent_id is not None]
    query = (
        select(Agent.id, Agent.name, Team.name)
        .join(Team, Agent.team_id == Team.id)
        .where(or_(Agent.active.is_(True), Agent.id.in_(ids)))
    )
    return [(agent_id, name, team_label(team)) for agent_id, name, team in session.execute(query)]


def agents_report(
    session: Session, start: date | None = None, end: date | None = None, now: datetime | None = None
) -> AgentsReport:
    """The cases created between `start` and `end` (UTC dates, both days included; None: no limit),
    by assigned agent; `now` (naive UTC, default the current time) only stamps the report."""
    now = now or utcnow()
    cases = case_facts(session, start, end)
    counts = service_counts(session, Case.assigned_agent_id, start, end)
    by_agent = cases_by(cases, lambda facts: facts.agent_key)

    def row(key: Hashable, label: str, team: str = "") -> AgentRow:
        return AgentRow(label, sla_row(label, by_agent.get(key, []), now), counts.get(key, Counts()), team)

    agents = [row(agent_id, name, team) for agent_id, name, team in _agents(session, by_agent)]
    if None in by_agent:
        agents.append(row(None, NO_AGENT_LABEL))
    total = AgentRow(TOTAL_LABEL, sla_row(TOTAL_LABEL, cases, now), sum(counts.values(), Counts()))
    return AgentsReport(start, end, now, total, named_first(agents, NO_AGENT_LABEL))


def _cells(row: AgentRow) -> list[str]:
    return [
        row.label,
        row.team,
        str(row.sla.cases),
        str(row.sla.resolved),
        cell_text(row.sla.resolution_on_time_pct, "%"),
        cell_text(row.sla.response_p50),
        cell_text(row.csat_average),
        str(row.counts.rated),
        cell_text(row.reopened_pct, "%"),
        str(row.counts.supervised),
    ]


def agents_tables(report: AgentsReport) -> list[Table]:
    """One table, Por agente, with the total last, as printed by `python -m bot report agents`."""
    rows = [_cells(row) for row in [*report.agents, report.total]]
    return [Table("Por agente", ("agente", *HEADERS), rows)]


def agents_csv_rows(report: AgentsReport) -> list[list]:
    """The printed rows under CSV_HEADERS; `group` is agent or total."""
    return [["agent", *_values(row)] for row in report.agents] + [["total", *_values(report.total)]]


def _values(row: AgentRow) -> list:
    return [
        row.label,
        row.team or None,
        row.sla.cases,
        row.sla.resolved,
        row.sla.resolution_on_time_pct,
        row.sla.response_p50,
        row.csat_average,
        row.counts.rated,
        row.reopened_pct,
        row.counts.supervised,
    ]


COMMAND = ReportCommand(
    name="agents",
    help="by assigned agent: cases, resolved on time, first response, CSAT, reopened, supervision",
    description="Cases created in the range (whole days, as UTC dates, not the service's time "
    "zone), by the agent they are assigned to; every active agent is listed, even without cases, "
    "and the cases nobody took are in 'Sin agente (bot)'. Resolved, % resolved on time (by the "
    "resolution deadline, among resolved cases that have one), first-response p50 (nearest rank, "
    "wall-clock hours since the case was created), CSAT average and ratings from those cases' "
    "surveys, % of the resolved cases reopened by the customer, and cases escalated to "
    "supervision (level 3). Agents in alphabetical order.",
    build=agents_report,
    headline=lambda report, span: (
        f"Agents: {report.total.sla.cases} cases created {span}, by assigned agent; wall-clock hours"
    ),
    nothing="no cases",
    tables=agents_tables,
    csv_headers=CSV_HEADERS,
    csv_rows=agents_csv_rows,
)
