"""Rasa buttons as Telegram inline keyboards."""

from __future__ import annotations

from bot.telegram_api.keyboards import inline_keyboard, pressed_title


def as_data(payload: str) -> str:
    return payload


def layout(markup) -> list[list[str]]:
    return [[key.text for key in row] for row in markup.inline_keyboard]


def test_short_choices_go_two_to_a_row_and_long_ones_alone():
    buttons = [
        {"title": "Envíos", "payload": "/duda"},
        {"title": "Pagos", "payload": "/duda"},
        {"title": "Cambiar la dirección de envío", "payload": "/solicitud"},
        {"title": "Factura", "payload": "/solicitud"},
    ]
    assert layout(inline_keyboard(buttons, as_data)) == [
        ["Envíos", "Pagos"],
        ["Cambiar la dirección de envío"],
        ["Factura"],
    ]


def test_payloads_pass_through_the_callback_data_function_and_links_stay_links():
    markup = inline_keyboard(
        [
            {"title": "Sí", "payload": "/afirmar"},
            {"title": "Ver la guía", "url": "https://tienda.example.com/guia"},
        ],
        lambda payload: "#" + payload.strip("/"),
    )
    yes, guide = markup.inline_keyboard[0]
    assert yes.callback_data == "#afirmar" and yes.url is None
    assert guide.url == "https://tienda.example.com/guia" and guide.callback_data is None


def test_the_pressed_title_is_found_from_the_callback_data():
    markup = inline_keyboard(
        [{"title": "Sí", "payload": "/afirmar"}, {"title": "No", "payload": "/negar"}], as_data
    )
    assert pressed_title(markup, "/negar") == "No"
    assert pressed_title(markup, "/otra") is None
