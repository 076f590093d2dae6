"""Which SLA alerts a case has reached, and each claimed once (a real SQLite store)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.cases import Demand, register_case
from bot.deadlines.business_hours import get_business_hours
from bot.sla.watch import claim_new
from bot.store.models import Case, CaseType
from bot.timeline import add_event

REGISTERED = datetime(2026, 11, 23, 10, 0)  # Monday 11:00 in Madrid: first response due 13:00
PERCENTS = (75, 90)


def complaint(session_factory, policy) -> int:
    demand = Demand("5", "telegram", CaseType.QUEJA, "envio", "No llegó", source_key="5:1")
    with session_factory.begin() as session:
        return register_case(session, demand, policy, REGISTERED).id


def sent(session_factory, minutes: int) -> list[str]:
    with session_factory.begin() as session:
        now = REGISTERED + timedelta(minutes=minutes)
        return sorted(alert.name for alert in claim_new(session, get_business_hours(), PERCENTS, now))


def test_each_alert_is_sent_once_as_the_time_runs(session_factory, policy):
    complaint(session_factory, policy)
    assert sent(session_factory, 89) == []
    assert sent(session_factory, 90) == ["first_response_75"]  # 1 h 30 of 2 h
    assert sent(session_factory, 100) == []
    assert sent(session_factory, 108) == ["first_response_90"]
    assert sent(session_factory, 120) == ["first_response_overdue"]
    assert sent(session_factory, 121) == []


def test_a_late_look_sends_only_the_highest_alert_reached(session_factory, policy):
    complaint(session_factory, policy)
    assert sent(session_factory, 115) == ["first_response_90"]
    assert sent(session_factory, 116) == []


def test_a_first_response_stops_its_clock_but_not_the_resolution_one(session_factory, policy):
    case_id = complaint(session_factory, policy)
    with session_factory.begin() as session:
        add_event(session, session.get(Case, case_id), "first_response", "agent:1", at=REGISTERED)
    assert sent(session_factory, 120) == []
    # 20 opening hours to resolve: by Tuesday 17:00 in Madrid 16 are used (8 on Monday, 8 on Tuesday)
    assert sent(session_factory, (24 + 6) * 60) == ["resolution_75"]


def test_two_workers_never_claim_the_same_alert(session_factory, policy):
    complaint(session_factory, policy)
    now = REGISTERED + timedelta(minutes=120)
    first, second = session_factory(), session_factory()
    try:
        got_first = claim_new(first, get_business_hours(), PERCENTS, now)
        first.commit()
        got_second = claim_new(second, get_business_hours(), PERCENTS, now)
        second.commit()
    finally:
        first.close()
        second.close()
    assert [a.name for a in got_first] == ["first_response_overdue"] and got_second == []
