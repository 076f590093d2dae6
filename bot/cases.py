"""Registering and moving cases: the one writer of a case.

Every transition — register, escalate, present a solution, assign, release, transfer, retype,
resolve, reopen, raise the level, close, and the handoff's own states — is a function here that
sets the case's fields, records its timeline event and, where the agents' group shows the case,
queues its card for the worker to redraw. Nothing else changes a case.

Functions take a `Session` and never commit: the caller owns the transaction
(`with session_factory.begin() as session:`), as in a unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.attachments import attach_pending
from bot.customers import upsert_customer
from bot.deadlines.business_hours import get_business_hours
from bot.deadlines.sla import case_deadlines, get_sla_policy
from bot.labels import customer_visible_events
from bot.policy import GENERAL_TOPIC, CasePolicy
from bot.store.db import insert_unless_present
from bot.store.models import (
    OPEN_STATUSES,
    Agent,
    Case,
    CaseEvent,
    CaseSequence,
    CaseStatus,
    CaseType,
    Customer,
    Handoff,
    Level,
    Team,
    utcnow,
)
from bot.store.outbox import CASE_CARD, UNATTENDED, enqueue
from bot.timeline import BOT_ACTOR, CUSTOMER_ACTOR, add_event, add_message, agent_actor

OPEN = [status.value for status in OPEN_STATUSES]
RELAYED_CHANNELS = {"telegram"}  # where an agent can write to the customer


@dataclass(frozen=True)
class Demand:
    """What the customer asked for, as the assistant understood it."""

    sender_id: str
    channel: str
    case_type: CaseType
    topic: str
    description: str
    source_key: str | None = None
    intent: str | None = None
    confidence: float | None = None
    captured_at: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)
    customer_name: str | None = None


def format_case_number(case_type: CaseType, year: int, value: int) -> str:
    return f"{case_type.prefix}-{year}-{value:06d}"


def next_case_number(session: Session, case_type: CaseType, year: int) -> str:
    """Take the next value of the year's counter; the row lock serialises writers."""
    insert_unless_present(session, CaseSequence, year=year, last_value=0)
    session.execute(
        update(CaseSequence).where(CaseSequence.year == year).values(last_value=CaseSequence.last_value + 1)
    )
    value = session.execute(select(CaseSequence.last_value).where(CaseSequence.year == year)).scalar_one()
    return format_case_number(case_type, year, value)


def team_named(session: Session, name: str) -> Team:
    """The team called `name`, created the first time (once, even by concurrent transactions)."""
    query = select(Team).where(Team.name == name)
    team = session.execute(query).scalar_one_or_none()
    if team is None:
        insert_unless_present(session, Team, name=name)
        team = session.execute(query).scalar_one()
    return team


def case_by_source_key(session: Session, source_key: str) -> Case | None:
    return session.execute(select(Case).where(Case.source_key == source_key)).scalar_one_or_none()


def register_case(session: Session, demand: Demand, policy: CasePolicy, now: datetime | None = None) -> Case:
    """Register `demand` as a case, or return the one its message already registered."""
    now = now or utcnow()
    if demand.source_key:
        existing = case_by_source_key(session, demand.source_key)
        if existing is not None:
            return existing
    rule = policy.rule_for(demand.case_type, demand.topic)
    customer = upsert_customer(session, demand.sender_id, demand.channel, demand.customer_name)
    case = Case(
        number=next_case_number(session, demand.case_type, now.year),
        type=demand.case_type.value,
        topic=demand.topic,
        description=demand.description,
        details=demand.details,
        channel=demand.channel,
        status=CaseStatus.NUEVO.value,
        priority=rule.priority,
        customer=customer,
        team=team_named(session, rule.team),
        level=Level.BOT if demand.case_type is CaseType.DUDA else Level.AGENT,
        intent=demand.intent,
        intent_confidence=demand.confidence,
        source_key=demand.source_key,
        created_at=now,
    )
    set_deadlines(case, now)
    session.add(case)
    captured_at = demand.captured_at or now
    add_event(session, case, "captured", CUSTOMER_ACTOR, at=captured_at)
    add_event(
        session,
        case,
        "classified",
        at=captured_at,
        intent=demand.intent,
        confidence=demand.confidence,
        topic=demand.topic,
    )
    add_event(session, case, "registered", at=now, number=case.number, team=rule.team)
    add_message(session, case, "customer", demand.description, at=captured_at)
    attach_pending(session, case)
    if rule.escalate:
        escalate_case(session, case, reason="policy", now=now)
    elif demand.case_type is not CaseType.DUDA:  # the team has work to do: its card is the notice
        enqueue(session, CASE_CARD, case, not_before=now)
    session.flush()
    return case


