"""What an incoming Telegram update asks of the assistant: pure functions, no network, no store.

`interpret(update, context)` returns one of a few small decisions; `bot.telegram.processing` carries
them out. Text for the customer is never written here: replies are named by their domain response.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from telegram import CallbackQuery, Chat, ChatMember, Message, Update, User

from bot.attachments import SentFile
from bot.telegram_api.agents_incoming import (
    AGENT_PRIVATE_COMMANDS,
    AgentButton,
    AgentCommand,
    AgentMessage,
    agent_button,
)

# Customers cannot type Rasa payloads: text that starts with "/" is a command or is refused.
COMMAND = re.compile(r"^/(?P<name>[A-Za-z0-9_]{1,64})(?:@(?P<bot>[A-Za-z0-9_]+))?(?:\s+(?P<args>.*))?$", re.S)
CASE_DEEP_LINK = re.compile(r"^caso[-_](?P<number>[DQS]-\d{4}-\d{6})$", re.I)
GROUP_CHATS = {Chat.GROUP, Chat.SUPERGROUP}

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


@dataclass(frozen=True)
class Context:
    """What interpretation needs to know about this bot."""

    bot_id: int
    bot_username: str
    agents_chat_id: int | None = None


@dataclass(frozen=True)
class ToAssistant:
    """A turn for Rasa: the customer's words, or an intent payload a command stands for."""

    chat_id: int
    text: str
    user: User | None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """A fixed answer from the domain, with no turn (stickers, audio, edits, unknown commands)."""

    chat_id: int
    response: str
    user: User | None


@dataclass(frozen=True)
class Attach:
    chat_id: int
    file: SentFile
    user: User | None


@dataclass(frozen=True)
class ShareContact:
    chat_id: int
    phone: str
    user: User | None


@dataclass(frozen=True)
class PressButton:
    chat_id: int
    query: CallbackQuery


@dataclass(frozen=True)
class ChangeReachability:
    chat_id: int
    reachable: bool


@dataclass(frozen=True)
class Ignore:
    reason: str


Incoming = (
    ToAssistant
    | Reply
    | Attach
    | ShareContact
    | PressButton
    | ChangeReachability
    | AgentButton
    | AgentCommand
    | AgentMessage
    | Ignore
)


def chat_key(update: Update) -> int | None:
    """The chat an update belongs to: updates of one chat are processed in order."""
    chat = update.effective_chat
    return chat.id if chat else None


def interpret(update: Update, context: Context) -> Incoming:
    if update.callback_query is not None:
        return interpret_button(update.callback_query, context)
    if update.my_chat_member is not None:
        return interpret_membership(update)
    if update.edited_message is not None:
        message = update.edited_message
        if not is_for_this_bot(message, context):
            return Ignore("edited message not addressed to the bot")
        return Reply(message.chat_id, "utter_telegram_edicion", message.from_user)
    if update.message is not None:
        if is_agents_chat(update.message.chat.id, context):
            return interpret_agents_message(update.message, context)
        if not is_for_this_bot(update.message, context):
            return Ignore("group message not addressed to the bot")
        return interpret_message(update.message, context)
    return Ignore("update kind not handled")


def is_agents_chat(chat_id: int, context: Context) -> bool:
    return context.agents_chat_id is not None and chat_id == context.agents_chat_id


def interpret_button(query: CallbackQuery, context: Context) -> Incoming:
    message = query.message
    if message is None:
        return Ignore("button of a message too old to read")
    if is_agents_chat(message.chat.id, context):
        return agent_button(query)
    return PressButton(message.chat.id, query)


def interpret_agents_message(message: Message, context: Context) -> Incoming:
    """Everything agents post goes to the desk, which knows which thread is which case."""
    user = message.from_user
    if user is None or user.is_bot or is_service_message(message):
        return Ignore("not an agent's message")
    text = (message.text or "").strip()
    if text.startswith("/"):
        match = COMMAND.match(text)
        if match is None or (match["bot"] and match["bot"].lower() != context.bot_username.lower()):
            return Ignore("command for another bot")
        return AgentCommand(message, match["name"].lower(), (match["args"] or "").strip())
    return AgentMessage(message)


def interpret_membership(update: Update) -> Incoming:
    change = update.my_chat_member
    if change.chat.type != Chat.PRIVATE:
        return Ignore("membership change in a group")
    status = change.new_chat_member.status
    if status in {ChatMember.BANNED, ChatMember.LEFT}:
        return ChangeReachability(change.chat.id, False)
    if status == ChatMember.MEMBER:
        return ChangeReachability(change.chat.id, True)
    return Ignore(f"membership status {status}")


