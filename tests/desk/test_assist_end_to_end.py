"""Agent assist end to end: a running assistant (trained model, action server, worker, SQLite store)
whose Telegram side is the fake Bot API. When Laura takes a complaint, and when its customer writes
again, suggested answers appear in the case's topic — never in the customer's chat — from the FAQ
and from a similar case closed and rated well, that case's personal data masked. Only Laura can use
them; «Enviar» reaches the customer as her own message; «Editar» posts the text to change; what she
does with each is kept as a case event; once the case changes hands they have expired."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest

from bot.store.db import create_session_factory
from bot.store.models import Case, Customer, Survey, utcnow
from tests.support import telegram_updates as tg
from tests.support.chats import new_chat
from tests.support.fake_bot_api import Call
from tests.support.handoff_helpers import AGENTS, LAURA, MARTA, PEDRO, stored_case, taken_by_laura, wait_until
from tests.support.telegram_assistant import TelegramAssistant, to_chat

pytestmark = pytest.mark.slow

SOLVED = "Q-2026-009001"
OTHER_CUSTOMER = "Ana Martínez"
RESOLUTION = (
    "Hola Ana Martínez, te enviamos otro paquete sin coste (PED-7654321) y te devolvimos 39,90 € a la "
    "tarjeta 4111 1111 1111 1111. Para cualquier cosa, escríbenos a ana.martinez@example.com o al "
    "612 345 678 citando el caso Q-2026-009001."
)


@pytest.fixture(scope="module")
def solved_case(assistant: TelegramAssistant) -> str:
    """Another customer's complaint like the ones below, closed and rated 5 with a resolution."""
    with create_session_factory(assistant.database_url).begin() as session:
        customer = Customer(chat_id="555000111", channel="telegram", name=OTHER_CUSTOMER)
        case = Case(
            number=SOLVED,
            type="queja",
            topic="envio",
            description="el repartidor dejó el paquete fuera, en la calle, y me llegó todo mojado",
            channel="telegram",
            status="cerrado",
            customer=customer,
            resolution=RESOLUTION,
            created_at=utcnow() - timedelta(days=3),
            closed_at=utcnow() - timedelta(days=2),
        )
        session.add(case)
        session.flush()
        session.add(Survey(case_id=case.id, resolved=True, csat=5, status="completada"))
    return SOLVED


def suggestions_in(assistant: TelegramAssistant, topic: int, since: int = 0) -> list[Call]:
    posts = [
        c
        for c in assistant.fake.calls("sendMessage")
        if c.ok and to_chat(AGENTS)(c) and c.params.get("message_thread_id") == topic
    ]
    return [c for c in posts[since:] if "Sugerencia" in c.params["text"]]


def wait_for_suggestions(assistant: TelegramAssistant, topic: int, since: int = 0) -> list[Call]:
    wait_until(lambda: suggestions_in(assistant, topic, since))
    return suggestions_in(assistant, topic, since)


def sources(posts: list[Call]) -> set[str]:
    said = " ".join(post.params["text"] for post in posts)
    return {source for source in ("FAQ «envíos»", "caso parecido") if source in said}


def topic_posts(assistant: TelegramAssistant, topic: int) -> int:
    return len(
        [
            c
            for c in assistant.fake.calls("sendMessage")
            if c.ok and to_chat(AGENTS)(c) and c.params.get("message_thread_id") == topic
        ]
    )


