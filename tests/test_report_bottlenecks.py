"""`python -m bot report bottlenecks`: where the time goes between a case's moments of truth, in
total and by team, over the real migrated store (figures worked out by hand in the comments).

The seed (also used by tests/test_report_volume.py) times every moment in minutes after the case
was registered; 6 minutes are 0.1 h. A case's moments are taken in the order they happened (the
canonical order breaks ties), so C, whose bot answer came before an agent took it, goes registrado →
primera respuesta → tomado → resuelto."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.__main__ import main
from bot.cases import Demand, escalate_case, register_case
from bot.reports.bottlenecks import BottlenecksReport, StepGroup, StepRow, bottlenecks_report
from bot.store.models import Case, CaseType, Level
from bot.timeline import add_event
from tests.support.report_output import csv_header, csv_rows, squeezed
from tests.support.report_seeding import register_agents

JANUARY = (date(2026, 1, 1), date(2026, 1, 31))
IN_JANUARY = ["--from", "2026-01-01", "--to", "2026-01-31"]
MINUTE = timedelta(minutes=1)

DUDA, QUEJA, SOLICITUD = CaseType.DUDA, CaseType.QUEJA, CaseType.SOLICITUD


@dataclass(frozen=True)
class Seeded:
    """A case: the customer wrote `form` minutes before it was registered at `created_at` (captured
    and classified then); `events` are (kind, minutes after registration)."""

    case_type: CaseType  # a duda is Atención al cliente's; queja envio and solicitud devolucion Logística's
    topic: str
    created_at: datetime
    form: int
    events: tuple[tuple[str, int], ...]
    status: str
    agent: str | None = None


CASES = [
    # A. A duda the bot answered at once; the customer confirmed 12 min later and ended the survey 12 later.
    Seeded(
        DUDA,
        "horarios",
        datetime(2026, 1, 5, 10),
        0,
        (
            ("solution_presented", 0),
            ("resolved", 12),
            ("closed", 12),
            ("survey_sent", 12),
            ("survey_answered", 18),
            ("survey_answered", 19),
            ("survey_answered", 24),
        ),
        "cerrado",
    ),
    # B. A duda the bot closed after 30 min; the survey went unanswered.
    Seeded(
        DUDA,
        "pagos",
        datetime(2026, 1, 5, 11),
        0,
        (("solution_presented", 0), ("resolved", 30), ("closed", 30), ("survey_sent", 30)),
        "cerrado",
    ),
    # C. A duda whose answer did not help: escalated, taken by Laura, resolved; survey pending.
    # Its first reply (the bot's, at 0) came before «tomado» (66): primera respuesta → tomado → resuelto.
    Seeded(
        DUDA,
        "devoluciones",
        datetime(2026, 1, 6, 9),
        0,
        (
            ("solution_presented", 0),
            ("escalated", 6),
            ("taken", 66),
            ("first_response", 72),
            ("resolved", 186),
            ("survey_sent", 186),
        ),
        "resuelto",
        "Laura",
    ),
    # D. A queja (escalated by policy on registration): taken, answered, resolved in 24 h, surveyed.
    Seeded(
        QUEJA,
        "envio",
        datetime(2026, 1, 5, 9),
        6,
        (
            ("card_posted", 0),
            ("taken", 60),
            ("first_response", 90),
            ("note", 100),
            ("resolved", 1440),
            ("survey_sent", 1440),
            ("survey_answered", 1500),
            ("survey_answered", 1506),
            ("closed", 1512),
            ("survey_answered", 1512),
        ),
        "cerrado",
        "Laura",
    ),
    # E. A queja resolved in 48 h whose survey expired 48 h later, closing it.
    Seeded(
        QUEJA,
        "envio",
        datetime(2026, 1, 6, 14),
        12,
        (
            ("taken", 180),
            ("sla_warning", 200),
            ("first_response", 210),
            ("resolved", 2880),
            ("survey_sent", 2880),
            ("survey_expired", 5760),
            ("closed", 5760),
        ),
        "cerrado",
        "Pedro",
    ),
    # F. A queja the customer reopened: «No» to «¿Se resolvió?» an hour after the resolution.
    Seeded(
        QUEJA,
        "envio",
        datetime(2026, 1, 6, 16),
        6,
        (
            ("taken", 30),
            ("first_response", 45),
            ("resolved", 600),
            ("survey_sent", 600),
            ("survey_answered", 660),
            ("reopened", 660),
        ),
        "reabierto",
        "Laura",
    ),
    # G. A queja still open: nobody has taken it.
    Seeded(QUEJA, "atencion", datetime(2026, 1, 7, 8), 18, (("sla_overdue", 300),), "escalado"),
    # H. A solicitud (level 2 from the start, not escalated): taken and answered at once, surveyed.
    Seeded(
        SOLICITUD,
        "devolucion",
        datetime(2026, 1, 7, 12),
        30,
        (
            ("taken", 120),
            ("first_response", 120),
            ("resolved", 240),
            ("survey_answered", 246),
            ("survey_answered", 252),
            ("closed", 258),
            ("survey_answered", 258),
        ),
        "cerrado",
        "Pedro",
    ),
    # I. A duda answered; the customer has not confirmed yet.
    Seeded(DUDA, "envios", datetime(2026, 1, 8, 18), 0, (("solution_presented", 0),), "en_proceso"),
    # Either side of January: a duda the bot closed, a queja nobody took.
    Seeded(
        DUDA,
        "horarios",
        datetime(2025, 12, 31, 23, 59, 59),
        0,
        (("solution_presented", 0), ("resolved", 1), ("closed", 1)),
        "cerrado",
    ),
    Seeded(QUEJA, "envio", datetime(2026, 2, 1, 0, 0), 6, (), "escalado"),
]


def seed(session_factory, policy, cases=CASES) -> None:
    with session_factory.begin() as session:
        agents = register_agents(session, policy, [(1, "Laura", "logistica"), (2, "Pedro", "logistica")])
        for number, seeded in enumerate(cases):
            start = seeded.created_at
            demand = Demand(
                f"chat-{number}",
                "telegram",
                seeded.case_type,
                seeded.topic,
                "Necesito ayuda",
                captured_at=start - seeded.form * MINUTE,
            )
            case = register_case(session, demand, policy, now=start)
            agent = agents.get(seeded.agent)
            actor = f"agent:{agent.id}" if agent else "bot"
            for kind, after in seeded.events:
                at = start + after * MINUTE
                if kind == "escalated":
                    escalate_case(session, case, reason="respuesta_no_resolvio", now=at)
                elif kind == "taken":
                    case.assigned_agent_id, case.level = agent.id, max(case.level, int(Level.AGENT))
                    add_event(session, case, kind, actor, at=at, agent=agent.name, level=case.level)
                else:
                    add_event(session, case, kind, actor, at=at)
            case.status = seeded.status


def figures(group: StepGroup) -> list[tuple]:
    return [(row.step, row.cases, row.p50, row.p90, row.mean, row.time_share_pct) for row in group.steps]


# Per case, the steps in minutes, in the order the moments happened (C's bot answer, at 0, came
# before it was taken, at 66):
#   A 0, 0, reg→1ª 0, 1ª→res 12, res→cer 0, cer→enc 12          = 24
#   B 0, 0, reg→1ª 0, 1ª→res 30, res→cer 0                      = 30
#   C 0, 0, reg→1ª 0, 1ª→tom 66, tom→res 120                    = 186
#   D 0, 6, reg→tom 60, tom→1ª 30, 1ª→res 1350, res→cer 72, cer→enc 0 = 1518
#   E 0, 12, reg→tom 180, tom→1ª 30, 1ª→res 2670, res→cer 2880 = 5772
#   F 0, 6, reg→tom 30, tom→1ª 15, 1ª→res 555, res→enc 60      = 666
#   G 0, 18                                                     = 18
#   H 0, 30, reg→tom 120, tom→1ª 0, 1ª→res 120, res→cer 18, cer→enc 0 = 288
#   I 0, 0, reg→1ª 0                                            = 0
# All of it: 8502 min; Atención al cliente (A B C G I) 258; Logística (D E F H) 8244.
# Steps in the canonical order of the moment they start at, then the one they end at.
TOTAL = [
    ("capturado → clasificado", 9, 0.0, 0.0, 0.0, 0.0),
    # 0 0 0 0 6 6 12 18 30: rank 5 (⌈4.5⌉) is 6 min, rank 9 (⌈8.1⌉) 30; 72 / 9 = 8 min; 72 / 8502 = 0.85 %
    ("clasificado → registrado", 9, 0.1, 0.5, 0.1, 0.8),
    # 30 60 120 180: rank 2 and 4; 390 / 4 = 97.5 min = 1.625 h, 1.6; 390 / 8502 = 4.59 %
    ("registrado → tomado", 4, 1.0, 3.0, 1.6, 4.6),
    ("registrado → primera respuesta", 4, 0.0, 0.0, 0.0, 0.0),  # A, B, C and I: the bot, at once
    # 0 15 30 30: rank 2 is 15 min = 0.25 h, half up 0.3; 75 / 4 = 18.75 min = 0.31 h; 75 / 8502 = 0.88 %
    ("tomado → primera respuesta", 4, 0.3, 0.5, 0.3, 0.9),
    ("tomado → resuelto", 1, 2.0, 2.0, 2.0, 1.4),  # C: 186 - 66 = 120 min; 120 / 8502 = 1.41 %
    ("primera respuesta → tomado", 1, 1.1, 1.1, 1.1, 0.8),  # C: 66 min; 66 / 8502 = 0.78 %
    # 12 30 120 555 1350 2670: rank 3 and 6; 4737 / 6 = 789.5 min = 13.16 h; 4737 / 8502 = 55.72 %
    ("primera respuesta → resuelto", 6, 2.0, 44.5, 13.2, 55.7),
    # 0 0 18 72 2880: rank 3 and 5; 2970 / 5 = 594 min = 9.9 h; 2970 / 8502 = 34.93 %
    ("resuelto → cerrado", 5, 0.3, 48.0, 9.9, 34.9),
    ("resuelto → encuestado", 1, 1.0, 1.0, 1.0, 0.7),  # F: 60 / 8502 = 0.71 %
    # 0 0 12: rank 2 and 3; 12 / 3 = 4 min = 0.067 h; 12 / 8502 = 0.14 %
    ("cerrado → encuestado", 3, 0.0, 0.2, 0.1, 0.1),
]
ATENCION = [
    ("capturado → clasificado", 5, 0.0, 0.0, 0.0, 0.0),
    ("clasificado → registrado", 5, 0.0, 0.3, 0.1, 7.0),  # 0 0 0 0 18: 18 / 5 = 3.6 min; 18 / 258 = 6.98 %
    ("registrado → primera respuesta", 4, 0.0, 0.0, 0.0, 0.0),  # A B C I
    ("tomado → resuelto", 1, 2.0, 2.0, 2.0, 46.5),  # C: 120 / 258 = 46.51 %
    ("primera respuesta → tomado", 1, 1.1, 1.1, 1.1, 25.6),  # C: 66 / 258 = 25.58 %
    # 12 30: rank 1 and 2; 42 / 2 = 21 min = 0.35 h, half up 0.4; 42 / 258 = 16.28 %
    ("primera respuesta → resuelto", 2, 0.2, 0.5, 0.4, 16.3),
    ("resuelto → cerrado", 2, 0.0, 0.0, 0.0, 0.0),
    ("cerrado → encuestado", 1, 0.2, 0.2, 0.2, 4.7),  # 12 / 258 = 4.65 %
]
LOGISTICA = [
    ("capturado → clasificado", 4, 0.0, 0.0, 0.0, 0.0),
    ("clasificado → registrado", 4, 0.1, 0.5, 0.2, 0.7),  # 6 6 12 30: 54 / 4 = 13.5 min = 0.225 h
    ("registrado → tomado", 4, 1.0, 3.0, 1.6, 4.7),  # 30 60 120 180: 390 / 4 = 97.5 min = 1.625 h
    ("tomado → primera respuesta", 4, 0.3, 0.5, 0.3, 0.9),  # 0 15 30 30: 75 / 4 = 18.75 min
    # 120 555 1350 2670: 555 min = 9.25 h, half up 9.3; 4695 / 4 = 1173.75 min = 19.56 h; 56.95 %
    ("primera respuesta → resuelto", 4, 9.3, 44.5, 19.6, 57.0),
    ("resuelto → cerrado", 3, 1.2, 48.0, 16.5, 36.0),  # 18 72 2880: 2970 / 3 = 990 min; 2970 / 8244
    ("resuelto → encuestado", 1, 1.0, 1.0, 1.0, 0.7),  # 60 / 8244 = 0.73 %
    ("cerrado → encuestado", 2, 0.0, 0.0, 0.0, 0.0),
]


def test_january_in_total_and_by_team(session_factory, policy):
    seed(session_factory, policy)
    with session_factory() as session:
        report = bottlenecks_report(session, *JANUARY)

    assert report.total.cases == 9
    assert figures(report.total) == TOTAL
    assert report.total.time == 8502 * MINUTE
    assert [(team.label, team.cases, team.time) for team in report.teams] == [
        ("Atención al cliente", 5, 258 * MINUTE),
        ("Logística", 4, 8244 * MINUTE),
    ]
    assert figures(report.teams[0]) == ATENCION
    assert figures(report.teams[1]) == LOGISTICA
    # C's first reply (the bot's) came 66 min before it was taken: that step, with its real duration.
    reply_to_taken = report.teams[0].steps[4]
    assert (reply_to_taken.source, reply_to_taken.target, reply_to_taken.durations) == (
        "primera respuesta",
        "tomado",
        (66 * MINUTE,),
    )
    # The slowest step by p50: 120 min, tied with C's tomado → resuelto; more cases (6 to 1) wins.
    assert report.slowest.step == "primera respuesta → resuelto"
    assert report.slowest.p50 == 2.0


def test_the_slowest_step_ties_go_to_more_cases_then_the_canonical_order():
    def row(source: str, target: str, *minutes: int) -> StepRow:
        return StepRow(source, target, tuple(value * MINUTE for value in minutes), 100 * MINUTE)

    def slowest(*rows: StepRow) -> str:
        report = BottlenecksReport(None, None, StepGroup("Total", 3, rows), [])
        return report.slowest.step

    assert slowest(row("a", "b", 10, 20), row("b", "c", 10, 60)) == "a → b"  # p50 10 each, 2 cases each
    assert slowest(row("a", "b", 10), row("b", "c", 10, 10)) == "b → c"  # more cases
    assert slowest(row("a", "b", 1), row("b", "c", 2)) == "b → c"
    assert BottlenecksReport(None, None, StepGroup("Total", 1, ()), []).slowest is None


def test_the_range_takes_whole_utc_days_and_each_end_is_optional(session_factory, policy):
    seed(session_factory, policy)
    with session_factory() as session:
        everything = bottlenecks_report(session)
        assert everything.total.cases == 11
        # The two outside January add 1 min (duda, primera respuesta → resuelto) and 6 (queja's form).
        assert everything.total.time == (8502 + 1 + 6) * MINUTE
        assert bottlenecks_report(session, start=date(2026, 1, 1)).total.cases == 10
        assert bottlenecks_report(session, end=date(2026, 1, 31)).total.cases == 10
        one_day = bottlenecks_report(session, date(2026, 1, 8), date(2026, 1, 8))
        assert figures(one_day.total) == [
            ("capturado → clasificado", 1, 0.0, 0.0, 0.0, None),  # no time measured: no share
            ("clasificado → registrado", 1, 0.0, 0.0, 0.0, None),
            ("registrado → primera respuesta", 1, 0.0, 0.0, 0.0, None),
        ]
        assert bottlenecks_report(session, date(2026, 3, 1), date(2026, 3, 31)).is_empty


def test_cases_without_a_team_are_grouped_apart(session_factory, policy):
    seed(session_factory, policy, CASES[6:7])  # G: 18 min from its first message to registration
    with session_factory.begin() as session:
        session.execute(update(Case).values(team_id=None))
    with session_factory() as session:
        report = bottlenecks_report(session)
    assert [(team.label, team.cases) for team in report.teams] == [("Sin equipo", 1)]
    assert figures(report.teams[0])[1] == ("clasificado → registrado", 1, 0.3, 0.3, 0.3, 100.0)


def test_the_command_prints_two_tables_and_writes_one_csv(session_factory, policy, tmp_path, capsys):
    seed(session_factory, policy)
    export = tmp_path / "bottlenecks-enero.csv"
    assert main(["report", "bottlenecks", *IN_JANUARY, "--csv", str(export)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "Bottlenecks: 9 cases created from 2026-01-01 to 2026-01-31 (UTC); wall-clock hours; "
        "slowest step (p50): primera respuesta → resuelto, 2.0 h"
    )
    total, teams = lines.index("Total"), lines.index("Por equipo")
    assert squeezed(lines[total + 1]) == "paso casos p50 h p90 h media h % del tiempo"
    assert squeezed(lines[total + 2]) == "capturado → clasificado 9 0.0 0.0 0.0 0.0%"
    assert squeezed(lines[total + 9]) == "primera respuesta → resuelto 6 2.0 44.5 13.2 55.7%"
    assert len(lines[total + 2]) == len(lines[total + 9])  # numbers right-aligned
    # Text columns (equipo, paso) to the left, numbers to the right: padded to the widest cell.
    assert lines[teams + 1 : teams + 3] == [
        "equipo               paso                            casos  p50 h  p90 h  media h  % del tiempo",
        "Atención al cliente  capturado → clasificado             5    0.0    0.0      0.0          0.0%",
    ]
    assert squeezed(lines[teams + 9]) == "Atención al cliente cerrado → encuestado 1 0.2 0.2 0.2 4.7%"
    assert lines[teams + 14] == (
        "Logística            primera respuesta → resuelto        4    9.3   44.5     19.6         57.0%"
    )
    assert len(lines[teams + 2 :]) == 8 + 8 + 1  # Atención's steps, Logística's, "wrote …"
    assert lines[-1] == f"wrote {export}"

    assert csv_header(export) == "section,name,step,cases,p50_hours,p90_hours,mean_hours,time_share_pct"
    rows = csv_rows(export)
    assert [row["section"] for row in rows] == ["total"] * 11 + ["team"] * 16
    assert [(row["name"], row["step"]) for row in rows[10:12]] == [
        ("Total", "cerrado → encuestado"),
        ("Atención al cliente", "capturado → clasificado"),
    ]
    assert rows[8] == {
        "section": "total",
        "name": "Total",
        "step": "resuelto → cerrado",
        "cases": "5",
        "p50_hours": "0.3",
        "p90_hours": "48.0",
        "mean_hours": "9.9",
        "time_share_pct": "34.9",
    }


def test_a_group_without_measured_time_has_an_empty_share(session_factory, policy, tmp_path, capsys):
    seed(session_factory, policy)
    export = tmp_path / "bottlenecks-8.csv"
    on_the_8th = ["--from", "2026-01-08", "--to", "2026-01-08"]
    assert main(["report", "bottlenecks", *on_the_8th, "--csv", str(export)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert squeezed(lines[lines.index("Total") + 2]) == "capturado → clasificado 1 0.0 0.0 0.0 —"
    first = csv_rows(export)[0]
    assert (first["p50_hours"], first["time_share_pct"]) == ("0.0", "")


def test_moments_are_taken_in_the_order_they_happened(session_factory, policy):
    seed(
        session_factory, policy, CASES[2:3]
    )  # C: the bot answered at 0, Laura took it at 66, resolved at 186
    with session_factory() as session:
        report = bottlenecks_report(session)
    # 66 min (1.1 h) from the bot's answer to the taking, then 120 (2.0 h) to the resolution: 186 in all.
    assert figures(report.total) == [
        ("capturado → clasificado", 1, 0.0, 0.0, 0.0, 0.0),
        ("clasificado → registrado", 1, 0.0, 0.0, 0.0, 0.0),
        ("registrado → primera respuesta", 1, 0.0, 0.0, 0.0, 0.0),
        ("tomado → resuelto", 1, 2.0, 2.0, 2.0, 64.5),  # 120 / 186 = 64.52 %
        ("primera respuesta → tomado", 1, 1.1, 1.1, 1.1, 35.5),  # 66 / 186 = 35.48 %
    ]
    assert report.total.time == 186 * MINUTE


def test_the_help_says_what_a_step_is(capsys):
    with pytest.raises(SystemExit) as shown:
        main(["report", "bottlenecks", "--help"])
    assert shown.value.code == 0
    shown_help = " ".join(capsys.readouterr().out.split())
    assert "taken in the order they happened" in shown_help
    assert "registrado → primera respuesta → tomado" in shown_help
