"""`python -m bot report teams`: which team responds fastest — the cases created in a range by the
team that owns them, over the real migrated store (figures worked out by hand)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update

from bot.__main__ import main
from bot.reports.agents import ServiceRow
from bot.reports.teams import teams_report
from bot.store.models import Case
from tests.support.report_output import csv_header, csv_rows, squeezed
from tests.support.report_seeding import DUDA, QUEJA, SOLICITUD, Seeded, seed_cases

JANUARY = (date(2026, 1, 1), date(2026, 1, 31))
IN_JANUARY = ["--from", "2026-01-01", "--to", "2026-01-31"]
NOW = datetime(2026, 2, 10, 12, 0)
AGENTS = [(1, "Laura", "logistica"), (2, "Pedro", "logistica"), (3, "Marta", "calidad")]
AGENTS += [(4, "Sofía", "atencion_cliente")]

CASES = [
    # Logística: on time; late and reopened (open again, past its deadline); a devolución on time;
    # a queja without deadlines, open but never overdue.
    Seeded("Laura", QUEJA, "envio", datetime(2026, 1, 5, 9), 1, 48, (10,), "cerrado", (True, 5)),
    Seeded("Laura", QUEJA, "envio", datetime(2026, 1, 6, 9), 6, 48, (60,), "reabierto", (False, None), 70),
    Seeded("Pedro", SOLICITUD, "devolucion", datetime(2026, 1, 8, 10), 3, 48, (24,), "cerrado", (True, 4)),
    Seeded("Pedro", QUEJA, "envio", datetime(2026, 1, 20, 10), 0.5, None, (), "en_proceso"),
    # Calidad: resolved exactly at the deadline; one nobody took (overdue since 19 January); one
    # open and due on 14 February, after NOW.
    Seeded("Marta", QUEJA, "producto", datetime(2026, 1, 15, 8), 4, 72, (72,), "cerrado", (True, 2)),
    Seeded(None, QUEJA, "producto", datetime(2026, 1, 16, 8), None, 72, (), "escalado"),
    Seeded("Marta", QUEJA, "producto", datetime(2026, 1, 28, 8), 1.5, 400, (), "en_proceso"),
    # Atención al cliente: a duda the bot answered alone (5 minutes, closed in 10); a duda the
    # customer wanted a person for; a queja about the service, resolved late.
    Seeded(None, DUDA, "horario", datetime(2026, 1, 10, 12), 5 / 60, 24, (10 / 60,), "cerrado", (True, 5)),
    Seeded(
        "Sofía", DUDA, "horario", datetime(2026, 1, 12, 15), 3, 24, (20,), "cerrado", (True, 3), person=0.1
    ),
    Seeded("Sofía", QUEJA, "atencion", datetime(2026, 1, 22, 9), 5, 48, (50,), "cerrado", (True, 1)),
    # Either side of January: with them, the bot's dudas give Atención al cliente the lowest
    # first-response p50, but the fastest team is the one whose people answer first.
    Seeded("Marta", QUEJA, "producto", datetime(2025, 12, 31, 23, 59, 59), 0.1, 72, (), "en_proceso"),
    Seeded(None, DUDA, "horario", datetime(2026, 2, 1, 0, 0), 0.05, 24, (), "nuevo"),
]


def seed(session_factory, policy, cases=CASES) -> None:
    seed_cases(session_factory, policy, AGENTS, cases)


def figures(row: ServiceRow) -> tuple:
    return (
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
    )


def answered(team_hours: list[tuple[str, float]]) -> list[Seeded]:
    """One queja per (topic, hours to the first answer), on 5 January, resolved at once."""
    return [
        Seeded(None, QUEJA, topic, datetime(2026, 1, 5, 9), after, 48, (after,), "cerrado")
        for topic, after in team_hours
    ]


def test_january_by_team(session_factory, policy):
    seed(session_factory, policy)
    with session_factory() as session:
        report = teams_report(session, *JANUARY, now=NOW)

    assert [row.label for row in report.teams] == ["Atención al cliente", "Calidad", "Logística"]
    assert {row.label: figures(row) for row in report.teams} == {
        # The bot's duda alone stays at level 1: 2 of 3 to a person; answers 0.083, 3, 5 → ranks 2
        # and 3; resolutions 0.17, 20, 50 → rank 2; on time 0.17 ≤ 24, 20 ≤ 24, not 50 > 48: 2 of 3;
        # CSAT (5 + 3 + 1) / 3.
        "Atención al cliente": (3, 66.7, 3.0, 5.0, 20.0, 66.7, 0, 0, 3.0, 0.0),
        # Answers 1.5, 4 → ranks 1 and 2; resolved 72 ≤ 72; open: the one nobody took (due 19
        # January: overdue) and the one due on 14 February (not yet).
        "Calidad": (3, 100.0, 1.5, 4.0, 72.0, 100.0, 1 + 1, 1, 2.0, 0.0),
        # Answers 0.5, 1, 3, 6 → ranks 2 and 4; resolutions 10, 24, 60 → rank 2; 2 of 3 on time;
        # open: the reopened one (overdue since 8 January) and the one without deadlines (never);
        # CSAT (5 + 4) / 2; 1 of 3 resolved reopened.
        "Logística": (4, 100.0, 1.0, 6.0, 24.0, 66.7, 2, 1, 4.5, 33.3),
    }
    # 10 cases, 9 to a person; answers 0.083, 0.5, 1, 1.5, 3, 3, 4, 5, 6 → ranks ⌈4.5⌉ = 5 and
    # ⌈8.1⌉ = 9; resolutions 0.17, 10, 20, 24, 50, 60, 72 → rank 4; on time 5 of 7 = 71.4 %;
    # CSAT 20 / 6 = 3.33…; reopened 1 of 7 = 14.29 %.
    assert figures(report.total) == (10, 90.0, 3.0, 6.0, 24.0, 71.4, 4, 2, 3.3, 14.3)
    assert report.fastest.label == "Logística"


def test_the_fastest_depends_on_the_range(session_factory, policy):
    seed(session_factory, policy)
    with session_factory() as session:
        everything = teams_report(session, now=NOW)
        # Atención al cliente: answers 0.05, 0.083, 3, 5 → rank 2 is 0.083 → 0.1; Calidad: 0.1,
        # 1.5, 4 → 1.5; Logística still 1.0.
        assert everything.total.sla.cases == 12
        assert [row.sla.response_p50 for row in everything.teams] == [0.1, 1.5, 1.0]
        # The bot's FAQ answers are not a team's: Atención al cliente's people answered once, in
        # 5 h; Calidad's in 0.1, 1.5, 4 → 1.5; Logística's still 1.0.
        assert everything.person_response_p50 == {
            "Atención al cliente": 5.0,
            "Calidad": 1.5,
            "Logística": 1.0,
        }
        assert everything.fastest.label == "Logística"
        assert teams_report(session, start=date(2026, 1, 1), now=NOW).total.sla.cases == 11
        assert teams_report(session, end=date(2026, 1, 31), now=NOW).total.sla.cases == 11
        # Only Calidad's queja nobody answered: no team has a first response.
        one_day = teams_report(session, date(2026, 1, 16), date(2026, 1, 16), now=NOW)
        assert figures(one_day.total) == (1, 100.0, None, None, None, None, 1, 1, None, None)
        assert one_day.fastest is None
        assert teams_report(session, date(2026, 3, 1), date(2026, 3, 31), now=NOW).is_empty


def test_a_tie_as_printed_goes_to_the_first_team_alphabetically(session_factory, policy):
    # Logística answers in 2 h, Calidad in 2 h 2 min: both print 2.0, so Calidad comes first.
    seed(session_factory, policy, answered([("envio", 2), ("producto", 2 + 2 / 60)]))
    with session_factory() as session:
        report = teams_report(session, now=NOW)
    assert [(row.label, row.sla.response_p50) for row in report.teams] == [
        ("Calidad", 2.0),
        ("Logística", 2.0),
    ]
    assert report.fastest.label == "Calidad"


def test_cases_without_a_team_are_last_and_never_the_fastest(session_factory, policy):
    seed(session_factory, policy, answered([("envio", 3), ("producto", 1)]))
    with session_factory.begin() as session:
        session.execute(update(Case).where(Case.topic == "producto").values(team_id=None))
    with session_factory() as session:
        report = teams_report(session, now=NOW)
    assert [(row.label, row.sla.response_p50) for row in report.teams] == [
        ("Logística", 3.0),
        ("Sin equipo", 1.0),
    ]
    assert report.fastest.label == "Logística"


def test_the_command_prints_one_table_with_the_total_last_and_writes_one_csv(
    session_factory, policy, tmp_path, capsys, monkeypatch
):
    seed(session_factory, policy)
    monkeypatch.setattr("bot.reports.teams.utcnow", lambda: NOW)
    export = tmp_path / "equipos-enero.csv"
    assert main(["report", "teams", *IN_JANUARY, "--csv", str(export)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "Teams: 10 cases created from 2026-01-01 to 2026-01-31 (UTC); wall-clock hours; open and overdue "
        "as of 2026-02-10 12:00 UTC; fastest first answer by a person: Logística (p50 1.0 h)"
    )
    table = lines.index("Por equipo")
    assert squeezed(lines[table + 1]) == (
        "equipo casos % a persona 1ª resp. p50 h 1ª resp. p90 h resolución p50 h % resuelto a tiempo "
        "abiertos vencidos CSAT medio % reabiertos"
    )
    assert [squeezed(line) for line in lines[table + 2 : table + 6]] == [
        "Atención al cliente 3 66.7% 3.0 5.0 20.0 66.7% 0 0 3.0 0.0%",
        "Calidad 3 100.0% 1.5 4.0 72.0 100.0% 2 1 2.0 0.0%",
        "Logística 4 100.0% 1.0 6.0 24.0 66.7% 2 1 4.5 33.3%",
        "Total 10 90.0% 3.0 6.0 24.0 71.4% 4 2 3.3 14.3%",
    ]
    assert lines[table + 2].index("3.0") == lines[table + 3].index("1.5")  # numbers right-aligned
    assert lines[-1] == f"wrote {export}"

    assert csv_header(export) == (
        "group,name,cases,handed_to_person_pct,first_response_p50_hours,first_response_p90_hours,"
        "resolution_p50_hours,resolution_on_time_pct,open,open_overdue,csat_average,reopened_pct"
    )
    rows = csv_rows(export)
    assert [(row["group"], row["name"]) for row in rows] == [
        ("team", "Atención al cliente"),
        ("team", "Calidad"),
        ("team", "Logística"),
        ("total", "Total"),
    ]
    assert rows[-1] == {
        "group": "total",
        "name": "Total",
        "cases": "10",
        "handed_to_person_pct": "90.0",
        "first_response_p50_hours": "3.0",
        "first_response_p90_hours": "6.0",
        "resolution_p50_hours": "24.0",
        "resolution_on_time_pct": "71.4",
        "open": "4",
        "open_overdue": "2",
        "csat_average": "3.3",
        "reopened_pct": "14.3",
    }


def test_a_range_without_answers_prints_dashes_and_no_fastest(
    session_factory, policy, tmp_path, capsys, monkeypatch
):
    seed(session_factory, policy)
    monkeypatch.setattr("bot.reports.teams.utcnow", lambda: NOW)
    export = tmp_path / "equipos-16.csv"
    assert main(["report", "teams", "--from", "2026-01-16", "--to", "2026-01-16", "--csv", str(export)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("; fastest first answer by a person: none")
    assert squeezed(lines[lines.index("Por equipo") + 3]) == "Total 1 100.0% — — — — 1 1 — —"
    total = csv_rows(export)[-1]
    assert (total["first_response_p50_hours"], total["csat_average"], total["reopened_pct"]) == ("", "", "")
