"""Is a webhook body an update Telegram could have sent? Checked before anything is stored.

python-telegram-bot reads leniently (a missing `chat`, a number for a text, a list for an id all
pass), and the database refuses what Telegram never sends (ids beyond 64 bits, lone surrogates).
Telegram's own limits and shapes, for the fields the channel reads, are checked here instead.
"""

from __future__ import annotations

from typing import Any

from telegram.constants import MessageLimit

MAX_ID = 2**63 - 1  # the store's BIGINT; Telegram's ids are far smaller
MAX_DEPTH = 32  # Telegram's updates nest a dozen levels at most
# The largest real update (a 4,096-character message with its entities, replying to another such
# message) is well under 100 KB; anything beyond this is padding and is refused unread.
MAX_UPDATE_BYTES = 256 * 1024
MESSAGE_KINDS = ("message", "edited_message", "channel_post", "edited_channel_post")
USER_TEXTS = ("last_name", "username", "language_code")
TEXT_LIMITS = {"text": MessageLimit.MAX_TEXT_LENGTH, "caption": MessageLimit.CAPTION_LENGTH}


def is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -MAX_ID <= value <= MAX_ID


def not_an_update(body: Any) -> str | None:
    """Why `body` is not a Telegram update at all (answered 400), or None."""
    if not isinstance(body, dict):
        return "the body is not a Telegram update"
    update_id = body.get("update_id")
    if not is_id(update_id) or update_id < 0:
        return "the update_id is missing, not an integer or out of range"
    return None


def malformed(update: dict[str, Any]) -> str | None:
    """Why an update (`not_an_update` passed) cannot be processed, or None."""
    if reason := unstorable(update):
        return reason
    for kind in MESSAGE_KINDS:
        if kind in update and (reason := message_problem(update[kind])):
            return f"{kind}: {reason}"
    if "callback_query" in update and (reason := callback_problem(update["callback_query"])):
        return f"callback_query: {reason}"
    if "my_chat_member" in update and (reason := member_problem(update["my_chat_member"])):
        return f"my_chat_member: {reason}"
    return None


def unstorable(body: Any) -> str | None:
    """Nesting, numbers and strings no database column would take."""
    pending: list[tuple[Any, int]] = [(body, 0)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            return "nested too deep"
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values())
            pending.extend((key, depth + 1) for key in value)
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, int) and not isinstance(value, bool) and not -MAX_ID <= value <= MAX_ID:
            return "a number out of range"
        elif isinstance(value, str) and not encodes(value):
            return "text that is not valid Unicode"
    return None


def encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, from a \ud800 escape
        return False
    return True


def message_problem(message: Any) -> str | None:
    if not isinstance(message, dict):
        return "not an object"
    if not is_id(message.get("message_id")):
        return "message_id"
    if reason := chat_problem(message.get("chat")):
        return reason
    if "from" in message and not user_ok(message["from"]):
        return "from"
    for field, limit in TEXT_LIMITS.items():
        value = message.get(field)
        if value is not None and not (isinstance(value, str) and len(value) <= limit):
            return field
    reply = message.get("reply_to_message")
    return message_problem(reply) if reply is not None else None


def callback_problem(query: Any) -> str | None:
    if not isinstance(query, dict) or not isinstance(query.get("id"), str):
        return "id"
    if not user_ok(query.get("from")):
        return "from"
    if "data" in query and not isinstance(query["data"], str):
        return "data"
    return message_problem(query["message"]) if "message" in query else None


def member_problem(member: Any) -> str | None:
    if not isinstance(member, dict):
        return "not an object"
    if not user_ok(member.get("from")):
        return "from"
    return chat_problem(member.get("chat"))


def chat_problem(chat: Any) -> str | None:
    if not isinstance(chat, dict) or not is_id(chat.get("id")) or not isinstance(chat.get("type"), str):
        return "chat"
    return None


def user_ok(user: Any) -> bool:
    """A sender, with the fields stored of a customer the right types."""
    if not isinstance(user, dict) or not is_id(user.get("id")) or not isinstance(user.get("first_name"), str):
        return False
    return all(isinstance(user.get(field), str | None) for field in USER_TEXTS)
