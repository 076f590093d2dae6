"""The case store: SQLAlchemy models of cases, their events, customers, agents, surveys and the
queues (migrated by Alembic from migrations/)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utcnow() -> datetime:
    """Naive UTC: the one time convention of the store (SQLite keeps no time zone)."""
    return datetime.utcnow()


class CaseType(str, enum.Enum):
    DUDA = "duda"
    QUEJA = "queja"
    SOLICITUD = "solicitud"

    @property
    def prefix(self) -> str:
        return {"duda": "D", "queja": "Q", "solicitud": "S"}[self.value]


class CaseStatus(str, enum.Enum):
    NUEVO = "nuevo"
    EN_PROCESO = "en_proceso"
    ESCALADO = "escalado"
    RESUELTO = "resuelto"
    CERRADO = "cerrado"
    REABIERTO = "reabierto"


OPEN_STATUSES = (
    CaseStatus.NUEVO,
    CaseStatus.EN_PROCESO,
    CaseStatus.ESCALADO,
    CaseStatus.REABIERTO,
)


class Handoff(str, enum.Enum):
    """Who has the conversation while an agent owns the case (NULL: the assistant)."""

    ACTIVE = "active"
    CUSTOMER_LEFT = "customer_left"


class Level(int, enum.Enum):
    BOT = 1
    AGENT = 2
    SUPERVISOR = 3


class Team(Base):
    __tablename__ = "teams"

    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False, unique=True)
    description = Column(String(255))


class Agent(Base):
    __tablename__ = "agents"

    id = Column(Integer, primary_key=True)
    telegram_user_id = Column(BigInteger, nullable=False, unique=True)
    name = Column(String(128), nullable=False)
    team_id = Column(ForeignKey("teams.id"), nullable=False)
    level = Column(Integer, nullable=False, default=Level.AGENT)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    team = relationship(Team)


class Customer(Base):
    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    # The Rasa sender id: the Telegram chat id, or `rest:<sender>` for a console/REST conversation.
    chat_id = Column(String(128), nullable=False, unique=True)
    telegram_user_id = Column(BigInteger)
    name = Column(String(255))
    username = Column(String(64))
    language = Column(String(16))
    channel = Column(String(32), nullable=False)
    reachable = Column(Boolean, nullable=False, default=True)
    phone = Column(String(32))
    created_at = Column(DateTime, nullable=False, default=utcnow)


class CaseSequence(Base):
    """One counter per year: case numbers are unique across types (`Q-2026-000123`)."""

    __tablename__ = "case_sequences"

    year = Column(Integer, primary_key=True, autoincrement=False)
    last_value = Column(Integer, nullable=False, default=0)


class Case(Base):
    __tablename__ = "cases"

    id = Column(Integer, primary_key=True)
    number = Column(String(20), nullable=False, unique=True)
    type = Column(String(16), nullable=False)
    topic = Column(String(64), nullable=False)
    description = Column(Text, nullable=False, default="")
    details = Column(JSON, nullable=False, default=dict)
    channel = Column(String(32), nullable=False)
    status = Column(String(16), nullable=False, default=CaseStatus.NUEVO.value)
    priority = Column(String(16), nullable=False, default="media")
    customer_id = Column(ForeignKey("customers.id"), nullable=False, index=True)
    team_id = Column(ForeignKey("teams.id"))
    assigned_agent_id = Column(ForeignKey("agents.id"))
    level = Column(Integer, nullable=False, default=Level.BOT)
    intent = Column(String(64))
    intent_confidence = Column(Float)
    # `<sender id>:<Rasa message id>` of the message that opened the case: a retried
    # action finds the case it already registered instead of creating a second one.
    source_key = Column(String(255), unique=True)
    # Deadlines (sla.yml, in opening hours): a person's first answer, and the resolution.
    first_response_due = Column(DateTime)
    sla_due_at = Column(DateTime)
    resolution = Column(Text)
    # Where the case lives in the agents' group: its forum topic (if a forum) and its card.
    agents_thread_id = Column(BigInteger)
    card_message_id = Column(BigInteger)
    # Who has the conversation: NULL the assistant; "active" the assigned agent (the assistant is
    # silent and relays); "customer_left" the customer said goodbye (their next message goes back
    # to the same agent).
    handoff = Column(String(16))
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    closed_at = Column(DateTime)

    @property
    def is_open(self) -> bool:
        return self.status in {s.value for s in OPEN_STATUSES}

    customer = relationship(Customer)
    team = relationship(Team)
    assigned_agent = relationship(Agent)
    events = relationship("CaseEvent", back_populates="case", order_by="CaseEvent.id")


# A person's first answer, or the bot's own answer to a duda, ends the first-response clock.
RESPONDED = ("first_response", "solution_presented")


class CaseEvent(Base):
    """The timeline of a case: every moment of truth, with its actor and time."""

    __tablename__ = "case_events"

    id = Column(Integer, primary_key=True)
    case_id = Column(ForeignKey("cases.id"), nullable=False, index=True)
    kind = Column(String(32), nullable=False)
    actor = Column(String(64), nullable=False)
    status_from = Column(String(16))
    status_to = Column(String(16))
    details = Column(JSON, nullable=False, default=dict)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    case = relationship(Case, back_populates="events")


class Message(Base):
    __tablename__ = "messages"

    id = Column(Integer, primary_key=True)
    case_id = Column(ForeignKey("cases.id"), nullable=False, index=True)
    sender = Column(String(16), nullable=False)  # customer, bot, agent
    agent_id = Column(ForeignKey("agents.id"))
    text = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    case = relationship(Case)


class Survey(Base):
    __tablename__ = "surveys"

    id = Column(Integer, primary_key=True)
    case_id = Column(ForeignKey("cases.id"), nullable=False, unique=True)
    agent_id = Column(ForeignKey("agents.id"))
    team_id = Column(ForeignKey("teams.id"))
    resolved = Column(Boolean)
    csat = Column(Integer)
    comment = Column(Text)
    status = Column(String(16), nullable=False, default="enviada")  # en_curso, completada, caducada
    step = Column(String(16))  # the question waiting for an answer; NULL once over
    reasked = Column(Boolean, nullable=False, default=False)  # a typed answer was not understood once
    created_at = Column(DateTime, nullable=False, default=utcnow)
    answered_at = Column(DateTime)
    reminded_at = Column(DateTime)

    case = relationship(Case)


class Attachment(Base):
    """A photo or document the customer sent; pending (no case) until their next case is registered."""

    __tablename__ = "attachments"

    id = Column(Integer, primary_key=True)
    customer_id = Column(ForeignKey("customers.id"), nullable=False, index=True)
    case_id = Column(ForeignKey("cases.id"), index=True)
    kind = Column(String(16), nullable=False)  # photo, document
    file_id = Column(String(255), nullable=False)
    file_unique_id = Column(String(64))
    file_name = Column(String(255))
    mime_type = Column(String(128))
    caption = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    case = relationship(Case)


class CallbackPayload(Base):
    """A button payload too long for Telegram's 64-byte callback_data, under a short key."""

    __tablename__ = "callback_payloads"

    key = Column(String(32), primary_key=True)
    payload = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Notification(Base):
    """Something to post outside a conversation (a case card, a notice), written in the same
    transaction as the change that calls for it and delivered by the worker: never lost."""

    __tablename__ = "notifications"

    id = Column(Integer, primary_key=True)
    case_id = Column(ForeignKey("cases.id"), index=True)
    kind = Column(String(32), nullable=False)
    payload = Column(JSON, nullable=False, default=dict)
    status = Column(
        String(16), nullable=False, default="pending", index=True
    )  # pending, sent, skipped, failed
    attempts = Column(Integer, nullable=False, default=0)
    not_before = Column(DateTime, nullable=False, default=utcnow)
    claimed_by = Column(String(64))
    claimed_until = Column(DateTime)
    last_error = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    sent_at = Column(DateTime)

    case = relationship(Case)


