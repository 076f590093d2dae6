"""The case card agents see: what it shows, escaped, within Telegram's limits."""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser

from bot.handoff.case_card import LAST_MESSAGES, case_card, topic_name
from bot.store.callback_payloads import CALLBACK_DATA_LIMIT
from bot.store.models import Agent, Case, Message, Team


def a_case(**overrides) -> Case:
    values = dict(
        number="Q-2026-000123",
        type="queja",
        topic="envio",
        priority="alta",
        team=Team(name="logistica"),
        sla_due_at=datetime(2026, 11, 25, 17, 0),
    )
    return Case(**{**values, **overrides})


class Balanced(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs) -> None:
        self.open.append(tag)

    def handle_endtag(self, tag) -> None:
        assert self.open.pop() == tag

    def handle_data(self, data) -> None:
        self.text += data


def parsed(html_text: str) -> Balanced:
    parser = Balanced()
    parser.feed(html_text)
    assert parser.open == []
    return parser


def test_an_unassigned_card_shows_the_case_and_offers_tomar_and_historial():
    transcript = [
        Message(sender="customer", text="El repartidor dejó el paquete en la calle"),
        Message(sender="bot", text="He registrado tu queja con el número Q-2026-000123."),
    ]
    card = case_card(a_case(), "Ana García", transcript, owner=None)
    shown = parsed(card.text).text
    for expected in ("Q-2026-000123", "queja", "Prioridad: alta", "Logística", "Ana García", "Sin asignar"):
        assert expected in shown
    assert "miércoles 25/11/2026 a las 18:00" in shown  # due time in the service's time zone
    assert "👤 El repartidor dejó el paquete en la calle" in shown
    assert card.buttons == [("Tomar", "tomar:Q-2026-000123"), ("Historial", "historial:Q-2026-000123")]
    assert all(len(data.encode()) <= CALLBACK_DATA_LIMIT for _, data in card.buttons)


def test_a_taken_card_names_its_owner_and_loses_tomar():
    owner = Agent(id=7, name="Lucía Pérez")
    transcript = [Message(sender="agent", agent_id=7, text="Hola Ana, ya lo estoy mirando")]
    card = case_card(a_case(), "Ana", transcript, owner=owner)
    shown = parsed(card.text).text
    assert "Lo lleva: Lucía Pérez" in shown and "🧑‍💼 Lucía Pérez: Hola Ana" in shown
    assert [title for title, _ in card.buttons] == ["Historial"]


def test_a_surveyed_card_shows_the_outcome_under_its_owner():
    owner = Agent(id=7, name="Lucía Pérez")
    card = case_card(a_case(), "Ana", [], owner=owner, outcome="Encuesta: ✅ resuelto · ⭐ 4/5")
    lines = parsed(card.text).text.splitlines()
    assert lines[lines.index("Lo lleva: Lucía Pérez") + 1] == "Encuesta: ✅ resuelto · ⭐ 4/5"


def test_customer_html_and_long_texts_are_escaped_and_kept_short():
    hostile = '<b>gratis</b> <a href="http://x">aquí</a> & <script>alert(1)</script> ' + "x" * 5000
    transcript = [Message(sender="customer", text=hostile)] * 20
    card = case_card(a_case(), "<i>Ana</i> & Co", transcript, owner=None)
    shown = parsed(card.text)  # no tag of the customer's survives as a tag
    assert "<script>alert(1)</script>" in shown.text and "<i>Ana</i> & Co" in shown.text
    assert shown.text.count("👤") == LAST_MESSAGES
    assert len(card.text) < 4096


def test_the_forum_topic_is_named_after_the_case():
    assert topic_name(a_case()) == "Q-2026-000123 · queja · entrega o envío"
    assert len(topic_name(a_case(topic="x" * 300))) <= 128
