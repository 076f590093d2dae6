"""Whether a customer's demand becomes a new case. A customer whose case is already with a person
gets that case again (their words are added to it) instead of a new escalation; a complaint with no
topic of its own, or one that adds to the last («además, nadie me contesta»), minutes after the
customer's last case («¿y cuánto tengo que esperar?», «esto es una vergüenza»), is a follow-up of
that case; and no customer opens more than MAX_NEW_CASES_PER_HOUR cases an hour: beyond that the
words go to their newest open case. Nothing the customer wrote is lost; it is only not a new case."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions import store
from actions.presenting import case_variables
from bot.cases import (
    Demand,
    case_by_source_key,
    cases_opened_since,
    complete_details,
    open_cases,
    refine_topic,
    waiting_case,
)
from bot.config import get_settings
from bot.policy import GENERAL_TOPIC
from bot.store.models import Case, CaseType
from bot.text import fold
from bot.timeline import add_message

LIMIT_WINDOW = timedelta(hours=1)
FOLLOW_UP_WINDOW = timedelta(minutes=30)
ADDING_ON = re.compile(r"(y )?(ademas|encima|para colmo|lo peor (es|fue))\b")
# «¿cuánto tardan en responder?», «¿me van a avisar?», «¿en cuánto me contestan?»: about the case.
WAITING = re.compile(
    r"\b(cuanto|cuando|que tan|en que|hasta cuando)\b.*"
    r"\b(respond|contest|avis|resuelv|solucion|escrib|llam|esper|devuelv|reembols|reintegr|confirm)"
    r"|\b(cuanto|que tanto|cuando)\b.{0,12}\b(tard|demor)\w*( todo)?( eso| esto| ustedes| uds)?\W*$"
    r"|\b(tard|demor)\w* en (respond|contest|avis|resolv|solucion|escrib|llam|atend)"
    r"|\b(me|nos) (van a |vais a |van |)(avisa|avisar|escrib|llam|contact|respond|contest)"
)  # «¿cuánto tarda un envío a Valencia?» is a question for the FAQ; «¿y cuánto tarda eso?» is not
# Words that make a message a question rather than something said about the case.
ASKING = re.compile(
    r"\?|\b(que|como|cuanto|cuanta|cuantos|cuantas|cuando|donde|cual|cuales|quien|saber|puedo|pueden|"
    r"podria|podrian|se puede|hay|tienen|aceptan|informacion|consulta|duda|pregunta)\b"
)


@dataclass(frozen=True)
class Refusal:
    response: str
    variables: dict[str, str]  # of the open case that took the customer's words; empty if none

    @property
    def number(self) -> str | None:
        return self.variables.get("numero")

    def tell(self, dispatcher: CollectingDispatcher) -> None:
        dispatcher.utter_message(response=self.response, **self.variables)


def over_limit(session: Session, tracker: Tracker) -> bool:
    opened = cases_opened_since(session, tracker.sender_id, store.now() - LIMIT_WINDOW)
    return opened >= get_settings().max_new_cases_per_hour


def adds_to_the_last(text: str) -> bool:
    """«Además, nadie me contesta», «y encima…»: the customer adds to what they just reported."""
    return bool(ADDING_ON.match(fold(text)))


def asks_about_waiting(text: str) -> bool:
    return bool(WAITING.search(fold(text)))


def is_a_remark(text: str) -> bool:
    """Said, not asked: «y el paquete venía con unos aretes también» after a complaint."""
    return not ASKING.search(fold(text))


def recent_case(session: Session, sender_id: str) -> Case | None:
    """The customer's newest open queja or solicitud, if it was opened minutes ago."""
    newest = next(iter(open_cases(session, sender_id)), None)
    if newest is None or newest.type == CaseType.DUDA.value:
        return None
    return newest if store.now() - newest.created_at <= FOLLOW_UP_WINDOW else None


def repeats(case: Case, demand: Demand) -> bool:
    """A solicitud of the same kind about the same order (or about none) as `case`."""
    return (
        demand.case_type.value == case.type == CaseType.SOLICITUD.value
        and demand.topic == case.topic
        and demand.details.get("numero_pedido") == (case.details or {}).get("numero_pedido")
    )


def followed_up_case(session: Session, tracker: Tracker, demand: Demand) -> Case | None:
    """The customer's recent case, when `demand` follows it up: a complaint about nothing in
    particular, one that adds to it («además…»), one that details a complaint about nothing in
    particular, or the same request again («de M a S, mismo color» after a size change)."""
    case = recent_case(session, tracker.sender_id)
    if case is None:
        return None
    if demand.case_type is CaseType.QUEJA:
        # «hice un pedido hace dos semanas» then «y todavía no ha llegado nada»: the details of one.
        vague_before = case.type == CaseType.QUEJA.value and case.topic == GENERAL_TOPIC
        follows = vague_before or demand.topic == GENERAL_TOPIC or adds_to_the_last(demand.description)
    else:
        follows = repeats(case, demand)
    return case if follows else None


def refuse_new_case(
    session: Session, tracker: Tracker, demand: Demand, escalation: bool = False, text: str | None = None
) -> Refusal | None:
    """None when `demand` may become a case (or its message already did: a retried action); otherwise
    why not, with `text` (default: the demand's description) kept on the open case. `escalation`: the
    demand is for a person, which a case already with one answers."""
    if demand.source_key and case_by_source_key(session, demand.source_key) is not None:
        return None
    text = demand.description if text is None else text
    case: Case | None = waiting_case(session, tracker.sender_id) if escalation else None
    if case is not None:
        response = "utter_caso_ya_con_persona"
    elif (case := followed_up_case(session, tracker, demand)) is not None:
        response = "utter_caso_seguimiento"
    elif over_limit(session, tracker):
        case = next(iter(open_cases(session, tracker.sender_id)), None)
        response = "utter_limite_casos" if case is not None else "utter_limite_casos_sin_abiertos"
    else:
        return None
    if case is None:
        return Refusal(response, {})
    if text.strip():
        add_message(session, case, "customer", text, at=store.now())
    completed = complete_details(session, case, demand.details, store.now())
    refined = response == "utter_caso_seguimiento" and refine_topic(
        session, case, demand.topic, store.policy(), store.now()
    )
    if refined or (response == "utter_caso_seguimiento" and completed):
        response = "utter_caso_seguimiento_precisado"  # says the order number and team it now has
    return Refusal(response, case_variables(case))
