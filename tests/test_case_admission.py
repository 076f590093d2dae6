"""One case per problem: junk after an escalation does not escalate again, and no customer opens
more than MAX_NEW_CASES_PER_HOUR cases an hour; what they wrote is kept on their open case."""

from __future__ import annotations

import pytest

from bot.config import get_settings
from tests.support.rest_assistant import new_customer, texts

pytestmark = pytest.mark.slow

JUNK = ["🙂", "🙃", "👍🏼", "asdf", "🤷‍♀️", "jjjj", "??", "🙂🙂", "qwe", "💥"]


def test_fifty_junk_messages_from_one_chat_make_at_most_one_case(assistant):
    customer = new_customer()
    said = [texts(assistant.say(customer, JUNK[n % len(JUNK)])) for n in range(50)]

    cases = assistant.cases(customer)
    assert len(cases) <= 1
    if cases:  # escalated once; every later junk message is told so and kept on that case
        (case,) = cases
        assert case.status == "escalado"
        told = [reply for reply in said if "ya está con una persona" in reply]
        assert told and all(case.number in reply for reply in told)
        assert len(assistant.customer_said(case.id)) >= len(told)


def test_beyond_the_hourly_limit_a_complaint_joins_the_open_case_instead_of_a_new_one(assistant):
    limit = get_settings().max_new_cases_per_hour
    customer = new_customer()
    for n in range(limit):
        assistant.say(customer, "quiero poner una queja")
        assistant.say(customer, f"el pedido número {n + 1} llegó con la caja rota")
        assistant.say(customer, f"PED-{4000000 + n}")
    assert len(assistant.cases(customer)) == limit

    assistant.say(customer, "quiero poner una queja")
    assistant.say(customer, "y el último también llegó roto, esto es increíble")
    last = texts(assistant.say(customer, "PED-4999999"))

    cases = assistant.cases(customer)
    assert len(cases) == limit
    newest = cases[-1]
    assert "no abro otro" in last and newest.number in last
    assert any("el último también llegó roto" in text for text in assistant.customer_said(newest.id))

    answer = texts(assistant.say(customer, "cuanto tarda un envio a valencia?"))
    assert "Envío estándar" in answer and len(assistant.cases(customer)) == limit  # answered, not registered
