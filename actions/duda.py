"""duda: answer from the FAQ (retrieval intent), ask whether it helped, close when it did."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions import store
from actions.admission import asks_about_waiting, is_a_remark, over_limit, recent_case
from actions.conversation import latest_entity
from actions.demands import build_demand
from actions.presenting import case_variables
from bot.cases import add_message, close_case, open_cases, present_solution, register_case
from bot.labels import label
from bot.store.models import Case, CaseStatus, CaseType
from bot.survey.messages import question
from bot.survey.store import RESOLVED, start_survey
from bot.text import fold

RETRIEVAL_INTENT = "duda"
NO_TOPIC = "sin_tema"  # «una pregunta», a duda announced (data/nlu/duda_sin_tema.yml): the topic menu
SAME_QUESTION_WINDOW = timedelta(minutes=30)
# After «¿Resolví tu duda?»: «ah ok, entonces con tarjeta o paypal nada más. gracias» is a yes.
SATISFIED = re.compile(
    r"\b(gracias|grax|ok|okey|oka|vale|listo|perfecto|genial|entendido|dale|bacan|chevere)\b"
)


def duda_topic(tracker: Tracker, domain: dict[str, Any]) -> str | None:
    """The FAQ topic: a topic button's entity, else the ResponseSelector's choice."""
    topic = latest_entity(tracker, "tema_duda")
    if topic is None:
        selector = tracker.latest_message.get("response_selector") or {}
        chosen = (selector.get(RETRIEVAL_INTENT) or selector.get("default") or {}).get("response") or {}
        key = chosen.get("intent_response_key") or ""
        topic = key.partition("/")[2] or None
    if topic and topic != NO_TOPIC and f"utter_{RETRIEVAL_INTENT}/{topic}" in (domain.get("responses") or {}):
        return topic
    return None


def answer_text(domain: dict[str, Any], topic: str) -> str:
    variations = domain["responses"][f"utter_{RETRIEVAL_INTENT}/{topic}"]
    return variations[0].get("text", "")


class ActionResponderDuda(Action):
    def name(self) -> str:
        return "action_responder_duda"

    @store.apologize_on_store_error
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        topic = duda_topic(tracker, domain)
        text = tracker.latest_message.get("text") or ""
        typed = latest_entity(tracker, "tema_duda") is None  # not a topic button
        with store.session_factory()() as session:
            answered = store.conversation_case(session, tracker)
        if typed and satisfied(text) and awaiting_feedback(answered):
            return await ActionCerrarDuda().run(dispatcher, tracker, domain)
        with store.session_factory().begin() as session:
            recent = recent_case(session, tracker.sender_id) if typed else None
            if recent is not None and (asks_about_waiting(text) or is_a_remark(text)):
                # About the queja or solicitud just opened, not a new question: it joins that case.
                add_message(session, recent, "customer", text, at=store.now())
                response = "utter_caso_plazo" if asks_about_waiting(text) else "utter_caso_seguimiento"
                dispatcher.utter_message(response=response, **case_variables(recent))
                return [SlotSet("caso_numero", recent.number)]
        if topic is None:
            dispatcher.utter_message(response=f"utter_{RETRIEVAL_INTENT}/{NO_TOPIC}")
            return []
        demand = build_demand(tracker, CaseType.DUDA, topic)
        number = None
        with store.session_factory().begin() as session:
            # The same question again while its case waits for «¿Resolví tu duda?»: that case; another
            # question instead of an answer to it («depende, ¿la puedo llevar a una tienda?») too.
            case = same_question(session, tracker.sender_id, topic) or answer_awaited(session, tracker)
            if case is not None:
                add_message(session, case, "customer", text, at=store.now())
                add_message(session, case, "bot", answer_text(domain, topic), at=store.now())
            # Over the hourly limit the question is still answered, only not registered as a case.
            if case is None and not over_limit(session, tracker):
                case = register_case(session, demand, store.policy(), store.now())
                if case.status == CaseStatus.NUEVO.value:
                    present_solution(session, case, f"faq:{topic}", store.now())
                    add_message(session, case, "bot", answer_text(domain, topic), at=store.now())
            number = case.number if case is not None else None
        dispatcher.utter_message(response=f"utter_{RETRIEVAL_INTENT}/{topic}")
        dispatcher.utter_message(response="utter_preguntar_resuelto")
        return [SlotSet("caso_numero", number)]


def awaiting_feedback(case: Case | None) -> bool:
    """The conversation's duda was answered and «¿Resolví tu duda?» is still open."""
    return (
        case is not None and case.type == CaseType.DUDA.value and case.status == CaseStatus.EN_PROCESO.value
    )


def answer_awaited(session: Session, tracker: Tracker) -> Case | None:
    """The conversation's duda, answered minutes ago, while «¿Resolví tu duda?» is still open."""
    case = store.conversation_case(session, tracker)
    if awaiting_feedback(case) and store.now() - case.created_at <= SAME_QUESTION_WINDOW:
        return case
    return None


def satisfied(text: str) -> bool:
    return "?" not in text and bool(SATISFIED.search(fold(text)))


def same_question(session: Session, chat_id: str, topic: str) -> Case | None:
    for case in open_cases(session, chat_id):
        recent = store.now() - case.created_at <= SAME_QUESTION_WINDOW
        if recent and case.type == CaseType.DUDA.value and case.topic == topic:
            return case
    return None


class ActionCerrarDuda(Action):
    def name(self) -> str:
        return "action_cerrar_duda"

    @store.apologize_on_store_error
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        survey = None
        with store.session_factory().begin() as session:
            case = store.conversation_case(session, tracker)
            if case and case.type == CaseType.DUDA.value and case.status == CaseStatus.EN_PROCESO.value:
                topic = label("duda_topic", case.topic)
                resolution = f"Respondida por el asistente (preguntas frecuentes: {topic})."
                close_case(session, case, resolution, now=store.now())
                survey = start_survey(session, case, store.now())
                number = case.number
        if survey is None:
            dispatcher.utter_message(response="utter_duda_resuelta")
            return []
        dispatcher.utter_message(response="utter_duda_cerrada", numero=number, tema=topic)
        asked = question(number, RESOLVED)
        dispatcher.utter_message(text=asked.text, buttons=asked.buttons)
        return []


class ActionAgradecer(Action):
    """Thanks: «¡De nada!», and when a FAQ answer is still waiting for «¿Resolví tu duda?» («ya pude
    entrar, gracias 👍» after «no sé, déjeme probar»), it closes that duda like a «sí»."""

    def name(self) -> str:
        return "action_agradecer"

    @store.apologize_on_store_error
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        with store.session_factory()() as session:
            awaited = answer_awaited(session, tracker) is not None
        if awaited:  # closing reads no domain, and this action is not sent one (endpoints.yml)
            return await ActionCerrarDuda().run(dispatcher, tracker, {})
        dispatcher.utter_message(response="utter_de_nada")
        return []
