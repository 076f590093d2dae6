"""`python -m bot report volume`: how many cases, of what, and how many the bot handled alone, by
day, topic and type, over the real migrated store (figures worked out by hand in the comments).

The cases are tests/test_report_bottlenecks.py's (A to I in January, one either side of it):
    5 Jan: A duda horarios, bot closed   B duda pagos, bot closed    D queja envio, taken
    6 Jan: C duda devoluciones, escalated and taken                  E, F queja envio, taken
    7 Jan: G queja atencion, nobody took it                          H solicitud devolucion, taken
    8 Jan: I duda envios, answered, not confirmed (neither contained nor handed to a person)
    31 Dec 2025: a duda horarios the bot closed; 1 Feb: a queja envio nobody took."""

from __future__ import annotations

from datetime import date, datetime

from bot.__main__ import main
from bot.cases import Demand, register_case
from bot.reports.volume import DayRow, TopicRow, TypeRow, volume_report
from bot.store.models import CaseType
from bot.timeline import add_event
from tests.support.report_output import csv_header, csv_rows, squeezed
from tests.test_report_bottlenecks import seed

JANUARY = (date(2026, 1, 1), date(2026, 1, 31))
IN_JANUARY = ["--from", "2026-01-01", "--to", "2026-01-31"]


def handling(row: TypeRow) -> tuple:
    return (row.label, row.cases, row.contained, row.containment_pct, row.handed_off, row.handoff_pct)


def test_january_by_day_topic_and_type(session_factory, policy):
    seed(session_factory, policy)
    with session_factory() as session:
        report = volume_report(session, *JANUARY)

    assert report.days == [
        DayRow(date(2026, 1, 5), duda=2, queja=1, solicitud=0),  # A B; D
        DayRow(date(2026, 1, 6), duda=1, queja=2, solicitud=0),  # C; E F
        DayRow(date(2026, 1, 7), duda=0, queja=1, solicitud=1),  # G; H
        DayRow(date(2026, 1, 8), duda=1, queja=0, solicitud=0),  # I
    ]
    assert [day.total for day in report.days] == [3, 3, 2, 1]
    # Most cases first; the ties by name (casefolded, so «devoluciones» before «devolución…»).
    assert report.topics == [
        TopicRow("queja", "envio", "entrega o envío", 3),
        TopicRow("queja", "atencion", "atención recibida", 1),
        TopicRow("duda", "devoluciones", "devoluciones", 1),
        TopicRow("solicitud", "devolucion", "devolución o reembolso", 1),
        TopicRow("duda", "envios", "envíos", 1),
        TopicRow("duda", "horarios", "horarios", 1),
        TopicRow("duda", "pagos", "pagos", 1),
    ]
    # dudas: A and B contained, C handed to a person (escalated, taken), I neither: 2 / 4, 1 / 4.
    # quejas are escalated by the case policy (G, nobody took it, too); solicitud H was taken.
    # In total 2 / 9 = 22.2 % contained, 6 / 9 = 66.7 % handed to a person.
    assert [handling(row) for row in [*report.types, report.total]] == [
        ("duda", 4, 2, 50.0, 1, 25.0),
        ("queja", 4, 0, 0.0, 4, 100.0),
        ("solicitud", 1, 0, 0.0, 1, 100.0),
        ("Total", 9, 2, 22.2, 6, 66.7),
    ]


def test_the_range_takes_whole_utc_days_and_each_end_is_optional(session_factory, policy):
    seed(session_factory, policy)
    with session_factory() as session:
        everything = volume_report(session)
        assert [day.day for day in everything.days] == [
            date(2025, 12, 31),
            date(2026, 1, 5),
            date(2026, 1, 6),
            date(2026, 1, 7),
            date(2026, 1, 8),
            date(2026, 2, 1),
        ]
        assert everything.topics[:2] == [  # D E F and 1 February's; A and 31 December's
            TopicRow("queja", "envio", "entrega o envío", 4),
            TopicRow("duda", "horarios", "horarios", 2),
        ]
        # 11 cases: 3 contained (27.27 %), 7 handed to a person (63.64 %); dudas 3 / 5 and 1 / 5.
        assert handling(everything.total) == ("Total", 11, 3, 27.3, 7, 63.6)
        assert handling(everything.types[0]) == ("duda", 5, 3, 60.0, 1, 20.0)
        assert volume_report(session, start=date(2026, 1, 1)).total.cases == 10
        assert volume_report(session, end=date(2026, 1, 31)).total.cases == 10
        last_day = volume_report(session, date(2025, 12, 31), date(2025, 12, 31))
        assert last_day.days == [DayRow(date(2025, 12, 31), 1, 0, 0)]
        assert [handling(row) for row in last_day.types] == [
            ("duda", 1, 1, 100.0, 0, 0.0),
            ("queja", 0, 0, None, 0, None),  # no cases of the type: no share
            ("solicitud", 0, 0, None, 0, None),
        ]
        assert volume_report(session, date(2026, 3, 1), date(2026, 3, 31)).is_empty


