"""How much, of what, and how much the bot handles alone: the cases created in a range, by day, by
topic and by type.

A case was handed to a person when it was escalated (the customer asked for one, a FAQ answer did
not help, the case policy escalates its kind, a deadline was missed) or an agent took it; the bot
contained it when it was resolved and never handed to a person. A solicitud registered for a team's
queue and never escalated is neither: the level a case is registered at (2 for every queja and
solicitud) says who owns the work, not that the customer was passed to a person. Shares are of all
the cases of the type (or in total), so a case still open with the bot is neither.

Counts come from portable SQL (SQLite and PostgreSQL); days are the UTC dates of `created_at`,
bucketed in Python (no dialect's date functions); shares are rounded half up to one decimal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from bot.labels import topic_label
from bot.reports.command import ReportCommand
from bot.reports.figures import one_decimal, plural
from bot.reports.grouped import TOTAL_LABEL, within_days
from bot.reports.tables import Table, cell_text
from bot.store.models import Case, CaseEvent, CaseType

TYPES = tuple(case_type.value for case_type in CaseType)  # duda, queja, solicitud

TYPE_HEADERS = ("casos", "contenidos por el bot", "% contención", "escalados a una persona", "% derivación")
CSV_HEADERS = (
    "section",
    "date",
    "type",
    "topic",
    "topic_label",
    "cases",
    *TYPES,
    "contained",
    "containment_pct",
    "handed_off",
    "handoff_pct",
)


@dataclass(frozen=True)
class DayRow:
    day: date  # UTC
    duda: int
    queja: int
    solicitud: int

    @property
    def total(self) -> int:
        return self.duda + self.queja + self.solicitud


@dataclass(frozen=True)
class TopicRow:
    case_type: str
    topic: str  # the code, e.g. "envio"
    label: str  # its Spanish name, e.g. "entrega o envío"
    cases: int


@dataclass(frozen=True)
class TypeRow:
    label: str  # the case type, or Total
    cases: int
    contained: int  # resolved, never handed to a person
    handed_off: int  # reached level 2 or more, or taken by an agent

    @property
    def containment_pct(self) -> float | None:
        return one_decimal(self.contained, self.cases, scale=100)

    @property
    def handoff_pct(self) -> float | None:
        return one_decimal(self.handed_off, self.cases, scale=100)


@dataclass(frozen=True)
class VolumeReport:
    start: date | None
    end: date | None
    days: list[DayRow]  # only days with cases, in date order
    topics: list[TopicRow]  # most cases first, then by name
    types: list[TypeRow]  # duda, queja, solicitud
    total: TypeRow

    @property
    def is_empty(self) -> bool:
        return self.total.cases == 0


def _has_event(kind: str) -> ColumnElement:
    return exists().where(CaseEvent.case_id == Case.id, CaseEvent.kind == kind)


def _counted(condition: ColumnElement) -> ColumnElement:
    return func.count(case((condition, 1)))


def _days(session: Session, start: date | None, end: date | None) -> list[DayRow]:
    query = within_days(select(Case.created_at, Case.type), Case.created_at, start, end)
    counts = Counter((created_at.date(), case_type) for created_at, case_type in session.execute(query))
    days = sorted({day for day, _ in counts})
    return [DayRow(day, *(counts[day, case_type] for case_type in TYPES)) for day in days]


def _topics(session: Session, start: date | None, end: date | None) -> list[TopicRow]:
    query = select(Case.type, Case.topic, func.count(Case.id)).group_by(Case.type, Case.topic)
    rows = [
        TopicRow(case_type, topic, topic_label(case_type, topic), cases)
        for case_type, topic, cases in session.execute(within_days(query, Case.created_at, start, end))
    ]
    return sorted(rows, key=lambda row: (-row.cases, row.label.casefold(), row.case_type))


def _types(session: Session, start: date | None, end: date | None) -> list[TypeRow]:
    handed_off = or_(_has_event("escalated"), _has_event("taken"))
    contained = _has_event("resolved") & ~handed_off
    figures = (func.count(Case.id), _counted(contained), _counted(handed_off))
    query = select(Case.type, *figures).group_by(Case.type)
    counts = {
        case_type: figures
        for case_type, *figures in session.execute(within_days(query, Case.created_at, start, end))
    }
    return [TypeRow(case_type, *counts.get(case_type, (0, 0, 0))) for case_type in TYPES]


def _total(rows: Iterable[TypeRow]) -> TypeRow:
    rows = list(rows)
    return TypeRow(
        TOTAL_LABEL,
        sum(row.cases for row in rows),
        sum(row.contained for row in rows),
        sum(row.handed_off for row in rows),
    )


def volume_report(session: Session, start: date | None = None, end: date | None = None) -> VolumeReport:
    """The cases created between `start` and `end` (UTC dates, both days included; None: no limit)."""
    types = _types(session, start, end)
    return VolumeReport(
        start, end, _days(session, start, end), _topics(session, start, end), types, _total(types)
    )


def volume_tables(report: VolumeReport) -> list[Table]:
    """Por día, Por tema and Por tipo, as printed by `python -m bot report volume`."""
    type_rows = [*report.types, report.total]
    return [
        Table(
            "Por día",
            ("día", *TYPES, "total"),
            [
                [day.day.isoformat(), *(str(count) for count in _by_type(day).values()), str(day.total)]
                for day in report.days
            ],
        ),
        Table(
            "Por tema",
            ("tipo", "tema", "casos"),
            [[row.case_type, row.label, str(row.cases)] for row in report.topics],
        ),
        Table(
            "Por tipo",
            ("tipo", *TYPE_HEADERS),
            [
                [
                    row.label,
                    str(row.cases),
                    str(row.contained),
                    cell_text(row.containment_pct, "%"),
                    str(row.handed_off),
                    cell_text(row.handoff_pct, "%"),
                ]
                for row in type_rows
            ],
        ),
    ]


def volume_csv_rows(report: VolumeReport) -> list[list]:
    """Under CSV_HEADERS, `section` day, topic, type or total; each row fills the columns it has."""
    days = [
        _csv_row("day", date=day.day.isoformat(), cases=day.total, **_by_type(day)) for day in report.days
    ]
    topics = [
        _csv_row("topic", type=row.case_type, topic=row.topic, topic_label=row.label, cases=row.cases)
        for row in report.topics
    ]
    types = [_csv_row("type", type=row.label, **_handling(row)) for row in report.types]
    return [*days, *topics, *types, _csv_row("total", **_handling(report.total))]


def _csv_row(section: str, **values) -> list:
    return [section, *(values.get(header) for header in CSV_HEADERS[1:])]


def _by_type(day: DayRow) -> dict[str, int]:
    return {case_type: getattr(day, case_type) for case_type in TYPES}


def _handling(row: TypeRow) -> dict:
    return {
        "cases": row.cases,
        "contained": row.contained,
        "containment_pct": row.containment_pct,
        "handed_off": row.handed_off,
        "handoff_pct": row.handoff_pct,
    }


def _headline(report: VolumeReport, span: str) -> str:
    total = report.total
    return (
        f"Volume: {total.cases} cases created {span} on {plural(len(report.days), 'day')}; "
        f"contained by the bot {cell_text(total.containment_pct, '%')}, "
        f"handed to a person {cell_text(total.handoff_pct, '%')}"
    )


COMMAND = ReportCommand(
    name="volume",
    help="how many cases, of what, and how many the bot handles alone: by day, topic and type",
    description="Cases created in the range (whole days, as UTC dates, not the service's time "
    "zone): by day and type, by topic, and by type with how many the bot contained (resolved, "
    "never handed to a person) and how many were handed to a person (escalated, or "
    "taken by an agent), as shares of all the type's cases.",
    build=volume_report,
    headline=_headline,
    nothing="no cases",
    tables=volume_tables,
    csv_headers=CSV_HEADERS,
    csv_rows=volume_csv_rows,
)
