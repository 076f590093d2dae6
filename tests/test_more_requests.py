"""Several requests in one message, end to end over the REST channel (real model, action server and
SQLite store): each kind about an order of its own, with what it needs, is a case of its own; one
about the same order, or missing what it needs, is noted in the first case, which says so."""

from __future__ import annotations

import pytest

from tests.support.rest_assistant import new_customer, texts

pytestmark = pytest.mark.slow


def test_two_requests_about_two_orders_are_two_cases(assistant):
    customer = new_customer()
    assistant.say(customer, "quiero cancelar el pedido 4410298 y también necesito la factura del 4410175")
    said = texts(assistant.say(customer, "valentina.suarez@adinet.com.uy"))
    cases = {case.topic: case for case in assistant.cases(customer)}
    assert set(cases) == {"cancelacion", "factura"}
    assert cases["cancelacion"].details["numero_pedido"] == "PED-4410298"
    assert cases["factura"].details == {
        "numero_pedido": "PED-4410175",
        "email": "valentina.suarez@adinet.com.uy",
    }
    assert cases["cancelacion"].team.name != cases["factura"].team.name
    assert all(case.number in said for case in cases.values()) and "lo he registrado aparte" in said


def test_the_answers_of_the_form_serve_the_other_request_too(assistant):
    customer = new_customer()
    assistant.say(
        customer, "necesito la factura del pedido PED-5550001 y cambiar la dirección de envío del PED-5550002"
    )
    assistant.say(customer, "ana@correo.com")
    said = texts(assistant.say(customer, "Calle Mayor 12, 28001 Madrid"))
    cases = {case.topic: case for case in assistant.cases(customer)}
    assert set(cases) == {"factura", "cambio_direccion"}, said
    assert cases["cambio_direccion"].details["direccion"] == "Calle Mayor 12, 28001 Madrid"


def test_two_requests_about_one_order_are_one_case_that_says_both(assistant):
    customer = new_customer()
    assistant.say(customer, "cancelen el pedido PED-1234567 y devuélvanme el dinero")
    said = texts(assistant.say(customer, "un abrigo que ya no quiero, lo pedí por error"))
    [case] = assistant.cases(customer)
    assert case.number in said and "También me pides" in said and "mismo caso" in said
