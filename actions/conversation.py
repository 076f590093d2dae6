"""Pure readings of a rasa-sdk `Tracker`: what the customer said, and in which context."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Tracker

from bot.store.models import CaseType

CORE_INTENTS = tuple(t.value for t in CaseType)
FALLBACK_INTENT = "nlu_fallback"
FORM_SLOTS = (
    "tipo_solicitud",
    "numero_pedido",
    "email",
    "telefono",
    "fecha",
    "direccion",
    "descripcion",
)


def is_payload(text: str | None) -> bool:
    """Button presses arrive as `/intent{...}` payloads, not as customer words."""
    return (text or "").startswith("/")


def user_events(tracker: Tracker) -> list[dict[str, Any]]:
    return [e for e in tracker.events if e.get("event") == "user"]


def intent_of(event: dict[str, Any]) -> tuple[str | None, float | None]:
    intent = (event.get("parse_data") or {}).get("intent") or {}
    return intent.get("name"), intent.get("confidence")


def customer_texts(tracker: Tracker, limit: int = 3) -> list[str]:
    """The last `limit` things the customer wrote (button presses left out), oldest first."""
    texts = [e.get("text") or "" for e in user_events(tracker) if not is_payload(e.get("text"))]
    return [t for t in texts if t.strip()][-limit:]


def demand_snapshot(tracker: Tracker) -> dict[str, Any]:
    """The latest message as a demand: its words, id, intent, confidence and time.

    A button press («Una queja») takes its words from the message it clarified.
    """
    events = user_events(tracker)
    if not events:
        return {"text": "", "message_id": None, "intent": None, "confidence": None, "timestamp": None}
    latest = events[-1]
    intent, confidence = intent_of(latest)
    text = latest.get("text") or ""
    if is_payload(text):
        earlier = customer_texts(tracker, limit=1)
        text = earlier[-1] if earlier else ""
    return {
        "text": text,
        "message_id": latest.get("message_id"),
        "intent": intent,
        "confidence": confidence,
        "timestamp": latest.get("timestamp"),
    }


def captured_at(demand: dict[str, Any]) -> datetime | None:
    timestamp = demand.get("timestamp")
    return datetime.utcfromtimestamp(timestamp) if timestamp else None


def source_key(tracker: Tracker, demand: dict[str, Any]) -> str | None:
    message_id = demand.get("message_id")
    return f"{tracker.sender_id}:{message_id}" if message_id else None


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


def customer_name(tracker: Tracker) -> str | None:
    metadata = tracker.latest_message.get("metadata") or {}
    return metadata.get("customer_name") or None


def consecutive_fallbacks(tracker: Tracker) -> int:
    count = 0
    for event in reversed(user_events(tracker)):
        if intent_of(event)[0] != FALLBACK_INTENT:
            break
        count += 1
    return count


def previous_bot_action(tracker: Tracker) -> str | None:
    """The last action the bot ran before the customer's latest message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name")
    return None


def best_core_intent(tracker: Tracker) -> CaseType:
    """The likeliest of duda/queja/solicitud for the latest message, even under the fallback."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    for entry in ranking:
        if entry.get("name") in CORE_INTENTS:
            return CaseType(entry["name"])
    return CaseType.SOLICITUD


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    values = list(tracker.get_latest_entity_values(entity))
    return str(values[0]) if values else None
