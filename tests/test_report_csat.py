"""`python -m bot report csat`: customer satisfaction from the closing surveys, in total, by team and
by agent, computed in SQL over the real migrated store (figures below are worked out by hand)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.__main__ import main
from bot.cases import Demand, register_case, team_named
from bot.reports.csat import CsatRow, csat_report
from bot.store.models import CaseType, Survey
from tests.support.report_output import csv_header, csv_rows, squeezed
from tests.support.report_seeding import register_agents

JANUARY = (date(2026, 1, 1), date(2026, 1, 31))
IN_JANUARY = ["--from", "2026-01-01", "--to", "2026-01-31"]

AGENTS = [
    (1, "Laura", "logistica"),
    (2, "Pedro", "logistica"),
    (3, "Marta", "calidad"),
    (4, "Sofía", "tiendas"),
]

# (agent, team, csat, resolved, status, created_at): January 2026, and one survey either side of it.
SURVEYS = [
    ("Laura", "logistica", 5, True, "completada", datetime(2026, 1, 1, 0, 0)),
    ("Laura", "logistica", 4, True, "completada", datetime(2026, 1, 10, 9, 30)),
    ("Laura", "logistica", 2, False, "completada", datetime(2026, 1, 31, 23, 59, 59)),
    ("Pedro", "logistica", 3, True, "completada", datetime(2026, 1, 12, 11, 0)),
    ("Pedro", "logistica", None, None, "caducada", datetime(2026, 1, 13, 11, 0)),
    ("Pedro", "logistica", None, True, "en_curso", datetime(2026, 1, 14, 11, 0)),
    ("Marta", "calidad", 1, False, "completada", datetime(2026, 1, 15, 16, 0)),
    ("Sofía", "tiendas", None, None, "enviada", datetime(2026, 1, 20, 8, 0)),
    (None, "atencion_cliente", 5, True, "completada", datetime(2026, 1, 5, 10, 0)),
    (None, "atencion_cliente", 4, True, "completada", datetime(2026, 1, 6, 10, 0)),
    ("Laura", "logistica", 1, False, "completada", datetime(2025, 12, 31, 23, 59, 59)),
    (None, "atencion_cliente", 1, False, "completada", datetime(2026, 2, 1, 0, 0)),
]


def seed(session_factory, policy, surveys=SURVEYS) -> None:
    with session_factory.begin() as session:
        agents = register_agents(session, policy, AGENTS)
        for number, (agent, team, rating, resolved, status, created_at) in enumerate(surveys):
            demand = Demand(f"chat-{number}", "telegram", CaseType.QUEJA, "envio", "El paquete no llegó")
            case = register_case(session, demand, policy, now=created_at)
            survey = Survey(
                case_id=case.id,
                agent_id=agents[agent].id if agent else None,
                team_id=team_named(session, team).id if team else None,
                csat=rating,
                resolved=resolved,
                status=status,
                comment="Muy amables" if rating == 5 else None,
                created_at=created_at,
                answered_at=created_at if status == "completada" else None,
            )
            session.add(survey)


def figures(row: CsatRow) -> tuple:
    return (
        row.surveys,
        row.answered,
        row.csat_average,
        row.distribution,
        row.resolved_pct,
        row.csat_pct,
    )


def test_january_in_total_by_team_and_by_agent(session_factory, policy):
    seed(session_factory, policy)
    with session_factory() as session:
        report = csat_report(session, *JANUARY)

    # 10 surveys, 7 rated: 5+4+2+3+1+5+4 = 24 → 3.4; resolved 6 of 8; rated 4 or 5: 4 of 7.
    assert figures(report.total) == (10, 7, 3.4, (1, 1, 1, 2, 2), 75.0, 57.1)
    assert {row.label: figures(row) for row in report.teams} == {
        "Atención al cliente": (2, 2, 4.5, (0, 0, 0, 1, 1), 100.0, 100.0),
        "Calidad": (1, 1, 1.0, (1, 0, 0, 0, 0), 0.0, 0.0),
        "Logística": (6, 4, 3.5, (0, 1, 1, 1, 1), 80.0, 50.0),
        "Tiendas": (1, 0, None, (0, 0, 0, 0, 0), None, None),
    }
    assert [row.label for row in report.agents] == ["Laura", "Marta", "Pedro", "Sofía", "Sin agente (bot)"]
    assert {row.label: figures(row) for row in report.agents} == {
        "Laura": (3, 3, 3.7, (0, 1, 0, 1, 1), 66.7, 66.7),  # 11 / 3
        "Marta": (1, 1, 1.0, (1, 0, 0, 0, 0), 0.0, 0.0),
        "Pedro": (3, 1, 3.0, (0, 0, 1, 0, 0), 100.0, 0.0),  # resolved answered without a rating
        "Sofía": (1, 0, None, (0, 0, 0, 0, 0), None, None),
        "Sin agente (bot)": (2, 2, 4.5, (0, 0, 0, 1, 1), 100.0, 100.0),
    }


def test_the_range_takes_whole_utc_days_and_each_end_is_optional(session_factory, policy):
    seed(session_factory, policy)
    with session_factory() as session:
        assert csat_report(session).total.surveys == 12
        assert csat_report(session, start=date(2026, 1, 1)).total.surveys == 11
        assert csat_report(session, end=date(2026, 1, 31)).total.surveys == 11
        last_day = csat_report(session, date(2026, 1, 31), date(2026, 1, 31))
        assert figures(last_day.total) == (1, 1, 2.0, (0, 1, 0, 0, 0), 0.0, 0.0)
        assert [row.label for row in last_day.agents] == ["Laura"]
        assert csat_report(session, date(2026, 3, 1), date(2026, 3, 31)).is_empty


def test_surveys_without_a_team_are_grouped_apart(session_factory, policy):
    seed(session_factory, policy, [(None, None, 3, True, "completada", datetime(2026, 1, 2))])
    with session_factory() as session:
        report = csat_report(session)
    assert [(row.label, row.surveys) for row in report.teams] == [("Sin equipo", 1)]
    assert [(row.label, row.surveys) for row in report.agents] == [("Sin agente (bot)", 1)]


@pytest.mark.parametrize(
    ("ratings", "average", "csat_pct"),
    [((3, 3, 3, 4), 3.3, 25.0), ((4, 5, 5), 4.7, 100.0), ((1, 2, 4), 2.3, 33.3), ((), None, None)],
)
def test_averages_and_percentages_round_half_up_to_one_decimal(ratings, average, csat_pct):
    distribution = tuple(ratings.count(rating) for rating in range(1, 6))
    row = CsatRow("x", len(ratings), len(ratings), sum(ratings), distribution, 2, 3)
    assert (row.csat_average, row.csat_pct, row.resolved_pct) == (average, csat_pct, 66.7)


def test_the_command_prints_three_tables_and_writes_one_csv(session_factory, policy, tmp_path, capsys):
    seed(session_factory, policy)
    export = tmp_path / "csat-enero.csv"
    assert main(["report", "csat", *IN_JANUARY, "--csv", str(export)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "CSAT: 10 surveys created from 2026-01-01 to 2026-01-31 (UTC)"
    total, teams, agents = lines.index("Total"), lines.index("Por equipo"), lines.index("Por agente")
    assert squeezed(lines[total + 1]) == "encuestas respondidas CSAT medio 1 2 3 4 5 % resuelto % CSAT"
    assert squeezed(lines[total + 2]) == "Total 10 7 3.4 1 1 1 2 2 75.0% 57.1%"
    assert lines[teams + 1].split()[0] == "equipo"
    assert "Logística 6 4 3.5 0 1 1 1 1 80.0% 50.0%" in map(squeezed, lines[teams:agents])
    assert "Tiendas 1 0 — 0 0 0 0 0 — —" in map(squeezed, lines[teams:agents])
    assert lines[agents + 1].split()[0] == "agente"
    assert squeezed(lines[agents + 6]) == "Sin agente (bot) 2 2 4.5 0 0 0 1 1 100.0% 100.0%"
    header = lines[agents + 1]
    assert all(len(line) <= len(header) for line in lines[agents + 2 : agents + 7])
    assert lines[agents + 2].index("3.7") == lines[agents + 3].index("1.0")  # numbers right-aligned
    assert lines[-1] == f"wrote {export}"

    assert csv_header(export) == (
        "group,name,surveys,answered,csat_average,csat_1,csat_2,csat_3,csat_4,csat_5,resolved_pct,csat_pct"
    )
    rows = csv_rows(export)
    assert [(row["group"], row["name"]) for row in rows] == [
        ("total", "Total"),
        ("team", "Atención al cliente"),
        ("team", "Calidad"),
        ("team", "Logística"),
        ("team", "Tiendas"),
        ("agent", "Laura"),
        ("agent", "Marta"),
        ("agent", "Pedro"),
        ("agent", "Sofía"),
        ("agent", "Sin agente (bot)"),
    ]
    assert rows[0] == {
        "group": "total",
        "name": "Total",
        "surveys": "10",
        "answered": "7",
        "csat_average": "3.4",
        "csat_1": "1",
        "csat_2": "1",
        "csat_3": "1",
        "csat_4": "2",
        "csat_5": "2",
        "resolved_pct": "75.0",
        "csat_pct": "57.1",
    }
    tiendas = rows[4]
    assert (tiendas["csat_average"], tiendas["resolved_pct"], tiendas["csat_pct"]) == ("", "", "")
