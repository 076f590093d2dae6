"""despedida: a goodbye that reminds the customer of their open case, if there is one."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import store


class ActionDespedir(Action):
    def name(self) -> str:
        return "action_despedir"

    @store.apologize_on_store_error
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        with store.session_factory().begin() as session:
            case = store.conversation_case(session, tracker)
            open_number = case.number if case is not None and case.is_open else None
        if open_number:
            dispatcher.utter_message(response="utter_despedida_caso_abierto", numero=open_number)
        else:
            dispatcher.utter_message(response="utter_despedida")
        return []
