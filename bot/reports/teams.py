"""Which team responds fastest: the cases created in a range, by the team that owns them — % handed
to a person, first response p50 and p90, resolution p50, % resolved on time, the open backlog now,
CSAT and reopened cases. The headline names the team with the lowest first-response p50.

Deadlines, first answers and resolutions are report sla's facts (bot.reports.sla.case_facts, same
rules); the rest is counted in SQL by report agents' `service_counts`. Times are wall-clock hours;
percentiles are nearest-rank (bot.reports.figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.labels import team_label
from bot.reports.agents import Counts, ServiceRow, cases_by, service_counts
from bot.reports.command import ReportCommand
from bot.reports.figures import hours, percentile
from bot.reports.grouped import NO_TEAM_LABEL, TOTAL_LABEL, named_first
from bot.reports.sla import CaseFacts, case_facts, sla_row
from bot.reports.tables import Table, cell_text
from bot.store.models import Team, utcnow

HEADERS = (
    "casos",
    "% a persona",
    "1ª resp. p50 h",
    "1ª resp. p90 h",
    "resolución p50 h",
    "% resuelto a tiempo",
    "abiertos",
    "vencidos",
    "CSAT medio",
    "% reabiertos",
)
CSV_HEADERS = (
    "group",
    "name",
    "cases",
    "handed_to_person_pct",
    "first_response_p50_hours",
    "first_response_p90_hours",
    "resolution_p50_hours",
    "resolution_on_time_pct",
    "open",
    "open_overdue",
    "csat_average",
    "reopened_pct",
)


@dataclass(frozen=True)
class TeamsReport:
    start: date | None
    end: date | None
    now: datetime
    total: ServiceRow
    teams: list[ServiceRow]  # alphabetically, then the cases without a team (if any)
    person_response_p50: dict[str, float]  # by team: hours to a person's first answer (p50)

    @property
    def is_empty(self) -> bool:
        return self.total.sla.cases == 0

    @property
    def fastest(self) -> ServiceRow | None:
        """The team whose people answer first (p50 as printed; the bot's FAQ answers are not a
        team's); ties alphabetically; None if no person answered (the cases without a team are no team)."""
        answered = [
            row for row in self.teams if row.label in self.person_response_p50 and row.label != NO_TEAM_LABEL
        ]
        return min(
            answered,
            key=lambda row: (self.person_response_p50[row.label], row.label.casefold()),
            default=None,
        )


def teams_report(
    session: Session, start: date | None = None, end: date | None = None, now: datetime | None = None
) -> TeamsReport:
    """The cases created between `start` and `end` (UTC dates, both days included; None: no limit),
    by team; the backlog is counted at `now` (naive UTC; default: the current time)."""
    now = now or utcnow()
    cases = case_facts(session, start, end)
    counts = {
        NO_TEAM_LABEL if name is None else team_label(name): figures
        for name, figures in service_counts(session, Team.name, start, end).items()
    }
    teams = [
        ServiceRow(label, sla_row(label, members, now), counts.get(label, Counts()))
        for label, members in cases_by(cases, lambda facts: facts.team).items()
    ]
    total = ServiceRow(TOTAL_LABEL, sla_row(TOTAL_LABEL, cases, now), sum(counts.values(), Counts()))
    return TeamsReport(start, end, now, total, named_first(teams, NO_TEAM_LABEL), person_response_p50(cases))


def person_response_p50(cases: list[CaseFacts]) -> dict[str, float]:
    by_team = cases_by([c for c in cases if c.person_response_at], lambda facts: facts.team)
    return {
        team: hours(percentile([c.person_response_at - c.created_at for c in members], 50))
        for team, members in by_team.items()
    }


def teams_headline(report: TeamsReport, span: str) -> str:
    fastest = report.fastest
    winner = (
        "none" if fastest is None else f"{fastest.label} (p50 {report.person_response_p50[fastest.label]} h)"
    )
    return (
        f"Teams: {report.total.sla.cases} cases created {span}; wall-clock hours; open and overdue "
        f"as of {report.now:%Y-%m-%d %H:%M} UTC; fastest first answer by a person: {winner}"
    )


def _cells(row: ServiceRow) -> list[str]:
    return [
        row.label,
        str(row.sla.cases),
        cell_text(row.handed_pct, "%"),
        cell_text(row.sla.response_p50),
        cell_text(row.sla.response_p90),
        cell_text(row.sla.resolution_p50),
        cell_text(row.sla.resolution_on_time_pct, "%"),
        str(row.sla.open),
        str(row.sla.overdue),
        cell_text(row.csat_average),
        cell_text(row.reopened_pct, "%"),
    ]


def teams_tables(report: TeamsReport) -> list[Table]:
    """One table, Por equipo, with the total last, as printed by `python -m bot report teams`."""
    rows = [_cells(row) for row in [*report.teams, report.total]]
    return [Table("Por equipo", ("equipo", *HEADERS), rows)]


def teams_csv_rows(report: TeamsReport) -> list[list]:
    """The printed rows under CSV_HEADERS; `group` is team or total."""
    return [["team", *_values(row)] for row in report.teams] + [["total", *_values(report.total)]]


def _values(row: ServiceRow) -> list:
    return [
        row.label,
        row.sla.cases,
        row.handed_pct,
        row.sla.response_p50,
        row.sla.response_p90,
        row.sla.resolution_p50,
        row.sla.resolution_on_time_pct,
        row.sla.open,
        row.sla.overdue,
        row.csat_average,
        row.reopened_pct,
    ]


COMMAND = ReportCommand(
    name="teams",
    help="by team: handed to a person, first response and resolution times, on time, backlog, CSAT",
    description="Cases created in the range (whole days, as UTC dates, not the service's time "
    "zone), by the team that owns them: % handed to a person (level 2 or 3, not the bot alone), "
    "first-response p50 and p90 and resolution p50 (nearest rank, wall-clock hours since the case "
    "was created), % resolved on time (among resolved cases with a deadline), open cases now and "
    "how many are past their resolution deadline, CSAT average from those cases' surveys and % of "
    "the resolved cases reopened by the customer. The headline names the team with the fastest "
    "first-response p50 (ties alphabetically).",
    build=teams_report,
    headline=teams_headline,
    nothing="no cases",
    tables=teams_tables,
    csv_headers=CSV_HEADERS,
    csv_rows=teams_csv_rows,
)
