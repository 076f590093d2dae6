"""`python -m bot report sla`: first response and resolution against their deadlines, and the open
backlog, in total, by team and by agent, over the real migrated store (figures worked out by hand)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.__main__ import main
from bot.cases import Demand, register_case
from bot.reports.figures import hours, percentile
from bot.reports.sla import SlaRow, sla_report
from bot.store.models import Case, CaseType
from bot.timeline import add_event
from tests.support.report_output import csv_header, csv_rows, squeezed
from tests.support.report_seeding import register_agents

JANUARY = (date(2026, 1, 1), date(2026, 1, 31))
IN_JANUARY = ["--from", "2026-01-01", "--to", "2026-01-31"]
NOW = datetime(2026, 2, 10, 12, 0)
H = timedelta(hours=1)


@dataclass(frozen=True)
class Seeded:
    """A case, its deadlines and first moments as hours after `created_at` (None: none)."""

    agent: str | None
    case_type: CaseType
    topic: str  # envio: Logística; producto: Calidad; a duda: Atención al cliente
    created_at: datetime
    response_due: float | None
    responded: tuple[float, ...]  # first_response (or, for a duda, solution_presented) events
    resolution_due: float | None
    resolved: tuple[float, ...]
    status: str


QUEJA, DUDA = CaseType.QUEJA, CaseType.DUDA
CASES = [
    # Logística, Laura: on time; late both times; answered, open and overdue (due 9 January).
    Seeded("Laura", QUEJA, "envio", datetime(2026, 1, 5, 9), 4, (1,), 48, (10,), "cerrado"),
    Seeded("Laura", QUEJA, "envio", datetime(2026, 1, 6, 9), 4, (6,), 48, (60,), "cerrado"),
    Seeded("Laura", QUEJA, "envio", datetime(2026, 1, 7, 9), 4, (2,), 48, (), "en_proceso"),
    # Logística, Pedro: on time; no deadlines at all (a time, but not in the %), open, not overdue.
    Seeded("Pedro", QUEJA, "envio", datetime(2026, 1, 8, 10), 4, (3,), 48, (24,), "cerrado"),
    Seeded("Pedro", QUEJA, "envio", datetime(2026, 1, 20, 10), None, (0.5,), None, (), "en_proceso"),
    # Calidad: exactly at both deadlines (on time; later events don't count); nobody took the other.
    Seeded("Pedro", QUEJA, "producto", datetime(2026, 1, 15, 8), 4, (8, 4), 72, (72, 90), "cerrado"),
    Seeded(None, QUEJA, "producto", datetime(2026, 1, 16, 8), 4, (), 72, (), "escalado"),
    # The bot answered a duda in 5 minutes (0.1 h) and closed it in 10 (0.2 h).
    Seeded(None, DUDA, "horario", datetime(2026, 1, 10, 12), 1, (5 / 60,), 24, (10 / 60,), "cerrado"),
    # Either side of January, both open and overdue.
    Seeded("Laura", QUEJA, "envio", datetime(2025, 12, 31, 23, 59, 59), 4, (), 48, (), "nuevo"),
    Seeded(None, DUDA, "horario", datetime(2026, 2, 1, 0, 0), 1, (), 24, (), "nuevo"),
]


def seed(session_factory, policy, cases=CASES) -> None:
    with session_factory.begin() as session:
        agents = register_agents(session, policy, [(1, "Laura", "logistica"), (2, "Pedro", "logistica")])
        for number, seeded in enumerate(cases):
            demand = Demand(f"chat-{number}", "telegram", seeded.case_type, seeded.topic, "Mi pedido")
            start = seeded.created_at
            case = register_case(session, demand, policy, now=start)
            agent = agents.get(seeded.agent)
            case.assigned_agent_id = agent.id if agent else None
            case.first_response_due = None if seeded.response_due is None else start + seeded.response_due * H
            case.sla_due_at = None if seeded.resolution_due is None else start + seeded.resolution_due * H
            answer = "solution_presented" if seeded.case_type is DUDA else "first_response"
            actor = f"agent:{agent.id}" if agent else "bot"
            for after in seeded.responded:
                add_event(session, case, answer, actor, at=start + after * H)
            for after in seeded.resolved:
                add_event(session, case, "resolved", actor, at=start + after * H)
            case.status = seeded.status


def figures(row: SlaRow) -> tuple:
    return (
        row.cases,
        row.response_p50,
        row.response_p90,
        row.response_on_time_pct,
        row.resolution_p50,
        row.resolution_p90,
        row.resolution_on_time_pct,
        row.open,
        row.overdue,
    )


@pytest.mark.parametrize(
    ("values", "p50", "p90"),
    [
        ((1, 2, 3, 4), 2, 4),
        ((4, 3, 2, 1), 2, 4),  # sorted first
        ((7,), 7, 7),
        (tuple(range(1, 11)), 5, 9),  # rank ⌈0.9 · 10⌉ = 9, not 10 (floats make 0.9 · 10 > 9)
        (tuple(range(1, 12)), 6, 10),
        ((), None, None),
    ],
)
def test_percentiles_use_the_nearest_rank(values, p50, p90):
    times = [value * H for value in values]
    assert percentile(times, 50) == (None if p50 is None else p50 * H)
    assert percentile(times, 90) == (None if p90 is None else p90 * H)


def test_hours_round_half_up_to_one_decimal():
    assert hours(timedelta(minutes=3)) == 0.1  # 0.05 h
    assert hours(timedelta(minutes=10)) == 0.2  # 0.1666… h
    assert hours(timedelta(hours=71, minutes=56, seconds=59)) == 71.9
    assert hours(None) is None


def test_january_in_total_by_team_and_by_agent(session_factory, policy):
    seed(session_factory, policy)
    with session_factory() as session:
        report = sla_report(session, *JANUARY, now=NOW)

    # First answers (h): 1, 6, 2, 3, 0.5, 4, 0.1 → sorted, rank 4 of 7 is 2 and rank 7 is 6;
    # on time 5 of the 6 with a deadline. Resolutions: 10, 60, 24, 72, 0.2 → ranks 3 and 5; 4 of 5.
    # Open: 3 (the two en_proceso and the escalado one); past due on 10 February: 9 and 19 January.
    assert figures(report.total) == (8, 2.0, 6.0, 83.3, 24.0, 72.0, 80.0, 3, 2)
    assert (report.total.responded, report.total.resolved) == (7, 5)
    assert [row.label for row in report.teams] == ["Atención al cliente", "Calidad", "Logística"]
    assert {row.label: figures(row) for row in report.teams} == {
        "Atención al cliente": (1, 0.1, 0.1, 100.0, 0.2, 0.2, 100.0, 0, 0),
        "Calidad": (2, 4.0, 4.0, 100.0, 72.0, 72.0, 100.0, 1, 1),
        "Logística": (5, 2.0, 6.0, 75.0, 24.0, 60.0, 66.7, 2, 1),  # 0.5, 1, 2, 3, 6; 10, 24, 60
    }
    assert [row.label for row in report.agents] == ["Laura", "Pedro", "Sin agente (bot)"]
    assert {row.label: figures(row) for row in report.agents} == {
        "Laura": (3, 2.0, 6.0, 66.7, 10.0, 60.0, 50.0, 1, 1),  # 1, 2, 6; 10, 60
        "Pedro": (3, 3.0, 4.0, 100.0, 24.0, 72.0, 100.0, 1, 0),  # 0.5, 3, 4 (2 with a deadline)
        "Sin agente (bot)": (2, 0.1, 0.1, 100.0, 0.2, 0.2, 100.0, 1, 1),
    }


def test_a_group_without_answers_or_resolutions_has_no_times(session_factory, policy):
    seed(session_factory, policy)
    with session_factory() as session:
        report = sla_report(session, date(2026, 1, 16), date(2026, 1, 16), now=NOW)
    assert figures(report.total) == (1, None, None, None, None, None, None, 1, 1)


def test_the_range_takes_whole_utc_days_and_each_end_is_optional(session_factory, policy):
    seed(session_factory, policy)
    with session_factory() as session:
        everything = sla_report(session, now=NOW)
        assert (everything.total.cases, everything.total.open, everything.total.overdue) == (10, 5, 4)
        assert sla_report(session, start=date(2026, 1, 1), now=NOW).total.cases == 9
        assert sla_report(session, end=date(2026, 1, 31), now=NOW).total.cases == 9
        one_day = sla_report(session, date(2026, 1, 7), date(2026, 1, 7), now=NOW)
        assert figures(one_day.total) == (1, 2.0, 2.0, 100.0, None, None, None, 1, 1)
        assert [row.label for row in one_day.agents] == ["Laura"]
        before_due = sla_report(session, date(2026, 1, 7), date(2026, 1, 7), now=datetime(2026, 1, 9, 9))
        assert before_due.total.overdue == 0  # due at 9:00 that day: not yet past it
        assert sla_report(session, date(2026, 3, 1), date(2026, 3, 31), now=NOW).is_empty


def test_cases_without_a_team_are_grouped_apart(session_factory, policy):
    seed(session_factory, policy, CASES[:1])
    with session_factory.begin() as session:
        report = sla_report(session, now=NOW)
        assert [row.label for row in report.teams] == ["Logística"]
        session.execute(update(Case).values(team_id=None))
    with session_factory() as session:
        report = sla_report(session, now=NOW)
    assert [(row.label, row.cases) for row in report.teams] == [("Sin equipo", 1)]


def test_the_command_prints_three_tables_and_writes_one_csv(
    session_factory, policy, tmp_path, capsys, monkeypatch
):
    seed(session_factory, policy)
    monkeypatch.setattr("bot.reports.sla.utcnow", lambda: NOW)
    export = tmp_path / "sla-enero.csv"
    assert main(["report", "sla", *IN_JANUARY, "--csv", str(export)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "SLA: 8 cases created from 2026-01-01 to 2026-01-31 (UTC); wall-clock hours; "
        "open and overdue as of 2026-02-10 12:00 UTC"
    )
    total, teams, agents = lines.index("Total"), lines.index("Por equipo"), lines.index("Por agente")
    assert squeezed(lines[total + 1]) == (
        "casos con 1ª resp. 1ª resp. p50 h 1ª resp. p90 h % 1ª resp. a tiempo resueltos "
        "resolución p50 h resolución p90 h % resuelto a tiempo abiertos vencidos"
    )
    assert squeezed(lines[total + 2]) == "Total 8 7 2.0 6.0 83.3% 5 24.0 72.0 80.0% 3 2"
    assert lines[teams + 1].split()[0] == "equipo"
    assert "Logística 5 5 2.0 6.0 75.0% 3 24.0 60.0 66.7% 2 1" in map(squeezed, lines[teams:agents])
    assert lines[agents + 1].split()[0] == "agente"
    assert squeezed(lines[agents + 4]) == "Sin agente (bot) 2 1 0.1 0.1 100.0% 1 0.2 0.2 100.0% 1 1"
    assert lines[agents + 2].index("2.0") == lines[agents + 3].index("3.0")  # numbers right-aligned
    assert lines[-1] == f"wrote {export}"

    assert csv_header(export) == (
        "group,name,cases,responded,first_response_p50_hours,first_response_p90_hours,"
        "first_response_on_time_pct,resolved,resolution_p50_hours,resolution_p90_hours,"
        "resolution_on_time_pct,open,open_overdue"
    )
    rows = csv_rows(export)
    assert [(row["group"], row["name"]) for row in rows] == [
        ("total", "Total"),
        ("team", "Atención al cliente"),
        ("team", "Calidad"),
        ("team", "Logística"),
        ("agent", "Laura"),
        ("agent", "Pedro"),
        ("agent", "Sin agente (bot)"),
    ]
    assert rows[0] == {
        "group": "total",
        "name": "Total",
        "cases": "8",
        "responded": "7",
        "first_response_p50_hours": "2.0",
        "first_response_p90_hours": "6.0",
        "first_response_on_time_pct": "83.3",
        "resolved": "5",
        "resolution_p50_hours": "24.0",
        "resolution_p90_hours": "72.0",
        "resolution_on_time_pct": "80.0",
        "open": "3",
        "open_overdue": "2",
    }


def test_a_case_without_times_prints_dashes_and_empty_csv_cells(
    session_factory, policy, tmp_path, capsys, monkeypatch
):
    seed(session_factory, policy)
    monkeypatch.setattr("bot.reports.sla.utcnow", lambda: NOW)
    export = tmp_path / "sla-16.csv"
    assert main(["report", "sla", "--from", "2026-01-16", "--to", "2026-01-16", "--csv", str(export)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert squeezed(lines[lines.index("Total") + 2]) == "Total 1 0 — — — 0 — — — 1 1"
    total = csv_rows(export)[0]
    assert (total["first_response_p50_hours"], total["resolution_on_time_pct"]) == ("", "")


def test_the_help_says_times_are_wall_clock_hours(capsys):
    with pytest.raises(SystemExit) as shown:
        main(["report", "sla", "--help"])
    assert shown.value.code == 0
    assert "wall-clock hours" in " ".join(capsys.readouterr().out.split())