def set_deadlines(case: Case, start: datetime, first_response: bool = True) -> None:
    """The case's deadlines from `start` by sla.yml, in opening hours (`first_response`: that one
    too; a reopened case only gets a new resolution deadline)."""
    deadlines = case_deadlines(case.type, case.topic, case.priority, start)
    if first_response:
        case.first_response_due = deadlines.first_response
    case.sla_due_at = deadlines.resolution


def register_case_once(
    factory: sessionmaker, demand: Demand, policy: CasePolicy, now: datetime | None = None
) -> Case:
    """`register_case` in its own transaction, safe against a concurrent retry."""
    try:
        with factory.begin() as session:
            return register_case(session, demand, policy, now)
    except IntegrityError:
        if not demand.source_key:
            raise
        with factory.begin() as session:
            existing = case_by_source_key(session, demand.source_key)
            if existing is None:
                raise
            return existing


def escalate_case(
    session: Session,
    case: Case,
    reason: str,
    now: datetime | None = None,
    level: Level = Level.AGENT,
) -> None:
    if case.status == CaseStatus.ESCALADO.value and case.level >= level:
        return
    now = now or utcnow()
    case.level = max(case.level, int(level))
    move(session, case, "escalated", CaseStatus.ESCALADO, at=now, reason=reason, level=int(level))
    enqueue(session, CASE_CARD, case, not_before=now)  # the agents' group learns of it, even after a crash
    if case.assigned_agent_id is None:  # if nobody takes it soon, the customer hears when someone will
        enqueue(session, UNATTENDED, case, not_before=get_business_hours().notice_due(now))


def present_solution(session: Session, case: Case, solution: str, now: datetime | None = None) -> None:
    move(session, case, "solution_presented", CaseStatus.EN_PROCESO, at=now, solution=solution)


def close_case(
    session: Session,
    case: Case,
    resolution: str,
    actor: str = BOT_ACTOR,
    now: datetime | None = None,
) -> None:
    """Resolved and closed at once: the bot's answer needs no one's confirmation."""
    now = now or utcnow()
    case.resolution = resolution
    move(session, case, "resolved", CaseStatus.RESUELTO, actor, now)
    finish_case(session, case, actor, now)


WITHDRAWN = "retirado por el cliente"


def withdraw_case(session: Session, case: Case, now: datetime | None = None) -> None:
    """The customer took back what they had just asked for, before anyone worked on it: closed with
    no resolution to report and no survey; the agents' card says so."""
    now = now or utcnow()
    case.resolution = WITHDRAWN
    move(session, case, "withdrawn", CaseStatus.CERRADO, CUSTOMER_ACTOR, now)
    case.closed_at = now
    enqueue(session, CASE_CARD, case, not_before=now)


def untouched(case: Case) -> bool:
    """Open, and no person of the team has taken it yet."""
    return case.is_open and case.assigned_agent_id is None


def finish_case(session: Session, case: Case, actor: str = BOT_ACTOR, now: datetime | None = None) -> bool:
    """`resuelto → cerrado`: once the customer's survey is over (or none can be run); False if the
    case is not waiting for it (already closed, or reopened)."""
    if case.status != CaseStatus.RESUELTO.value:
        return False
    now = now or utcnow()
    move(session, case, "closed", CaseStatus.CERRADO, actor, now)
    case.closed_at = now
    return True


def move(
    session: Session,
    case: Case,
    kind: str,
    status: CaseStatus,
    actor: str = BOT_ACTOR,
    at: datetime | None = None,
    **details: Any,
) -> CaseEvent:
    """A change of status, recorded with where it came from."""
    event = add_event(session, case, kind, actor, at, **details)
    event.status_from, event.status_to = case.status, status.value
    case.status = status.value
    return event


def raise_level(
    session: Session,
    case: Case,
    level: Level,
    reason: str,
    actor: str = BOT_ACTOR,
    now: datetime | None = None,
) -> bool:
    """Up to `level` (supervision, say) without changing hands; False if it is there already."""
    if not record_level(session, case, level, reason, actor, now):
        return False
    enqueue(session, CASE_CARD, case)
    return True