class AgentsPost(Base):
    """A message in the agents' group that belongs to a case (a relayed message, a notice): a
    reply to it is about that case where the group has no forum topics."""

    __tablename__ = "agents_posts"

    chat_id = Column(BigInteger, primary_key=True, autoincrement=False)
    message_id = Column(BigInteger, primary_key=True, autoincrement=False)
    case_id = Column(ForeignKey("cases.id"), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class SlaAlert(Base):
    """An SLA alert of a case, claimed by the first worker to insert it: sent once, ever."""

    __tablename__ = "sla_alerts"

    case_id = Column(ForeignKey("cases.id"), primary_key=True)
    alert = Column(String(32), primary_key=True)  # first_response_75, resolution_overdue, …
    created_at = Column(DateTime, nullable=False, default=utcnow)


class InboxState(str, enum.Enum):
    RECEIVED = "received"  # accepted (Telegram got its 200), not started yet
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"  # the customer was told to repeat it
    ABANDONED = "abandoned"  # its process died while processing it; the customer was told


class InboxUpdate(Base):
    """Each Telegram update, kept from the moment it is accepted until it is processed.

    `owner` is the Rasa server processing it, which renews `lease_until` while it lives; an update
    whose lease ran out is taken over by another server (bot/store/inbox.py).
    """

    __tablename__ = "inbox_updates"
    __table_args__ = (
        Index("ix_inbox_updates_chat", "chat_key", "update_id"),
        Index("ix_inbox_updates_lease", "state", "lease_until"),
    )

    update_id = Column(BigInteger, primary_key=True, autoincrement=False)
    received_at = Column(DateTime, nullable=False, default=utcnow)
    chat_key = Column(String(32))
    body = Column(Text)
    state = Column(String(16), nullable=False, default=InboxState.RECEIVED.value)
    owner = Column(String(64))
    lease_until = Column(DateTime)


__all__ = [
    "Agent",
    "AgentsPost",
    "Attachment",
    "Base",
    "CallbackPayload",
    "Case",
    "CaseEvent",
    "CaseSequence",
    "CaseStatus",
    "CaseType",
    "Customer",
    "Handoff",
    "Level",
    "Message",
    "Notification",
    "OPEN_STATUSES",
    "InboxState",
    "InboxUpdate",
    "SlaAlert",
    "Survey",
    "Team",
]


class ReviewStatus(str, enum.Enum):
    PENDING = "pendiente"
    LABELLED = "etiquetado"
    DISCARDED = "descartado"
    CONFLICT = "conflicto"  # two different labels were given: an operator must choose


class ReviewItem(Base):
    """A customer message worth an operator's look (merged with its near-duplicates), masked;
    labelled, it becomes a training example (data/nlu/from_conversations.yml)."""

    __tablename__ = "review_items"

    id = Column(Integer, primary_key=True)
    key = Column(String(500), nullable=False, unique=True)  # the normalized text
    text = Column(Text, nullable=False)  # the representative spelling, personal data masked
    count = Column(Integer, nullable=False)  # how many times it was seen (distinct sources)
    predicted_intent = Column(String(64))  # e.g. "queja", "duda/envios"
    confidence = Column(Float)  # the lowest seen
    reasons = Column(JSON, nullable=False, default=list)  # why it was collected (bot/review/collect.py)
    sources = Column(JSON, nullable=False, default=list)  # "conversacion:<ref>:<message id>", "caso:<número>"
    conversations = Column(JSON, nullable=False, default=list)  # Rasa sender ids: the context, never exported
    label = Column(String(64))
    status = Column(String(16), nullable=False, default=ReviewStatus.PENDING.value, index=True)
    conflict = Column(JSON)  # the labels that disagree, while status is conflicto
    labelled_by = Column(String(64))  # an agent's correction (agent:<id>), a file, the console
    labelled_at = Column(DateTime)
    first_seen = Column(DateTime, nullable=False, default=utcnow)
    last_seen = Column(DateTime, nullable=False, default=utcnow)
