"""What the console shows of the cases: the filtered list, and one case with its timeline and
transcript. Read-only queries over the case store."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import ColumnElement, Select

from bot.labels import label, team_label, topic_label
from bot.store.models import (
    OPEN_STATUSES,
    Agent,
    Case,
    CaseEvent,
    CaseStatus,
    CaseType,
    Customer,
    Message,
    Survey,
    Team,
)

PAGE_SIZE = 50
OPEN = [status.value for status in OPEN_STATUSES]
OPEN_FILTER = "abiertos"
NO_AGENT_FILTER = "ninguno"
MAX_SEARCH_LENGTH = 100


def console_label(group: str, code: str) -> str:
    return label("console", group).get(code, code.replace("_", " ")) if code else ""


@dataclass(frozen=True)
class CaseFilters:
    """The case list's filters, as they come from the form (empty: any)."""

    status: str = ""  # a CaseStatus value, or OPEN_FILTER
    type: str = ""
    team: str = ""  # a team's name
    agent: str = ""  # an agent's id, or NO_AGENT_FILTER
    overdue: bool = False
    page: int = 1
    # A case number, or part of the customer's name, username or chat: posted, never in an address.
    search: str = ""

    @classmethod
    def from_query(cls, args: dict[str, list[str]]) -> CaseFilters:
        def first(name: str) -> str:
            return (args.get(name) or [""])[0].strip()

        statuses = {status.value for status in CaseStatus} | {OPEN_FILTER}
        agent = first("agente")
        return cls(
            status=first("estado") if first("estado") in statuses else "",
            type=first("tipo") if first("tipo") in {t.value for t in CaseType} else "",
            team=first("equipo"),
            agent=agent if is_small_number(agent) or agent == NO_AGENT_FILTER else "",
            overdue=first("vencidos") == "1",
            page=int(first("pagina")) if is_small_number(first("pagina")) and int(first("pagina")) > 0 else 1,
        )

    def apply(self, query: Select, now: datetime) -> Select:
        if self.status == OPEN_FILTER:
            query = query.where(Case.status.in_(OPEN))
        elif self.status:
            query = query.where(Case.status == self.status)
        if self.type:
            query = query.where(Case.type == self.type)
        if self.team:
            query = query.where(Team.name == self.team)
        if self.agent == NO_AGENT_FILTER:
            query = query.where(Case.assigned_agent_id.is_(None))
        elif self.agent:
            query = query.where(Case.assigned_agent_id == int(self.agent))
        if self.overdue:
            query = query.where(Case.status.in_(OPEN), Case.sla_due_at < now)
        if self.search:
            query = query.where(matching(self.search))
        return query


def is_small_number(text: str) -> bool:
    """Digits that fit the store's integer columns (a page, an agent id); longer ones are ignored."""
    return text.isdigit() and len(text) <= 9


def matching(search: str) -> ColumnElement:
    """Cases whose number, or whose customer's name, username or chat, contains `search`."""
    needle = search.lower()
    customers = select(Customer.id).where(
        or_(*(func.lower(column).contains(needle, autoescape=True)
              for column in (Customer.name, Customer.username, Customer.chat_id)))
    )  # fmt: skip
    return or_(func.lower(Case.number).contains(needle, autoescape=True), Case.customer_id.in_(customers))


@dataclass(frozen=True)
class CaseRow:
    number: str
    type: str
    topic: str
    status: str
    priority: str
    team: str
    agent: str
    level: int
    created_at: datetime
    due_at: datetime | None
    overdue: bool


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def case_list(session: Session, filters: CaseFilters, now: datetime) -> CasePage:
    """The cases that pass `filters`, newest first, one page of PAGE_SIZE."""
    base = select(Case).outerjoin(Team, Case.team_id == Team.id)
    base = filters.apply(base, now)
    total = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    query = (
        filters.apply(
            select(Case, Team.name, Agent.name)
            .outerjoin(Team, Case.team_id == Team.id)
            .outerjoin(Agent, Case.assigned_agent_id == Agent.id),
            now,
        )
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(PAGE_SIZE)
        .offset((filters.page - 1) * PAGE_SIZE)
    )
    rows = [case_row(case, team, agent, now) for case, team, agent in session.execute(query)]
    return CasePage(rows, total, filters.page)


def case_row(case: Case, team: str | None, agent: str | None, now: datetime) -> CaseRow:
    return CaseRow(
        number=case.number,
        type=case.type,
        topic=topic_label(case.type, case.topic),
        status=case.status,
        priority=case.priority,
        team=team_label(team) if team else "",
        agent=agent or "",
        level=case.level,
        created_at=case.created_at,
        due_at=case.sla_due_at,
        overdue=case.is_open and case.sla_due_at is not None and case.sla_due_at < now,
    )


