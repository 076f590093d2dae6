"""Handing a case to a person: on request, when a FAQ answer did not help, when the
assistant keeps misunderstanding, or when a form could not be completed."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions import store
from actions.admission import recent_case, refuse_new_case
from actions.conversation import (
    best_core_intent,
    consecutive_fallbacks,
    is_payload,
    previous_bot_action,
    user_events,
)
from actions.demands import build_demand, pending_demand
from actions.forms import reset_form_slots
from actions.presenting import case_variables
from bot.cases import escalate_case, register_case
from bot.policy import GENERAL_TOPIC
from bot.store.models import Case, CaseStatus, CaseType, Level
from bot.text import fold
from bot.timeline import add_message

FALLBACKS_BEFORE_ESCALATION = 2
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters or more: emoji, signs and «k» say nothing
# «¿eres un robot o una persona?», «¿hablo con una máquina?»: a question about the assistant…
ABOUT_THE_BOT = re.compile(
    r"\b(eres|sos|hablo con|estoy hablando con|me atiende)\b.{0,20}"
    r"\b(robot|bot|maquina|persona|humano|ia)\b"
)
# …unless it also asks for one: «eres un bot? pásame con una persona».
WANTS_A_PERSON = re.compile(r"\b(quiero|pasa|pase|comunica|necesito|ponme|dame|prefiero|hablar con)\w*\b")
# Not yet a «no» to «¿Resolví tu duda?»: «no sé, déjeme probar», «a ver si funciona», «lo pruebo».
HEDGING = re.compile(
    r"^no (lo )?se( todavia| aun)?\s*([,.!?]|$)|\b(dej[ae]me probar|a ver si (funciona|sirve|me deja)|"
    r"voy a probar|lo pruebo|lo (voy a )?intent(o|ar))\b"
)


def asks_what_the_bot_is(text: str) -> bool:
    said = fold(text)
    return bool(ABOUT_THE_BOT.search(said)) and not WANTS_A_PERSON.search(said)


def case_still_with_the_bot(session: Session, tracker: Tracker) -> Case | None:
    """The conversation's case, while it is open and no person has it yet."""
    case = store.conversation_case(session, tracker)
    return case if case is not None and case.is_open and case.level < Level.AGENT else None


def escalation_reason(tracker: Tracker) -> str:
    if tracker.get_intent_of_latest_message() == "pedir_humano":
        return "pedido_por_cliente"
    return {
        "action_responder_duda": "respuesta_no_resolvio",
        "action_ofrecer_persona": "formulario_incompleto",
    }.get(previous_bot_action(tracker) or "", "pedido_por_cliente")


class ActionEscalarCaso(Action):
    """Escalate the conversation's open case, or register the pending demand escalated."""

    def name(self) -> str:
        return "action_escalar_caso"

    @store.apologize_on_store_error
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        text = tracker.latest_message.get("text") or ""
        if tracker.get_intent_of_latest_message() == "pedir_humano" and asks_what_the_bot_is(text):
            dispatcher.utter_message(response="utter_soy_asistente")  # answered; no case, no escalation
            return []
        reason = escalation_reason(tracker)
        if reason == "respuesta_no_resolvio" and HEDGING.search(fold(text)):
            dispatcher.utter_message(response="utter_pruebalo")  # «no sé, déjeme probar»: not a no yet
            return []
        refusal = None
        with store.session_factory().begin() as session:
            case = store.conversation_case(session, tracker)
            if case is None or not case.is_open:
                demand = pending_demand(tracker, store.policy())
                refusal = refuse_new_case(session, tracker, demand, escalation=True)
                if refusal is None:
                    case = register_case(session, demand, store.policy(), store.now())
            if refusal is None:
                escalate_case(session, case, reason=reason, now=store.now())
                variables = case_variables(case)
        # Always close a form that may be running: the rules expect it (data/rules/).
        closing = [ActiveLoop(None), *reset_form_slots()]
        if refusal is not None:
            refusal.tell(dispatcher)
            return [*closing, SlotSet("caso_numero", refusal.number)] if refusal.number else closing
        dispatcher.utter_message(response="utter_escalado", **variables)
        return [*closing, SlotSet("caso_numero", variables["numero"])]


class ActionOfrecerPersona(Action):
    def name(self) -> str:
        return "action_ofrecer_persona"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        dispatcher.utter_message(response="utter_ofrecer_persona")
        return [SlotSet("intentos_fallidos", 0)]


class ActionAclarar(Action):
    """Not understood: ask with buttons; the second time in a row, hand it to a person."""

    def name(self) -> str:
        return "action_aclarar"

    @store.apologize_on_store_error
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        if (joined := join_recent_case(tracker)) is not None:
            response, variables = joined
            dispatcher.utter_message(response=response, **variables)
            return [SlotSet("caso_numero", variables["numero"])]
        latest = user_events(tracker)[-FALLBACKS_BEFORE_ESCALATION:]
        worded = [bool(WORD.search(e.get("text") or "")) for e in latest]
        if not worded[-1]:
            # «😅», «???»: nothing said that a person could act on; no case for it.
            dispatcher.utter_message(response="utter_aclarar_sin_palabras")
            return []
        if consecutive_fallbacks(tracker) < FALLBACKS_BEFORE_ESCALATION or not all(worded):
            dispatcher.utter_message(response="utter_aclarar")
            return []
        demand = build_demand(
            tracker,
            best_core_intent(tracker),
            GENERAL_TOPIC,
            description="\n".join(
                e.get("text") or "" for e in user_events(tracker)[-FALLBACKS_BEFORE_ESCALATION:]
            ),
        )
        with store.session_factory().begin() as session:
            latest = tracker.latest_message.get("text") or ""
            refusal = None
            if (case := case_still_with_the_bot(session, tracker)) is not None:
                # «¿Resolví tu duda?» answered with words twice not understood: that duda goes to a person.
                add_message(session, case, "customer", demand.description, at=store.now())
            elif (refusal := refuse_new_case(session, tracker, demand, escalation=True, text=latest)) is None:
                case = register_case(session, demand, store.policy(), store.now())
            if refusal is None:
                escalate_case(session, case, reason="no_entendido", now=store.now())
                variables = case_variables(case)
        if refusal is not None:
            refusal.tell(dispatcher)
            return [SlotSet("caso_numero", refusal.number)] if refusal.number else []
        dispatcher.utter_message(response="utter_no_entiendo_escalado", **variables)
        return [SlotSet("caso_numero", variables["numero"])]


def join_recent_case(tracker: Tracker) -> tuple[str, dict[str, str]] | None:
    """Words not understood minutes after a queja or solicitud was opened («uso android, un samsung
    a52» after a complaint about the app) are most likely about it: they join that case, which an
    agent reads, instead of asking again and, the second time, opening a case of their own."""
    text = tracker.latest_message.get("text") or ""
    if is_payload(text) or not text.strip():
        return None
    with store.session_factory().begin() as session:
        case = recent_case(session, tracker.sender_id)
        on_the_table = store.conversation_case(session, tracker)
        if case is None or (on_the_table is not None and on_the_table.type == CaseType.DUDA.value):
            return None  # a duda answered since then is what the words are about
        with_a_person = case.status == CaseStatus.ESCALADO.value
        if not with_a_person and not WORD.search(text):
            return None  # «😅» says nothing to add to a case
        add_message(session, case, "customer", text, at=store.now())
        response = "utter_caso_ya_con_persona" if with_a_person else "utter_caso_seguimiento_sin_entender"
        return response, case_variables(case)
