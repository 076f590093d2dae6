"""What each kind of Telegram update asks of the assistant (pure interpretation, real PTB parsing)."""

from __future__ import annotations

import pytest
from telegram import Bot, Update

from bot.telegram_api.agents_incoming import AgentButton, AgentCommand, AgentMessage
from bot.telegram_api.incoming import (
    Attach,
    ChangeReachability,
    Context,
    Ignore,
    PressButton,
    Reply,
    ShareContact,
    ToAssistant,
    interpret,
)
from tests.support import telegram_updates as tg

CONTEXT = Context(bot_id=tg.BOT_ID, bot_username=tg.BOT_USERNAME, agents_chat_id=-100999)
CHAT = 5551234


def read(data: dict) -> object:
    return interpret(Update.de_json(data, Bot("123:abc")), CONTEXT)


def test_text_goes_to_the_assistant_with_who_wrote_it():
    incoming = read(tg.text_update(CHAT, "¿Cuánto tarda un envío a Sevilla?"))
    assert isinstance(incoming, ToAssistant)
    assert (incoming.chat_id, incoming.text) == (CHAT, "¿Cuánto tarda un envío a Sevilla?")
    assert incoming.metadata["customer_name"] == "Ana García"
    assert incoming.metadata["telegram"]["language"] == "es"


def test_start_greets_and_a_case_deep_link_asks_for_that_case():
    assert read(tg.text_update(CHAT, "/start")).text == "/saludo"
    with_payload = read(tg.text_update(CHAT, "/start campania_navidad"))
    assert with_payload.text == "/saludo" and with_payload.metadata["start_payload"] == "campania_navidad"
    deep_link = read(tg.text_update(CHAT, "/start caso-q-2026-000123"))
    assert deep_link.text == '/consultar_caso{"numero_caso": "Q-2026-000123"}'


def test_caso_command_with_and_without_a_number():
    assert read(tg.text_update(CHAT, "/caso q-2026-000007")).text.endswith('{"numero_caso": "Q-2026-000007"}')
    assert read(tg.text_update(CHAT, "/caso")).text == "/consultar_caso"


@pytest.mark.parametrize("text", ["/help", "/ayuda", f"/ayuda@{tg.BOT_USERNAME}"])
def test_help_commands_get_the_help_text(text):
    assert read(tg.text_update(CHAT, text)) == Reply(CHAT, "utter_telegram_ayuda", read_user(CHAT))


def read_user(chat_id: int):
    return Update.de_json(tg.text_update(chat_id, "x"), Bot("123:abc")).message.from_user


@pytest.mark.parametrize("text", ["/borrar_todo", '/afirmar{"x": 1}', "/", "/etc/passwd"])
def test_unknown_commands_and_raw_payloads_never_reach_rasa(text):
    incoming = read(tg.text_update(CHAT, text))
    assert isinstance(incoming, Reply) and incoming.response == "utter_telegram_comando_desconocido"


def test_photos_and_documents_are_attached():
    photo = read(tg.photo_update(CHAT, caption="así llegó"))
    assert isinstance(photo, Attach)
    assert (photo.file.kind, photo.file.file_id, photo.file.caption) == (
        "photo",
        f"large-{CHAT}",
        "así llegó",
    )
    document = read(tg.document_update(CHAT))
    assert (document.file.kind, document.file.file_name, document.file.mime_type) == (
        "document",
        "factura.pdf",
        "application/pdf",
    )


@pytest.mark.parametrize(
    ("build", "response"),
    [
        (tg.voice_update, "utter_telegram_audio"),
        (tg.video_note_update, "utter_telegram_audio"),
        (tg.sticker_update, "utter_telegram_sticker"),
        (tg.location_update, "utter_telegram_ubicacion"),
        (tg.poll_update, "utter_telegram_encuesta"),
    ],
)
def test_media_the_assistant_cannot_read_gets_a_friendly_reply(build, response):
    incoming = read(build(CHAT))
    assert isinstance(incoming, Reply) and incoming.response == response


def test_a_shared_contact_carries_the_phone():
    incoming = read(tg.contact_update(CHAT, "+34 612 345 678"))
    assert isinstance(incoming, ShareContact) and incoming.phone == "+34 612 345 678"


def test_edits_are_answered_not_read():
    incoming = read(tg.edited_update(CHAT, "en realidad quería otra cosa"))
    assert isinstance(incoming, Reply) and incoming.response == "utter_telegram_edicion"


def test_groups_are_ignored_unless_the_bot_is_addressed():
    assert isinstance(read(tg.text_update(-100123, "hola a todos", group=True, from_id=77)), Ignore)
    addressed = read(
        tg.text_update(-100123, f"@{tg.BOT_USERNAME} ¿abrís el domingo?", group=True, from_id=77)
    )
    assert isinstance(addressed, ToAssistant) and addressed.text == "¿abrís el domingo?"
    other_bot = read(tg.text_update(-100123, "/start@otro_bot", group=True, from_id=77))
    assert isinstance(other_bot, Ignore)


def test_the_agents_group_is_not_a_customer_chat():
    said = read(tg.agents_message(-100999, 8, f"@{tg.BOT_USERNAME} hola", thread_id=12))
    assert isinstance(said, AgentMessage) and said.message.message_thread_id == 12
    command = read(tg.agents_message(-100999, 8, "/cerrar  Reembolso hecho "))
    assert isinstance(command, AgentCommand) and (command.name, command.args) == ("cerrar", "Reembolso hecho")
    assert not command.private
    other_bot = read(tg.agents_message(-100999, 8, "/cerrar@otro_bot ya"))
    assert isinstance(other_bot, Ignore)
    card = tg.bot_message(-100999, "Q-2026-000001", [("Tomar", "tomar:Q-2026-000001")], 7)
    card["chat"] = tg.group_chat(-100999)
    pressed = read(tg.agents_callback(8, "tomar:Q-2026-000001", card))
    assert isinstance(pressed, AgentButton) and (pressed.action, pressed.number) == ("tomar", "Q-2026-000001")


def test_agents_private_commands_are_told_apart_from_customers_words():
    listed = read(tg.text_update(CHAT, "/cola"))
    assert isinstance(listed, AgentCommand) and listed.private and listed.name == "cola"
    in_a_group = read(tg.text_update(-100123, f"/casos@{tg.BOT_USERNAME}", group=True, from_id=77))
    assert isinstance(in_a_group, Reply) and in_a_group.response == "utter_telegram_comando_desconocido"


def test_a_button_press_is_a_press_in_that_chat():
    pressed = tg.bot_message(CHAT, "¿Resolví tu duda?", [("Sí", "/afirmar"), ("No", "/negar")], 41)
    incoming = read(tg.callback_update(CHAT, "/afirmar", pressed))
    assert (
        isinstance(incoming, PressButton) and incoming.chat_id == CHAT and incoming.query.data == "/afirmar"
    )


def test_blocking_and_unblocking_the_bot_change_reachability():
    assert read(tg.my_chat_member_update(CHAT, "kicked")) == ChangeReachability(CHAT, False)
    assert read(tg.my_chat_member_update(CHAT, "member")) == ChangeReachability(CHAT, True)
