"""What customers type into the forms, normalised or refused."""

from datetime import date

import pytest

from actions.validators import (
    is_vague,
    normalize_address,
    normalize_case_number,
    normalize_email,
    normalize_order_number,
    normalize_phone,
    parse_visit_date,
    says_dont_have_it,
)
from bot.policy import get_policy
from bot.store.models import CaseType

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    "text",
    [
        "PED-1234567",
        "ped 1234567",
        "ped1234567",
        "#1234567",
        "1234567",
        "mi pedido es el PED-1234567",
        "Pedido: 1234567",
    ],
)
def test_order_numbers_in_every_usual_shape(text):
    assert normalize_order_number(text) == "PED-1234567"


@pytest.mark.parametrize(
    "text", ["123", "12345678", "patata", "", "1234567 y 7654321", "+34 612 345 678", "🙂"]
)
def test_what_is_not_one_order_number(text):
    assert normalize_order_number(text) is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("q-2026-000123", "Q-2026-000123"),
        ("S2026000045", "S-2026-000045"),
        ("mi caso D 2025 001002", "D-2025-001002"),
        ("caso 123", None),
    ],
)
def test_case_numbers(text, expected):
    assert normalize_case_number(text) == expected


def test_emails_and_phones():
    assert normalize_email(" Ana.Lopez@Gmail.com. ") == "ana.lopez@gmail.com"
    assert normalize_email("ana arroba gmail") is None
    assert normalize_phone("+34 612 345 678") == "+34612345678"
    assert normalize_phone("(55) 1234-5678") == "5512345678"
    assert normalize_phone("12345") is None and normalize_phone("llámame") is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("mañana", date(2026, 11, 24)),
        ("pasado mañana", date(2026, 11, 25)),
        ("15/12", date(2026, 12, 15)),
        ("el próximo martes", date(2026, 11, 24)),
        ("el viernes por la tarde", date(2026, 11, 27)),
        ("el sábado que viene porfa", date(2026, 11, 28)),  # a date and one more word
        ("15/12 por favor", date(2026, 12, 15)),
        ("el jueves, si puede ser, que estoy en casa", date(2026, 11, 26)),
    ],
)
def test_visit_dates(text, expected):
    assert parse_visit_date(text, MONDAY) == expected


@pytest.mark.parametrize(
    "text",
    ["hoy", "ayer", "el domingo", "15/12/2030", "cuando sea", "🙂", "en mi casa", "cuando puedan porfa"],
)
def test_visit_dates_refused(text):
    assert parse_visit_date(text, MONDAY) is None


def test_addresses_need_a_street_and_a_number():
    assert normalize_address("Calle Mayor 12, 3ºB, 28013 Madrid") == "Calle Mayor 12, 3ºB, 28013 Madrid"
    assert normalize_address("en mi casa") is None
    assert normalize_address("12") is None


@pytest.mark.parametrize(
    "text", ["quiero poner una queja", "tengo un reclamo", "ESTOY MUY MOLESTA", "queja formal porfa", "😡😡"]
)
def test_vague_complaints(text):
    assert is_vague(text)


@pytest.mark.parametrize("text", ["el repartidor no vino", "me cobraron dos veces", "la camiseta llegó rota"])
def test_complaints_that_say_what_happened(text):
    assert not is_vague(text)


def test_not_having_the_order_number():
    assert all(says_dont_have_it(t) for t in ["no lo tengo", "No sé", "nop", "ni idea", "no me acuerdo"])
    assert not says_dont_have_it("PED-1234567")


@pytest.mark.parametrize(
    "text,kind",
    [
        ("quiero cancelar mi pedido", "cancelacion"),
        ("necesito la factura", "factura"),
        ("quiero cancelar mi cuenta", "baja_cuenta"),
        ("que venga un técnico a instalar la lavadora", "cita_tecnica"),
        ("quiero devolver las zapatillas", "devolucion"),
        ("envíenlo a otra dirección", "cambio_direccion"),
    ],
)
def test_the_kind_of_solicitud_from_its_words(text, kind):
    assert get_policy().detect_topic(CaseType.SOLICITUD, text) == kind


@pytest.mark.parametrize(
    "text,topic",
    [
        ("buenas tardes, la dependienta de la tienda me gritó", "atencion"),
        ("Buenas tardes!! el repartidor llegó tarde otra vez", "envio"),
        ("buenos días, me cobraron dos veces el mismo pedido", "cobro"),
    ],
)
def test_a_greeting_does_not_decide_the_topic_of_a_complaint(text, topic):
    assert get_policy().detect_topics(CaseType.QUEJA, text)[0] == topic
    assert "envio" not in get_policy().detect_topics(CaseType.QUEJA, "buenas tardes, la cajera fue grosera")
