"""`python -m bot report agents`: which agent best meets the deadlines — the cases created in a range
by assigned agent, over the real migrated store (figures worked out by hand)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.__main__ import main
from bot.handoff.agents import disable_agent
from bot.reports.agents import AgentRow, agents_report
from tests.support.report_output import csv_header, csv_rows, squeezed
from tests.support.report_seeding import DUDA, QUEJA, SOLICITUD, Seeded, seed_cases

JANUARY = (date(2026, 1, 1), date(2026, 1, 31))
IN_JANUARY = ["--from", "2026-01-01", "--to", "2026-01-31"]
NOW = datetime(2026, 2, 10, 12, 0)

# (Telegram id, name, team): Sofía is active with no cases; Tomás left (disabled) and has none.
AGENTS = [
    (1, "Laura", "logistica"),
    (2, "Pedro", "logistica"),
    (3, "Marta", "calidad"),
    (4, "Sofía", "tiendas"),
]
GONE = (5, "Tomás", "pagos")

CSV_HEADER = (
    "group,name,team,cases,resolved,resolution_on_time_pct,first_response_p50_hours,csat_average,"
    "csat_answered,reopened_pct,escalated_to_supervision"
)

NO = (False, None)  # «¿Se resolvió?» «No»: no rating asked
CASES = [
    # Laura (Logística): on time; late, then reopened by the customer; open, taken to supervision.
    Seeded("Laura", QUEJA, "envio", datetime(2026, 1, 5, 9), 1, 48, (10,), "cerrado", (True, 5)),
    Seeded("Laura", QUEJA, "envio", datetime(2026, 1, 6, 9), 6, 48, (60,), "reabierto", NO, 70),
    Seeded("Laura", QUEJA, "envio", datetime(2026, 1, 7, 9), 2, 48, (), "escalado", supervised=50),
    # Pedro (Logística): a devolución on time; a queja without deadlines (resolved, not in the %).
    Seeded("Pedro", SOLICITUD, "devolucion", datetime(2026, 1, 8, 10), 3, 48, (24,), "cerrado", (True, 4)),
    Seeded("Pedro", QUEJA, "envio", datetime(2026, 1, 20, 10), 0.5, None, (30,), "cerrado", (True, 3)),
    # Marta (Calidad): resolved exactly at the deadline, reopened and resolved again (the first
    # resolution counts); taken to supervision at once, resolved on time.
    Seeded("Marta", QUEJA, "producto", datetime(2026, 1, 15, 8), 4, 72, (72, 90), "cerrado", NO, 80),
    Seeded("Marta", QUEJA, "producto", datetime(2026, 1, 16, 8), 8, 72, (70,), "cerrado", (True, 2), None, 9),
    # Nobody took them: a duda the bot answered in 5 minutes and closed in 10; a queja still waiting.
    Seeded(None, DUDA, "horario", datetime(2026, 1, 10, 12), 5 / 60, 24, (10 / 60,), "cerrado", (True, 5)),
    Seeded(None, QUEJA, "producto", datetime(2026, 1, 16, 9), None, 72, (), "escalado"),
    # Either side of January.
    Seeded("Laura", QUEJA, "envio", datetime(2025, 12, 31, 23, 59, 59), 1, 48, (5,), "cerrado", (True, 1)),
    Seeded("Pedro", QUEJA, "envio", datetime(2026, 2, 1, 0, 0), 1, 48, (), "en_proceso"),
]


def seed(session_factory, policy, cases=CASES) -> None:
    seed_cases(session_factory, policy, [*AGENTS, GONE], cases, disabled=[GONE[0]])


def figures(row: AgentRow) -> tuple:
    return (
        row.team,
        row.sla.cases,
        row.sla.resolved,
        row.sla.resolution_on_time_pct,
        row.sla.response_p50,
        row.csat_average,
        row.counts.rated,
        row.reopened_pct,
        row.counts.supervised,
    )


def test_january_by_agent_with_the_idle_agent_and_the_bot(session_factory, policy):
    seed(session_factory, policy)
    with session_factory() as session:
        report = agents_report(session, *JANUARY, now=NOW)

    # Alphabetically, then the bot; Sofía has no cases but is active; Tomás left and had none.
    assert [row.label for row in report.agents] == ["Laura", "Marta", "Pedro", "Sofía", "Sin agente (bot)"]
    assert {row.label: figures(row) for row in report.agents} == {
        # Resolved 10 h (≤ 48) and 60 h (> 48): 1 of 2 on time; first answers 1, 2, 6 → rank 2 of 3;
        # one rating (5; the reopened case's survey has none); 1 reopened of 2 resolved; 1 supervised.
        "Laura": ("Logística", 3, 2, 50.0, 2.0, 5.0, 1, 50.0, 1),
        # 72 h ≤ 72 (the later 90 h does not count) and 70 h ≤ 72: 2 of 2; answers 4, 8 → rank 1.
        "Marta": ("Calidad", 2, 2, 100.0, 4.0, 2.0, 1, 50.0, 1),
        # 24 h ≤ 48 is the only resolution with a deadline: 1 of 1; answers 0.5, 3 → rank 1;
        # CSAT (4 + 3) / 2 = 3.5.
        "Pedro": ("Logística", 2, 2, 100.0, 0.5, 3.5, 2, 0.0, 0),
        "Sofía": ("Tiendas", 0, 0, None, None, None, 0, None, 0),
        # The duda: answered in 5 min (0.083 h → 0.1), resolved in 10 min ≤ 24 h; the queja waits.
        "Sin agente (bot)": ("", 2, 1, 100.0, 0.1, 5.0, 1, 0.0, 0),
    }
    # 9 cases; 7 resolved, 6 of them with a deadline, late only Laura's 60 h: 5 / 6 = 83.3 %;
    # 8 first answers 0.083, 0.5, 1, 2, 3, 4, 6, 8 → rank 4 is 2; CSAT (5 + 4 + 3 + 2 + 5) / 5 = 3.8;
    # reopened 2 of 7 resolved = 28.57… → 28.6 %; supervised: Laura's and Marta's.
    assert figures(report.total) == ("", 9, 7, 83.3, 2.0, 3.8, 5, 28.6, 2)


def test_an_agent_who_left_keeps_the_cases_of_the_range(session_factory, policy):
    seed(session_factory, policy)
    with session_factory.begin() as session:
        disable_agent(session, 2)  # Pedro: 2 cases in January, 1 in February
        disable_agent(session, 4)  # Sofía: none
    with session_factory() as session:
        january = agents_report(session, *JANUARY, now=NOW)
        december = agents_report(session, date(2025, 12, 1), date(2025, 12, 31), now=NOW)
    assert [(row.label, row.sla.cases) for row in january.agents] == [
        ("Laura", 3),
        ("Marta", 2),
        ("Pedro", 2),
        ("Sin agente (bot)", 2),
    ]
    assert [(row.label, row.sla.cases) for row in december.agents] == [("Laura", 1), ("Marta", 0)]


def test_the_range_takes_whole_utc_days_and_each_end_is_optional(session_factory, policy):
    seed(session_factory, policy)
    with session_factory() as session:
        everything = agents_report(session)
        assert everything.total.sla.cases == 11
        # Laura's 31 December case: resolved in 5 h, rated 1 → (5 + 1) / 2 = 3.0.
        laura = everything.agents[0]
        assert figures(laura) == ("Logística", 4, 3, 66.7, 1.0, 3.0, 2, 33.3, 1)
        assert agents_report(session, start=date(2026, 1, 1)).total.sla.cases == 10
        assert agents_report(session, end=date(2026, 1, 31)).total.sla.cases == 10
        march = agents_report(session, date(2026, 3, 1), date(2026, 3, 31))
        assert march.is_empty
        assert [row.label for row in march.agents] == ["Laura", "Marta", "Pedro", "Sofía"]


def test_the_command_prints_one_table_with_the_total_last_and_writes_one_csv(
    session_factory, policy, tmp_path, capsys
):
    seed(session_factory, policy)
    export = tmp_path / "agentes-enero.csv"
    assert main(["report", "agents", *IN_JANUARY, "--csv", str(export)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "Agents: 9 cases created from 2026-01-01 to 2026-01-31 (UTC), by assigned agent; wall-clock hours"
    )
    table = lines.index("Por agente")
    assert squeezed(lines[table + 1]) == (
        "agente equipo casos resueltos % resuelto a tiempo 1ª resp. p50 h CSAT medio valoraciones "
        "% reabiertos a supervisión"
    )
    assert [squeezed(line) for line in lines[table + 2 : table + 8]] == [
        "Laura Logística 3 2 50.0% 2.0 5.0 1 50.0% 1",
        "Marta Calidad 2 2 100.0% 4.0 2.0 1 50.0% 1",
        "Pedro Logística 2 2 100.0% 0.5 3.5 2 0.0% 0",
        "Sofía Tiendas 0 0 — — — 0 — 0",
        "Sin agente (bot) 2 1 100.0% 0.1 5.0 1 0.0% 0",
        "Total 9 7 83.3% 2.0 3.8 5 28.6% 2",
    ]
    assert lines[table + 2].index("2.0") == lines[table + 3].index("4.0")  # numbers right-aligned
    assert lines[-1] == f"wrote {export}"

    assert csv_header(export) == CSV_HEADER
    rows = csv_rows(export)
    assert [(row["group"], row["name"], row["team"]) for row in rows] == [
        ("agent", "Laura", "Logística"),
        ("agent", "Marta", "Calidad"),
        ("agent", "Pedro", "Logística"),
        ("agent", "Sofía", "Tiendas"),
        ("agent", "Sin agente (bot)", ""),
        ("total", "Total", ""),
    ]
    assert rows[0] == {
        "group": "agent",
        "name": "Laura",
        "team": "Logística",
        "cases": "3",
        "resolved": "2",
        "resolution_on_time_pct": "50.0",
        "first_response_p50_hours": "2.0",
        "csat_average": "5.0",
        "csat_answered": "1",
        "reopened_pct": "50.0",
        "escalated_to_supervision": "1",
    }
    sofia = rows[3]
    assert (sofia["cases"], sofia["resolution_on_time_pct"], sofia["csat_average"]) == ("0", "", "")


def test_a_range_without_cases_says_so_though_there_are_active_agents(
    session_factory, policy, tmp_path, capsys
):
    seed(session_factory, policy)
    export = tmp_path / "vacio.csv"
    assert main(["report", "agents", "--from", "2026-03-01", "--csv", str(export)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "no cases in this range (from 2026-03-01 (UTC))",
        f"wrote {export}",
    ]
    assert export.read_text(encoding="utf-8").splitlines() == [CSV_HEADER]


def test_the_help_says_what_is_counted(capsys):
    with pytest.raises(SystemExit) as shown:
        main(["report", "agents", "--help"])
    assert shown.value.code == 0
    assert "every active agent is listed" in " ".join(capsys.readouterr().out.split())
