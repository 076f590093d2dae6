"""A message that asks for several kinds of request («cancelen el pedido 4410298 y mándenme la
factura del 4410175»): the form registers the first; each other kind whose fields the message (or
the form's answers) already gives, about an order of its own, is registered as a case of its own —
its team, its due date — and the rest are noted in the first case, which says so."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy.orm import Session

from actions import store
from actions.validators import names_what
from bot.cases import Demand, register_case
from bot.entities import order_numbers
from bot.policy import GENERAL_TOPIC, CasePolicy
from bot.store.models import Case, CaseType
from bot.text import fold

ORDER = "numero_pedido"
KEPT_ANSWERS = ("email", "telefono", "direccion")  # what the form asked holds for the other requests too


def parts_by_kind(policy: CasePolicy, text: str) -> dict[str, str]:
    """Each kind of request the text names, with its part of the (folded) text: from where it is
    named to where the next kind is (the first from the start)."""
    said = fold(text)
    named = [
        (at, kind) for at, kind in policy.topics_in_order(CaseType.SOLICITUD, text) if kind != GENERAL_TOPIC
    ]
    ends = [at for at, _ in named[1:]] + [len(said)]
    return {kind: said[0 if i == 0 else at : ends[i]] for i, (at, kind) in enumerate(named)}


def details_for(policy: CasePolicy, kind: str, part: str, first: Case) -> dict[str, Any] | None:
    """The fields of `kind` from its part of the message and the first case's answers; None when one
    is missing, or when it is about no order of its own (then it is the first case's business)."""
    known = {k: v for k, v in (first.details or {}).items() if k in KEPT_ANSWERS}
    details: dict[str, Any] = {}
    for field in policy.rule_for(CaseType.SOLICITUD, kind).fields:
        if field == ORDER:
            numbers = order_numbers(part)
            if len(numbers) != 1 or numbers[0] == (first.details or {}).get(ORDER):
                return None
            details[ORDER] = numbers[0]
        elif field == "descripcion" and names_what(part):
            details[field] = part.strip(" ,.;")
        elif field in known:
            details[field] = known[field]
        else:
            return None
    return details


def register_the_others(
    session: Session, policy: CasePolicy, demand: Demand, opening: str, first: Case
) -> tuple[list[Case], list[str]]:
    """The cases registered apart, and the labels of the kinds only noted in the first case, from
    the `opening` message of the form that registered `first`."""
    apart, noted = [], []
    for kind, part in parts_by_kind(policy, opening).items():
        if kind == first.topic:
            continue
        details = details_for(policy, kind, part, first)
        if details is None:
            noted.append(policy.rule_for(CaseType.SOLICITUD, kind).label.lower())
            continue
        key = f"{demand.source_key}:{kind}" if demand.source_key else None
        other = dataclasses.replace(demand, topic=kind, details=details, source_key=key)
        apart.append(register_case(session, other, policy, store.now()))
    return apart, noted
