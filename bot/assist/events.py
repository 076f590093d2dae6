"""What agents do with suggestions, kept as case events: shown, sent as is, edited, ignored.

A suggestion belongs to the agent who had the case when it was shown: only they may use it, and
once the case changes hands (or closes) it has expired. A suggestion shown often and never used
drops out (`dropped`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.assist.kinds import EDITED, IGNORED, SETTLED, SHOWN, USED
from bot.assist.suggestions import Suggestion
from bot.cases import load_case
from bot.store.models import Agent, Case, CaseEvent
from bot.timeline import add_event, agent_actor

DROP_AFTER_SHOWN = 5  # shown this often and never used: no longer suggested
RECENT_EVENTS = 5000  # the latest suggestion events looked at for that
EDITED_SIMILARITY = 60  # rapidfuzz ratio, 0–100, between the suggestion and what the agent sent


@dataclass(frozen=True)
class Usable:
    case: Case | None
    text: str = ""
    refusal: str | None = None  # a key of the agents' texts (bot/desk/texts.py), when not usable


def record_shown(session: Session, case: Case, agent: Agent, suggestion: Suggestion, now: datetime) -> int:
    event = add_event(
        session,
        case,
        SHOWN,
        agent_actor(agent),
        at=now,
        source=suggestion.source,
        key=suggestion.key,
        text=suggestion.text,
        agent_id=agent.id,
    )
    session.flush()
    return event.id


def usable(session: Session, shown_id: int, agent: Agent) -> Usable:
    shown = session.get(CaseEvent, shown_id)
    if shown is None or shown.kind != SHOWN:
        return Usable(None, refusal="suggestion_expired")
    case = load_case(session, shown.case.number)  # with its customer and owner, for the relay
    if case.assigned_agent_id != agent.id:
        return Usable(case, refusal="suggestion_not_yours")
    if not case.is_open or shown.details.get("agent_id") != agent.id:
        return Usable(case, refusal="suggestion_expired")
    if settled(session, case).get(shown_id) in USED:
        return Usable(case, refusal="suggestion_used")
    return Usable(case, str(shown.details.get("text") or ""))


def settled(session: Session, case: Case) -> dict[int, str]:
    """Each shown suggestion of `case` that was used or ignored: its id → how."""
    events = session.execute(
        select(CaseEvent.kind, CaseEvent.details).where(
            CaseEvent.case_id == case.id, CaseEvent.kind.in_(SETTLED)
        )
    ).all()
    return {int(details["shown"]): kind for kind, details in events if "shown" in details}


def record_use(session: Session, case: Case, agent: Agent, shown_id: int, how: str, now: datetime) -> None:
    shown = session.get(CaseEvent, shown_id)
    add_event(
        session,
        case,
        how,
        agent_actor(agent),
        at=now,
        shown=shown_id,
        source=shown.details.get("source"),
        key=shown.details.get("key"),
    )


def agent_wrote(session: Session, case: Case, agent: Agent, text: str, now: datetime) -> None:
    """The agent wrote their own message: an open suggestion it resembles was edited into it,
    the others were ignored."""
    used = settled(session, case)
    pending = [
        event
        for event in session.execute(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == SHOWN)
        ).scalars()
        if event.id not in used and event.details.get("agent_id") == agent.id
    ]
    if not pending:
        return
    closest = max(pending, key=lambda event: fuzz.ratio(text, str(event.details.get("text") or "")))
    if fuzz.ratio(text, str(closest.details.get("text") or "")) >= EDITED_SIMILARITY:
        record_use(session, case, agent, closest.id, EDITED, now)
        pending.remove(closest)
    for event in pending:
        record_use(session, case, agent, event.id, IGNORED, now)


def pending(session: Session, case_id: int) -> set[tuple[str, str]]:
    """(source, key) of the case's suggestions shown and not yet used nor ignored: not posted again."""
    used = settled(session, session.get(Case, case_id))
    shown = session.execute(
        select(CaseEvent.id, CaseEvent.details).where(CaseEvent.case_id == case_id, CaseEvent.kind == SHOWN)
    ).all()
    return {(str(d.get("source")), str(d.get("key"))) for event_id, d in shown if event_id not in used}


def dropped(session: Session) -> set[tuple[str, str]]:
    """(source, key) of the suggestions shown at least DROP_AFTER_SHOWN times and never used."""
    events = session.execute(
        select(CaseEvent.kind, CaseEvent.details)
        .where(CaseEvent.kind.in_((SHOWN, *USED)))
        .order_by(CaseEvent.id.desc())
        .limit(RECENT_EVENTS)
    ).all()
    shown: Counter[tuple[str, str]] = Counter()
    used: set[tuple[str, str]] = set()
    for kind, details in events:
        key = (str(details.get("source")), str(details.get("key")))
        if kind == SHOWN:
            shown[key] += 1
        else:
            used.add(key)
    return {key for key, times in shown.items() if times >= DROP_AFTER_SHOWN and key not in used}
