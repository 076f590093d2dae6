"""Ten thousand fuzzed bodies posted to the webhook of a running assistant (trained model, action
server, SQLite store; python-telegram-bot talks to the fake Bot API): bytes that are not JSON,
invalid UTF-8, truncated JSON, JSON that is not an update, update ids of the wrong type, update
kinds the bot does not handle, and known kinds with wrong types, missing fields, nested garbage,
huge strings, odd unicode and out-of-range ids. None may get a 5xx; afterwards the server is up,
still answers a customer, and its log holds no traceback.

Hypothesis draws the bodies, derandomized: every run posts the same ten thousand. Nothing is asserted
inside the flood (the server must take all of them first); the tests then read what it left."""

from __future__ import annotations

import functools
import itertools
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from bot.config import PROJECT_ROOT
from tests.support import telegram_updates as tg
from tests.support.fake_bot_api import FakeBotApi
from tests.support.handoff_helpers import LAURA, MARTA, PEDRO, STRANGER, register_agents
from tests.support.telegram_assistant import SECRET, TelegramAssistant, telegram_assistant, texts

pytestmark = pytest.mark.slow

BODIES = 10_000
FUZZ = settings(
    max_examples=BODIES,
    deadline=None,
    derandomize=True,  # the same bodies on every run: CI is reproducible
    database=None,
    phases=[Phase.explicit, Phase.generate],  # nothing fails inside the flood: nothing to shrink
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
HEADERS = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
AGENTS_GROUP = -1001234500077
CUSTOMERS = tuple(range(960001, 960009))  # a few chats, so that fuzzed turns share conversations
CANARY_CHAT = 969999
GROUPS = (AGENTS_GROUP, -1001234500078, -100123)
TRACEBACK = "Traceback (most recent call last):"

# --- the pieces updates are made of ----------------------------------------------------------

UNHANDLED_KINDS = (
    "channel_post", "edited_channel_post", "business_connection", "business_message",
    "edited_business_message", "deleted_business_messages", "message_reaction", "message_reaction_count",
    "inline_query", "chosen_inline_result", "shipping_query", "pre_checkout_query", "purchased_paid_media",
    "poll", "poll_answer", "chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
)  # fmt: skip
COMMANDS = (
    "/start", "/start caso-Q-2026-000001", "/start caso_d-2026-999999", "/start x" * 30, "/caso",
    "/caso Q-2026-000001", "/caso ñ", "/ayuda", "/help", "/tomar", "/cerrar Reembolso hecho", "/cerrar",
    "/tipo queja", "/tipo nada", "/soltar", "/transferir supervisor", "/transferir marte", "/nota x",
    "/devolver", "/casos", "/cola", f"/cola@{tg.BOT_USERNAME}", "/cerrar@otro_bot ya", "/", "//", "/start@",
    "/ñ", "/" + "a" * 65, "/consultar_caso", '/consultar_caso{"numero_caso": "Q-2026-000001"}',
)  # fmt: skip
ODD = (
    "", " ", "\x00", "\u202e", "\u200b", "\ufeff", "\ud800", "\udfff", "\ud83d", "👨‍👩‍👧‍👦", "e\u0301\u0301",
    "\U0010ffff", "𝕳𝖔𝖑𝖆", "<b>x</b>", "</i>", "&amp;", "&#0;", "' OR 1=1; --", "%s%n", "{numero}", "{0}",
    "${jndi:ldap://x}", "\\", '"', "\r\n", "\t", f"@{tg.BOT_USERNAME}", "#", "#AAAAAAAAAAAAAAAAAAAA",
    "tomar:Q-2026-000001", "historial:", "Q-2026-000001", "NaN", "null", "-0",
)  # fmt: skip
PHRASES = (
    "hola", "quiero poner una queja", "cuanto tarda un envio a sevilla?", "que metodos de pago aceptan",
    "quiero hablar con una persona", "gracias", "adiós", "como va mi caso Q-2026-000001?", "asdfgh",
)  # fmt: skip
CALLBACK_DATA = (
    "/afirmar",
    "/negar",
    "#AAAAAAAAAAAAAAAAAAAA",
    "tomar:Q-2026-000001",
    "historial:",
    "tomar:",
    "",
)
CHAT_TYPES = ("private", "group", "supergroup", "channel", "sender", "secret")
MEMBER_STATUSES = ("member", "kicked", "left", "administrator", "restricted", "creator", "owner", "")

huge_ints = st.one_of(
    st.integers(min_value=2**63),
    st.integers(max_value=-(2**63) - 1),
    st.sampled_from([2**63 - 1, 2**63, 2**64, -(2**63), 10**100]),
)
odd_text = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(categories=("Cs", "Co", "Cn", "Cf", "Cc", "Mn", "Zl", "Zp")), max_size=20),
    st.sampled_from(ODD),
    st.tuples(st.sampled_from(ODD), st.text(max_size=8), st.sampled_from(ODD)).map("".join),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), huge_ints, st.floats(), odd_text, st.sampled_from(ODD)
)
garbage = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(odd_text, st.sampled_from(["id", "text"])), inner, max_size=4),
    ),
    max_leaves=8,
)
ids = st.one_of(st.integers(-(2**31), 2**31), st.integers(), huge_ints, st.sampled_from([0, -1, 1]))
user_ids = st.one_of(st.sampled_from((*CUSTOMERS, LAURA, PEDRO, MARTA, STRANGER, tg.BOT_ID)), ids)
chat_ids = st.one_of(st.sampled_from((*CUSTOMERS, *GROUPS)), ids)
file_ids = st.one_of(st.sampled_from(["photo-1", "doc-1", "AgACAgQAAxkBAAI"]), odd_text)
dates = st.one_of(st.just(1_790_000_000), ids)
floats = st.floats()
coin = st.booleans()
callback_data = st.one_of(st.sampled_from(CALLBACK_DATA), odd_text)
unhandled_kinds = st.one_of(st.sampled_from(UNHANDLED_KINDS), odd_text)
wrong_update_id = st.one_of(
    st.integers().map(str),
    floats,
    st.sampled_from([1.0, 1.5, 1e308, True, False, None, -1, 0]),
    huge_ints,
    garbage,
)
pieces = st.one_of(st.sampled_from(["hola que tal ", "a", "ñ", "😀", "\ud800", " "]), odd_text.filter(bool))
_update_ids = itertools.count(1)