@dataclass(frozen=True)
class Choices:
    """What the filters offer: every team and every agent (id, name)."""

    teams: list[tuple[str, str]]
    agents: list[tuple[int, str]]


def filter_choices(session: Session) -> Choices:
    teams = session.execute(select(Team.name).order_by(Team.name)).scalars()
    agents = session.execute(select(Agent.id, Agent.name).order_by(Agent.name)).all()
    return Choices([(name, team_label(name)) for name in teams], [(id_, name) for id_, name in agents])


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    title: str
    actor: str
    detail: str
    status_to: str | None


@dataclass(frozen=True)
class TranscriptLine:
    at: datetime
    sender: str
    who: str
    text: str


@dataclass(frozen=True)
class CaseDetail:
    case: Case
    customer_name: str
    team: str
    agent: str
    topic: str
    overdue: bool
    timeline: list[TimelineEntry]
    transcript: list[TranscriptLine]
    survey: Survey | None
    form_data: list[tuple[str, str]]  # what the forms collected (cases.details), labelled in Spanish
    phone: str  # the customer's phone on file (a shared contact), if any


def case_detail(session: Session, number: str, now: datetime) -> CaseDetail | None:
    loaded = (selectinload(Case.customer), selectinload(Case.team), selectinload(Case.assigned_agent))
    query = select(Case).where(Case.number == number.upper()).options(*loaded)
    case = session.execute(query).scalar_one_or_none()
    if case is None:
        return None
    names = agent_names(session)
    events = session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    messages = session.execute(select(Message).where(Message.case_id == case.id).order_by(Message.id))
    survey = session.execute(select(Survey).where(Survey.case_id == case.id)).scalar_one_or_none()
    return CaseDetail(
        case=case,
        customer_name=case.customer.name or case.customer.username or "",
        team=team_label(case.team.name) if case.team else "",
        agent=case.assigned_agent.name if case.assigned_agent else "",
        topic=topic_label(case.type, case.topic),
        overdue=case.is_open and case.sla_due_at is not None and case.sla_due_at < now,
        timeline=[timeline_entry(event, names) for event in events.scalars()],
        transcript=[transcript_line(message, names) for message in messages.scalars()],
        survey=survey,
        form_data=[
            (console_label("detail_field", key), str(value)) for key, value in (case.details or {}).items()
        ],
        phone=case.customer.phone or "",
    )


def agent_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Agent.id, Agent.name)).all())


def actor_name(actor: str, names: dict[int, str]) -> str:
    kind, _, agent_id = actor.partition(":")
    if kind == "agent" and agent_id.isdigit():
        return names.get(int(agent_id), actor)
    return console_label("actor", actor)


def timeline_entry(event: CaseEvent, names: dict[int, str]) -> TimelineEntry:
    return TimelineEntry(
        at=event.created_at,
        title=console_label("event", event.kind),
        actor=actor_name(event.actor, names),
        detail=event_detail(event.kind, event.details or {}),
        status_to=event.status_to,
    )


def event_detail(kind: str, details: dict[str, Any]) -> str:
    """The event's line from `console.detail` in labels_es.yml; empty when it has none."""
    template = label("console", "detail").get(kind)
    if template is None:
        return ""
    return template.format_map(defaultdict(str, readable_details(details)))


def readable_details(details: dict[str, Any]) -> dict[str, str]:
    readable = {key: "" if value is None else str(value) for key, value in details.items()}
    if isinstance(details.get("confidence"), int | float):
        readable["confidence"] = f"{details['confidence']:.0%}".replace("%", " %")
    for key, group in (("reason", "reason"), ("notice", "notice"), ("deadline", "deadline")):
        if key in details:
            readable[key] = console_label(group, str(details[key]))
    if "question" in details:
        readable["question"] = console_label("question", str(details["question"]))
    if isinstance(details.get("answer"), bool):
        readable["answer"] = console_label("answer", str(details["answer"]).lower())
    for key in ("team", "from_team", "to_team"):
        if details.get(key):
            readable[key] = team_label(str(details[key]))
    return readable


def transcript_line(message: Message, names: dict[int, str]) -> TranscriptLine:
    who = names.get(message.agent_id, "") if message.agent_id else ""
    return TranscriptLine(
        message.created_at, message.sender, who or console_label("sender", message.sender), message.text
    )