def test_a_case_an_agent_took_is_handed_to_a_person_whatever_its_level(session_factory, policy):
    with session_factory.begin() as session:
        for number, kinds in enumerate([("taken", "resolved"), ("resolved",)]):
            demand = Demand(f"chat-{number}", "telegram", CaseType.DUDA, "pagos", "¿Cómo pago?")
            case = register_case(session, demand, policy, now=datetime(2026, 1, 5, 10))
            for kind in kinds:
                add_event(session, case, kind, at=datetime(2026, 1, 5, 11))
    with session_factory() as session:
        report = volume_report(session)
    # Both stayed at level 1 and were resolved; the one taken by an agent was not the bot's alone.
    assert handling(report.types[0]) == ("duda", 2, 1, 50.0, 1, 50.0)


def test_a_solicitud_left_with_its_team_is_not_counted_as_handed_to_a_person(session_factory, policy):
    """Every solicitud is registered at level 2 (a team owns the work): only an escalation or an
    agent taking it passes the customer to a person."""
    with session_factory.begin() as session:
        for number in range(3):
            demand = Demand(
                f"chat-{number}", "telegram", CaseType.SOLICITUD, "factura", "Necesito la factura"
            )
            case = register_case(session, demand, policy, now=datetime(2026, 1, 5, 10))
            if number == 0:
                add_event(
                    session, case, "escalated", at=datetime(2026, 1, 5, 11), reason="cliente_pide_persona"
                )
    with session_factory() as session:
        report = volume_report(session)
    assert handling(report.types[2]) == ("solicitud", 3, 0, 0.0, 1, 33.3)


def test_a_single_day_is_one_day(session_factory, policy, capsys):
    with session_factory.begin() as session:
        register_case(
            session,
            Demand("chat", "telegram", CaseType.QUEJA, "envio", "No llega"),
            policy,
            now=datetime(2026, 1, 5, 10),
        )
    assert main(["report", "volume", "--from", "2026-01-05", "--to", "2026-01-05"]) == 0
    assert " on 1 day; " in capsys.readouterr().out.splitlines()[0]


def test_the_command_prints_three_tables_and_writes_one_csv(session_factory, policy, tmp_path, capsys):
    seed(session_factory, policy)
    export = tmp_path / "volume-enero.csv"
    assert main(["report", "volume", *IN_JANUARY, "--csv", str(export)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "Volume: 9 cases created from 2026-01-01 to 2026-01-31 (UTC) on 4 days; "
        "contained by the bot 22.2%, handed to a person 66.7%"
    )
    days, topics, types = lines.index("Por día"), lines.index("Por tema"), lines.index("Por tipo")
    assert [squeezed(line) for line in lines[days + 1 : days + 6]] == [
        "día duda queja solicitud total",
        "2026-01-05 2 1 0 3",
        "2026-01-06 1 2 0 3",
        "2026-01-07 0 1 1 2",
        "2026-01-08 1 0 0 1",
    ]
    assert squeezed(lines[topics + 1]) == "tipo tema casos"
    assert squeezed(lines[topics + 2]) == "queja entrega o envío 3"
    assert squeezed(lines[topics + 8]) == "duda pagos 1"
    assert [squeezed(line) for line in lines[types + 1 : types + 6]] == [
        "tipo casos contenidos por el bot % contención escalados a una persona % derivación",
        "duda 4 2 50.0% 1 25.0%",
        "queja 4 0 0.0% 4 100.0%",
        "solicitud 1 0 0.0% 1 100.0%",
        "Total 9 2 22.2% 6 66.7%",
    ]
    assert lines[-1] == f"wrote {export}"

    assert csv_header(export) == (
        "section,date,type,topic,topic_label,cases,duda,queja,solicitud,"
        "contained,containment_pct,handed_off,handoff_pct"
    )
    rows = csv_rows(export)
    assert [row["section"] for row in rows] == ["day"] * 4 + ["topic"] * 7 + ["type"] * 3 + ["total"]
    empty = dict.fromkeys(("date", "type", "topic", "topic_label", "duda", "queja", "solicitud"), "")
    no_handling = dict.fromkeys(("contained", "containment_pct", "handed_off", "handoff_pct"), "")
    assert rows[0] == {
        **empty,
        **no_handling,
        "section": "day",
        "date": "2026-01-05",
        "cases": "3",
        "duda": "2",
        "queja": "1",
        "solicitud": "0",
    }
    assert rows[4] == {
        **empty,
        **no_handling,
        "section": "topic",
        "type": "queja",
        "topic": "envio",
        "topic_label": "entrega o envío",
        "cases": "3",
    }
    assert rows[11] == {
        **empty,
        "section": "type",
        "type": "duda",
        "cases": "4",
        "contained": "2",
        "containment_pct": "50.0",
        "handed_off": "1",
        "handoff_pct": "25.0",
    }
    assert rows[14] == {
        **empty,
        "section": "total",
        "cases": "9",
        "contained": "2",
        "containment_pct": "22.2",
        "handed_off": "6",
        "handoff_pct": "66.7",
    }
