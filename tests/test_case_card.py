"""The case card agents see: what it shows, escaped, within Telegram's limits."""

from __future__ import annotations

from datetime import datetime, timedelta
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


# --- the summary line that opens every card

NOW = datetime(2026, 12, 4, 12, 0)


def said(text: str, minutes_ago: int, sender: str = "customer", agent_id: int | None = None) -> Message:
    return Message(
        sender=sender, agent_id=agent_id, text=text, created_at=NOW - timedelta(minutes=minutes_ago)
    )


def first_line(card_text_html: str) -> str:
    return parsed(card_text_html).text.splitlines()[0]


def test_a_complaint_card_opens_with_its_topic_order_amount_wait_and_messages():
    case = a_case(
        description="me cobraron 39,90 € dos veces por el pedido",
        details={"numero_pedido": "PED-4021937"},
        created_at=NOW - timedelta(minutes=125),
    )
    transcript = [
        said("me cobraron 39,90 € dos veces por el pedido", 125),
        said("He registrado tu queja con el número Q-2026-000123.", 125, "bot"),
        said("PED-4021937", 124),
        said("hola?? alguien??", 30),
    ]
    card = case_card(case, "Ana", transcript, owner=None, now=NOW)
    assert first_line(card.text) == (
        "📌 Queja: entrega o envío · pedido PED-4021937 · 39,90 € · espera desde hace 2 h 5 min"
        " · 3 mensajes del cliente"
    )
    assert parsed(card.text).text.splitlines()[1].startswith("Q-2026-000123 · queja")


def test_a_request_card_names_what_the_form_collected():
    case = a_case(
        number="S-2026-000045",
        type="solicitud",
        topic="cita_tecnica",
        details={
            "tipo_solicitud": "cita_tecnica",
            "fecha": "12/01/2027",
            "direccion": "C/ Mayor 5, 3º B, Madrid",
            "telefono": "+34 699 111 222",
        },
        created_at=NOW - timedelta(minutes=3),
    )
    card = case_card(
        case, "Luis", [said("quiero que venga el técnico a montar el armario", 3)], None, now=NOW
    )
    assert first_line(card.text) == (
        "📌 Solicitud: cita o visita técnica · visita el 12/01/2027 · C/ Mayor 5, 3º B, Madrid"
        " · +34 699 111 222 · espera desde hace 3 min · 1 mensaje del cliente"
    )


def test_a_question_card_finds_the_order_number_and_date_in_the_customer_s_words():
    case = a_case(number="D-2026-000310", type="duda", topic="envios", created_at=NOW - timedelta(days=2))
    transcript = [said("el pedido #1234567 iba a llegar el 28/11 y nada, me devuelven 1.200 pesos?", 2880)]
    card = case_card(case, "Sofía", transcript, owner=None, now=NOW)
    assert first_line(card.text) == (
        "📌 Duda: envíos · pedido PED-1234567 · 1.200 pesos · fecha 28/11 · espera desde hace 2 días"
        " · 1 mensaje del cliente"
    )


def test_the_wait_counts_from_the_first_message_no_person_has_answered():
    owner = Agent(id=7, name="Lucía Pérez")
    case = a_case(details={"numero_pedido": "no_disponible"}, created_at=NOW - timedelta(hours=5))
    answered = [said("llegó roto", 300), said("Lo miro ahora mismo", 280, "agent", 7)]
    line = first_line(case_card(case, "Ana", answered, owner, now=NOW).text)
    assert "espera" not in line and "sin nº de pedido" in line and "1 mensaje del cliente" in line
    again = [*answered, said("¿y bien?", 45), said("sigo esperando", 10)]
    line = first_line(case_card(case, "Ana", again, owner, now=NOW).text)
    assert "espera desde hace 45 min · 3 mensajes del cliente" in line


def test_the_summary_escapes_what_the_customer_typed():
    case = a_case(details={"direccion": "<b>calle</b> & <script>x</script>"}, created_at=NOW)
    card = case_card(case, "Ana", [], owner=None, now=NOW)
    assert "<b>calle</b> & <script>x</script>" in first_line(card.text)  # text, not tags
    assert "espera desde hace menos de 1 min · 0 mensajes del cliente" in first_line(card.text)