def record_level(
    session: Session, case: Case, level: Level, reason: str, actor: str, now: datetime | None
) -> bool:
    if case.level >= level:
        return False
    case.level = int(level)
    add_event(session, case, "escalated", actor, at=now, reason=reason, level=case.level)
    return True


def relayed(case: Case) -> str | None:
    """The bot steps aside only where the agent can write to the customer instead."""
    return Handoff.ACTIVE.value if case.channel in RELAYED_CHANNELS else None


def assign_case(session: Session, case: Case, agent: Agent, now: datetime | None = None) -> bool:
    """The first agent wins: one UPDATE that only matches while nobody owns the open case. Either
    way `case` is read again, with its customer, owner and team."""
    number = case.number
    claimed = session.execute(
        update(Case)
        .where(Case.id == case.id, Case.assigned_agent_id.is_(None), Case.status.in_(OPEN))
        .values(assigned_agent_id=agent.id, handoff=relayed(case))
        .execution_options(synchronize_session=False)
    )
    session.expire(case)
    load_case(session, number)
    if claimed.rowcount != 1:
        return False
    case.level = max(case.level, int(agent.level))
    move(
        session,
        case,
        "taken",
        CaseStatus.EN_PROCESO,
        agent_actor(agent),
        now,
        agent=agent.name,
        level=case.level,
    )
    enqueue(session, CASE_CARD, case)
    return True


def release_case(session: Session, case: Case, actor: str, now: datetime | None = None) -> None:
    """Back to the queue, and the assistant talks to the customer meanwhile."""
    previous = case.assigned_agent.name if case.assigned_agent else None
    case.assigned_agent_id, case.handoff = None, None
    move(session, case, "released", CaseStatus.ESCALADO, actor, now, owner=previous)
    enqueue(session, CASE_CARD, case)


def transfer_case(
    session: Session,
    case: Case,
    actor: str,
    team: str | None = None,
    level: Level | None = None,
    now: datetime | None = None,
) -> None:
    """Unassigned, to another team's queue or a higher level's; going up a level is an escalation
    (its own event). The deadlines start again if sla.yml says so."""
    from_team = case.team.name if case.team else None
    if team is not None:
        case.team = team_named(session, team)
    if get_sla_policy().on_transfer == "restart":
        set_deadlines(case, now or utcnow())
    case.assigned_agent_id, case.handoff = None, None
    move(
        session,
        case,
        "transferred",
        CaseStatus.ESCALADO,
        actor,
        now,
        from_team=from_team,
        to_team=case.team.name if case.team else None,
        from_level=case.level,
        to_level=int(level or case.level),
    )
    if level is not None:
        record_level(session, case, level, "transferencia", actor, now)
    enqueue(session, CASE_CARD, case)


def refine_topic(
    session: Session, case: Case, topic: str, policy: CasePolicy, now: datetime | None = None
) -> bool:
    """A case registered about nothing in particular gets the topic its details name: the team,
    priority and deadlines that topic has (its deadlines still counted from when it was opened).
    False when it already has a topic of its own."""
    if case.topic != GENERAL_TOPIC or topic == GENERAL_TOPIC:
        return False
    rule = policy.rule_for(CaseType(case.type), topic)
    previous = case.topic
    case.topic, case.priority = topic, rule.priority
    case.team = team_named(session, rule.team)
    set_deadlines(case, case.created_at)
    add_event(session, case, "topic_refined", at=now, **{"from": previous, "to": topic}, team=rule.team)
    if case.level >= Level.AGENT:  # the agents' group shows it: its card says the new team
        enqueue(session, CASE_CARD, case, not_before=now)
    return True


def complete_details(
    session: Session, case: Case, details: dict[str, Any], now: datetime | None = None
) -> bool:
    """What a follow-up told that the case did not have yet (an order number given after the case
    was opened); what it already has is kept. False when nothing was new."""
    known = dict(case.details or {})
    new = {key: value for key, value in details.items() if value and not known.get(key)}
    if not new:
        return False
    case.details = {**known, **new}
    add_event(session, case, "details_added", at=now, fields=", ".join(sorted(new)))
    if case.level >= Level.AGENT:  # the agents' group shows them on the card
        enqueue(session, CASE_CARD, case, not_before=now)
    return True


