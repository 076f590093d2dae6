"""The case card's first line: what the customer wants, in one line an agent reads before the rest,
built from the case itself (no language model): its type and topic, what the forms collected, the
order numbers, amounts and dates the customer's words name, how long they have been waiting for a
person and how many times they wrote."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.entities import amounts, dates, order_numbers
from bot.labels import label, topic_label
from bot.store.models import Case, Message

NO_ORDER_NUMBER = "no_disponible"  # what the forms store when the customer has none
FACT_FIELDS = ("numero_pedido", "fecha", "direccion", "email", "telefono")  # tipo_solicitud is the topic


def summary_line(case: Case, transcript: Sequence[Message], now: datetime) -> str:
    """Plain text: «Queja: entrega o envío · pedido PED-4021937 · 39,90 € · espera desde hace 2 h 5 min
    · 3 mensajes del cliente»."""
    parts = [
        summary_text(
            "lead", tipo=label("case_type", case.type).capitalize(), tema=topic_label(case.type, case.topic)
        )
    ]
    parts += facts(case, transcript)
    parts.append(waiting(case, transcript, now))
    written = sum(1 for message in transcript if message.sender == "customer")
    parts.append(summary_text("written_one" if written == 1 else "written", n=str(written)))
    return " · ".join(part for part in parts if part)


def facts(case: Case, transcript: Sequence[Message]) -> list[str]:
    """The form's fields, then what the customer's words name that the forms did not keep."""
    details = case.details or {}
    found = [fact(field, str(details[field])) for field in FACT_FIELDS if details.get(field)]
    said = " ".join([case.description or "", *(m.text for m in transcript if m.sender == "customer")])
    kept = " ".join(str(value) for value in details.values())
    found += [summary_text("order", valor=n) for n in order_numbers(said) if n not in kept]
    found += amounts(said)
    found += [summary_text("date", valor=d) for d in dates(said) if d not in kept]
    return list(dict.fromkeys(found))


def fact(field: str, value: str) -> str:
    if field == "numero_pedido" and value == NO_ORDER_NUMBER:
        return summary_text("no_order")
    return summary_text({"numero_pedido": "order", "fecha": "visit"}.get(field, "value"), valor=value)


def waiting(case: Case, transcript: Sequence[Message], now: datetime) -> str:
    """Since the customer's first message that no person has answered (the case's opening if no
    person has written yet); nothing once a person answered the last one."""
    since = case.created_at
    for message in transcript:
        if message.sender == "agent":
            since = None
        elif message.sender == "customer" and since is None:
            since = message.created_at
    if since is None or case.closed_at is not None:
        return ""
    return summary_text("waiting", tiempo=duration(now - since))


def duration(elapsed) -> str:  # a timedelta → «menos de 1 min», «25 min», «2 h 5 min», «3 días»
    minutes = int(elapsed.total_seconds() // 60)
    if minutes < 1:
        return summary_text("under_a_minute")
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days = minutes // (24 * 60)
    return summary_text("day" if days == 1 else "days", n=str(days))


def summary_text(key: str, **variables: str) -> str:
    return label("case_card", "summary")[key].format(**variables)
