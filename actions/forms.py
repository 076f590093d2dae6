"""The queja and solicitud forms: ask only what the case needs, validate every answer.

An answer that does not fit is re-asked with an example at most twice; the third
miss ends the form, and the registration action offers a person instead.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions import store
from actions.admission import is_a_remark, recent_case
from actions.conversation import FORM_SLOTS, demand_snapshot, is_payload
from actions.validators import (
    is_vague,
    names_what,
    normalize_address,
    normalize_description,
    normalize_email,
    normalize_order_number,
    normalize_phone,
    parse_visit_date,
    says_dont_have_it,
)
from bot.labels import weekday_name
from bot.policy import GENERAL_TOPIC
from bot.store.models import CaseType

MAX_INVALID_ANSWERS = 3
# Messages with these intents are not answers to the kind menu: the rules in data/rules/solicitud.yml
# take them (leave the form, escalate, answer a duda, …). An off-topic line («qué frío hace hoy») is
# answered and the menu shown again, not registered as «otra solicitud»; nor is a goodbye or thanks.
NOT_A_KIND = {
    "negar",
    "pedir_humano",
    "consultar_caso",
    "duda",
    "queja",
    "out_of_scope",
    "despedida",
    "agradecer",
}
NO_ORDER_NUMBER = "no_disponible"


def recent_solicitud(tracker: Tracker) -> dict[str, Any] | None:
    """A request that names no kind minutes after one was registered («de M a S, mismo color»)
    is about that one: its kind and the answers it was registered with."""
    with store.session_factory().begin() as session:
        case = recent_case(session, tracker.sender_id)
        if case is None or case.type != CaseType.SOLICITUD.value:
            return None
        answers = {slot: value for slot, value in (case.details or {}).items() if slot in FORM_SLOTS}
        return {**answers, "tipo_solicitud": case.topic}


def recent_complaint(tracker: Tracker) -> bool:
    with store.session_factory()() as session:
        case = recent_case(session, tracker.sender_id)
        return case is not None and case.type == CaseType.QUEJA.value


def another_kind(tracker: Tracker) -> str | None:
    """The kind of request the latest message names, when the form is collecting another one."""
    current = tracker.get_slot("tipo_solicitud")
    if not current or tracker.get_intent_of_latest_message() != "solicitud":
        return None
    text = tracker.latest_message.get("text") or ""
    named = store.policy().detect_topics(CaseType.SOLICITUD, text)
    return next((kind for kind in named if kind not in (current, GENERAL_TOPIC)), None)


def reset_form_slots() -> list[EventType]:
    return [SlotSet(slot, None) for slot in (*FORM_SLOTS, "demanda", "requested_slot")] + [
        SlotSet("intentos_fallidos", 0)
    ]


def form_gave_up(tracker: Tracker) -> bool:
    return (tracker.get_slot("intentos_fallidos") or 0) >= MAX_INVALID_ANSWERS


class CaseFormValidation(FormValidationAction, ABC):
    """Shared by both forms: keeps the opening message and counts invalid answers."""

    @abstractmethod
    def needed_slots(self, tracker: Tracker) -> list[str]:
        """The slots this case needs, in the order they are asked."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        opening: list[EventType] = []
        if tracker.get_slot("demanda") is None:
            snapshot = demand_snapshot(tracker)
            tracker.slots["demanda"] = snapshot
            opening += [SlotSet("demanda", snapshot), *self.prefill(tracker, snapshot.get("text") or "")]
        return opening + await super().run(dispatcher, tracker, domain)

    def prefill(self, tracker: Tracker, opening: str) -> list[EventType]:
        """Slots the opening message already answers (set in `tracker` too), on the form's first turn."""
        return []

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[str]:
        return [] if form_gave_up(tracker) else self.needed_slots(tracker)

    def demand_text(self, tracker: Tracker) -> str:
        return (tracker.get_slot("demanda") or {}).get("text") or ""

    def accept(self, slot: str, value: Any) -> dict[str, Any]:
        return {slot: value, "intentos_fallidos": 0}

    def reject(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        misses = (tracker.get_slot("intentos_fallidos") or 0) + 1
        if misses < MAX_INVALID_ANSWERS:
            dispatcher.utter_message(response=f"utter_invalido_{slot}")
        return {slot: None, "intentos_fallidos": misses}

    def check(
        self,
        slot: str,
        value: Any,
        normalize: Callable[[str], Any],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> dict[str, Any]:
        normalized = normalize(str(value)) if value is not None else None
        if normalized is None:
            return self.reject(slot, dispatcher, tracker)
        return self.accept(slot, normalized)

    def validate_numero_pedido(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict:
        return self.check("numero_pedido", value, normalize_order_number, dispatcher, tracker)

    def validate_descripcion(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict:
        return self.check("descripcion", value, normalize_description, dispatcher, tracker)


class ValidateQuejaForm(CaseFormValidation):
    def name(self) -> str:
        return "validate_queja_form"

    def needed_slots(self, tracker: Tracker) -> list[str]:
        opening = self.demand_text(tracker)
        if is_vague(opening) and normalize_order_number(opening) and recent_complaint(tracker):
            return []  # «PED-9031176» just after a complaint: registration adds it to that one
        needed = ["descripcion"] if is_vague(opening) else []
        told = f"{opening} {tracker.get_slot('descripcion') or ''}"
        policy = store.policy()
        topic = policy.detect_topic(CaseType.QUEJA, told) or GENERAL_TOPIC
        if policy.rule_for(CaseType.QUEJA, topic).requires_order:
            needed.append("numero_pedido")
        return needed

    def validate_numero_pedido(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict:
        text = str(value)
        if says_dont_have_it(text) or tracker.get_intent_of_latest_message() == "negar":
            return self.accept("numero_pedido", NO_ORDER_NUMBER)
        if normalize_order_number(text) is None and not is_vague(text):
            # What happened instead of the number («en el resumen me aparecen dos cargos»): kept with
            # the complaint, and the number asked again.
            dispatcher.utter_message(response="utter_detalle_anotado")
            told = "\n".join(filter(None, (tracker.get_slot("descripcion"), " ".join(text.split()))))
            misses = (tracker.get_slot("intentos_fallidos") or 0) + 1
            return {"numero_pedido": None, "descripcion": told, "intentos_fallidos": misses}
        return super().validate_numero_pedido(value, dispatcher, tracker, domain)


class ValidateSolicitudForm(CaseFormValidation):
    def name(self) -> str:
        return "validate_solicitud_form"

    def prefill(self, tracker: Tracker, opening: str) -> list[EventType]:
        # «quiero devolver la chaqueta de cuero, me queda chica»: the item is not asked for again.
        if tracker.get_slot("descripcion") or not names_what(opening):
            return []
        tracker.slots["descripcion"] = " ".join(opening.split())
        return [SlotSet("descripcion", tracker.slots["descripcion"])]

    def needed_slots(self, tracker: Tracker) -> list[str]:
        kind = tracker.get_slot("tipo_solicitud")
        if not kind:
            return ["tipo_solicitud"]
        fields = store.policy().rule_for(CaseType.SOLICITUD, kind).fields
        return ["tipo_solicitud", *fields]

    async def extract_tipo_solicitud(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict:
        """The kind of request, from the customer's words when no button said it."""
        text = tracker.latest_message.get("text") or ""
        intent = tracker.get_intent_of_latest_message()
        if tracker.get_slot("tipo_solicitud") or is_payload(text) or intent in NOT_A_KIND:
            return {}
        kind = store.policy().detect_topic(CaseType.SOLICITUD, text)
        asked = tracker.get_slot("requested_slot") == "tipo_solicitud"
        # «¿me llamarán antes de venir?» minutes after a visit was booked: about that one.
        follows_up = kind and not asked and not is_a_remark(text)
        if follows_up and (recent := recent_solicitud(tracker)) and recent["tipo_solicitud"] == kind:
            return recent
        if kind:
            return {"tipo_solicitud": kind}
        if not asked and not is_vague(text) and (recent := recent_solicitud(tracker)):
            return recent  # registration adds the words to that case (actions/admission.py)
        if asked and not is_vague(text):
            # Not one of the listed kinds, but it says what is needed.
            return {"tipo_solicitud": GENERAL_TOPIC, "descripcion": " ".join(text.split())}
        if asked:
            return {"tipo_solicitud": "__no_entendido__"}
        return {}

    def reject(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        # «no lo quiero cancelar, lo que quiero es cambiar la dirección»: not an answer, another kind.
        if (other := another_kind(tracker)) is not None:
            label = store.policy().rule_for(CaseType.SOLICITUD, other).label.lower()
            dispatcher.utter_message(response="utter_tipo_solicitud_cambiado", tipo=label)
            return {slot: None, "tipo_solicitud": other}
        return super().reject(slot, dispatcher, tracker)

    def validate_tipo_solicitud(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict:
        known = {rule.topic for rule in store.policy().topics(CaseType.SOLICITUD)} | {GENERAL_TOPIC}
        if value in known:
            return self.accept("tipo_solicitud", value)
        return self.reject("tipo_solicitud", dispatcher, tracker)

    def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict:
        return self.check("email", value, normalize_email, dispatcher, tracker)

    def validate_telefono(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict:
        return self.check("telefono", value, normalize_phone, dispatcher, tracker)

    def validate_fecha(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict:
        today = store.now().date()
        if (kept := iso_date(value)) is not None:  # the day of the case this request follows up
            return self.accept("fecha", kept.isoformat())

        def visit_day(text: str) -> str | None:
            day = parse_visit_date(text, today)
            return day.isoformat() if day else None

        checked = self.check("fecha", value, visit_day, dispatcher, tracker)
        if checked.get("fecha"):  # say which day was understood: «el sábado que viene» is read, not guessed
            day = date.fromisoformat(checked["fecha"])
            dispatcher.utter_message(
                response="utter_fecha_entendida", dia=f"{weekday_name(day)} {day:%d/%m/%Y}"
            )
        return checked

    def validate_direccion(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict:
        return self.check("direccion", value, normalize_address, dispatcher, tracker)


def iso_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None