@functools.cache
def choice(options: tuple) -> st.SearchStrategy:
    return st.sampled_from(options)


@functools.cache
def between(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


def nested(depth: int, leaf: Any = 1) -> Any:
    """A value nested `depth` lists deep (deep enough, a recursion limit somewhere)."""
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


# Helpers that draw with the `draw` of the composite strategy calling them (one strategy object
# per body, not one per field: ten thousand bodies stay quick to draw).


def a_user(draw: st.DrawFn) -> dict[str, Any]:
    user = {"id": draw(user_ids), "is_bot": draw(coin), "first_name": draw(odd_text)}
    for key in ("last_name", "username", "language_code"):
        if draw(coin):
            user[key] = draw(odd_text)
    return user


def a_chat(draw: st.DrawFn) -> dict[str, Any]:
    chat_type = draw(choice(CHAT_TYPES))
    chat = {"id": draw(chat_ids), "type": chat_type}
    chat["title" if chat_type != "private" else "first_name"] = draw(odd_text)
    if draw(coin):
        chat["is_forum"] = draw(coin)
    return chat


CONTENTS = (
    "command", "command", "odd text", "mention", "phrase", "photo", "document", "sticker", "voice",
    "video_note", "location", "contact", "dice", "poll", "new_chat_members", "pinned_message",
    "forum_topic_created", "nothing",
)  # fmt: skip
STICKER = {"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False}
POLL = {"options": [], "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular"}


def content(draw: st.DrawFn) -> dict[str, Any]:
    """What a message carries: text, a command, media, a contact, a service notice… or nothing."""
    kind = draw(choice(CONTENTS))
    if kind == "command":
        text = draw(choice(COMMANDS))
        entity = {"type": "bot_command", "offset": 0, "length": len(text.split(" ")[0])}
        return {"text": text, "entities": [entity]}
    if kind == "odd text":
        return {"text": draw(odd_text)}
    if kind == "mention":
        return {"text": f"@{tg.BOT_USERNAME} {draw(choice(PHRASES))}"}
    if kind == "phrase":
        return {"text": draw(choice(PHRASES))}
    file = {"file_id": draw(file_ids), "file_unique_id": draw(odd_text)}
    caption = {"caption": draw(odd_text)} if draw(coin) else {}
    if kind == "photo":
        return {"photo": [file | {"width": draw(ids), "height": 600}]} | caption
    if kind == "document":
        return {"document": file | {"file_name": draw(odd_text), "mime_type": draw(odd_text)}} | caption
    if kind == "sticker":
        return {"sticker": file | STICKER}
    if kind == "voice":
        return {"voice": file | {"duration": draw(ids)}}
    if kind == "video_note":
        return {"video_note": file | {"length": draw(ids), "duration": 5}}
    if kind == "location":
        return {"location": {"latitude": draw(floats), "longitude": draw(floats)}}
    if kind == "contact":
        return {"contact": {"phone_number": draw(odd_text), "first_name": "Ana", "user_id": draw(user_ids)}}
    if kind == "dice":
        return {"dice": {"emoji": "🎲", "value": draw(ids)}}
    if kind == "poll":
        return {"poll": {"id": "p", "question": draw(odd_text)} | POLL}
    if kind == "new_chat_members":
        return {"new_chat_members": [a_user(draw) for _ in range(draw(between(0, 2)))]}
    if kind == "pinned_message":
        return {"pinned_message": {"message_id": 1, "date": 0, "chat": a_chat(draw)}}
    if kind == "forum_topic_created":
        return {"forum_topic_created": {"name": draw(odd_text), "icon_color": draw(ids)}}
    return {}


def a_message(draw: st.DrawFn, chat: dict[str, Any] | None = None) -> dict[str, Any]:
    message = {
        "message_id": draw(ids),
        "date": draw(dates),
        "chat": chat or a_chat(draw),
        "from": a_user(draw),
        **content(draw),
    }
    if draw(coin):
        message |= {"message_thread_id": draw(ids), "is_topic_message": draw(coin)}
    if draw(between(0, 3)) == 0:
        bot = {"id": tg.BOT_ID, "is_bot": True, "first_name": "Atención", "username": tg.BOT_USERNAME}
        message["reply_to_message"] = {
            "message_id": draw(ids), "date": 0, "chat": message["chat"], "from": bot, "text": draw(odd_text)
        }  # fmt: skip
    return message


def a_callback_query(draw: st.DrawFn) -> dict[str, Any]:
    data = draw(callback_data)
    query: dict[str, Any] = {"id": draw(odd_text), "from": a_user(draw), "chat_instance": draw(odd_text)}
    if draw(coin):
        query["data"] = data
    where = draw(choice(("message", "message", "inline", "none")))
    if where == "message":
        buttons = [[{"text": "Sí", "callback_data": data}]]
        query["message"] = a_message(draw) | {"reply_markup": {"inline_keyboard": buttons}}
    elif where == "inline":
        query["inline_message_id"] = draw(odd_text)
    return query


def a_chat_member_change(draw: st.DrawFn) -> dict[str, Any]:
    bot = {"id": tg.BOT_ID, "is_bot": True, "first_name": "Atención", "username": tg.BOT_USERNAME}
    return {
        "chat": a_chat(draw),
        "from": a_user(draw),
        "date": draw(ids),
        "old_chat_member": {"user": bot, "status": draw(choice(MEMBER_STATUSES))},
        "new_chat_member": {"user": bot if draw(coin) else a_user(draw),
                            "status": draw(choice(MEMBER_STATUSES)), "until_date": 0},
    }  # fmt: skip


def an_update(draw: st.DrawFn) -> dict[str, Any]:
    """An update of a kind the bot handles, well formed (odd content aside)."""
    kind = draw(choice(("message", "message", "edited_message", "callback_query", "my_chat_member")))
    if kind == "message":
        payload = a_message(draw)
    elif kind == "edited_message":
        payload = a_message(draw) | {"edit_date": draw(ids)}
    elif kind == "callback_query":
        payload = a_callback_query(draw)
    else:
        payload = a_chat_member_change(draw)
    return {"update_id": next(_update_ids), kind: payload}


PLAIN_KINDS = ("text", "command", "edited", "photo", "button", "blocked")


def a_plain_update(draw: st.DrawFn) -> dict[str, Any]:
    """A real-looking update, cheap to draw, for bodies broken byte by byte (its content matters little)."""
    chat = draw(choice((*CUSTOMERS, *GROUPS)))
    kind = draw(choice(PLAIN_KINDS))
    if kind == "text":
        return tg.text_update(chat, draw(odd_text))
    if kind == "command":
        return tg.text_update(chat, draw(choice(COMMANDS)))
    if kind == "edited":
        return tg.edited_update(chat, draw(odd_text))
    if kind == "photo":
        return tg.photo_update(chat, draw(odd_text))
    if kind == "button":
        return tg.callback_update(
            chat, draw(callback_data), tg.bot_message(chat, "¿Resolví tu duda?", [], 41)
        )
    return tg.my_chat_member_update(chat, "kicked")


# --- what goes wrong with them -----------------------------------------------------------------


def paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every place in a JSON value (dict keys and list indexes), outermost first."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield (*prefix, key)
        yield from paths(child, (*prefix, key))


@st.composite
def corrupted(draw: st.DrawFn) -> bytes:
    """An update with one to three fields deleted, of the wrong type, nested or added."""
    update = an_update(draw)
    for _ in range(draw(between(1, 3))):
        places = list(paths(update))
        if not places:
            break
        *parents, key = places[draw(between(0, len(places) - 1))]
        container = update
        for parent in parents:
            container = container[parent]
        action = draw(choice(("delete", "wrong type", "wrong type", "huge int", "nested", "unknown key")))
        if action == "delete":
            del container[key]
        elif action == "wrong type":
            container[key] = draw(garbage)
        elif action == "huge int":
            container[key] = draw(huge_ints)
        elif action == "nested":
            container[key] = nested(draw(between(1, 60)), container[key])
        elif isinstance(container, dict):
            container[draw(odd_text)] = draw(garbage)
        else:
            container.append(draw(garbage))
    return as_json(update)


def as_json(value: Any) -> bytes:
    return json.dumps(value).encode()  # lone surrogates stay \ud800 escapes: valid JSON, odd strings


@st.composite
def huge_string(draw: st.DrawFn) -> str:
    size = draw(between(64_000, 1_000_000))
    piece = draw(pieces)
    return (piece * (size // len(piece) + 1))[:size]


@st.composite
def with_a_huge_field(draw: st.DrawFn) -> bytes:
    """A well-formed update with one string of 64 KB to 1 MB, where a customer's text would be, or not."""
    chat = tg.private_chat(CUSTOMERS[0]) if draw(coin) else tg.group_chat(GROUPS[1])
    update = {"update_id": next(_update_ids), "message": a_message(draw, chat)}
    where = draw(choice(("text", "caption", "first_name", "unknown key", "callback data")))
    huge = draw(huge_string())
    if where == "text":
        update["message"] = {key: value for key, value in update["message"].items() if key != "caption"}
        update["message"]["text"] = huge
    elif where == "caption":
        update["message"] |= {
            "caption": huge,
            "photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}],
        }
    elif where == "first_name":
        update["message"]["from"]["first_name"] = huge
    elif where == "unknown key":
        update[huge[:1000]] = huge
    else:
        update = {
            "update_id": update["update_id"],
            "callback_query": a_callback_query(draw) | {"data": huge},
        }
    return as_json(update)


# --- the bodies --------------------------------------------------------------------------------

BAD_UTF8 = (
    b"\xff",
    b"\xfe\xff",
    b"\xc3\x28",
    b"\xed\xa0\x80",
    b"\xc0\xaf",
    b"\xf8\x88\x80\x80\x80",
    b"\x80",
    b"\xe2\x82",
)


@st.composite
def invalid_utf8(draw: st.DrawFn) -> bytes:
    update = a_plain_update(draw)
    body = as_json(update)
    how = draw(choice(("insert", "insert", "latin-1", "utf-16", "utf-32", "bom", "surrogates")))
    if how == "insert":
        at = draw(between(0, len(body)))
        return body[:at] + draw(choice(BAD_UTF8)) + body[at:]
    text = json.dumps(update, ensure_ascii=False)
    if how == "latin-1":
        return text.encode("latin-1", "replace") + "ñ".encode("latin-1")
    if how == "bom":
        return b"\xef\xbb\xbf" + body
    if how == "surrogates":
        return text.encode("utf-8", "surrogatepass") + "\ud800".encode("utf-8", "surrogatepass")
    return text.encode(how, "surrogatepass")  # JSON in UTF-16 or UTF-32 (json.loads reads it too)


@st.composite
def truncated_json(draw: st.DrawFn) -> bytes:
    body = as_json(a_plain_update(draw))
    how = draw(choice(("cut", "cut", "cut", "extra", "python repr", "nan", "comment")))
    if how == "cut":
        return body[: draw(between(0, len(body) - 1))]
    if how == "extra":
        return body + draw(choice((b"}", b",", b"\x00", b" {}", b"]")))
    if how == "python repr":
        return repr(json.loads(body)).encode()
    if how == "nan":
        return body.replace(b'"date": ', b'"date": NaN, "x": Infinity, "y": ', 1)
    return b"// update\n" + body


@st.composite
def not_an_update(draw: st.DrawFn) -> bytes:
    """JSON, but not an update: scalars, arrays, an update inside an array, dicts without update_id."""
    how = draw(choice(("garbage", "garbage", "wrapped", "no update_id", "empty")))
    if how == "garbage":
        return as_json(draw(garbage))
    if how == "wrapped":
        return as_json([a_plain_update(draw)])
    if how == "no update_id":
        update = a_plain_update(draw)
        del update["update_id"]
        return as_json(update)
    return draw(choice((b"", b" ", b"{}", b"[]", b"null", b'""', b"0", b"true")))


@st.composite
def wrong_update_ids(draw: st.DrawFn) -> bytes:
    update = a_plain_update(draw)
    how = draw(choice(("value", "value", "value", "duplicate key")))
    if how == "value":
        return as_json(update | {"update_id": draw(wrong_update_id)})
    rest = as_json({key: value for key, value in update.items() if key != "update_id"})
    return (
        b'{"update_id": '
        + as_json(update["update_id"])
        + b', "update_id": '
        + as_json(draw(wrong_update_id))
        + b", "
        + rest[1:]
    )


@st.composite
def unknown_kinds(draw: st.DrawFn) -> bytes:
    kind = draw(unhandled_kinds)
    payload = a_message(draw) if draw(coin) else draw(garbage)
    update: dict[str, Any] = {"update_id": next(_update_ids), kind: payload}
    how = draw(choice(("alone", "alone", "alone", "beside a known kind", "no kind at all")))
    if how == "beside a known kind":
        update = an_update(draw) | {kind: payload}
    elif how == "no kind at all":
        update = {"update_id": update["update_id"]}
    return as_json(update)


@st.composite
def deeply_nested(draw: st.DrawFn) -> bytes:
    depth = draw(between(1, 200_000))
    if draw(coin):
        return b"[" * depth + b"]" * depth
    return (
        b'{"update_id": '
        + str(next(_update_ids)).encode()
        + b', "message": '
        + b"[" * depth
        + b"]" * depth
        + b"}"
    )


CUSTOMER_UPDATES: tuple[Callable[[int], dict[str, Any]], ...] = (
    *(lambda chat, phrase=phrase: tg.text_update(chat, phrase) for phrase in PHRASES),
    lambda chat: tg.text_update(chat, "/caso"),
    lambda chat: tg.edited_update(chat, "otra cosa"),
    lambda chat: tg.my_chat_member_update(chat, "kicked"),
    lambda chat: tg.my_chat_member_update(chat, "member"),
    tg.sticker_update,
    tg.photo_update,
)


@st.composite
def customer_updates(draw: st.DrawFn) -> bytes:
    """What customers really send (each one a full turn of the assistant: kept rare)."""
    chat = draw(choice(CUSTOMERS))
    build = draw(choice(CUSTOMER_UPDATES))
    return as_json(build(chat))


# How often each kind of body is drawn, per 2000 (hypothesis samples the list uniformly).
MIX: tuple[tuple[Callable[[], st.SearchStrategy[bytes]], int], ...] = (
    (lambda: st.binary(max_size=2000), 200),
    (invalid_utf8, 140),
    (truncated_json, 200),
    (not_an_update, 180),
    (wrong_update_ids, 240),
    (unknown_kinds, 240),
    (corrupted, 740),
    (deeply_nested, 20),
    (with_a_huge_field, 1),
    (customer_updates, 39),
)
KINDS = [strategy() for strategy, _ in MIX]
WEIGHTED = st.sampled_from([index for index, (_, weight) in enumerate(MIX) for _ in range(weight)])


@st.composite
def webhook_bodies(draw: st.DrawFn) -> bytes:
    return draw(KINDS[draw(WEIGHTED)])


# --- the flood ---------------------------------------------------------------------------------


@dataclass
class Flood:
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[tuple[int | str, bytes]] = field(default_factory=list)
    posted: int = 0
    seconds: float = 0.0  # the whole flood, until the assistant has settled
    answering: float = 0.0  # of which waiting for the webhook's answers

    def record(self, body: bytes, status: int | str, seconds: float) -> None:
        self.posted += 1
        self.answering += seconds
        self.statuses[status] += 1
        if not isinstance(status, int) or status >= 500:
            self.server_errors.append((status, body))


def post(client: httpx.Client, url: str, body: bytes) -> int | str:
    """The status, or what went wrong with the connection (the server died, hung up, timed out)."""
    try:
        return client.post(url, content=body, headers=HEADERS).status_code
    except httpx.HTTPError as error:
        return f"{type(error).__name__}: {error}"


@pytest.fixture(scope="module")
def fake_bot_api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def assistant(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory, fake_bot_api: FakeBotApi
) -> Iterator[TelegramAssistant]:
    store = tmp_path_factory.mktemp("fuzz")
    webhook = "https://atencion.example.com"
    with telegram_assistant(
        store, fake_bot_api, webhook, "test-fuzz-", agents_chat_id=AGENTS_GROUP
    ) as running:
        register_agents(running.database_url)  # so that fuzzed agents' commands get past "who are you"
        yield running


@pytest.fixture(scope="module")
def flood(assistant: TelegramAssistant) -> Flood:
    """Every fuzzed body posted, with the right secret, over one keep-alive connection; then the
    assistant left to finish what they started."""
    flood = Flood()
    started = time.monotonic()
    with httpx.Client(timeout=120) as client:

        @FUZZ
        @given(body=webhook_bodies())
        @example(body=as_json(tg.text_update(CUSTOMERS[0], "hola que tal " * 80_000)))  # 1 MB of words
        @example(body=b"[" * 100_000 + b"]" * 100_000)
        def post_one(body: bytes) -> None:
            sent = time.monotonic()
            status = post(client, assistant.webhook_url, body)
            flood.record(body, status, time.monotonic() - sent)

        post_one()
    settle(assistant)
    flood.seconds = time.monotonic() - started
    return flood


def settle(assistant: TelegramAssistant, quiet: float = 5, limit: float = 60) -> None:
    """Wait until neither the fake Bot API nor the log has heard anything for `quiet` seconds."""
    deadline = time.monotonic() + limit
    last, quiet_since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = (len(assistant.fake.calls()), assistant.log.stat().st_size)
        if now != last:
            last, quiet_since = now, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet:
            return
        time.sleep(0.5)


def shown(body: bytes, limit: int = 300) -> str:
    if len(body) <= limit:
        return repr(body)
    return f"{body[: limit // 2]!r} … {body[-limit // 2 :]!r} ({len(body)} bytes)"


def tracebacks(log: str) -> dict[str, list[str]]:
    """The log records with a traceback, by failure: the record's logger and message and the last
    exception, with numbers blanked out so that the same failure counts once."""
    found: dict[str, list[str]] = {}
    for block in re.split(r"\n(?=\[?\d{4}-\d\d-\d\d )", log):  # one block per log record
        if TRACEBACK not in block:
            continue
        record, *rest = block.splitlines()
        exceptions = [
            line for line in rest if line and not line.startswith((" ", "\t", TRACEBACK, "The above"))
        ]
        failure = re.sub(r"-?\d+", "N", f"{record[20:]} | {exceptions[-1][:200] if exceptions else '?'}")
        found.setdefault(failure, []).append(block)
    return found


# --- the tests ---------------------------------------------------------------------------------


def test_ten_thousand_fuzzed_bodies_get_no_5xx(assistant, flood):
    print(
        f"\n{flood.posted} bodies in {flood.seconds:.0f} s ({flood.answering:.0f} s waiting for answers); "
        f"statuses: {dict(flood.statuses)}"
    )
    assert flood.posted >= BODIES
    smallest = sorted(flood.server_errors, key=lambda error: len(error[1]))[:5]
    examples = "\n".join(f"  {status}: {shown(body)}" for status, body in smallest)
    assert not flood.server_errors, (
        f"{len(flood.server_errors)} of {flood.posted} bodies got a 5xx or broke the connection; "
        f"the smallest:\n{examples}"
    )


def test_after_the_flood_the_server_is_up_and_answers_a_customer(assistant, flood):
    root = assistant.webhook_url.split("/webhooks/")[0]
    assert httpx.get(f"{root}/", timeout=30).status_code == 200
    (greeting,) = assistant.say(CANARY_CHAT, "hola")
    assert "Hola" in texts([greeting])


def test_the_flood_leaves_no_traceback_in_the_log(assistant, flood):
    found = tracebacks(assistant.log_text())
    by_count = sorted(found.items(), key=lambda item: -len(item[1]))
    listing = "\n\n".join(
        f"{len(blocks)} x {failure}\n{our_frames(blocks[0])}" for failure, blocks in by_count
    )
    total = sum(len(blocks) for blocks in found.values())
    assert not found, f"{total} tracebacks in {assistant.log}; one of each kind, our frames:\n\n{listing}"


FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+), in (?P<function>\S+)')


def our_frames(traceback: str) -> str:
    """The log record, the project's own frames (file, line, code) and the exception raised."""
    lines = traceback.splitlines()
    frames = [
        f"  {Path(frame['path']).relative_to(PROJECT_ROOT)}:{frame['line']} {lines[index + 1].strip()}"
        for index, line in enumerate(lines[:-1])
        if (frame := FRAME.match(line)) and frame["path"].startswith(f"{PROJECT_ROOT}/bot/")
    ]
    return "\n".join([lines[0][:200], *frames, f"  {lines[-1][:300]}"])
