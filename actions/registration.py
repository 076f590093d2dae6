"""Registering the case a form collected (or leaving the form with nothing registered)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import store
from actions.admission import Refusal, refuse_new_case
from actions.demands import form_demand
from actions.forms import form_gave_up, reset_form_slots
from actions.more_requests import register_the_others
from actions.presenting import case_variables
from actions.validators import asks_for_a_person
from bot.cases import Demand, escalate_case, register_case
from bot.policy import CasePolicy
from bot.store.models import Case, CaseStatus, CaseType


def register_from_form(tracker: Tracker, case_type: CaseType) -> dict[str, str] | Refusal:
    """The registered case's variables, or why no new case was opened (the words kept). A case
    whose opening message also asked for a person («…y pásenme con alguien») is escalated; its
    variables then say so (`persona_pedida`)."""
    policy = store.policy()
    demand = form_demand(tracker, policy, case_type)
    with store.session_factory().begin() as session:
        if refusal := refuse_new_case(session, tracker, demand):
            return refusal
        case = register_case(session, demand, policy, store.now())
        asked_for_person = asks_for_a_person(demand.description)
        if asked_for_person and case.status != CaseStatus.ESCALADO.value:
            escalate_case(session, case, reason="pedido_por_cliente", now=store.now())
        variables = case_variables(case)
        variables["escalado"] = case.status == CaseStatus.ESCALADO.value
        variables["persona_pedida"] = asked_for_person
        apart, noted = (
            register_the_others(session, policy, demand, opening_text(tracker, demand), case)
            if case_type is CaseType.SOLICITUD
            else ([], [])
        )
        variables["tambien"] = " y ".join(noted)
        variables["aparte"] = [
            {**case_variables(other), "tipo": other_label(policy, other)} for other in apart
        ]
    return variables


def opening_text(tracker: Tracker, demand: Demand) -> str:
    """The message that opened the form: where the other requests were named."""
    return (tracker.get_slot("demanda") or {}).get("text") or demand.description


def other_label(policy: CasePolicy, case: Case) -> str:
    return policy.rule_for(CaseType.SOLICITUD, case.topic).label.lower()


def after_registration(number: str | None) -> list[EventType]:
    return [*reset_form_slots(), SlotSet("caso_numero", number)] if number else reset_form_slots()


class ActionRegistrarQueja(Action):
    def name(self) -> str:
        return "action_registrar_queja"

    @store.apologize_on_store_error
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        if form_gave_up(tracker):
            return [FollowupAction("action_ofrecer_persona")]
        variables = register_from_form(tracker, CaseType.QUEJA)
        if isinstance(variables, Refusal):
            variables.tell(dispatcher)
            return after_registration(variables.number)
        variables.pop("persona_pedida")  # escalated: the registration already says a person will write
        variables.pop("tambien")
        variables.pop("aparte")
        response = (
            "utter_queja_registrada" if variables.pop("escalado") else "utter_queja_registrada_sin_escalar"
        )
        dispatcher.utter_message(response=response, **variables)
        return after_registration(variables["numero"])


class ActionRegistrarSolicitud(Action):
    def name(self) -> str:
        return "action_registrar_solicitud"

    @store.apologize_on_store_error
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        if form_gave_up(tracker):
            return [FollowupAction("action_ofrecer_persona")]
        variables = register_from_form(tracker, CaseType.SOLICITUD)
        if isinstance(variables, Refusal):
            variables.tell(dispatcher)
            return after_registration(variables.number)
        variables.pop("escalado")
        variables["tipo"] = variables["tema"]  # «cancelar un pedido», not «solicitud»
        asked, also, apart = (
            variables.pop("persona_pedida"),
            variables.pop("tambien"),
            variables.pop("aparte"),
        )
        dispatcher.utter_message(response="utter_solicitud_registrada", **variables)
        for other in apart:
            dispatcher.utter_message(response="utter_tambien_registrado", **other)
        if also:
            dispatcher.utter_message(response="utter_tambien_anotado", otras=also, numero=variables["numero"])
        if asked:
            dispatcher.utter_message(response="utter_tambien_persona", numero=variables["numero"])
        return after_registration(variables["numero"])


class ActionSalirFormulario(Action):
    """The customer moved on: close the form and forget its half answers."""

    def name(self) -> str:
        return "action_salir_formulario"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        return [ActiveLoop(None), *reset_form_slots()]
