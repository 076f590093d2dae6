"""The case store: numbering, idempotency, timelines and who may see what."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.cases import (
    Demand,
    close_case,
    customer_case,
    escalate_case,
    open_cases,
    refine_topic,
    register_case,
    register_case_once,
    withdraw_case,
)
from bot.store.models import Case, CaseEvent, CaseType, Customer, Message, Notification

NOW = datetime(2026, 11, 23, 10, 0)


def demand(sender: str = "chat-1", key: str | None = "chat-1:m1", **overrides) -> Demand:
    values = dict(
        sender_id=sender,
        channel="rest",
        case_type=CaseType.QUEJA,
        topic="envio",
        description="El pedido PED-1234567 no ha llegado",
        source_key=key,
        intent="queja",
        confidence=0.93,
        captured_at=NOW,
    )
    values.update(overrides)
    return Demand(**values)


def test_a_registered_queja_has_a_number_team_due_date_and_timeline(session_factory, policy):
    with session_factory.begin() as session:
        case = register_case(session, demand(), policy, NOW)
        number, status, level = case.number, case.status, case.level
        kinds = [e.kind for e in case.events]
        team = case.team.name
        due = case.sla_due_at
        first_response_due = case.first_response_due
        stored = (case.intent, case.intent_confidence)

    assert re.fullmatch(r"Q-2026-\d{6}", number)
    assert kinds == ["captured", "classified", "registered", "escalated"]
    assert (status, level) == ("escalado", 2)  # quejas are escalated by default
    assert team == "logistica"
    # Monday 11:00 in Madrid: 2 opening hours to answer (priority alta), 20 to resolve
    # (8 on Monday until 19:00, 10 on Tuesday, 2 on Wednesday), sla.yml and business_hours.yml.
    assert first_response_due == datetime(2026, 11, 23, 12, 0)
    assert due == datetime(2026, 11, 25, 10, 0)
    assert stored == ("queja", 0.93)


def test_a_complaint_about_nothing_in_particular_takes_the_team_its_details_name(session_factory, policy):
    vague = demand(topic="general", description="hice un pedido hace dos semanas")
    with session_factory.begin() as session:
        case = register_case(session, vague, policy, NOW)
        assert case.team.name == "atencion_cliente"
        assert refine_topic(session, case, "envio", policy, NOW)
        assert not refine_topic(session, case, "cobro", policy, NOW)  # it has a topic of its own now
        topic, team, due = case.topic, case.team.name, case.sla_due_at
        refined = [e.details for e in case.events if e.kind == "topic_refined"]
        session.flush()
        kinds = [n.kind for n in session.scalars(select(Notification).where(Notification.case_id == case.id))]

    assert (topic, team) == ("envio", "logistica")
    assert refined == [{"from": "general", "to": "envio", "team": "logistica"}]
    assert due == datetime(2026, 11, 25, 10, 0)  # still counted from when it was opened
    assert kinds.count("case_card") == 2, kinds  # registered and escalated, then redrawn


def test_case_numbers_carry_the_type_prefix_and_one_yearly_sequence(session_factory, policy):
    numbers = []
    for i, case_type in enumerate([CaseType.DUDA, CaseType.QUEJA, CaseType.SOLICITUD]):
        with session_factory.begin() as session:
            numbers.append(
                register_case(
                    session, demand(key=f"k{i}", case_type=case_type, topic="general"), policy, NOW
                ).number
            )
    assert numbers == ["D-2026-000001", "Q-2026-000002", "S-2026-000003"]


def test_the_same_message_registers_one_case_even_when_retried(session_factory, policy):
    first = register_case_once(session_factory, demand(), policy, NOW)
    again = register_case_once(session_factory, demand(), policy, NOW)
    with session_factory() as session:
        count = session.execute(select(func.count(Case.id))).scalar_one()
    assert again.number == first.number
    assert count == 1


def test_concurrent_registrations_get_distinct_numbers(session_factory, policy):
    def register(i: int) -> str:
        return register_case_once(
            session_factory, demand(sender=f"chat-{i % 7}", key=f"k-{i}"), policy, NOW
        ).number

    with ThreadPoolExecutor(max_workers=16) as pool:
        numbers = list(pool.map(register, range(120)))

    with session_factory() as session:
        stored = session.execute(select(func.count(Case.id))).scalar_one()
    assert len(set(numbers)) == 120
    assert stored == 120
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, 121))


def test_concurrent_retries_of_one_message_register_it_once(session_factory, policy):
    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = set(
            pool.map(lambda _: register_case_once(session_factory, demand(), policy, NOW).number, range(24))
        )
    assert len(numbers) == 1


def test_a_customer_sees_only_their_own_cases(session_factory, policy):
    with session_factory.begin() as session:
        mine = register_case(session, demand(sender="ana", key="a"), policy, NOW).number
        theirs = register_case(session, demand(sender="luis", key="b"), policy, NOW).number
    with session_factory() as session:
        assert customer_case(session, "ana", mine) is not None
        assert customer_case(session, "ana", theirs) is None
        assert customer_case(session, "ana", "Q-2026-999999") is None
        assert [c.number for c in open_cases(session, "ana")] == [mine]


def test_closing_records_resolution_and_leaves_the_open_list(session_factory, policy):
    with session_factory.begin() as session:
        case = register_case(session, demand(case_type=CaseType.DUDA, topic="envios"), policy, NOW)
        close_case(session, case, "Respondida por el asistente", now=NOW)
    with session_factory() as session:
        case = session.execute(select(Case)).scalar_one()
        assert case.status == "cerrado" and case.closed_at == NOW
        assert open_cases(session, "chat-1") == []
        kinds = session.execute(select(CaseEvent.kind).order_by(CaseEvent.id)).scalars().all()
        assert kinds[-2:] == ["resolved", "closed"]


def test_a_withdrawn_case_is_closed_by_the_customer_and_its_card_updated(session_factory, policy):
    with session_factory.begin() as session:
        case = register_case(session, demand(), policy, NOW)  # a queja: escalated, its card queued
        withdraw_case(session, case, now=NOW)
    with session_factory() as session:
        case = session.execute(select(Case)).scalar_one()
        assert (case.status, case.resolution, case.closed_at) == ("cerrado", "retirado por el cliente", NOW)
        assert open_cases(session, "chat-1") == []
        last = session.execute(select(CaseEvent).order_by(CaseEvent.id.desc()).limit(1)).scalar_one()
        assert (last.kind, last.actor, last.status_to) == ("withdrawn", "customer", "cerrado")
        cards = (
            session.execute(select(Notification.kind).where(Notification.kind == "case_card")).scalars().all()
        )
        assert len(cards) >= 2  # the registration's and the withdrawal's: the agents' group sees it


def test_escalating_twice_records_one_escalation(session_factory, policy):
    with session_factory.begin() as session:
        case = register_case(session, demand(), policy, NOW)
        escalate_case(session, case, reason="pedido_por_cliente", now=NOW)
        escalations = [e for e in case.events if e.kind == "escalated"]
    assert len(escalations) == 1


def test_hostile_text_is_stored_verbatim(session_factory, policy):
    text = "'; DROP TABLE cases; -- <script>alert(1)</script>"
    with session_factory.begin() as session:
        register_case(session, demand(description=text), policy, NOW)
    with session_factory() as session:
        assert session.execute(select(Case.description)).scalar_one() == text
        assert session.execute(select(Message.text)).scalar_one() == text


def test_a_failed_statement_never_tells_the_values_it_carried(session_factory):
    """Errors end up in logs: a customer's name or words must not travel with them (PostgreSQL's own
    DETAIL still names the duplicated key: here a chat id, never text)."""
    with session_factory.begin() as session:
        session.add(Customer(chat_id="chat-privado", channel="telegram", name="Ana Pérez Secreta"))
    try:
        with session_factory.begin() as session:
            session.add(Customer(chat_id="chat-privado", channel="telegram", name="Ana Pérez Secreta"))
    except IntegrityError as error:
        told = str(error)
    else:
        raise AssertionError("a second customer with the same chat id was stored")
    assert "parameters hidden" in told and "Ana Pérez" not in told
