"""The outbox: escalations leave a case card to post; workers claim each notification once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.cases import Demand, register_case
from bot.store.db import create_session_factory
from bot.store.models import CaseType, Notification
from bot.store.outbox import (
    CASE_CARD,
    LEASE,
    MAX_ATTEMPTS,
    UNATTENDED,
    claim_due,
    enqueue,
    finish,
    retry_later,
)

NOW = datetime(2026, 11, 24, 10, 0)


def register(session_factory, policy, case_type: CaseType, chat: str) -> str:
    demand = Demand(chat, "telegram", case_type, "envio", "No ha llegado", source_key=f"{chat}:1")
    with session_factory.begin() as session:
        return register_case(session, demand, policy, NOW).number


def notifications(session_factory) -> list[Notification]:
    with session_factory() as session:
        return list(session.execute(select(Notification).order_by(Notification.id)).scalars())


def test_an_escalated_case_leaves_a_card_to_post_and_a_bot_case_none(session_factory, policy):
    register(session_factory, policy, CaseType.QUEJA, "1")  # complaints escalate by policy
    register(session_factory, policy, CaseType.DUDA, "2")
    card, notice = notifications(session_factory)
    assert (card.kind, card.status, card.case_id, card.not_before) == (CASE_CARD, "pending", 1, NOW)
    # and, within business hours, a notice to the customer if nobody has taken it in 10 minutes
    assert (notice.kind, notice.case_id, notice.not_before) == (UNATTENDED, 1, NOW + timedelta(minutes=10))


def test_a_solicitud_nobody_escalated_still_shows_the_team_its_card(session_factory, policy):
    demand = Demand("3", "telegram", CaseType.SOLICITUD, "factura", "Quiero la factura", source_key="3:1")
    with session_factory.begin() as session:
        register_case(session, demand, policy, NOW)
    (card,) = notifications(session_factory)
    assert (card.kind, card.not_before) == (CASE_CARD, NOW)


def test_two_workers_never_claim_the_same_notification(session_factory, database_url):
    with session_factory.begin() as session:
        for _ in range(40):
            enqueue(session, "prueba")
    later = datetime.utcnow() + timedelta(seconds=1)

    def claim(worker: str) -> list[int]:
        return claim_due(create_session_factory(database_url), worker, later, limit=40)

    with ThreadPoolExecutor(4) as pool:
        claimed = list(pool.map(claim, ["w1", "w2", "w3", "w4"]))
    every = [i for ids in claimed for i in ids]
    assert sorted(every) == sorted(set(every)) and len(every) == 40


def test_a_dead_workers_lease_runs_out_and_another_worker_takes_over(session_factory):
    with session_factory.begin() as session:
        enqueue(session, "prueba")
    soon = datetime.utcnow() + timedelta(seconds=1)
    assert claim_due(session_factory, "w1", soon) == [1]
    assert claim_due(session_factory, "w2", soon) == []  # leased
    assert claim_due(session_factory, "w2", soon + LEASE + timedelta(seconds=1)) == [1]


def test_failures_back_off_then_give_up_and_sent_ones_stay_sent(session_factory):
    with session_factory.begin() as session:
        first, second = enqueue(session, "prueba"), enqueue(session, "prueba")
    now = datetime.utcnow() + timedelta(seconds=1)
    with session_factory.begin() as session:
        finish(session.get(Notification, second.id), "sent", now)
        retry_later(session.get(Notification, first.id), "Timed out", now)
    assert claim_due(session_factory, "w", now) == []  # backing off, and the other was sent
    assert claim_due(session_factory, "w", now + timedelta(seconds=6)) == [first.id]
    with session_factory.begin() as session:
        for _ in range(MAX_ATTEMPTS):
            retry_later(session.get(Notification, first.id), "Timed out", now)
    assert [n.status for n in notifications(session_factory)] == ["failed", "sent"]
