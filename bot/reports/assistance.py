"""How agents use the suggested answers (bot/desk/assist.py), by ISO week and team: how many were
shown, sent as they were, edited or ignored, and each case's first response time (from the case's
escalation, or its registration if it was never escalated, to a person's first message) for cases
whose first response used a suggestion and for those whose did not."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.assist.kinds import EDITED, IGNORED, SENT, SHOWN, USED
from bot.labels import team_label
from bot.reports.command import ReportCommand
from bot.reports.figures import one_decimal, percentile
from bot.reports.grouped import NO_TEAM_LABEL, TOTAL_LABEL, within_days
from bot.reports.tables import Table, cell_text
from bot.store.models import Case, CaseEvent, Team

FIRST_RESPONSE = "first_response"
ESCALATED = "escalated"
SAME_MOMENT = timedelta(seconds=5)  # a suggestion sent this close to the first response was it

HEADERS = (
    "semana", "equipo", "sugeridas", "tal cual", "editadas", "ignoradas", "% usadas",
    "1ª resp. con (min)", "1ª resp. sin (min)", "casos con", "casos sin",
)  # fmt: skip
CSV_HEADERS = (
    "week", "team", "shown", "sent", "edited", "ignored", "used_pct",
    "first_response_p50_with_min", "first_response_p50_without_min", "cases_with", "cases_without",
)  # fmt: skip


@dataclass
class AssistRow:
    week: str
    team: str
    counts: dict[str, int] = field(default_factory=lambda: {SHOWN: 0, SENT: 0, EDITED: 0, IGNORED: 0})
    with_suggestion: list[float] = field(default_factory=list)  # first response minutes
    without: list[float] = field(default_factory=list)

    @property
    def used_pct(self) -> float | None:
        return one_decimal(self.counts[SENT] + self.counts[EDITED], self.counts[SHOWN], scale=100)

    def add(self, other: AssistRow) -> None:
        for kind, count in other.counts.items():
            self.counts[kind] += count
        self.with_suggestion += other.with_suggestion
        self.without += other.without


@dataclass(frozen=True)
class AssistReport:
    start: date | None
    end: date | None
    total: AssistRow
    rows: list[AssistRow]

    @property
    def is_empty(self) -> bool:
        return not self.rows


def week_of(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def assistance_report(session: Session, start: date | None = None, end: date | None = None) -> AssistReport:
    """Suggestion events and first responses between `start` and `end` (UTC dates, both included)."""
    rows: dict[tuple[str, str], AssistRow] = {}

    def row(moment: datetime, team: str | None) -> AssistRow:
        key = (week_of(moment), NO_TEAM_LABEL if team is None else team_label(team))
        return rows.setdefault(key, AssistRow(*key))

    suggested = (
        select(CaseEvent.kind, CaseEvent.created_at, Team.name)
        .join(Case, CaseEvent.case_id == Case.id)
        .outerjoin(Team, Case.team_id == Team.id)
        .where(CaseEvent.kind.in_((SHOWN, SENT, EDITED, IGNORED)))
    )
    for kind, at, team in session.execute(within_days(suggested, CaseEvent.created_at, start, end)):
        row(at, team).counts[kind] += 1
    for at, team, minutes, used in first_responses(session, start, end):
        target = row(at, team)
        (target.with_suggestion if used else target.without).append(minutes)
    ordered = sorted(rows.values(), key=lambda r: (r.week, r.team == NO_TEAM_LABEL, r.team.casefold()))
    total = AssistRow("", TOTAL_LABEL)
    for each in ordered:
        total.add(each)
    return AssistReport(start, end, total, ordered)


def first_responses(
    session: Session, start: date | None, end: date | None
) -> list[tuple[datetime, str | None, float, bool]]:
    """(when, team, minutes since a person was asked for, whether a suggestion was it) per case."""
    answered = (
        select(CaseEvent.case_id, CaseEvent.created_at, Case.created_at, Team.name)
        .join(Case, CaseEvent.case_id == Case.id)
        .outerjoin(Team, Case.team_id == Team.id)
        .where(CaseEvent.kind == FIRST_RESPONSE)
    )
    found = list(session.execute(within_days(answered, CaseEvent.created_at, start, end)))
    ids = [case_id for case_id, *_ in found]
    asked, used = defaultdict(list), defaultdict(list)
    for case_id, kind, at in session.execute(
        select(CaseEvent.case_id, CaseEvent.kind, CaseEvent.created_at).where(
            CaseEvent.case_id.in_(ids), CaseEvent.kind.in_((ESCALATED, *USED))
        )
    ):
        (asked if kind == ESCALATED else used)[case_id].append(at)
    result = []
    for case_id, answered_at, registered_at, team in found:
        since = min((at for at in asked[case_id] if at <= answered_at), default=registered_at)
        with_one = any(abs(at - answered_at) <= SAME_MOMENT for at in used[case_id])
        result.append((answered_at, team, (answered_at - since).total_seconds() / 60, with_one))
    return result


def p50_minutes(values: list[float]) -> float | None:
    middle = percentile(values, 50)
    return None if middle is None else round(middle, 1)


def _values(row: AssistRow) -> list:
    c = row.counts
    first = [p50_minutes(row.with_suggestion), p50_minutes(row.without)]
    cases = [len(row.with_suggestion), len(row.without)]
    return [row.week, row.team, c[SHOWN], c[SENT], c[EDITED], c[IGNORED], row.used_pct, *first, *cases]


def assistance_tables(report: AssistReport) -> list[Table]:
    def cells(row: AssistRow) -> list[str]:
        values = _values(row)
        return [
            *(cell_text(value) for value in values[:6]),
            cell_text(values[6], "%"),
            *map(cell_text, values[7:]),
        ]

    return [
        Table("Total", HEADERS, [cells(report.total)]),
        Table("Por semana y equipo", HEADERS, [cells(row) for row in report.rows]),
    ]


def assistance_csv_rows(report: AssistReport) -> list[list]:
    return [_values(row) for row in [*report.rows, report.total]]


COMMAND = ReportCommand(
    name="asistencia",
    help="suggested answers: shown, sent as is, edited, ignored; first response with and without one",
    description="Agent assist by ISO week and team (the case's): suggestions shown, sent as they were, "
    "edited (the agent's next message resembled one) and ignored, the share used, and the median first "
    "response in minutes (from escalation, else registration, to a person's first message) of cases "
    "whose first response was a suggestion and of the others. Whole UTC days.",
    build=assistance_report,
    headline=lambda report, span: f"Agent assist: {report.total.counts[SHOWN]} suggestions shown {span}",
    nothing="no suggestions and no first responses",
    tables=assistance_tables,
    csv_headers=CSV_HEADERS,
    csv_rows=assistance_csv_rows,
)
