"""Telegram update JSON as the Bot API sends it, for posting to the webhook or parsing directly."""

from __future__ import annotations

import itertools
import time
from typing import Any

BOT_ID = 7000000001
BOT_USERNAME = "atencion_test_bot"

_update_ids = itertools.count(int(time.time() * 1000) % 10**9)
_message_ids = itertools.count(1000)


def user(user_id: int, first_name: str = "Ana", last_name: str | None = "García") -> dict[str, Any]:
    data = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "es"}
    if last_name:
        data["last_name"] = last_name
    data["username"] = f"cliente{user_id}"
    return data


def private_chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": "Ana"}


def group_chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "type": "supergroup", "title": "Clientes VIP"}


def message(chat_id: int, group: bool = False, from_id: int | None = None, **content: Any) -> dict[str, Any]:
    return {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": group_chat(chat_id) if group else private_chat(chat_id),
        "from": user(from_id or abs(chat_id)),
        **content,
    }


def update(**kinds: Any) -> dict[str, Any]:
    return {"update_id": next(_update_ids), **kinds}


def command_entities(text: str) -> list[dict[str, Any]]:
    if not text.startswith("/"):
        return []
    return [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]


def text_update(chat_id: int, text: str, group: bool = False, **extra: Any) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text, **extra}
    if entities := command_entities(text):
        content["entities"] = entities
    return update(message=message(chat_id, group, **content))


def edited_update(chat_id: int, text: str) -> dict[str, Any]:
    return update(edited_message={**message(chat_id, text=text), "edit_date": int(time.time())})


def photo_update(chat_id: int, caption: str | None = None) -> dict[str, Any]:
    sizes = [
        {"file_id": f"small-{chat_id}", "file_unique_id": "s1", "width": 90, "height": 60, "file_size": 1200},
        {
            "file_id": f"large-{chat_id}",
            "file_unique_id": "l1",
            "width": 1280,
            "height": 853,
            "file_size": 99000,
        },
    ]
    extra = {"caption": caption} if caption else {}
    return update(message=message(chat_id, photo=sizes, **extra))


def document_update(chat_id: int) -> dict[str, Any]:
    document = {
        "file_id": f"doc-{chat_id}",
        "file_unique_id": "d1",
        "file_name": "factura.pdf",
        "mime_type": "application/pdf",
        "file_size": 48213,
    }
    return update(message=message(chat_id, document=document))


def voice_update(chat_id: int) -> dict[str, Any]:
    voice = {"file_id": "voice-1", "file_unique_id": "v1", "duration": 7, "mime_type": "audio/ogg"}
    return update(message=message(chat_id, voice=voice))


def video_note_update(chat_id: int) -> dict[str, Any]:
    note = {"file_id": "vn-1", "file_unique_id": "vn1", "length": 240, "duration": 5}
    return update(message=message(chat_id, video_note=note))


def sticker_update(chat_id: int) -> dict[str, Any]:
    sticker = {
        "file_id": "st-1",
        "file_unique_id": "st1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    return update(message=message(chat_id, sticker=sticker))


def location_update(chat_id: int) -> dict[str, Any]:
    return update(message=message(chat_id, location={"latitude": 40.4168, "longitude": -3.7038}))


def contact_update(chat_id: int, phone: str = "+34612345678") -> dict[str, Any]:
    contact = {"phone_number": phone, "first_name": "Ana", "user_id": chat_id}
    return update(message=message(chat_id, contact=contact))


def poll_update(chat_id: int) -> dict[str, Any]:
    poll = {
        "id": "poll-1",
        "question": "¿Te gusta la tienda?",
        "options": [
            {"text": "Sí", "voter_count": 0, "persistent_id": "o1"},
            {"text": "No", "voter_count": 0, "persistent_id": "o2"},
        ],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
        "allows_revoting": False,
        "members_only": False,
    }
    return update(message=message(chat_id, poll=poll))


def bot_message(chat_id: int, text: str, buttons: list[tuple[str, str]], message_id: int) -> dict[str, Any]:
    """A message the bot sent earlier, with its inline keyboard (one button per row)."""
    keyboard = [[{"text": title, "callback_data": data}] for title, data in buttons]
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": private_chat(chat_id),
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "Atención", "username": BOT_USERNAME},
        "text": text,
        "reply_markup": {"inline_keyboard": keyboard},
    }


def callback_update(chat_id: int, data: str, pressed_message: dict[str, Any]) -> dict[str, Any]:
    query = {
        "id": f"cq-{next(_message_ids)}",
        "from": user(chat_id),
        "chat_instance": "-4242",
        "data": data,
        "message": pressed_message,
    }
    return update(callback_query=query)


def my_chat_member_update(chat_id: int, new_status: str) -> dict[str, Any]:
    bot_user = {"id": BOT_ID, "is_bot": True, "first_name": "Atención", "username": BOT_USERNAME}
    old = "member" if new_status == "kicked" else "kicked"
    change = {
        "chat": private_chat(chat_id),
        "from": user(chat_id),
        "date": int(time.time()),
        "old_chat_member": {
            "user": bot_user,
            "status": old,
            **({"until_date": 0} if old == "kicked" else {}),
        },
        "new_chat_member": {
            "user": bot_user,
            "status": new_status,
            **({"until_date": 0} if new_status == "kicked" else {}),
        },
    }
    return update(my_chat_member=change)


# --- the agents' side -----------------------------------------------------------------------


def agents_message(
    group_id: int,
    agent_id: int,
    text: str | None = None,
    thread_id: int | None = None,
    reply_to: dict[str, Any] | None = None,
    first_name: str = "Laura",
    **content: Any,
) -> dict[str, Any]:
    """An agent's message in the agents' group: in a forum topic, or replying to a message."""
    data: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": group_chat(group_id),
        "from": user(agent_id, first_name, last_name=None),
        **content,
    }
    if text is not None:
        data["text"] = text
        if entities := command_entities(text):
            data["entities"] = entities
    if thread_id is not None:
        data |= {"message_thread_id": thread_id, "is_topic_message": True}
    if reply_to is not None:
        data["reply_to_message"] = reply_to
    return update(message=data)


def agents_callback(
    agent_id: int, data: str, card: dict[str, Any], first_name: str = "Laura"
) -> dict[str, Any]:
    """An agent pressing a button of `card` (a message the bot sent, as the fake returned it)."""
    query = {
        "id": f"cq-{next(_message_ids)}",
        "from": user(agent_id, first_name, last_name=None),
        "chat_instance": "-4343",
        "data": data,
        "message": card,
    }
    return update(callback_query=query)
