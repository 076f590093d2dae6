"""`python -m bot report asistencia`: what agents did with the suggested answers, by ISO week and
team, and first responses with and without one, over the real migrated store (figures by hand)."""

from __future__ import annotations

from datetime import date, datetime

from bot.__main__ import main
from bot.assist.kinds import EDITED, IGNORED, SENT, SHOWN
from bot.cases import Demand, register_case, team_named
from bot.reports.assistance import assistance_report
from bot.store.models import CaseType
from bot.timeline import add_event
from tests.support.report_output import csv_rows, squeezed

JANUARY = ["--from", "2026-01-01", "--to", "2026-01-31"]

# (team, escalated at, [(kind, at)], first response at) — weeks 2026-W02 (5–11 Jan) and W03.
SHOWN_3 = [(SHOWN, "10:05")] * 3
CASES = [
    ("logistica", datetime(2026, 1, 5, 10, 0),
     [*SHOWN_3, (SENT, "10:20"), (IGNORED, "10:20"), (IGNORED, "10:20")], datetime(2026, 1, 5, 10, 20)),
    ("logistica", datetime(2026, 1, 6, 9, 0),
     [(SHOWN, "09:01"), (SHOWN, "09:01"), (EDITED, "09:50"), (IGNORED, "09:50")],
     datetime(2026, 1, 6, 9, 50)),
    ("logistica", datetime(2026, 1, 7, 8, 0), [], datetime(2026, 1, 7, 9, 30)),
    ("calidad", datetime(2026, 1, 12, 16, 0),
     [(SHOWN, "16:01"), (IGNORED, "16:30")], datetime(2026, 1, 12, 16, 30)),
]  # fmt: skip


def seed(session_factory, policy) -> None:
    with session_factory.begin() as session:
        for n, (team, escalated, suggestions, answered) in enumerate(CASES):
            demand = Demand(f"chat-{n}", "telegram", CaseType.QUEJA, "envio", "El paquete llegó roto")
            case = register_case(session, demand, policy, now=escalated)
            case.team_id = team_named(session, team).id
            add_event(session, case, "escalated", at=escalated)
            for kind, clock in suggestions:
                hour, minute = map(int, clock.split(":"))
                add_event(session, case, kind, "agent:1", at=escalated.replace(hour=hour, minute=minute))
            add_event(session, case, "first_response", "agent:1", at=answered)


def test_by_week_and_team_what_was_used_and_the_first_response_with_and_without(session_factory, policy):
    seed(session_factory, policy)
    with session_factory() as session:
        report = assistance_report(session, date(2026, 1, 1), date(2026, 1, 31))
    logistics, quality = report.rows
    assert (logistics.week, logistics.team, quality.week, quality.team) == (
        "2026-W02",
        "Logística",
        "2026-W03",
        "Calidad",
    )
    assert logistics.counts == {SHOWN: 5, SENT: 1, EDITED: 1, IGNORED: 3}
    assert logistics.used_pct == 40.0
    assert (sorted(logistics.with_suggestion), logistics.without) == ([20.0, 50.0], [90.0])
    assert (quality.with_suggestion, quality.without, quality.used_pct) == ([], [30.0], 0.0)
    assert report.total.counts[SHOWN] == 6 and report.total.used_pct == 33.3


def test_the_command_prints_the_weeks_and_writes_the_csv(session_factory, policy, tmp_path, capsys):
    seed(session_factory, policy)
    export = tmp_path / "asistencia.csv"
    assert main(["report", "asistencia", *JANUARY, "--csv", str(export)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Agent assist: 6 suggestions shown from 2026-01-01 to 2026-01-31 (UTC)"
    printed = list(map(squeezed, lines))
    assert "2026-W02 Logística 5 1 1 3 40.0% 20.0 90.0 2 1" in printed
    assert "2026-W03 Calidad 1 0 0 1 0.0% — 30.0 0 1" in printed
    rows = csv_rows(export)
    assert rows[0]["week"] == "2026-W02" and rows[0]["used_pct"] == "40.0" and rows[-1]["team"] == "Total"


def test_an_empty_range_says_so(session_factory, policy, capsys):
    seed(session_factory, policy)
    assert main(["report", "asistencia", "--from", "2025-01-01", "--to", "2025-01-31"]) == 0
    assert "no suggestions and no first responses" in capsys.readouterr().out