def is_for_this_bot(message: Message, context: Context) -> bool:
    """Private chats always; groups only when the bot is mentioned, replied to or commanded."""
    chat = message.chat
    if context.agents_chat_id is not None and chat.id == context.agents_chat_id:
        return False
    if chat.type == Chat.PRIVATE:
        return True
    if chat.type not in GROUP_CHATS:
        return False
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == context.bot_id:
        return True
    mention = f"@{context.bot_username}".lower()
    return mention in (message.text or message.caption or "").lower()


def without_mention(text: str, context: Context) -> str:
    return re.sub(rf"@{re.escape(context.bot_username)}\b", "", text, flags=re.I).strip()


def interpret_message(message: Message, context: Context) -> Incoming:
    chat_id, user = message.chat_id, message.from_user
    if message.text is not None:
        text = message.text
        if text.lstrip().startswith("/"):
            return interpret_command(message, text.strip(), context)
        return ToAssistant(chat_id, without_mention(text, context), user, message_metadata(message))
    sent = sent_file(message)
    if sent is not None:
        return Attach(chat_id, sent, user)
    if message.contact is not None:
        return ShareContact(chat_id, message.contact.phone_number, user)
    response = reply_for_media(message)
    if response is None:
        return Ignore("service message")
    return Reply(chat_id, response, user)


def interpret_command(message: Message, text: str, context: Context) -> Incoming:
    chat_id, user = message.chat_id, message.from_user
    match = COMMAND.match(text)
    if match is None or (match["bot"] and match["bot"].lower() != context.bot_username.lower()):
        if match is not None and message.chat.type in GROUP_CHATS:
            return Ignore("command for another bot")
        return Reply(chat_id, "utter_telegram_comando_desconocido", user)
    name, args = match["name"].lower(), (match["args"] or "").strip()
    metadata = message_metadata(message)
    if name == "start":
        deep_link = CASE_DEEP_LINK.match(args)
        if deep_link:
            return ToAssistant(chat_id, consultar_caso_payload(deep_link["number"].upper()), user, metadata)
        return ToAssistant(
            chat_id, "/saludo", user, {**metadata, "start_payload": args} if args else metadata
        )
    if name in {"help", "ayuda"}:
        return Reply(chat_id, "utter_telegram_ayuda", user)
    if name == "caso":
        return ToAssistant(chat_id, consultar_caso_payload(args.upper() or None), user, metadata)
    if name in AGENT_PRIVATE_COMMANDS and message.chat.type == Chat.PRIVATE:
        return AgentCommand(message, name, args, private=True)
    return Reply(chat_id, "utter_telegram_comando_desconocido", user)


def consultar_caso_payload(number: str | None) -> str:
    if not number:
        return "/consultar_caso"
    return "/consultar_caso" + json.dumps({"numero_caso": number}, ensure_ascii=False)


def sent_file(message: Message) -> SentFile | None:
    caption = message.caption or None
    if message.photo:
        largest = message.photo[-1]
        return SentFile("photo", largest.file_id, largest.file_unique_id, caption=caption)
    if message.document is not None:
        document = message.document
        return SentFile(
            "document",
            document.file_id,
            document.file_unique_id,
            file_name=document.file_name,
            mime_type=document.mime_type,
            caption=caption,
        )
    return None


def reply_for_media(message: Message) -> str | None:
    if message.voice or message.video_note or message.audio or message.video:
        return "utter_telegram_audio"
    if message.sticker or message.animation or message.dice:
        return "utter_telegram_sticker"
    if message.location or message.venue:
        return "utter_telegram_ubicacion"
    if message.poll:
        return "utter_telegram_encuesta"
    if is_service_message(message):
        return None
    return "utter_telegram_no_soportado"


def is_service_message(message: Message) -> bool:
    """Joins, leaves, pins, title changes…: nothing the customer said."""
    return bool(
        message.new_chat_members
        or message.left_chat_member
        or message.new_chat_title
        or message.new_chat_photo
        or message.delete_chat_photo
        or message.group_chat_created
        or message.supergroup_chat_created
        or message.pinned_message
        or message.migrate_from_chat_id
        or message.migrate_to_chat_id
        or message.forum_topic_created
        or message.forum_topic_edited
        or message.forum_topic_closed
        or message.forum_topic_reopened
    )


def message_metadata(message: Message) -> dict[str, Any]:
    user = message.from_user
    metadata: dict[str, Any] = {
        "telegram": {"message_id": message.message_id, "chat_type": message.chat.type}
    }
    if user is not None:
        metadata["customer_name"] = user.full_name
        metadata["telegram"].update(
            {"user_id": user.id, "username": user.username, "language": user.language_code}
        )
    return metadata
