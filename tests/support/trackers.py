"""Build rasa-sdk `Tracker`s the way the Rasa server sends them to the action server."""

from __future__ import annotations

import time
import uuid
from functools import lru_cache
from typing import Any

import yaml
from rasa_sdk import Tracker

from bot.config import PROJECT_ROOT


@lru_cache(maxsize=1)
def domain() -> dict[str, Any]:
    """domain.yml with the FAQ answers merged in, as the trained model's domain has them."""
    with open(PROJECT_ROOT / "domain.yml", encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    with open(PROJECT_ROOT / "data" / "responses" / "duda.yml", encoding="utf-8") as handle:
        loaded["responses"].update(yaml.safe_load(handle)["responses"])
    return loaded


def user_event(
    text: str,
    intent: str,
    confidence: float = 0.95,
    entities: list[dict[str, Any]] | None = None,
    topic: str | None = None,
    ranking: list[tuple[str, float]] | None = None,
    message_id: str | None = None,
) -> dict[str, Any]:
    parse_data: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "intent_ranking": [{"name": n, "confidence": c} for n, c in (ranking or [(intent, confidence)])],
    }
    if topic:
        parse_data["response_selector"] = {
            "duda": {"response": {"intent_response_key": f"duda/{topic}", "confidence": 0.9}}
        }
    return {
        "event": "user",
        "timestamp": time.time(),
        "text": text,
        "parse_data": parse_data,
        "message_id": message_id or uuid.uuid4().hex,
        "input_channel": "rest",
    }


def action_event(name: str) -> dict[str, Any]:
    return {"event": "action", "timestamp": time.time(), "name": name}


def slot_event(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": time.time(), "name": name, "value": value}


def entity(name: str, value: str) -> dict[str, Any]:
    return {"entity": name, "value": value, "extractor": "RegexEntityExtractor"}


def slots_of(events: list[dict[str, Any]], base: dict[str, Any] | None = None) -> dict[str, Any]:
    slots = {name: None for name in domain()["slots"]}
    slots["intentos_fallidos"] = 0
    slots.update(base or {})
    for event in events:
        if event["event"] == "slot":
            slots[event["name"]] = event["value"]
    return slots


def opened_by(text: str, intent: str, confidence: float = 0.9) -> list[dict]:
    """The message that opened the form, and the `demanda` slot the form kept of it."""
    opening = user_event(text, intent, confidence)
    demand = {
        "text": text,
        "message_id": opening["message_id"],
        "intent": intent,
        "confidence": confidence,
        "timestamp": opening["timestamp"],
    }
    return [opening, slot_event("demanda", demand)]


def tracker(
    events: list[dict[str, Any]],
    sender_id: str = "cliente-1",
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    """A tracker whose latest message is the last user event in `events`."""
    latest = next(e for e in reversed(events) if e["event"] == "user")
    latest_message = {**latest["parse_data"], "message_id": latest["message_id"]}
    return Tracker(
        sender_id=sender_id,
        slots=slots_of(events, slots),
        latest_message=latest_message,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name=None,
    )


def as_dicts(events: list[Any]) -> dict[str, Any]:
    """The SlotSet events an action returned, as {slot: value}."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
