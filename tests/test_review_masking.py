"""Masking personal data in what customers wrote, before it leaves the database."""

from __future__ import annotations

import pytest

from bot.privacy.masking import PLACEHOLDERS, mask_personal_data

# (what the customer wrote, what may leave the database)
CASES = [
    # Emails
    ("mi correo es laura.mendez@correo.com", "mi correo es [email]"),
    ("escribidme a J.Ortega+pedidos@mail.es!!", "escribidme a [email]!!"),
    (
        "cambien ana_perez@correo.es por ana.p@gmail.com, gracias 🙏",
        "cambien [email] por [email], gracias 🙏",
    ),
    ("¿Me mandáis la factura a josé.núñez@empresa.com.es?", "¿Me mandáis la factura a [email]?"),
    # Phone numbers
    ("mi nuevo teléfono es 612 987 654", "mi nuevo teléfono es [teléfono]"),
    ("llamadme al 612345678 por la tarde", "llamadme al [teléfono] por la tarde"),
    (
        "que el técnico llame al +34 612 34 56 78 antes de venir",
        "que el técnico llame al [teléfono] antes de venir",
    ),
    ("desde el extranjero: 0034 612345678", "desde el extranjero: [teléfono]"),
    ("el fijo de la tienda es el 91 123 45 67.", "el fijo de la tienda es el [teléfono]."),
    ("tlf 699-11-12-22 o 699.111.222", "tlf [teléfono] o [teléfono]"),
    ("llamad al 612 345 678 o al 699 111 222", "llamad al [teléfono] o al [teléfono]"),
    ("(+34) 612 345 678, pregunten por Inés", "[teléfono], pregunten por [nombre]"),
    ("vivo en México, mi cel es 55 1234 5678", "vivo en México, mi cel es [teléfono]"),
    ("tel612345678", "tel[teléfono]"),
    # Order numbers
    (
        "necesito anular el pedido PED-2345678 que hice ayer",
        "necesito anular el pedido [pedido] que hice ayer",
    ),
    ("la factura del ped 3456712 porfa", "la factura del [pedido] porfa"),
    ("PED1234567 no ha llegado 😡", "[pedido] no ha llegado 😡"),
    (
        "me cobraron de más en la compra 4567123, qué desastre",
        "me cobraron de más en la compra [pedido], qué desastre",
    ),
    (
        "Quiero que me devuelvan el dinero del pedido 7654321.",
        "Quiero que me devuelvan el dinero del pedido [pedido].",
    ),
    ("los pedidos 1234567 y 7654321 vienen juntos?", "los pedidos [pedido] y [pedido] vienen juntos?"),
    ("pedidos 1234567 7654321", "pedidos [pedido] [pedido]"),
    ("EL PEDIDO 1234567 Y EL 7654321 NO LLEGAN", "EL PEDIDO [pedido] Y EL [pedido] NO LLEGAN"),
    ("pedido nº1234567", "pedido nº[pedido]"),
    # Payment cards
    ("pagué con la 4111 1111 1111 1111 y no me sale", "pagué con la [tarjeta] y no me sale"),
    ("tarjeta 4111-1111-1111-1111, caduca 12/27", "tarjeta [tarjeta], caduca 12/27"),
    ("el cargo fue en 5500000000000004", "el cargo fue en [tarjeta]"),
    ("la amex 3782 822463 10005 me la rechazan", "la amex [tarjeta] me la rechazan"),
    ("6011 1111 1111 1117 (discover)", "[tarjeta] (discover)"),
    ("con puntos: 4111.1111.1111.1111", "con puntos: [tarjeta]"),
    ("la de 13: 4222222222222", "la de 13: [tarjeta]"),
    # IBANs and bank accounts
    ("devolvedlo a ES91 2100 0418 4502 0005 1332", "devolvedlo a [iban]"),
    ("IBAN: ES9121000418450200051332.", "IBAN: [iban]."),
    ("mi cuenta es es91 2100 0418 4502 0005 1332 gracias", "mi cuenta es [iban] gracias"),
    ("cuenta inglesa GB29 NWBK 6016 1331 9268 19", "cuenta inglesa [iban]"),
    ("cuenta 2100 0418 4502 0005 1332", "cuenta [iban]"),
    # DNI and NIE
    ("mi DNI es 12345678Z", "mi DNI es [documento]"),
    ("DNI 12.345.678-Z, a nombre de María", "DNI [documento], a nombre de [nombre]"),
    ("dni 12345678z y tlf 612345678", "dni [documento] y tlf [teléfono]"),
    ("soy extranjera, NIE X1234567L", "soy extranjera, NIE [documento]"),
    ("nie: y-7654321-k", "nie: [documento]"),
    ("12345678 Z es mi dni", "[documento] es mi dni"),
    # Several kinds in one message, with what must stay
    (
        "Hola, soy Lucía (DNI 12345678Z). El pedido PED-1234567 del 12/03 (49,99 €) no llegó; "
        "escribidme a lucia@mail.com o al 612 345 678. Caso Q-2026-000123 😢",
        "Hola, soy [nombre] (DNI [documento]). El pedido [pedido] del 12/03 (49,99 €) no llegó; "
        "escribidme a [email] o al [teléfono]. Caso Q-2026-000123 😢",
    ),
    (
        "me cobrasteis 2 veces en la 4111 1111 1111 1111, devolvedlo a ES91 2100 0418 4502 0005 1332",
        "me cobrasteis 2 veces en la [tarjeta], devolvedlo a [iban]",
    ),
    (
        "caso S-2026-000077: el 1234567 llegó roto, llamad al +34 699 111 222 a partir de las 9:00",
        "caso S-2026-000077: el [pedido] llegó roto, llamad al [teléfono] a partir de las 9:00",
    ),
    (
        "NIE Y1234567X, pedido 7654321 (3 unidades, 10%), tel 0034 612345678",
        "NIE [documento], pedido [pedido] (3 unidades, 10%), tel [teléfono]",
    ),
    ("  espacios   dobles  612 345 678  \n  y saltos\t", "  espacios   dobles  [teléfono]  \n  y saltos\t"),
    # Already masked: placeholders stay as they are
    ("escribidme a [email] o al [teléfono]", "escribidme a [email] o al [teléfono]"),
    (" ".join(PLACEHOLDERS), " ".join(PLACEHOLDERS)),
    # Names, addresses, postal codes and the rest of issue 19 (more in tests/data/personal_data_*.yml)
    ("código postal 28013, 3º B", "código postal [código postal], 3º B"),
    ("me llamo jose luis garcia y quiero devolverlo", "me llamo [nombre] y quiero devolverlo"),
    ("mándenlo a Calle 100 # 19-61 apto 302, Bogotá", "mándenlo a [dirección], Bogotá"),
    ("mi correo es ana punto ruiz arroba gmail punto com", "mi correo es [email]"),
    ("el cvv es 123 y mi pasaporte PAB123456", "el cvv es [cvv] y mi pasaporte [pasaporte]"),
    (
        "la matrícula del coche es 1234 BCD, mi insta @ana.mtz",
        "la matrícula del coche es [matrícula], mi insta [usuario]",
    ),
    ("RUT 12.345.678-5 y CURP GOMA850312HDFRRN09", "RUT [documento] y CURP [documento]"),
]

