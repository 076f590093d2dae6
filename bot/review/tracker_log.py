"""The customers' messages as Rasa's SQL tracker store keeps them (its `events` table): each with
what the classifier predicted, what the assistant did next and how the customer answered."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import column, select, table
from sqlalchemy.engine import Engine

FALLBACK = "nlu_fallback"
RETRIEVAL_INTENTS = ("duda",)

EVENTS = table(
    "events",
    column("id"),
    column("sender_id"),
    column("type_name"),
    column("timestamp"),
    column("action_name"),
    column("data"),
)


@dataclass(frozen=True)
class UserTurn:
    sender_id: str
    message_id: str | None
    text: str
    intent: str | None  # the classifier's best guess, never nlu_fallback; "duda/envios" for a FAQ
    confidence: float | None
    fell_back: bool  # the FallbackClassifier took over
    at: datetime  # naive UTC
    typed: bool = True  # False for a button's payload ("/negar"): not language to learn from
    actions: tuple[str, ...] = ()  # what the assistant ran after it, before the next message
    next_intent: str | None = None  # the customer's next message's intent
    next_text: str | None = None  # and its text (a button's payload included)


def predicted_intent(parse_data: dict[str, Any]) -> tuple[str | None, float | None]:
    """The best intent that is not the fallback (it ranks first when it took over), with the
    retrieval intent's response key ("duda/envios") when there is one."""
    ranking = parse_data.get("intent_ranking") or [parse_data.get("intent") or {}]
    best = next((entry for entry in ranking if entry.get("name") not in (None, FALLBACK)), None)
    if best is None:
        return None, None
    name = best["name"]
    if name in RETRIEVAL_INTENTS:
        selected = (parse_data.get("response_selector") or {}).get(name, {}).get("response", {})
        name = selected.get("intent_response_key") or name
    return name, best.get("confidence")


def user_turn(sender_id: str, stamp: float, data: dict[str, Any]) -> UserTurn | None:
    parse_data = data.get("parse_data") or {}
    text = (data.get("text") or parse_data.get("text") or "").strip()
    if not text:
        return None
    intent, confidence = predicted_intent(parse_data)
    return UserTurn(
        sender_id=sender_id,
        message_id=data.get("message_id"),
        text=text,
        intent=intent,
        confidence=confidence,
        fell_back=(parse_data.get("intent") or {}).get("name") == FALLBACK,
        at=datetime.fromtimestamp(stamp, timezone.utc).replace(tzinfo=None),
        typed=not text.startswith("/"),
    )


def read_user_turns(engine: Engine, since: datetime | None = None) -> list[UserTurn]:
    """Every customer message in the tracker store (from `since`, naive UTC), in order."""
    columns = (
        EVENTS.c.sender_id,
        EVENTS.c.type_name,
        EVENTS.c.timestamp,
        EVENTS.c.action_name,
        EVENTS.c.data,
    )
    query = select(*columns).where(EVENTS.c.type_name.in_(("user", "action")))
    if since is not None:
        query = query.where(EVENTS.c.timestamp >= since.replace(tzinfo=timezone.utc).timestamp())
    turns: dict[str, list[UserTurn]] = defaultdict(list)
    actions: dict[str, list[str]] = defaultdict(list)
    with engine.connect() as connection:
        for sender_id, kind, stamp, action, data in connection.execute(query.order_by(EVENTS.c.id)):
            if kind == "action":
                actions[sender_id].append(action)
                continue
            turn = user_turn(sender_id, stamp, json.loads(data))
            if turn is not None:
                close_previous(turns[sender_id], actions.pop(sender_id, []), turn)
                turns[sender_id].append(turn)
    for sender_id, pending in actions.items():
        close_previous(turns[sender_id], pending, None)
    return [turn for conversation in turns.values() for turn in conversation]


def close_previous(conversation: list[UserTurn], actions: list[str], following: UserTurn | None) -> None:
    """The conversation's last message learns what followed it."""
    if conversation:
        conversation[-1] = replace(
            conversation[-1],
            actions=tuple(actions),
            next_intent=following.intent if following else None,
            next_text=following.text if following else None,
        )


@dataclass(frozen=True)
class Said:
    speaker: str  # "customer" or "bot"
    text: str
    at: datetime
    focus: bool = False  # the message under review


def conversation_around(
    engine: Engine, sender_id: str, message_id: str | None, before: int = 4, after: int = 4
) -> list[Said]:
    """What the customer and the assistant said around `message_id` (or the time it was said,
    for a message without id; the conversation's last lines when it is not found), oldest first;
    button payloads left out."""
    events = EVENTS.c
    query = (
        select(events.type_name, events.timestamp, events.data)
        .where(events.sender_id == sender_id, events.type_name.in_(("user", "bot")))
        .order_by(events.id)
    )
    lines, focus = [], None
    with engine.connect() as connection:
        for kind, stamp, data in connection.execute(query):
            loaded = json.loads(data)
            text = (loaded.get("text") or "").strip()
            if not text or text.startswith("/"):
                continue
            at = datetime.fromtimestamp(stamp, timezone.utc).replace(tzinfo=None)
            if kind == "user" and message_id in (loaded.get("message_id"), at.isoformat()):
                focus = len(lines)
            lines.append(Said("customer" if kind == "user" else "bot", text, at, focus == len(lines)))
    if focus is None:
        return lines[-(before + after + 1) :]
    return lines[max(0, focus - before) : focus + after + 1]
