"""A «no» out of context: after a queja or solicitud was just registered, «mejor no, déjalo así» takes
it back (closed as withdrawn, before anyone works on it); otherwise it is a plain no."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import store
from actions.admission import recent_case
from actions.presenting import case_variables
from bot.cases import untouched, withdraw_case
from bot.text import fold

# Taking back what was asked, not a «no» to a question: «mejor no», «déjalo así», «ya no hace falta».
TAKING_BACK = re.compile(
    r"\b(mejor no|dej[ae]l[oa]|olvid[ae]l[oa]|olvidate|ya no (hace falta|lo quiero|la quiero|lo necesito|"
    r"la necesito|quiero)|me (lo|la) (voy a )?qued(o|ar)|cancel[ae]l[oa]|anul[ae]l[oa]|"
    r"retir[ae]l[oa])\b"
)


def takes_back(text: str) -> bool:
    return bool(TAKING_BACK.search(fold(text)))


class ActionResponderNo(Action):
    def name(self) -> str:
        return "action_responder_no"

    @store.apologize_on_store_error
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list:
        text = tracker.latest_message.get("text") or ""
        withdrawn = None
        if takes_back(text):
            with store.session_factory().begin() as session:
                case = recent_case(session, tracker.sender_id)
                # Only the case this conversation just registered, while nobody has it.
                if case is not None and case.number == tracker.get_slot("caso_numero") and untouched(case):
                    withdraw_case(session, case, store.now())
                    withdrawn = case_variables(case)
        if withdrawn is None:
            dispatcher.utter_message(response="utter_en_que_mas")
            return []
        dispatcher.utter_message(response="utter_caso_retirado", **withdrawn)
        return [SlotSet("caso_numero", None)]
