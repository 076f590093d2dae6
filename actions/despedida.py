"""despedida: a goodbye that reminds the customer of their open case, if there is one."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import store
from bot.cases import customer_case
from bot.models import OPEN_STATUSES


class ActionDespedir(Action):
    def name(self) -> str:
        return "action_despedir"

    @store.apologize_on_store_error
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        number = tracker.get_slot("caso_numero")
        if number:
            with store.session_factory().begin() as session:
                case = customer_case(session, tracker.sender_id, number)
                still_open = case is not None and case.status in {s.value for s in OPEN_STATUSES}
            if still_open:
                dispatcher.utter_message(response="utter_despedida_caso_abierto", numero=number)
                return []
        dispatcher.utter_message(response="utter_despedida")
        return []
