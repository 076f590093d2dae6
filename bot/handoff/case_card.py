"""The card of an escalated case in the agents' group: Telegram HTML, customer text escaped."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.handoff.case_summary import summary_line
from bot.labels import format_datetime, label, team_label, topic_label
from bot.store.models import Agent, Case, Message, utcnow

LAST_MESSAGES = 5
MESSAGE_PREVIEW = 300  # characters of each message: the card stays one message
TOPIC_NAME_LIMIT = 128  # Telegram's limit for a forum topic name

TAKE = "tomar"
HISTORY = "historial"


@dataclass(frozen=True)
class CaseCard:
    text: str  # Telegram HTML
    buttons: list[tuple[str, str]]  # (title, callback data)


def card_text(key: str, **variables: str) -> str:
    """A `case_card` template of labels_es.yml with escaped variables."""
    return label("case_card", key).format(**{name: html.escape(value) for name, value in variables.items()})


def preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MESSAGE_PREVIEW else flat[: MESSAGE_PREVIEW - 1].rstrip() + "…"


def transcript_line(message: Message, agent_names: dict[int, str], full: bool = False) -> str:
    if message.sender == "agent":
        speaker = card_text("agent", agente=agent_names.get(message.agent_id or 0, ""))
    else:
        speaker = label("case_card", "bot" if message.sender == "bot" else "customer")
    return f"{speaker} {html.escape(message.text if full else preview(message.text))}"


def case_card(
    case: Case,
    customer_name: str | None,
    transcript: Sequence[Message],
    owner: Agent | None,
    agent_names: dict[int, str] | None = None,
    outcome: str | None = None,
    now: datetime | None = None,
) -> CaseCard:
    """A one-line summary (bot/handoff/case_summary.py, as of `now`), then number, type, topic,
    priority, team, due time, customer, owner, the survey's `outcome` (HTML, once there is one)
    and the last messages (`agent_names`: who wrote the agents' messages, by agent id)."""
    agent_names = {**(agent_names or {}), **({owner.id: owner.name} if owner is not None else {})}
    lines = [
        card_text("summary_line", resumen=summary_line(case, transcript, now or utcnow())),
        card_text(
            "title",
            numero=case.number,
            tipo=label("case_type", case.type),
            tema=topic_label(case.type, case.topic),
        ),
        card_text(
            "details",
            prioridad=label("priority", case.priority),
            equipo=team_label(case.team.name) if case.team else "—",
            responder=format_datetime(case.first_response_due) if case.first_response_due else "—",
            vence=format_datetime(case.sla_due_at) if case.sla_due_at else "—",
            cliente=customer_name or "—",
        ),
        card_text("owner", agente=owner.name) if owner is not None else card_text("unassigned"),
        *([outcome] if outcome else []),
        "",
        card_text("last_messages"),
        *(
            [transcript_line(m, agent_names) for m in transcript[-LAST_MESSAGES:]]
            or [card_text("no_messages")]
        ),
    ]
    buttons = [(label("case_card", "history"), f"{HISTORY}:{case.number}")]
    if owner is None:
        buttons.insert(0, (label("case_card", "take"), f"{TAKE}:{case.number}"))
    return CaseCard("\n".join(lines), buttons)


def in_case_thread(case: Case) -> dict[str, Any]:
    """Where a message about `case` goes in the agents' group: its forum topic, or under its card
    (empty when the case has neither yet)."""
    if case.agents_thread_id is not None:
        return {"message_thread_id": case.agents_thread_id}
    if case.card_message_id is not None:
        return {"reply_to_message_id": case.card_message_id, "allow_sending_without_reply": True}
    return {}


def topic_name(case: Case) -> str:
    """The forum topic of the case: number, type and topic."""
    name = f"{case.number} · {label('case_type', case.type)} · {topic_label(case.type, case.topic)}"
    return name[:TOPIC_NAME_LIMIT]
