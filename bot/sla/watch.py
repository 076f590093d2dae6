"""Watching deadlines: which SLA alerts an open case is due, and claiming each one exactly once.

A deadline's alerts are the percentages of `alerts_percent` (75, 90) of its time used, counted in
opening hours, and `overdue` once it has passed. The claim is an INSERT into `sla_alerts`, whose
primary key is (case, alert): of two workers, or a worker restarted, only one ever inserts it.
A worker that was down and finds a case at 95 % claims 75 and 90 together and sends only 90.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.deadlines.business_hours import BusinessHours
from bot.store.db import insert_unless_present
from bot.store.models import OPEN_STATUSES, RESPONDED, Case, CaseEvent, SlaAlert

FIRST_RESPONSE, RESOLUTION = "first_response", "resolution"
OVERDUE = "overdue"


@dataclass(frozen=True)
class Alert:
    case_id: int
    deadline: str  # first_response, resolution
    level: str  # "75", "90" or "overdue"

    @property
    def name(self) -> str:
        return f"{self.deadline}_{self.level}"


def used_share(hours: BusinessHours, start: datetime, due: datetime, now: datetime) -> float:
    """How much of the time from `start` to `due` is used at `now`, in opening hours (1.0: due)."""
    if now >= due:
        return 1.0
    allowed = hours.elapsed(start, due)
    return hours.elapsed(start, now) / allowed if allowed else 1.0


def reached(share: float, percents: tuple[int, ...]) -> list[str]:
    levels = [str(p) for p in percents if share * 100 >= p]
    return [*levels, OVERDUE] if share >= 1.0 else levels


def responded_cases(session: Session, case_ids: list[int]) -> set[int]:
    query = select(CaseEvent.case_id).where(CaseEvent.case_id.in_(case_ids), CaseEvent.kind.in_(RESPONDED))
    return set(session.execute(query).scalars())


def due_alerts(
    session: Session, hours: BusinessHours, percents: tuple[int, ...], now: datetime
) -> list[Alert]:
    """Every alert open cases have reached by `now` (claimed or not), lowest first per deadline."""
    query = select(Case).where(Case.status.in_([s.value for s in OPEN_STATUSES]))
    open_cases = list(session.execute(query.order_by(Case.id)).scalars())  # same order on any database
    responded = responded_cases(session, [case.id for case in open_cases])
    alerts = []
    for case in open_cases:
        deadlines = [(RESOLUTION, case.sla_due_at)]
        if case.id not in responded:
            deadlines.insert(0, (FIRST_RESPONSE, case.first_response_due))
        for deadline, due in deadlines:
            if due is None:
                continue
            share = used_share(hours, case.created_at, due, now)
            alerts += [Alert(case.id, deadline, level) for level in reached(share, percents)]
    return alerts


def claim(session: Session, alert: Alert, now: datetime) -> bool:
    """True for the one caller that records `alert` first."""
    return claim_once(session, alert.case_id, alert.name, now)


def claim_once(session: Session, case_id: int, name: str, now: datetime) -> bool:
    return insert_unless_present(session, SlaAlert, case_id=case_id, alert=name, created_at=now)


def claim_new(
    session: Session, hours: BusinessHours, percents: tuple[int, ...], now: datetime
) -> list[Alert]:
    """Claim every alert reached and not yet claimed; return the ones to send: per case and
    deadline only the highest (a late discovery does not send 75 % and 90 % at once)."""
    claimed = [alert for alert in due_alerts(session, hours, percents, now) if claim(session, alert, now)]
    highest: dict[tuple[int, str], Alert] = {}
    for alert in claimed:  # lowest first, so the last one kept is the highest
        highest[(alert.case_id, alert.deadline)] = alert
    return list(highest.values())