def test_suggestions_reach_the_owner_s_thread_only_and_enviar_sends_one_as_her_message(
    assistant, fake, solved_case
):
    chat = new_chat()
    number, _card, topic = taken_by_laura(assistant, chat)
    # A parcel left in the street: the FAQ on shipping, and how the like complaint was resolved.
    wait_until(lambda: sources(suggestions_in(assistant, topic)) >= {"FAQ «envíos»", "caso parecido"})
    shown = suggestions_in(assistant, topic)
    assert len(shown) <= 3
    for post in shown:
        keys = [key["text"] for row in post.params["reply_markup"]["inline_keyboard"] for key in row]
        assert keys == ["Enviar", "Editar"]

    # From the similar case: its resolution, with what would tell whose case it was masked.
    (similar,) = [p for p in shown if "caso parecido" in p.params["text"]]
    text = similar.params["text"]
    assert "te enviamos otro paquete sin coste" in text
    for personal in (
        "Ana",
        "Martínez",
        "PED-7654321",
        "4111",
        "ana.martinez@example.com",
        "612 345 678",
        SOLVED,
    ):
        assert personal not in text, personal

    # Nothing of it in the customer's chat.
    customer_texts = [c.params["text"] for c in assistant.sent(chat)]
    assert not any("Sugerencia" in t or "te enviamos otro paquete" in t for t in customer_texts)

    # Pedro does not have the case: refused, and the customer gets nothing.
    before = len(assistant.sent(chat))
    refused = assistant.agent_press(PEDRO, similar, "Enviar", name="Pedro")
    assert refused.params["show_alert"] and "Solo quien lleva el caso" in refused.params["text"]

    # Laura sends it: the customer reads it under her name, as if she had written it.
    toast = assistant.agent_press(LAURA, similar, "Enviar")
    assert toast.params["text"] == "Enviada al cliente."
    (sent,) = assistant.replies(chat, before + 1)[before:]
    assert (
        sent.params["text"].startswith("Laura: ")
        and "te enviamos otro paquete sin coste" in sent.params["text"]
    )
    assert "4111" not in sent.params["text"]

    again = assistant.agent_press(LAURA, similar, "Enviar")
    assert again.params["show_alert"] and "ya se envió" in again.params["text"]
    assert len(assistant.sent(chat)) == before + 1

    _case, events, messages = stored_case(assistant, number)
    kinds = [e.kind for e in events]
    assert kinds.count("suggestion_shown") == len(shown)
    assert kinds.count("suggestion_sent") == 1 and "first_response" in kinds
    (used,) = [e for e in events if e.kind == "suggestion_sent"]
    assert used.details["source"] == "case" and used.details["key"] == SOLVED
    assert ("agent", sent.params["text"].removeprefix("Laura: ")) in [(m.sender, m.text) for m in messages]


def test_editar_posts_the_text_to_change_and_what_she_sends_counts_as_edited(assistant, fake, solved_case):
    chat = new_chat()
    number, _card, topic = taken_by_laura(assistant, chat)
    shown = wait_for_suggestions(assistant, topic)
    chosen = shown[0]
    before = len(assistant.sent(chat))
    assistant.agent_press(LAURA, chosen, "Editar")
    to_edit = assistant.wait_agents_post("Toca el texto para copiarlo", topic)
    suggested = to_edit.params["text"].split("<pre>", 1)[1].removesuffix("</pre>")
    assert len(assistant.sent(chat)) == before  # nothing went to the customer

    edited = html.unescape(suggested) + " Un saludo."
    assistant.agent_says(LAURA, edited, thread_id=topic)
    (answer,) = assistant.replies(chat, before + 1)[before:]
    assert answer.params["text"] == f"Laura: {edited}"

    def settled() -> list[str]:
        return [
            e.kind
            for e in stored_case(assistant, number)[1]
            if e.kind in ("suggestion_edited", "suggestion_ignored")
        ]

    wait_until(lambda: len(settled()) == len(shown))
    assert settled().count("suggestion_edited") == 1
    assert settled().count("suggestion_ignored") == len(shown) - 1


def test_the_customer_writing_again_brings_new_suggestions_that_expire_when_the_case_changes_hands(
    assistant, fake, solved_case
):
    chat = new_chat()
    _number, card, topic = taken_by_laura(assistant, chat)
    # Every suggestion that follows Tomar has arrived before the customer writes again.
    wait_until(lambda: sources(suggestions_in(assistant, topic)) >= {"FAQ «envíos»", "caso parecido"})
    first = suggestions_in(assistant, topic)
    since = topic_posts(assistant, topic)
    assert assistant.post(tg.text_update(chat, "¿y puedo pagar con Bizum si me cobráis algo?")) == 200
    wait_until(
        lambda: any("FAQ «pagos»" in p.params["text"] for p in suggestions_in(assistant, topic, since))
    )
    fresh = suggestions_in(assistant, topic, since)
    # What is still on the table is not posted again.
    assert not {p.params["text"] for p in fresh} & {p.params["text"] for p in first}

    assistant.agent_says(LAURA, "/transferir supervisor", thread_id=topic)
    assistant.wait_agents_post("transferido el caso a supervisión", topic)
    assistant.agent_press(MARTA, card, "Tomar", name="Marta")
    expired = assistant.agent_press(MARTA, fresh[0], "Enviar", name="Marta")
    assert expired.params["show_alert"] and "caducado" in expired.params["text"]
    stale = assistant.agent_press(LAURA, fresh[0], "Enviar")
    assert stale.params["show_alert"]