def retype_case(
    session: Session, case: Case, case_type: CaseType, actor: str, now: datetime | None = None
) -> str:
    """A person's label wins; the event keeps what the customer wrote and what the classifier
    said, for retraining. Returns the previous type."""
    previous = case.type
    case.type = case_type.value
    add_event(
        session,
        case,
        "type_corrected",
        actor,
        at=now,
        **{"from": previous, "to": case_type.value},
        text=case.description,
        intent=case.intent,
        confidence=case.intent_confidence,
    )
    enqueue(session, CASE_CARD, case)
    return previous


def resolve_case(
    session: Session, case: Case, resolution: str, actor: str, now: datetime | None = None
) -> None:
    """Resolved by a person; the conversation goes back to the bot, and the survey follows."""
    now = now or utcnow()
    case.resolution, case.handoff = resolution, None
    move(session, case, "resolved", CaseStatus.RESUELTO, actor, now, resolution=resolution)
    enqueue(session, CASE_CARD, case)


def reopen_case(session: Session, case: Case, now: datetime) -> None:
    """The customer says it is not solved: back to its agent (the bot steps aside again), or with
    no agent to its team's queue."""
    case.closed_at = None
    move(session, case, "reopened", CaseStatus.REABIERTO, CUSTOMER_ACTOR, now)
    if get_sla_policy().on_reopen == "restart":
        set_deadlines(case, now, first_response=False)
    if case.assigned_agent_id is not None:
        case.handoff = relayed(case)
    else:
        escalate_case(session, case, reason="encuesta_no_resuelto", now=now)


def return_to_bot(session: Session, case: Case, actor: str, now: datetime | None = None) -> None:
    """The assistant answers again; the case stays open and with its agent."""
    case.handoff = None
    add_event(session, case, "returned_to_bot", actor, at=now)


def resume_handoff(session: Session, case: Case, actor: str, now: datetime | None = None) -> None:
    """The owner writes again after returning it to the bot, or the customer after a goodbye."""
    case.handoff = relayed(case)
    add_event(session, case, "handoff_resumed", actor, at=now)


def customer_left(session: Session, case: Case, now: datetime | None = None) -> None:
    case.handoff = Handoff.CUSTOMER_LEFT.value
    add_event(session, case, "customer_left", CUSTOMER_ACTOR, at=now)


def set_card_message(session: Session, case_id: int, message_id: int) -> None:
    """Where the case's card is in the agents' group, to edit it in place."""
    session.get(Case, case_id).card_message_id = message_id


def set_agents_thread(session: Session, case_id: int, thread_id: int) -> None:
    """The case's own forum topic in the agents' group."""
    session.get(Case, case_id).agents_thread_id = thread_id


def load_case(session: Session, number: str) -> Case | None:
    query = (
        select(Case)
        .where(Case.number == number.upper())
        .options(selectinload(Case.customer), selectinload(Case.assigned_agent), selectinload(Case.team))
    )
    return session.execute(query).scalar_one_or_none()


def customer_case(session: Session, chat_id: str, number: str) -> Case | None:
    """The case `number` if it belongs to `chat_id`; None for unknown and foreign alike."""
    return session.execute(
        select(Case).join(Customer).where(Case.number == number.upper(), Customer.chat_id == chat_id)
    ).scalar_one_or_none()


def open_cases(session: Session, chat_id: str) -> list[Case]:
    return list(
        session.execute(
            select(Case)
            .join(Customer)
            .where(
                Customer.chat_id == chat_id,
                Case.status.in_([s.value for s in OPEN_STATUSES]),
            )
            .order_by(Case.created_at.desc(), Case.id.desc())
        ).scalars()
    )


def waiting_case(session: Session, chat_id: str) -> Case | None:
    """The customer's newest open case that is already with a person (escalated), if any."""
    return next(
        (case for case in open_cases(session, chat_id) if case.status == CaseStatus.ESCALADO.value), None
    )


def cases_opened_since(session: Session, chat_id: str, since: datetime) -> int:
    return session.execute(
        select(func.count(Case.id))
        .join(Customer)
        .where(Customer.chat_id == chat_id, Case.created_at >= since)
    ).scalar_one()


def last_event(session: Session, case: Case) -> CaseEvent | None:
    """The case's newest event a customer is told about (internal notes and deadline alerts are not)."""
    return session.execute(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind.in_(customer_visible_events()))
        .order_by(CaseEvent.created_at.desc(), CaseEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()
