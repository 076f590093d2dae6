"""Order numbers, amounts and dates as customers write them (the case card's summary, the forms)."""

from __future__ import annotations

import pytest

from bot.entities import amounts, dates, order_numbers


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("me cobraron 39,90 € de más", ["39,90 €"]),
        ("pagué €12 por el envío", ["12 €"]),
        ("son $ 350 y no 300", ["350 $"]),
        ("me devolvieron 20 euros, faltan 15 USD", ["20 €", "15 USD"]),
        ("1.200 pesos y 1.200 pesos otra vez", ["1.200 pesos"]),
        ("tardó 10 min y pedí 2 camisetas", []),
    ],
)
def test_amounts_keep_their_currency_and_each_appears_once(text, found):
    assert amounts(text) == found


def test_order_numbers_in_any_spelling_are_one_number_each():
    assert order_numbers("ped 1234567, #1234567 y PED-7654321; el 12345678 no") == [
        "PED-1234567",
        "PED-7654321",
    ]


def test_only_real_days_and_months_are_dates():
    assert dates("el 12/03, el 5/1/2027, nunca el 31/13 ni 1/2/3/4") == ["12/03", "5/1/2027"]


def test_seven_digits_of_a_phone_are_no_order_number():
    assert order_numbers("el teléfono nuevo es +58 414 5550123 y el pedido PED-4021937") == ["PED-4021937"]
    assert order_numbers("llámame al 91 5550123 45") == []