# Not personal data: kept as written.
KEPT = [
    "en qué va el caso Q-2026-000321?",
    "quiero saber el estado de la solicitud s-2026-004512",
    "novedades del q 2026 000123?",
    "el caso 2026-000123 sigue abierto",
    "que venga el 12/03 a las 18:30",
    "lo pedí el 12/03/2026 y hoy es 1-4-2026",
    "costaba 49,99 € y me cobraron 120 euros",
    "el 15% de descuento no se aplicó en 2026",
    "2 camisetas talla 42 y 1 pantalón",
    "¿tenéis las tallas 36 38 40 42 44?",
    "3º B, escalera 2",
    "¡¡¡Gracias!!! 😊👍",
]


@pytest.mark.parametrize(("written", "masked"), CASES)
def test_masks_personal_data_and_keeps_the_rest(written, masked):
    assert mask_personal_data(written) == masked


@pytest.mark.parametrize("written", KEPT)
def test_keeps_case_numbers_dates_times_prices_years_quantities_and_emoji(written):
    assert mask_personal_data(written) == written


@pytest.mark.parametrize("written", [written for written, _ in CASES] + KEPT)
def test_masking_is_idempotent(written):
    once = mask_personal_data(written)
    assert mask_personal_data(once) == once


@pytest.mark.parametrize("written", ["", " ", "   ", "\n", "\t \n "])
def test_empty_and_blank_text_is_returned_as_it_is(written):
    assert mask_personal_data(written) == written


@pytest.mark.parametrize(
    ("written", "placeholder"),
    [
        ("4111 1111 1111 1111", "[tarjeta]"),  # not two phone numbers
        ("ES91 2100 0418 4502 0005 1332", "[iban]"),  # not a card
        ("Q-2026-000123", "Q-2026-000123"),  # not an order number
        ("0034 612345678", "[teléfono]"),  # 13 digits, but a prefixed phone number, not a card
        ("12345678Z", "[documento]"),  # not a phone number or an order number
    ],
)
def test_one_value_gets_one_placeholder(written, placeholder):
    assert mask_personal_data(written) == placeholder
