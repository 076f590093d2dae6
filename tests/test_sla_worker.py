"""The worker watching deadlines on a fake clock: warnings at 75 % and 90 %, escalation to the
supervisors when a deadline passes, the customer told once; nothing sent twice, across a restart
or by two workers (real python-telegram-bot against the fake Bot API, real SQLite store)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.cases import Demand, register_case
from bot.handoff.agents import register_agent
from bot.handoff.rules import take_case
from bot.store.models import Case, CaseEvent, CaseType, Level, Notification
from bot.worker import Worker

AGENTS, TOPIC = -1009876543210, 42
CUSTOMER, LAURA, MARTA = 4242, 51001, 51003
REGISTERED = datetime(2026, 11, 23, 10, 0)  # Monday 11:00 in Madrid: first response due 13:00


class Clock:
    def __init__(self) -> None:
        self.now = REGISTERED

    def __call__(self) -> datetime:
        return self.now


def taken_complaint(session_factory, policy) -> str:
    demand = Demand(str(CUSTOMER), "telegram", CaseType.QUEJA, "envio", "No llegó", source_key="c:1")
    with session_factory.begin() as session:
        laura, _ = register_agent(session, LAURA, "Laura Gómez", "logistica", Level.AGENT, policy)
        register_agent(session, MARTA, "Marta Sanz", "logistica", Level.SUPERVISOR, policy)
        case = register_case(session, demand, policy, REGISTERED)
        case.agents_thread_id = TOPIC  # its topic in the agents' forum
        number = case.number
    with session_factory.begin() as session:
        take_case(session, number, laura, REGISTERED)
    return number


async def run_at(worker: Worker, clock: Clock, minutes: int) -> None:
    clock.now = REGISTERED + timedelta(minutes=minutes)
    await worker.watch_deadlines()
    await worker.deliver_due()


def thread_posts(fake) -> list[str]:
    return [c.params["text"] for c in fake.calls("sendMessage") if c.params.get("message_thread_id") == TOPIC]


def events(session_factory, kind: str) -> list[CaseEvent]:
    with session_factory() as session:
        return list(session.execute(select(CaseEvent).where(CaseEvent.kind == kind)).scalars())


async def test_warnings_then_escalation_and_one_late_notice(bot, fake, session_factory, policy):
    number = taken_complaint(session_factory, policy)
    clock = Clock()
    worker = Worker(bot, session_factory, AGENTS, clock=clock)

    await run_at(worker, clock, 89)
    assert not [t for t in thread_posts(fake) if "⏰" in t]
    await run_at(worker, clock, 90)
    warning = (
        f"⏰ Caso <b>{number}</b>: 75 % del tiempo de primera respuesta usado; "
        "vence el lunes 23/11/2026 a las 13:00."
    )
    assert warning in thread_posts(fake) and warning in fake.sent_texts(LAURA)

    await run_at(worker, clock, 108)
    assert any("90 % del tiempo de primera respuesta" in t for t in fake.sent_texts(LAURA))

    await run_at(worker, clock, 120)
    (overdue,) = [t for t in thread_posts(fake) if "🚨" in t]
    assert (
        "ha vencido el plazo de primera respuesta" in overdue and 'tg://user?id=51003">Marta Sanz' in overdue
    )
    assert any("ha vencido" in t for t in fake.sent_texts(MARTA))
    (late,) = [t for t in fake.sent_texts(CUSTOMER) if "va con retraso" in t]
    assert number in late and "nueva fecha prevista" in late
    with session_factory() as session:
        case = session.execute(select(Case).where(Case.number == number)).scalar_one()
        assert case.level == Level.SUPERVISOR
    assert [e.details["reason"] for e in events(session_factory, "escalated")][-1] == "sla_vencido"

    await run_at(worker, clock, 60 * 24 * 7)  # a week later the resolution is overdue too
    assert len([t for t in fake.sent_texts(CUSTOMER) if "va con retraso" in t]) == 1
    assert len(events(session_factory, "sla_overdue")) == 2


async def test_nothing_is_sent_twice_after_a_restart_or_by_two_workers(bot, fake, session_factory, policy):
    taken_complaint(session_factory, policy)
    clocks = [Clock(), Clock(), Clock()]
    first, second, restarted = (Worker(bot, session_factory, AGENTS, clock=c) for c in clocks)
    for clock in clocks:
        clock.now = REGISTERED + timedelta(minutes=95)
    assert await first.watch_deadlines() == 1 and await second.watch_deadlines() == 0
    await first.deliver_due()
    assert await restarted.watch_deadlines() == 0
    with session_factory() as session:
        queued = session.execute(select(Notification).where(Notification.kind == "sla_alert")).scalars()
        assert len(list(queued)) == 1
    assert len(events(session_factory, "sla_warning")) == 1


async def test_without_telegram_a_late_case_still_goes_up_to_supervision(session_factory, policy):
    """`make run` with no TELEGRAM_TOKEN: the console shows the escalation; nobody is told."""
    number = taken_complaint(session_factory, policy)
    clock = Clock()
    worker = Worker(None, session_factory, None, clock=clock)

    await run_at(worker, clock, 90)
    await run_at(worker, clock, 120)

    with session_factory() as session:
        case = session.execute(select(Case).where(Case.number == number)).scalar_one()
        assert case.level == Level.SUPERVISOR
        sent = session.execute(select(Notification.status).where(Notification.kind == "sla_alert")).scalars()
        assert sorted(sent) == ["skipped", "skipped"]
    assert [e.details["reason"] for e in events(session_factory, "escalated")] == ["policy", "sla_vencido"]
    assert [e.details["percent"] for e in events(session_factory, "sla_warning")] == [75]
    assert events(session_factory, "customer_notified") == []
