"""duda: answer from the FAQ (retrieval intent), ask whether it helped, close when it did."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import store
from actions.admission import over_limit
from actions.conversation import latest_entity
from actions.demands import build_demand
from bot.cases import add_message, close_case, present_solution, register_case
from bot.labels import label
from bot.store.models import CaseStatus, CaseType
from bot.survey.messages import question
from bot.survey.store import RESOLVED, start_survey

RETRIEVAL_INTENT = "duda"
NO_TOPIC = "sin_tema"  # «una pregunta», a duda announced (data/nlu/duda_sin_tema.yml): the topic menu


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
        if topic is None:
            dispatcher.utter_message(response=f"utter_{RETRIEVAL_INTENT}/{NO_TOPIC}")
            return []
        demand = build_demand(tracker, CaseType.DUDA, topic)
        number = None
        with store.session_factory().begin() as session:
            # Over the hourly limit the question is still answered, only not registered as a case.
            if not over_limit(session, tracker):
                case = register_case(session, demand, store.policy(), store.now())
                if case.status == CaseStatus.NUEVO.value:
                    present_solution(session, case, f"faq:{topic}", store.now())
                    add_message(session, case, "bot", answer_text(domain, topic), at=store.now())
                number = case.number
        dispatcher.utter_message(response=f"utter_{RETRIEVAL_INTENT}/{topic}")
        dispatcher.utter_message(response="utter_preguntar_resuelto")
        return [SlotSet("caso_numero", number)]


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
