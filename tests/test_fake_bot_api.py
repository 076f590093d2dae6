"""The fake Telegram Bot API, exercised with the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import telegram
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter

from tests.support.fake_bot_api import BOT_USER, FakeBotApi, UploadedFile

TOKEN = "123456:TEST-token"
CHAT = 4242
OTHER_CHAT = 5151
GROUP = -1001234567890


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as api:
        yield api


@pytest.fixture
async def bot(fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[telegram.Bot]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # httpx honours proxy variables; loopback must stay local
    async with telegram.Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url) as client:
        fake.reset()  # forget the getMe of Bot.initialize()
        yield client


def keyboard(*callback_data: str) -> telegram.InlineKeyboardMarkup:
    buttons = [
        telegram.InlineKeyboardButton(f"Opción {i}", callback_data=d) for i, d in enumerate(callback_data)
    ]
    return telegram.InlineKeyboardMarkup([buttons])


def text_update(chat_id: int, text: str) -> dict[str, Any]:
    return {
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Ana"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ana"},
            "text": text,
        }
    }


def post(fake: FakeBotApi, method: str, *, form: dict[str, str] | None = None, json_body: Any = None):
    """A plain synchronous HTTP client, as another process (or a sync test) would use the fake."""
    if json_body is not None:
        data, content_type = json.dumps(json_body).encode(), "application/json"
    else:
        data, content_type = urllib.parse.urlencode(form or {}).encode(), "application/x-www-form-urlencoded"
    request = urllib.request.Request(
        f"{fake.base_url}{TOKEN}/{method}", data=data, headers={"Content-Type": content_type}
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else value


# --- answers python-telegram-bot understands


async def test_get_me_returns_the_bot_user(bot: telegram.Bot, fake: FakeBotApi) -> None:
    me = await bot.get_me()

    assert (me.id, me.username, me.first_name, me.is_bot) == (
        7000000001,
        "atencion_test_bot",
        "Atención",
        True,
    )
    [call] = fake.calls("getMe")
    assert call.token == TOKEN and call.ok and call.status == 200


async def test_send_message_is_recorded_with_decoded_params(bot: telegram.Bot, fake: FakeBotApi) -> None:
    markup = keyboard("case:open", "case:close")

    first = await bot.send_message(CHAT, "¿Qué desea hacer?", reply_markup=markup)
    second = await bot.send_message(CHAT, "Segundo")
    elsewhere = await bot.send_message(OTHER_CHAT, "Otro chat")

    params = fake.calls("sendMessage")[0].params
    assert params["chat_id"] == CHAT
    assert params["text"] == "¿Qué desea hacer?"
    assert params["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "case:close"
    assert first.reply_markup == markup
    assert first.from_user.username == BOT_USER["username"] and first.chat.type == "private"
    assert [first.message_id, second.message_id, elsewhere.message_id] == [1, 2, 1]
    assert fake.sent_texts(CHAT) == ["¿Qué desea hacer?", "Segundo"]
    assert fake.sent_texts() == ["¿Qué desea hacer?", "Segundo", "Otro chat"]


async def test_message_thread_and_group_chats_come_back(bot: telegram.Bot) -> None:
    message = await bot.send_message(GROUP, "En el tema", message_thread_id=77)

    assert message.chat.type == "supergroup" and message.chat.id == GROUP
    assert message.message_thread_id == 77


def test_form_and_json_bodies_are_decoded_alike(fake: FakeBotApi) -> None:
    markup = {"inline_keyboard": [[{"text": "Sí", "callback_data": "yes"}]]}
    form = {"chat_id": str(GROUP), "text": "123", "disable_notification": "true"}

    assert post(fake, "SENDMESSAGE", form=form | {"reply_markup": json.dumps(markup)})[0] == 200
    assert (
        post(fake, "sendmessage", json_body={"chat_id": GROUP, "text": "123", "reply_markup": markup})[0]
        == 200
    )

    form_call, json_call = fake.calls("sendMessage")
    assert form_call.params == {
        "chat_id": GROUP,
        "text": "123",
        "disable_notification": True,
        "reply_markup": markup,
    }
    assert json_call.params == {"chat_id": GROUP, "text": "123", "reply_markup": markup}


def test_get_with_query_parameters_is_accepted(fake: FakeBotApi) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{fake.base_url}{TOKEN}/getChat?chat_id={GROUP}", timeout=5) as response:
        chat = json.load(response)["result"]

    assert (chat["id"], chat["type"]) == (GROUP, "supergroup")
    assert fake.calls("getChat")[0].params == {"chat_id": GROUP}


async def test_uploaded_document_is_recorded_and_downloadable(bot: telegram.Bot, fake: FakeBotApi) -> None:
    message = await bot.send_document(
        CHAT, document=b"%PDF-1.4 factura", filename="factura.pdf", caption="Su factura"
    )

    [call] = fake.calls("sendDocument")
    upload = call.params["document"]
    assert isinstance(upload, UploadedFile) and upload.content == b"%PDF-1.4 factura"
    assert call.params["caption"] == "Su factura"
    assert message.document.file_name == "factura.pdf" and message.caption == "Su factura"
    file = await bot.get_file(message.document.file_id)
    assert await file.download_as_bytearray() == b"%PDF-1.4 factura"


async def test_send_photo_by_url_returns_photo_sizes(bot: telegram.Bot, fake: FakeBotApi) -> None:
    message = await bot.send_photo(CHAT, photo="https://example.com/foto.jpg")

    assert message.photo and message.photo[-1].width == 800
    assert fake.calls("sendPhoto")[0].params["photo"] == "https://example.com/foto.jpg"


async def test_get_file_serves_registered_bytes(bot: telegram.Bot, fake: FakeBotApi) -> None:
    fake.add_file("voice-1", b"OggS audio", file_path="voice/nota.ogg")

    file = await bot.get_file("voice-1")

    assert file.file_size == len(b"OggS audio") and file.file_path.endswith("/voice/nota.ogg")
    assert await file.download_as_bytearray() == b"OggS audio"
    with pytest.raises(BadRequest, match="(?i)invalid file_id"):
        await bot.get_file("unknown")


async def test_other_methods_deserialise(bot: telegram.Bot, fake: FakeBotApi) -> None:
    sent = await bot.send_message(GROUP, "Original")

    assert await bot.answer_callback_query("query-1", text="Hecho") is True
    assert await bot.set_my_commands([telegram.BotCommand("caso", "Consultar un caso")]) is True
    assert await bot.send_chat_action(CHAT, telegram.constants.ChatAction.TYPING) is True
    assert await bot.pin_chat_message(GROUP, sent.message_id) is True
    assert not (await bot.get_chat(GROUP)).is_forum
    with pytest.raises(BadRequest, match="(?i)not a forum"):
        await bot.create_forum_topic(GROUP, "Caso 42")
    fake.forums.add(GROUP)
    assert (await bot.get_chat(GROUP)).is_forum is True
    topic = await bot.create_forum_topic(GROUP, "Caso 42")
    assert isinstance(topic, telegram.ForumTopic) and topic.name == "Caso 42"
    assert await bot.edit_forum_topic(GROUP, topic.message_thread_id, name="Caso 42 (cerrado)") is True
    assert await bot.close_forum_topic(GROUP, topic.message_thread_id) is True
    assert await bot.reopen_forum_topic(GROUP, topic.message_thread_id) is True
    copied = await bot.copy_message(CHAT, GROUP, sent.message_id)
    assert isinstance(copied, telegram.MessageId) and copied.message_id == 1
    assert (
        await bot.copy_message(CHAT, OTHER_CHAT, 99)
    ).message_id == 2  # a user's message, unknown to the fake
    chat = await bot.get_chat(CHAT)
    assert (
        isinstance(chat, telegram.ChatFullInfo) and chat.type == "private" and chat.max_reaction_count == 11
    )
    assert await bot.delete_message(GROUP, sent.message_id) is True
    assert fake.calls("setMyCommands")[0].params["commands"] == [
        {"command": "caso", "description": "Consultar un caso"}
    ]


# --- getUpdates and webhooks


async def test_pushed_updates_are_returned_and_confirmed_by_offset(
    bot: telegram.Bot, fake: FakeBotApi
) -> None:
    first_id = fake.push_update(text_update(CHAT, "hola"))
    second_id = fake.push_update(text_update(CHAT, "adiós"))

    updates = await bot.get_updates()

    assert second_id == first_id + 1
    assert [type(u) for u in updates] == [telegram.Update, telegram.Update]
    assert [u.message.text for u in updates] == ["hola", "adiós"]
    assert [u.update_id for u in await bot.get_updates(offset=first_id + 1)] == [second_id]
    assert await bot.get_updates(offset=second_id + 1) == ()


async def test_get_updates_honours_limit(bot: telegram.Bot, fake: FakeBotApi) -> None:
    for text in ("uno", "dos", "tres"):
        fake.push_update(text_update(CHAT, text))

    assert [u.message.text for u in await bot.get_updates(limit=2)] == ["uno", "dos"]


async def test_long_poll_answers_as_soon_as_an_update_is_pushed(bot: telegram.Bot, fake: FakeBotApi) -> None:
    timer = threading.Timer(0.3, fake.push_update, args=[text_update(CHAT, "llegó")])
    started = time.monotonic()
    timer.start()

    updates = await bot.get_updates(timeout=5)

    elapsed = time.monotonic() - started
    assert [u.message.text for u in updates] == ["llegó"]
    assert 0.25 <= elapsed < 2


async def test_long_poll_waits_for_its_timeout_when_nothing_arrives(bot: telegram.Bot) -> None:
    started = time.monotonic()

    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3


async def test_get_updates_conflicts_with_an_active_webhook(bot: telegram.Bot, fake: FakeBotApi) -> None:
    url = "https://atencion.example.com/webhooks/telegram/webhook"
    assert await bot.set_webhook(url, allowed_updates=["message", "callback_query"], secret_token="s3cr3t")

    assert fake.webhook is not None
    assert fake.webhook["allowed_updates"] == ["message", "callback_query"]
    assert fake.webhook["secret_token"] == "s3cr3t"
    assert (await bot.get_webhook_info()).url == url
    with pytest.raises(Conflict, match="(?i)can't use getUpdates method while webhook is active"):
        await bot.get_updates()

    assert await bot.delete_webhook()
    assert fake.webhook is None and (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates() == ()


# --- injected faults


async def test_429_raises_retry_after(bot: telegram.Bot, fake: FakeBotApi) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=3)

    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(CHAT, "primero")
    await bot.send_message(CHAT, "segundo")

    assert seconds(raised.value.retry_after) == 3
    failed, succeeded = fake.calls("sendMessage")
    assert failed.status == 429 and failed.response["parameters"] == {"retry_after": 3}
    assert succeeded.ok
    assert fake.sent_texts() == ["segundo"]
    assert [c.params["text"] for c in fake.wait_for("sendMessage", timeout=0.1)] == ["segundo"]


@pytest.mark.parametrize(("status", "description"), [(500, "Internal Server Error"), (502, "Bad Gateway")])
async def test_server_errors_raise_network_error(
    bot: telegram.Bot, fake: FakeBotApi, status: int, description: str
) -> None:
    fake.fail_next("getMe", status=status, times=2)

    for _ in range(2):
        with pytest.raises(NetworkError, match=description) as raised:
            await bot.get_me()
        assert type(raised.value) is NetworkError  # not BadRequest, which subclasses NetworkError
    await bot.get_me()

    assert [c.status for c in fake.calls("getMe")] == [status, status, 200]


async def test_delay_slows_only_the_delayed_method(bot: telegram.Bot, fake: FakeBotApi) -> None:
    fake.delay("sendMessage", 0.8)
    started = time.monotonic()
    slow = asyncio.create_task(bot.send_message(CHAT, "despacio"))
    await asyncio.sleep(0.05)

    await bot.get_me()
    get_me_done = time.monotonic() - started
    await slow
    send_done = time.monotonic() - started

    assert get_me_done < 0.5
    assert send_done >= 0.8
    fake.delay("sendMessage", 0)
    started = time.monotonic()
    await bot.send_message(CHAT, "rápido")
    assert time.monotonic() - started < 0.5


# --- validation as Telegram does it


@pytest.mark.parametrize(
    ("text", "parse_mode", "accepted"),
    [
        ("a" * 4096, None, True),
        ("a" * 4097, None, False),
        ("a" * 5000, None, False),
        ("😀" * 2048, None, True),  # 4096 UTF-16 code units
        ("😀" * 2049, None, False),
        ("<b>" + "a" * 4096 + "</b>", "HTML", True),
        ("&lt;" * 4096, "HTML", True),
        ("&lt;" * 4097, "HTML", False),
    ],
    ids=[
        "4096-ascii",
        "4097-ascii",
        "5000-ascii",
        "4096-utf16",
        "4098-utf16",
        "html-tags",
        "entities",
        "4097-entities",
    ],
)
async def test_text_length_is_counted_like_telegram(
    bot: telegram.Bot, text: str, parse_mode: str | None, accepted: bool
) -> None:
    if accepted:
        await bot.send_message(CHAT, text, parse_mode=parse_mode)
    else:
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(CHAT, text, parse_mode=parse_mode)


@pytest.mark.parametrize(("text", "parse_mode"), [("   ", None), ("<b> </b>", "HTML")])
async def test_empty_text_is_rejected(bot: telegram.Bot, text: str, parse_mode: str | None) -> None:
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(CHAT, text, parse_mode=parse_mode)


@pytest.mark.parametrize(
    ("callback_data", "accepted"),
    [("x" * 64, True), ("x" * 65, False), ("ñ" * 32, True), ("ñ" * 33, False)],  # ñ is 2 bytes
    ids=["64-bytes", "65-bytes", "64-utf8-bytes", "66-utf8-bytes"],
)
async def test_callback_data_is_limited_to_64_bytes(
    bot: telegram.Bot, fake: FakeBotApi, callback_data: str, accepted: bool
) -> None:
    if accepted:
        await bot.send_message(CHAT, "Elija", reply_markup=keyboard("ok", callback_data))
    else:
        with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(CHAT, "Elija", reply_markup=keyboard("ok", callback_data))
    assert fake.sent_texts() == (["Elija"] if accepted else [])


def test_empty_callback_data_is_rejected(fake: FakeBotApi) -> None:
    markup = {"inline_keyboard": [[{"text": "Vacío", "callback_data": ""}]]}

    status, body = post(fake, "sendMessage", json_body={"chat_id": CHAT, "text": "x", "reply_markup": markup})

    assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_valid_html_passes_and_comes_back_as_plain_text(bot: telegram.Bot) -> None:
    text = (
        '<b>Caso</b> <strong>42</strong> <i>abierto</i> <u>hoy</u> <s>ayer</s> <a href="https://e.com/?a=1&amp;b=2">'
        'enlace</a> &lt;3 &amp; &quot;ok&quot; &#128512; <span class="tg-spoiler">secreto</span> '
        '<tg-spoiler>otro</tg-spoiler> <pre><code class="language-python">x = 1</code></pre> '
        "<blockquote>cita</blockquote>"
    )

    message = await bot.send_message(CHAT, text, parse_mode="HTML")

    assert message.text == ('Caso 42 abierto hoy ayer enlace <3 & "ok" 😀 secreto otro x = 1 cita')


@pytest.mark.parametrize(
    "text",
    [
        "<b>sin cerrar",
        "<b>cruzado</i>",
        "<b><i>mal</b></i>",
        "cierre</b>",
        "<foo>etiqueta</foo>",
        "<span>sin clase</span>",
        "salto<br/>",
        "a < b",
        "Tom & Jerry",
        "espacio&nbsp;duro",
        "<!-- comentario -->",
    ],
)
async def test_invalid_html_is_rejected(bot: telegram.Bot, text: str) -> None:
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(CHAT, text, parse_mode="HTML")


async def test_blocked_chat_is_forbidden(bot: telegram.Bot, fake: FakeBotApi) -> None:
    fake.blocked_chats.add(CHAT)

    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await bot.send_message(CHAT, "hola")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(CHAT, "typing")
    await bot.send_message(OTHER_CHAT, "hola")

    assert [c.status for c in fake.calls()] == [403, 403, 200]
    assert fake.sent_texts() == ["hola"] and fake.sent_texts(CHAT) == []


@pytest.mark.parametrize(
    ("method", "params", "description"),
    [
        ("sendMessage", {"text": "hola"}, "Bad Request: chat_id is empty"),
        ("sendMessage", {"chat_id": str(CHAT)}, "Bad Request: message text is empty"),
        ("answerCallbackQuery", {}, "Bad Request: callback_query_id is empty"),
        ("sendMessage", {"chat_id": "@nadie", "text": "hola"}, "Bad Request: chat not found"),
    ],
)
def test_missing_or_bad_parameters_are_rejected(
    fake: FakeBotApi, method: str, params: dict[str, str], description: str
) -> None:
    status, body = post(fake, method, form=params)

    assert (status, body) == (400, {"ok": False, "error_code": 400, "description": description})
    assert fake.calls(method)[0].status == 400


def test_unknown_method_answers_404(fake: FakeBotApi) -> None:
    status, body = post(fake, "sendTelepathy", form={"chat_id": "1"})

    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert [(c.method, c.status) for c in fake.calls()] == [("sendTelepathy", 404)]


# --- edits


async def test_edit_message_text_and_not_modified(bot: telegram.Bot, fake: FakeBotApi) -> None:
    sent = await bot.send_message(CHAT, "¿Confirma?", reply_markup=keyboard("yes", "no"))

    edited = await bot.edit_message_text("Confirmado", CHAT, sent.message_id, reply_markup=keyboard("undo"))

    assert edited.text == "Confirmado" and edited.edit_date is not None
    assert edited.reply_markup == keyboard("undo")
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("Confirmado", CHAT, sent.message_id, reply_markup=keyboard("undo"))
    without_keyboard = await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=None)
    assert without_keyboard.reply_markup is None
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=None)
    assert [c.status for c in fake.calls() if c.method.startswith("edit")] == [200, 400, 200, 400]


async def test_edit_of_an_unknown_message_is_rejected(bot: telegram.Bot) -> None:
    await bot.send_message(CHAT, "hola")

    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("adiós", CHAT, 999)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.edit_message_text("  ", CHAT, 1)


# --- waiting and resetting


def test_wait_for_returns_when_a_call_arrives_from_another_thread(fake: FakeBotApi) -> None:
    threading.Timer(
        0.2, post, args=[fake, "sendMessage"], kwargs={"form": {"chat_id": "1", "text": "a"}}
    ).start()
    threading.Timer(
        0.3, post, args=[fake, "sendMessage"], kwargs={"form": {"chat_id": "2", "text": "b"}}
    ).start()
    started = time.monotonic()

    calls = fake.wait_for("sendmessage", predicate=lambda call: call.params["chat_id"] == 2)

    assert [c.params["text"] for c in calls] == ["b"]
    assert time.monotonic() - started < 2
    assert len(fake.wait_for("sendMessage", count=2, timeout=1)) == 2


def test_wait_for_times_out_with_what_was_received(fake: FakeBotApi) -> None:
    fake.blocked_chats.add(CHAT)
    post(fake, "getMe")
    post(fake, "sendMessage", form={"chat_id": str(CHAT), "text": "hola"})
    started = time.monotonic()

    with pytest.raises(AssertionError) as raised:
        fake.wait_for("sendMessage", timeout=0.3)

    assert 0.3 <= time.monotonic() - started < 2
    message = str(raised.value)
    assert "expected 1 successful sendMessage call(s) within 0.3s, got 0" in message
    assert "getMe [200]" in message and "sendMessage [403]" in message and "'hola'" in message


async def test_reset_forgets_calls_and_state(bot: telegram.Bot, fake: FakeBotApi) -> None:
    await bot.send_message(CHAT, "antes")
    fake.push_update(text_update(CHAT, "pendiente"))
    fake.fail_next("sendMessage", status=500)
    fake.blocked_chats.add(OTHER_CHAT)

    fake.reset()

    assert fake.calls() == [] and fake.blocked_chats == set()
    assert await bot.get_updates() == ()
    assert (await bot.send_message(OTHER_CHAT, "después")).message_id == 1
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("cambio", CHAT, 1)


def test_stop_does_not_wait_for_pending_long_polls_or_delays() -> None:
    fake = FakeBotApi().start()
    fake.delay("sendMessage", 30)
    answers: list[tuple[int, Any]] = []
    requests = [
        threading.Thread(target=lambda: answers.append(post(fake, "getUpdates", form={"timeout": "30"}))),
        threading.Thread(
            target=lambda: answers.append(post(fake, "sendMessage", form={"chat_id": "1", "text": "x"}))
        ),
    ]
    for request in requests:
        request.start()
    time.sleep(0.2)
    started = time.monotonic()

    fake.stop()
    for request in requests:
        request.join(timeout=5)

    assert time.monotonic() - started < 2
    assert sorted(status for status, _ in answers) == [200, 200]
