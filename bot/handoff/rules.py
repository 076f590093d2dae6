"""A case in a person's hands: who may take it, the conversation kept in its thread, the
agents' queues. The changes of the case themselves are `bot.cases`'s (assign, release, transfer,
retype, resolve…); this module decides and records around them.

Store work only, in the style of `bot.cases`: functions take a `Session` and never commit.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from bot.cases import OPEN, assign_case, load_case
from bot.store.models import (
    Agent,
    AgentsPost,
    Case,
    CaseEvent,
    CaseType,
    Customer,
    Level,
    Message,
    utcnow,
)
from bot.timeline import add_event, agent_actor


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


def take_case(session: Session, number: str, agent: Agent, now: datetime | None = None) -> TakeResult:
    """The first agent wins; a case raised to supervision waits for a supervisor."""
    case = load_case(session, number)
    if case is None:
        return TakeResult(TakeOutcome.NOT_FOUND)
    if case.level >= Level.SUPERVISOR and agent.level < Level.SUPERVISOR and case.assigned_agent_id is None:
        return TakeResult(TakeOutcome.NEEDS_SUPERVISOR, case)
    if not assign_case(session, case, agent, now):
        if not case.is_open:
            return TakeResult(TakeOutcome.NOT_OPEN, case)
        return TakeResult(TakeOutcome.ALREADY_TAKEN, case, case.assigned_agent)
    return TakeResult(TakeOutcome.TAKEN, case, agent)


@dataclass(frozen=True)
class Target:
    """Where `/transferir` sends a case: another team, or the supervisors' level."""

    team: str | None = None
    level: Level | None = None


def add_note(session: Session, case: Case, agent: Agent, text: str, now: datetime | None = None) -> None:
    add_event(session, case, "note", agent_actor(agent), at=now, text=text)


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


def handoff_cases(chat_id: str) -> Select:
    """The customer's open cases an agent is talking through."""
    return (
        select(Case)
        .join(Customer)
        .where(Customer.chat_id == chat_id, Case.handoff.is_not(None), Case.status.in_(OPEN))
    )


def handoff_case(session: Session, chat_id: str) -> Case | None:
    """The customer's open case an agent is talking through, if any."""
    query = (
        handoff_cases(chat_id)
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
