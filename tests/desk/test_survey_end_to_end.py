"""The closure notice and the satisfaction survey end to end: a running assistant and worker,
customers and agents posting real update JSON to the fake Bot API; what the customer reads,
what the agents' card shows and what the store keeps."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.store.db import create_session_factory
from bot.store.models import Case, Survey
from tests.support import telegram_updates as tg
from tests.support.chats import new_chat
from tests.support.fake_bot_api import Call
from tests.support.handoff_helpers import (
    CASE_NUMBER,
    LAURA,
    card_now,
    cards_pending,
    stored_case,
    taken_by_laura,
    wait_until,
)
from tests.support.telegram_assistant import TelegramAssistant

pytestmark = pytest.mark.slow


def survey(assistant: TelegramAssistant, number: str) -> Survey:
    with create_session_factory(assistant.database_url)() as session:
        query = select(Survey).join(Case, Survey.case_id == Case.id).where(Case.number == number)
        return session.execute(query).scalar_one()


def keys(call: Call) -> list[list[str]]:
    return [[key["text"] for key in row] for row in call.params["reply_markup"]["inline_keyboard"]]


def closed_by_laura(assistant: TelegramAssistant, chat: int) -> tuple[str, Call, Call]:
    """A complaint Laura closed: its number, its card and the survey's first question."""
    number, card, topic = taken_by_laura(assistant, chat)
    sent = len(assistant.sent(chat))
    assistant.agent_says(LAURA, "/cerrar Te devolvemos el importe del envío", thread_id=topic)
    notice, asked = assistant.replies(chat, sent + 2)[sent:]
    assert number in notice.params["text"] and "Te devolvemos el importe del envío" in notice.params["text"]
    return number, card, asked


def test_a_duda_the_bot_closed_is_surveyed_with_typed_answers(assistant):
    chat = new_chat()
    _, resolved_question = assistant.say(chat, "cuanto tarda un envio a sevilla?", expect=2)
    closed, asked = assistant.press(chat, resolved_question, "Sí", expect=2)
    number = CASE_NUMBER.search(closed.params["text"]).group()
    assert number.startswith("D-") and "cerrado tu consulta" in closed.params["text"]
    assert "información sobre envíos" in closed.params["text"]
    assert asked.params["text"] == f"¿Se resolvió tu caso {number}?" and keys(asked) == [["Sí", "No"]]

    (rating,) = assistant.press(chat, asked, "Sí")
    assert "Del 1 al 5" in rating.params["text"] and keys(rating) == [["1", "2", "3", "4", "5"]]
    (comment,) = assistant.say(chat, "cinco estrellas")
    assert "comentario" in comment.params["text"] and keys(comment) == [["Omitir"]]
    (thanks,) = assistant.say(chat, "el repartidor fue muy amable")
    assert "Gracias por tu opinión" in thanks.params["text"]

    stored = survey(assistant, number)
    assert (stored.resolved, stored.csat, stored.comment, stored.status) == (
        True,
        5,
        "el repartidor fue muy amable",
        "completada",
    )
    assert stored.agent_id is None
    kinds = [e.kind for e in stored_case(assistant, number)[1]]
    assert kinds.count("survey_answered") == 3 and "survey_sent" in kinds


def test_an_agent_closed_queja_is_surveyed_and_the_card_shows_the_outcome(assistant):
    chat = new_chat()
    number, card, asked = closed_by_laura(assistant, chat)
    (rating,) = assistant.press(chat, asked, "Sí")
    (comment,) = assistant.press(chat, rating, "4")
    (thanks,) = assistant.press(chat, comment, "Omitir")
    assert "Gracias" in thanks.params["text"]
    stored = survey(assistant, number)
    assert (stored.resolved, stored.csat, stored.comment, stored.status) == (True, 4, None, "completada")
    case, _, _ = stored_case(assistant, number)
    assert stored.agent_id == case.assigned_agent_id and stored.team_id == case.team_id
    wait_until(lambda: cards_pending(assistant, number) == 0)
    assert "✅ resuelto · ⭐ 4/5" in card_now(assistant, card)


def test_no_reopens_the_case_for_its_agent_and_keeps_the_answer(assistant):
    chat = new_chat()
    number, card, asked = closed_by_laura(assistant, chat)
    (reopened,) = assistant.press(chat, asked, "No")
    assert number in reopened.params["text"] and "Laura sigue con él" in reopened.params["text"]
    assistant.wait_agents_post("el caso vuelve a estar abierto", card.params["message_thread_id"])
    case, events, _ = stored_case(assistant, number)
    assert (case.status, case.handoff, case.assigned_agent.name) == ("reabierto", "active", "Laura Gómez")
    assert "reopened" in [e.kind for e in events]
    stored = survey(assistant, number)
    assert (stored.resolved, stored.status) == (False, "completada")

    sent = len(assistant.sent(chat))  # Laura has the conversation again: the bot stays quiet
    assert assistant.post(tg.text_update(chat, "sigue sin llegarme el reembolso")) == 200
    assistant.wait_agents_post("sigue sin llegarme el reembolso", card.params["message_thread_id"])
    assert len(assistant.sent(chat)) == sent


def test_old_or_foreign_survey_buttons_change_nothing(assistant, fake):
    chat, stranger = new_chat(), new_chat()
    number, _, asked = closed_by_laura(assistant, chat)
    assistant.press(chat, asked, "Sí")
    data = {
        key["text"]: key["callback_data"]
        for row in asked.params["reply_markup"]["inline_keyboard"]
        for key in row
    }

    buttons = list(data.items())  # a second press before the keyboard was edited away carries it still
    again = tg.callback_update(chat, data["No"], tg.bot_message(chat, asked.params["text"], buttons, 424242))
    assert assistant.post(again) == 200
    forged = tg.callback_update(stranger, data["No"], tg.bot_message(stranger, "¿?", buttons, 434343))
    assert assistant.post(forged) == 200
    answers = fake.wait_for(
        "answerCallbackQuery",
        2,
        predicate=lambda c: c.params["callback_query_id"]
        in {again["callback_query"]["id"], forged["callback_query"]["id"]},
    )  # fmt: skip
    replies = {a.params["callback_query_id"]: a.params.get("text") for a in answers}
    assert replies[again["callback_query"]["id"]] == "Ya teníamos esa respuesta. ¡Gracias!"
    assert replies[forged["callback_query"]["id"]] == "Este botón no corresponde a ninguna encuesta tuya."
    case, _, _ = stored_case(assistant, number)
    assert case.status == "resuelto" and survey(assistant, number).resolved is True


def test_a_rating_that_is_not_clear_is_asked_again_once_then_the_bot_answers(assistant):
    chat = new_chat()
    number, _, asked = closed_by_laura(assistant, chat)
    assistant.press(chat, asked, "Sí")
    (again,) = assistant.say(chat, "muy bien")
    assert again.params["text"] == "Para anotarlo bien, elige un número del 1 al 5:"
    assert keys(again) == [["1", "2", "3", "4", "5"]]
    (answered,) = assistant.say(chat, "hola")  # not trapped: the assistant greets back
    assert "Hola" in answered.params["text"]
    assert survey(assistant, number).csat is None
    (comment,) = assistant.press(chat, again, "3")  # …and the survey goes on from its buttons
    assert "comentario" in comment.params["text"] and survey(assistant, number).csat == 3
