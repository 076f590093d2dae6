"""The console's dashboard: the reports of a range of days (bot.reports), as figures and charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.console.charts import BarChart, ColumnChart, bar_chart, stacked_columns
from bot.labels import label
from bot.reports.agents import AgentsReport, agents_report
from bot.reports.bottlenecks import BottlenecksReport, bottlenecks_report
from bot.reports.csat import CsatReport, csat_report
from bot.reports.grouped import NO_AGENT_LABEL, NO_TEAM_LABEL
from bot.reports.sla import SlaReport, sla_report
from bot.reports.teams import TeamsReport, teams_report
from bot.reports.volume import TYPES, VolumeReport, volume_report

DEFAULT_DAYS = 30
# Dates a report can cover: beyond these, day boundaries overflow and no case can exist anyway.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date
    error: str = ""  # what was wrong with the dates asked for, if anything

    @classmethod
    def from_query(cls, args: dict[str, list[str]], today: date) -> DateRange:
        """`desde` and `hasta` (YYYY-MM-DD, both included); by default the last DEFAULT_DAYS days."""
        default = cls(today - timedelta(days=DEFAULT_DAYS - 1), today)
        start, end = ((args.get(name) or [""])[0].strip() for name in ("desde", "hasta"))
        if not start and not end:
            return default
        try:
            chosen = cls(
                date.fromisoformat(start) if start else default.start,
                date.fromisoformat(end) if end else default.end,
            )
        except ValueError:
            return cls(default.start, default.end, "fecha_invalida")
        if not all(EARLIEST <= day <= LATEST for day in (chosen.start, chosen.end)):
            return cls(default.start, default.end, "fecha_invalida")
        if chosen.start > chosen.end:
            return cls(default.start, default.end, "rango_invertido")
        return chosen


@dataclass(frozen=True)
class Dashboard:
    dates: DateRange
    sla: SlaReport
    csat: CsatReport
    teams: TeamsReport
    agents: AgentsReport
    bottlenecks: BottlenecksReport
    volume: VolumeReport
    bars: dict[str, BarChart]
    per_day: ColumnChart


def dashboard(session: Session, dates: DateRange, now: datetime) -> Dashboard:
    start, end = dates.start, dates.end
    teams = teams_report(session, start, end, now)
    agents = agents_report(session, start, end, now)
    bottlenecks = bottlenecks_report(session, start, end)
    volume = volume_report(session, start, end)
    return Dashboard(
        dates=dates,
        sla=sla_report(session, start, end, now),
        csat=csat_report(session, start, end),
        teams=teams,
        agents=agents,
        bottlenecks=bottlenecks,
        volume=volume,
        bars=bar_charts(teams, agents, bottlenecks),
        per_day=stacked_columns(
            [label("case_type", case_type) for case_type in TYPES],
            [(f"{row.day:%d/%m}", [row.duda, row.queja, row.solicitud]) for row in volume.days],
        ),
    )


def bar_charts(
    teams: TeamsReport, agents: AgentsReport, bottlenecks: BottlenecksReport
) -> dict[str, BarChart]:
    named_teams = [row for row in teams.teams if row.label != NO_TEAM_LABEL]
    named_agents = [row for row in agents.agents if row.label != NO_AGENT_LABEL and row.sla.cases]
    fastest = teams.fastest
    longest = max(bottlenecks.total.steps, key=lambda row: row.time, default=None)
    return {
        "first_response": bar_chart(
            [(row.label, row.sla.response_p50) for row in named_teams],
            " h",
            highlight=fastest.label if fastest else None,
        ),
        "on_time": bar_chart(
            [(row.label, row.sla.resolution_on_time_pct) for row in named_agents], " %", scale_to=100
        ),
        "steps": bar_chart(
            [(row.step, row.time_share_pct) for row in bottlenecks.total.steps],
            " %",
            highlight=longest.step if longest else None,
            scale_to=100,
        ),
    }
