"""A case in a person's hands: taking it, handing it on, closing it, giving it back to the bot.

Store work only, in the style of `bot.cases`: functions take a `Session` and never commit.
Every change leaves a timeline event with the agent as actor, and asks the worker to redraw
the case card (the outbox), in the same transaction.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from bot.cases import set_deadlines, team_named
from bot.deadlines.sla import get_sla_policy
from bot.store.models import (
    OPEN_STATUSES,
    Agent,
    AgentsPost,
    Case,
    CaseEvent,
    CaseStatus,
    CaseType,
    Customer,
    Handoff,
    Level,
    Message,
    utcnow,
)
from bot.store.outbox import CASE_CARD, enqueue
from bot.timeline import CUSTOMER_ACTOR, add_event

OPEN = [status.value for status in OPEN_STATUSES]
RELAYED_CHANNELS = {"telegram"}  # where an agent can write to the customer


def agent_actor(agent: Agent) -> str:
    return f"agent:{agent.id}"


def first_name(agent: Agent) -> str:
    return agent.name.split()[0] if agent.name.strip() else agent.name


class TakeOutcome(enum.Enum):
    TAKEN = "taken"
    ALREADY_TAKEN = "already_taken"
    NEEDS_SUPERVISOR = "needs_supervisor"
    NOT_OPEN = "not_open"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class TakeResult:
    outcome: TakeOutcome
    case: Case | None = None
    owner: Agent | None = None


def load_case(session: Session, number: str) -> Case | None:
    query = (
        select(Case)
        .where(Case.number == number.upper())
        .options(selectinload(Case.customer), selectinload(Case.assigned_agent), selectinload(Case.team))
    )
    return session.execute(query).scalar_one_or_none()


def relayed(case: Case) -> str | None:
    """The bot steps aside only where the agent can write to the customer instead."""
    return Handoff.ACTIVE.value if case.channel in RELAYED_CHANNELS else None


def take_case(session: Session, number: str, agent: Agent, now: datetime | None = None) -> TakeResult:
    """The first agent wins: one UPDATE that only matches while nobody owns the case."""
    case = load_case(session, number)
    if case is None:
        return TakeResult(TakeOutcome.NOT_FOUND)
    if case.level >= Level.SUPERVISOR and agent.level < Level.SUPERVISOR and case.assigned_agent_id is None:
        return TakeResult(TakeOutcome.NEEDS_SUPERVISOR, case)
    claimed = session.execute(
        update(Case)
        .where(Case.id == case.id, Case.assigned_agent_id.is_(None), Case.status.in_(OPEN))
        .values(assigned_agent_id=agent.id, handoff=relayed(case))
        .execution_options(synchronize_session=False)
    )
    session.expire(case)
    case = load_case(session, number)
    if claimed.rowcount != 1:
        if not case.is_open:
            return TakeResult(TakeOutcome.NOT_OPEN, case)
        return TakeResult(TakeOutcome.ALREADY_TAKEN, case, case.assigned_agent)
    case.level = max(case.level, int(agent.level))
    add_event(
        session,
        case,
        "taken",
        agent_actor(agent),
        at=now,
        status_to=CaseStatus.EN_PROCESO.value,
        agent=agent.name,
        level=case.level,
    )
    enqueue(session, CASE_CARD, case)
    return TakeResult(TakeOutcome.TAKEN, case, agent)


def release_case(session: Session, case: Case, agent: Agent, now: datetime | None = None) -> None:
    """`/soltar`: back to the queue, and the assistant talks to the customer meanwhile."""
    previous = case.assigned_agent.name if case.assigned_agent else None
    case.assigned_agent_id, case.handoff = None, None
    add_event(
        session,
        case,
        "released",
        agent_actor(agent),
        at=now,
        status_to=CaseStatus.ESCALADO.value,
        owner=previous,
    )
    enqueue(session, CASE_CARD, case)


@dataclass(frozen=True)
class Target:
    """Where `/transferir` sends a case: another team, or the supervisors' level."""

    team: str | None = None
    level: Level | None = None


def transfer_case(
    session: Session, case: Case, agent: Agent, target: Target, now: datetime | None = None
) -> None:
    """Unassigned, to the target's queue; going up a level is an escalation (its own event)."""
    from_team = case.team.name if case.team else None
    if target.team is not None:
        case.team = team_named(session, target.team)
    if get_sla_policy().on_transfer == "restart":
        set_deadlines(case, now or utcnow())
    case.assigned_agent_id, case.handoff = None, None
    add_event(
        session,
        case,
        "transferred",
        agent_actor(agent),
        at=now,
        status_to=CaseStatus.ESCALADO.value,
        from_team=from_team,
        to_team=case.team.name if case.team else None,
        from_level=case.level,
        to_level=int(target.level or case.level),
    )
    if target.level is not None and target.level > case.level:
        case.level = int(target.level)
        add_event(
            session, case, "escalated", agent_actor(agent), at=now, reason="transferencia", level=case.level
        )
    enqueue(session, CASE_CARD, case)


def add_note(session: Session, case: Case, agent: Agent, text: str, now: datetime | None = None) -> None:
    add_event(session, case, "note", agent_actor(agent), at=now, text=text)


