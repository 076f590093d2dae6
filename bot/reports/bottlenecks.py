"""Where the time goes: the steps between a case's moments of truth, in total and by team.

The moments, in their canonical order: captured, classified, registered, taken, first reply (an
agent's first message or the bot's answer to a duda), resolved, closed (the first of each) and
surveyed (the customer's last survey answer). Each case of the range is timed from one moment it
has to the next one it has, in the order they happened (the canonical order breaks ties), skipping
those it lacks: a duda the bot answered goes registrado → primera respuesta, an agent's queja
registrado → tomado → primera respuesta, and a duda the bot answered before an agent took it
registrado → primera respuesta → tomado. So no step is ever negative.

The first and last moment of each kind come from one portable SQL query (SQLite and PostgreSQL);
the steps, percentiles (nearest rank, bot.reports.figures) and shares are worked out in Python.
Times are wall-clock hours, not opening hours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from bot.labels import team_label
from bot.reports.command import ReportCommand
from bot.reports.figures import HOUR, MICROSECOND, hours, one_decimal, percentile
from bot.reports.grouped import NO_TEAM_LABEL, TOTAL_LABEL, named_first, within_days
from bot.reports.tables import Table, cell_text
from bot.store.models import RESPONDED, Case, CaseEvent, Team

ZERO = timedelta(0)
ARROW = " → "


@dataclass(frozen=True)
class Moment:
    name: str  # as printed
    kinds: tuple[str, ...]  # the case_events that mark it
    last: bool = False  # the last such event, not the first


MOMENTS = (
    Moment("capturado", ("captured",)),
    Moment("clasificado", ("classified",)),
    Moment("registrado", ("registered",)),
    Moment("tomado", ("taken",)),
    Moment("primera respuesta", RESPONDED),
    Moment("resuelto", ("resolved",)),
    Moment("cerrado", ("closed",)),
    Moment("encuestado", ("survey_answered",), last=True),
)
KINDS = tuple(kind for moment in MOMENTS for kind in moment.kinds)

HEADERS = ("casos", "p50 h", "p90 h", "media h", "% del tiempo")
CSV_HEADERS = ("section", "name", "step", "cases", "p50_hours", "p90_hours", "mean_hours", "time_share_pct")


@dataclass(frozen=True)
class StepRow:
    """One step (from one moment to the next a case has) over the cases of a group."""

    source: str  # the moment it starts at, e.g. "registrado"
    target: str  # the moment it ends at, e.g. "tomado"
    durations: tuple[timedelta, ...]  # one per case that went through the step
    group_time: timedelta  # all the time measured in its group (Total or team): the share's whole

    @property
    def step(self) -> str:
        return f"{self.source}{ARROW}{self.target}"

    @property
    def cases(self) -> int:
        return len(self.durations)

    @property
    def time(self) -> timedelta:
        return sum(self.durations, ZERO)

    @property
    def p50(self) -> float | None:
        return hours(percentile(self.durations, 50))

    @property
    def p90(self) -> float | None:
        return hours(percentile(self.durations, 90))

    @property
    def mean(self) -> float | None:
        return one_decimal(self.time // MICROSECOND, self.cases * (HOUR // MICROSECOND))

    @property
    def time_share_pct(self) -> float | None:
        """This step's part of all the time measured in its group; None when that is 0."""
        return one_decimal(self.time // MICROSECOND, self.group_time // MICROSECOND, scale=100)


@dataclass(frozen=True)
class StepGroup:
    label: str  # Total, or the team
    cases: int  # of the group, measured or not
    steps: tuple[StepRow, ...]  # in canonical order: by the moment they start at, then end at

    @property
    def time(self) -> timedelta:
        return sum((row.time for row in self.steps), ZERO)


@dataclass(frozen=True)
class BottlenecksReport:
    start: date | None
    end: date | None
    total: StepGroup
    teams: list[StepGroup]

    @property
    def is_empty(self) -> bool:
        return self.total.cases == 0

    @property
    def slowest(self) -> StepRow | None:
        """The step with the longest p50 in total; ties: more cases, then the canonical order (`max`
        keeps the first of equals)."""
        return max(self.total.steps, key=lambda row: (percentile(row.durations, 50), row.cases), default=None)


@dataclass(frozen=True)
class CaseMoments:
    """One case as the report sees it: its team and the moments it has, in the order they happened."""

    team: str
    moments: tuple[tuple[int, datetime], ...]  # (index in MOMENTS, when)

    def steps(self) -> list[tuple[tuple[int, int], timedelta]]:
        """((from, to) indexes in MOMENTS, how long) per consecutive pair."""
        pairs = pairwise(self.moments)
        return [((source, target), end - begin) for (source, begin), (target, end) in pairs]


def _moments(firsts: dict[str, datetime], lasts: dict[str, datetime]) -> tuple[tuple[int, datetime], ...]:
    found = []
    for index, moment in enumerate(MOMENTS):
        times = [(lasts if moment.last else firsts)[kind] for kind in moment.kinds if kind in firsts]
        if times:
            found.append((index, max(times) if moment.last else min(times)))
    return tuple(sorted(found, key=lambda found_at: (found_at[1], found_at[0])))


def case_moments(session: Session, start: date | None = None, end: date | None = None) -> list[CaseMoments]:
    """The cases created between `start` and `end` (UTC dates, both included; None: no limit)."""
    query = (
        select(
            Case.id, Team.name, CaseEvent.kind, func.min(CaseEvent.created_at), func.max(CaseEvent.created_at)
        )
        .select_from(Case)
        .outerjoin(Team, Case.team_id == Team.id)
        .outerjoin(CaseEvent, and_(CaseEvent.case_id == Case.id, CaseEvent.kind.in_(KINDS)))
        .group_by(Case.id, Team.name, CaseEvent.kind)
    )
    teams: dict[int, str | None] = {}
    firsts: dict[int, dict[str, datetime]] = defaultdict(dict)
    lasts: dict[int, dict[str, datetime]] = defaultdict(dict)
    for case_id, team, kind, first_at, last_at in session.execute(
        within_days(query, Case.created_at, start, end)
    ):
        teams[case_id] = team
        if kind is not None:
            firsts[case_id][kind], lasts[case_id][kind] = first_at, last_at
    return [
        CaseMoments(
            NO_TEAM_LABEL if team is None else team_label(team), _moments(firsts[case_id], lasts[case_id])
        )
        for case_id, team in sorted(teams.items())
    ]


def _group(label: str, cases: Iterable[CaseMoments]) -> StepGroup:
    cases = list(cases)
    durations: dict[tuple[int, int], list[timedelta]] = defaultdict(list)
    for case in cases:
        for pair, elapsed in case.steps():
            durations[pair].append(elapsed)
    group_time = sum((sum(times, ZERO) for times in durations.values()), ZERO)
    steps = tuple(
        StepRow(MOMENTS[source].name, MOMENTS[target].name, tuple(durations[source, target]), group_time)
        for source, target in sorted(durations)
    )
    return StepGroup(label, len(cases), steps)


def bottlenecks_report(
    session: Session, start: date | None = None, end: date | None = None
) -> BottlenecksReport:
    """The cases created between `start` and `end` (UTC dates, both days included; None: no limit)."""
    cases = case_moments(session, start, end)
    by_team: dict[str, list[CaseMoments]] = defaultdict(list)
    for case in cases:
        by_team[case.team].append(case)
    teams = [_group(team, members) for team, members in by_team.items()]
    return BottlenecksReport(start, end, _group(TOTAL_LABEL, cases), named_first(teams, NO_TEAM_LABEL))


def _cells(row: StepRow) -> list[str]:
    return [
        str(row.cases),
        cell_text(row.p50),
        cell_text(row.p90),
        cell_text(row.mean),
        cell_text(row.time_share_pct, "%"),
    ]


def bottlenecks_tables(report: BottlenecksReport) -> list[Table]:
    """Total and Por equipo, as printed by `python -m bot report bottlenecks`."""
    return [
        Table("Total", ("paso", *HEADERS), [[row.step, *_cells(row)] for row in report.total.steps]),
        Table(
            "Por equipo",
            ("equipo", "paso", *HEADERS),
            [[team.label, row.step, *_cells(row)] for team in report.teams for row in team.steps],
        ),
    ]


def bottlenecks_csv_rows(report: BottlenecksReport) -> list[list]:
    """One row per step of each group, under CSV_HEADERS; `section` is total or team."""
    groups = [("total", report.total), *(("team", team) for team in report.teams)]
    return [
        [section, group.label, row.step, row.cases, row.p50, row.p90, row.mean, row.time_share_pct]
        for section, group in groups
        for row in group.steps
    ]


def _headline(report: BottlenecksReport, span: str) -> str:
    slowest = report.slowest
    found = "no step measured" if slowest is None else f"slowest step (p50): {slowest.step}, {slowest.p50} h"
    return f"Bottlenecks: {report.total.cases} cases created {span}; wall-clock hours; {found}"


COMMAND = ReportCommand(
    name="bottlenecks",
    help="where the time goes: hours between a case's moments of truth, total and by team",
    description="Cases created in the range (whole days, as UTC dates, not the service's time "
    "zone), timed between the moments each has, in this order: captured, classified, registered, "
    "taken, first reply, resolved, closed, surveyed (last answer). Per step: cases, p50 and p90 "
    "(nearest rank) and mean wall-clock hours, and its share of all the time measured. Moments are "
    "taken in the order they happened, so a duda the bot answered before an agent took it goes "
    "registrado → primera respuesta → tomado.",
    build=bottlenecks_report,
    headline=_headline,
    nothing="no cases",
    tables=bottlenecks_tables,
    csv_headers=CSV_HEADERS,
    csv_rows=bottlenecks_csv_rows,
)
