"""consultar_caso: the status of the customer's own case (the one named, or their only open one), or
the list of their open ones."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import store
from actions.conversation import latest_entity
from actions.presenting import case_list_line, status_variables
from actions.validators import normalize_case_number
from bot.cases import customer_case, last_event, open_cases


class ActionConsultarCaso(Action):
    def name(self) -> str:
        return "action_consultar_caso"

    @store.apologize_on_store_error
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        said = latest_entity(tracker, "numero_caso") or tracker.latest_message.get("text") or ""
        number = normalize_case_number(said)
        with store.session_factory().begin() as session:
            cases = [] if number else open_cases(session, tracker.sender_id)
            # With a single open case, «¿me avisan cuando haya novedades?» is about that one.
            case = customer_case(session, tracker.sender_id, number) if number else next(iter(cases), None)
            if number and case is None:
                dispatcher.utter_message(response="utter_caso_no_encontrado")
            elif not number and not cases:
                dispatcher.utter_message(response="utter_sin_casos_abiertos")
            elif len(cases) > 1:
                lines = "\n".join(case_list_line(case) for case in cases[:10])
                dispatcher.utter_message(response="utter_casos_abiertos", lista=lines)
            else:
                variables = status_variables(case, last_event(session, case))
                dispatcher.utter_message(response="utter_estado_caso", **variables)
        return []