def correct_type(
    session: Session, case: Case, agent: Agent, case_type: CaseType, now: datetime | None = None
) -> str:
    """`/tipo`: the agent's label wins; the event keeps what the customer wrote and what the
    classifier said, for retraining. Returns the previous type."""
    previous = case.type
    case.type = case_type.value
    add_event(
        session,
        case,
        "type_corrected",
        agent_actor(agent),
        at=now,
        **{"from": previous, "to": case_type.value},
        text=case.description,
        intent=case.intent,
        confidence=case.intent_confidence,
    )
    enqueue(session, CASE_CARD, case)
    return previous


def resolve_case(
    session: Session, case: Case, agent: Agent, resolution: str, now: datetime | None = None
) -> None:
    """`/cerrar`: resolved with the agent's resolution; the conversation goes back to the bot."""
    now = now or utcnow()
    case.resolution, case.handoff = resolution, None
    add_event(
        session,
        case,
        "resolved",
        agent_actor(agent),
        at=now,
        status_to=CaseStatus.RESUELTO.value,
        resolution=resolution,
    )
    enqueue(session, CASE_CARD, case)


def return_to_bot(session: Session, case: Case, agent: Agent, now: datetime | None = None) -> None:
    """`/devolver`: the assistant answers again; the case stays open and with its agent."""
    case.handoff = None
    add_event(session, case, "returned_to_bot", agent_actor(agent), at=now)


def resume_handoff(session: Session, case: Case, actor: str, now: datetime | None = None) -> None:
    """The owner writes again after `/devolver`, or the customer after saying goodbye."""
    case.handoff = relayed(case)
    add_event(session, case, "handoff_resumed", actor, at=now)


def customer_left(session: Session, case: Case, now: datetime | None = None) -> None:
    case.handoff = Handoff.CUSTOMER_LEFT.value
    add_event(session, case, "customer_left", CUSTOMER_ACTOR, at=now)


def record_customer_message(
    session: Session, case: Case, text: str, post: tuple[int, int] | None, now: datetime | None = None
) -> None:
    """A customer message relayed to the case's thread (`post`: its chat and message id there)."""
    session.add(Message(case=case, sender="customer", text=text, created_at=now or utcnow()))
    if post is not None:
        remember_post(session, case, *post)


def record_agent_message(
    session: Session, case: Case, agent: Agent, text: str, post: tuple[int, int], now: datetime | None = None
) -> None:
    """An agent's message delivered to the customer; the first one is the case's first response."""
    session.add(Message(case=case, sender="agent", agent_id=agent.id, text=text, created_at=now or utcnow()))
    remember_post(session, case, *post)
    if not has_event(session, case, "first_response"):
        add_event(session, case, "first_response", agent_actor(agent), at=now)


def has_event(session: Session, case: Case, kind: str) -> bool:
    query = select(CaseEvent.id).where(CaseEvent.case_id == case.id, CaseEvent.kind == kind).limit(1)
    return session.execute(query).first() is not None


def remember_post(session: Session, case: Case, chat_id: int, message_id: int) -> None:
    session.merge(AgentsPost(chat_id=chat_id, message_id=message_id, case_id=case.id))


def handoff_case(session: Session, chat_id: str) -> Case | None:
    """The customer's open case an agent is talking through, if any."""
    query = (
        select(Case)
        .join(Customer)
        .where(Customer.chat_id == chat_id, Case.handoff.is_not(None), Case.status.in_(OPEN))
        .options(selectinload(Case.assigned_agent), selectinload(Case.customer))
        .order_by(Case.id.desc())
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


def case_in_thread(
    session: Session, chat_id: int, thread_id: int | None, replied_to: int | None
) -> Case | None:
    """The case a message in the agents' group is about: its forum topic, or the case message
    (card, relayed message, notice) it replies to."""
    loaded = (selectinload(Case.assigned_agent), selectinload(Case.customer), selectinload(Case.team))
    if thread_id is not None:
        case = session.execute(
            select(Case).where(Case.agents_thread_id == thread_id).options(*loaded)
        ).scalar()
        if case is not None:
            return case
    if replied_to is None:
        return None
    card = session.execute(select(Case).where(Case.card_message_id == replied_to).options(*loaded)).scalar()
    if card is not None:
        return card
    post = session.get(AgentsPost, (chat_id, replied_to))
    if post is None:
        return None
    return session.execute(select(Case).where(Case.id == post.case_id).options(*loaded)).scalar_one()


def agent_open_cases(session: Session, agent: Agent) -> list[Case]:
    query = (
        select(Case)
        .where(Case.assigned_agent_id == agent.id, Case.status.in_(OPEN))
        .options(selectinload(Case.customer), selectinload(Case.team))
        .order_by(Case.created_at, Case.id)
    )
    return list(session.execute(query).scalars())


def needs_a_person():
    """Every queja and solicitud, and the dudas the bot handed over."""
    return or_(Case.level >= Level.AGENT, Case.type != CaseType.DUDA.value)


def unassigned_queue(session: Session, limit: int = 20) -> list[Case]:
    """Cases waiting for a person, oldest first."""
    query = (
        select(Case)
        .where(Case.assigned_agent_id.is_(None), Case.status.in_(OPEN), needs_a_person())
        .options(selectinload(Case.customer), selectinload(Case.team))
        .order_by(Case.created_at, Case.id)
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def transcript(session: Session, case: Case) -> list[Message]:
    return list(
        session.execute(select(Message).where(Message.case_id == case.id).order_by(Message.id)).scalars()
    )
