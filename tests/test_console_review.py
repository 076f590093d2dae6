"""The console's review inbox over HTTP (the real `python -m bot console`): one message at a time
with its prediction preselected and its conversation masked; confirm, relabel, discard or skip,
each stored at once; nothing without a session."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from bot.review.collect import collect
from bot.store.db import create_reading_engine, create_session_factory
from bot.store.migrate import migrate
from bot.store.models import ReviewItem
from tests.support.console_server import PASSWORD, USER, ConsoleSession, console_server, sign_in
from tests.support.tracker_events import action, bot_said, save_conversations, user

CONVERSATIONS = {
    "7001": [
        user("hola, soy Lucía Fernández", "saludo", 0.99),
        action("utter_saludo"),
        bot_said("¡Hola, Lucía Fernández! ¿En qué te ayudo?"),
        user("mi pedido PED-7654321 no llega y mi móvil es 612 345 678", "queja", 0.55),
        action("utter_pedir_descripcion"),
    ],
    "7002": [user("se puede pagar a plazos?", "duda", 0.6, topic="pagos"), action("action_responder_duda")],
    "7003": [user("blablabla", "saludo", 0.1, fallback=True), action("action_default_fallback")],
}


@pytest.fixture
def review_store(tmp_path: Path) -> str:
    path = tmp_path / "atencion.db"
    url = f"sqlite:///{path}"
    migrate(url)
    save_conversations(url, CONVERSATIONS)
    with create_session_factory(url).begin() as session:
        collect(session, create_reading_engine(url), threshold=0.7)
    return url


@pytest.fixture
def inbox(review_store: str, tmp_path: Path) -> Iterator[str]:
    with console_server(review_store, tmp_path / "console.log") as base:
        yield base


@pytest.fixture
def operator(inbox: str) -> requests.Session:
    client = ConsoleSession()
    sign_in(client, inbox)
    return client


def shown(page: str) -> tuple[str, str]:
    """The message under review and the intent preselected."""
    text = re.search(r'data-review="texto">(.*?)</blockquote>', page, re.S).group(1)
    chosen = re.search(r'<option value="([^"]*)" selected>', page).group(1)
    return text, chosen


def item_id(page: str) -> str:
    return re.search(r'action="/revision/(\d+)"', page).group(1)


def stored(review_store: str) -> dict[str, tuple[str, str | None]]:
    with create_session_factory(review_store)() as session:
        items = session.execute(select(ReviewItem)).scalars()
        return {item.text: (item.status, item.label) for item in items}


def test_the_inbox_needs_a_session(inbox: str):
    assert requests.get(f"{inbox}/revision", allow_redirects=False).headers["Location"] == "/entrar"
    refused = requests.post(f"{inbox}/revision/1", data={"accion": "descartar"}, allow_redirects=False)
    assert refused.headers["Location"] == "/entrar"


def test_one_message_at_a_time_confirmed_relabelled_discarded(inbox: str, review_store: str, operator):
    page = operator.get(f"{inbox}/revision").text
    assert "3 mensajes por revisar" in page
    assert shown(page) == ("mi pedido [pedido] no llega y mi móvil es [teléfono]", "queja")
    context = page[page.index("<h2>Conversación</h2>") :]
    assert "hola" in context and "612" not in context and "7654321" not in context
    assert "Fernández" not in context and "¡Hola, [nombre]!" in context  # the bot's lines too
    assert 'class="from-customer focus"' in context  # the message in its place in the conversation

    page = operator.post(
        f"{inbox}/revision/{item_id(page)}", data={"accion": "confirmar", "etiqueta": "queja"}
    ).text
    assert shown(page) == ("se puede pagar a plazos?", "duda/pagos")
    skipped = operator.post(f"{inbox}/revision/{item_id(page)}", data={"accion": "saltar"}).text
    assert shown(skipped) == ("blablabla", "saludo")  # the classifier's guess under the fallback

    bad = operator.post(
        f"{inbox}/revision/{item_id(skipped)}", data={"accion": "confirmar", "etiqueta": "duda"}
    )
    assert "una duda necesita su tema" in bad.text and shown(bad.text)[0] == "blablabla"
    page = operator.post(f"{inbox}/revision/{item_id(skipped)}", data={"accion": "descartar"}).text
    assert shown(page)[0] == "se puede pagar a plazos?"  # round again to the skipped one
    page = operator.post(
        f"{inbox}/revision/{item_id(page)}", data={"accion": "confirmar", "etiqueta": "solicitud"}
    ).text
    assert "No queda nada por revisar" in page
    first = operator.get(f"{inbox}/revision/1").text  # an export's link: the item, even when done
    assert "ya etiquetado: queja (consola)" in first and "[teléfono]" in first
    assert operator.get(f"{inbox}/revision/999").status_code == 404
    assert stored(review_store) == {
        "mi pedido [pedido] no llega y mi móvil es [teléfono]": ("etiquetado", "queja"),
        "se puede pagar a plazos?": ("etiquetado", "solicitud"),
        "blablabla": ("descartado", None),
    }


@pytest.mark.browser
def test_in_a_browser_one_key_confirms_the_prediction(browser, inbox: str, review_store: str):
    page = browser.new_page()
    page.goto(f"{inbox}/entrar")
    page.fill("#usuario", USER)
    page.fill("#contrasena", PASSWORD)
    page.click("form[action='/entrar'] button")
    page.goto(f"{inbox}/revision")
    assert page.inner_text("[data-review=prediccion]") == "queja"
    page.keyboard.press("Enter")  # the focused «Confirmar»
    page.wait_for_url(re.compile(r"/revision\?despues="))
    assert page.inner_text("[data-review=texto]") == "se puede pagar a plazos?"
    assert stored(review_store)["mi pedido [pedido] no llega y mi móvil es [teléfono]"] == (
        "etiquetado",
        "queja",
    )
    page.close()
