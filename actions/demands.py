"""Turn what the tracker holds into a `Demand` for the case store."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.conversation import (
    FORM_SLOTS,
    captured_at,
    channel_of,
    customer_name,
    customer_texts,
    demand_snapshot,
    source_key,
)
from actions.validators import normalize_order_number
from bot.cases import Demand
from bot.policy import GENERAL_TOPIC, CasePolicy
from bot.store.models import CaseType

DETAIL_SLOTS = tuple(s for s in FORM_SLOTS if s not in ("tipo_solicitud", "descripcion"))


def form_details(tracker: Tracker) -> dict[str, Any]:
    return {slot: tracker.get_slot(slot) for slot in DETAIL_SLOTS if tracker.get_slot(slot)}


def description_of(snapshot: dict[str, Any], extra: str | None) -> str:
    """The opening message, then what the form asked for (once: it may be the opening itself)."""
    text, extra = (snapshot.get("text") or "").strip(), (extra or "").strip()
    if " ".join(extra.split()) == " ".join(text.split()):
        extra = ""
    return "\n".join(p for p in (text, extra) if p)


def build_demand(
    tracker: Tracker,
    case_type: CaseType,
    topic: str,
    snapshot: dict[str, Any] | None = None,
    description: str | None = None,
    details: dict[str, Any] | None = None,
) -> Demand:
    snapshot = snapshot or demand_snapshot(tracker)
    return Demand(
        sender_id=tracker.sender_id,
        channel=channel_of(tracker),
        case_type=case_type,
        topic=topic,
        description=description if description is not None else snapshot.get("text") or "",
        source_key=source_key(tracker, snapshot),
        intent=snapshot.get("intent"),
        confidence=snapshot.get("confidence"),
        captured_at=captured_at(snapshot),
        details=details or {},
        customer_name=customer_name(tracker),
    )


def form_demand(tracker: Tracker, policy: CasePolicy, case_type: CaseType) -> Demand:
    """The demand a queja or solicitud form collected: its opening message, the answers,
    and the topic (the kind of solicitud chosen, else recognised from the words)."""
    snapshot = tracker.get_slot("demanda") or demand_snapshot(tracker)
    text = description_of(snapshot, tracker.get_slot("descripcion"))
    topic = tracker.get_slot("tipo_solicitud") if case_type is CaseType.SOLICITUD else None
    topic = topic or policy.detect_topic(case_type, text) or GENERAL_TOPIC
    return build_demand(tracker, case_type, topic, snapshot, text, form_details(tracker))


COMPLAINT_HEARD = 0.15  # the NLU's confidence in «queja» beside the request for a person


def heard(tracker: Tracker, intent: str) -> bool:
    ranking = tracker.latest_message.get("intent_ranking") or []
    return any(r.get("name") == intent and (r.get("confidence") or 0) >= COMPLAINT_HEARD for r in ranking)


def pending_demand(tracker: Tracker, policy: CasePolicy) -> Demand:
    """The demand on the table when the customer is handed to a person.

    A form under way (or one that just gave up) keeps its demand in the `demanda` slot; otherwise
    it is a complaint when the message names what went wrong, else a request to talk to a person,
    described by the recent messages.
    """
    snapshot = tracker.get_slot("demanda")
    if snapshot and snapshot.get("intent") in (CaseType.QUEJA.value, CaseType.SOLICITUD.value):
        return form_demand(tracker, policy, CaseType(snapshot["intent"]))
    description = "\n".join(customer_texts(tracker)) or "(sin mensaje)"
    # «mi pedido no llega hace un mes y quiero hablar con una persona»: a complaint, for a person,
    # when the NLU heard one too and the words say what went wrong.
    said = tracker.latest_message.get("text") or ""
    complaint = policy.detect_topic(CaseType.QUEJA, said)
    if complaint not in (None, GENERAL_TOPIC) and heard(tracker, CaseType.QUEJA.value):
        order = normalize_order_number(said)
        details = {"numero_pedido": order} if order else {}
        return build_demand(tracker, CaseType.QUEJA, complaint, description=description, details=details)
    return build_demand(tracker, CaseType.SOLICITUD, "hablar_con_persona", description=description)
