"""A local fake of the Telegram Bot API for tests.

The server runs an aiohttp application on 127.0.0.1 in a background thread with its own event loop,
so it can be used from synchronous tests, from tests running their own asyncio loop and from other
processes (through ``base_url``). It answers like Telegram does (shapes, validation errors, status
codes), records every call and lets tests inject failures and delays::

    with FakeBotApi() as fake:
        bot = telegram.Bot(token, base_url=fake.base_url, base_file_url=fake.base_file_url)
        ...
        [call] = fake.wait_for("sendMessage")
        assert call.params["chat_id"] == 123
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import html
import itertools
import json
import re
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from http import HTTPStatus
from typing import Any, NoReturn

from aiohttp import web

BOT_USER: dict[str, Any] = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Atención",
    "username": "atencion_test_bot",
}
BOT_ME: dict[str, Any] = {
    **BOT_USER,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
DEFAULT_TOPIC_COLOR = 7322096
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)

# Top-level parameters that are plain strings even when they look like JSON ("123", "true").
# fmt: off
STRING_PARAMS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "url", "file_id", "name",
    "title", "description", "action", "secret_token", "ip_address", "business_connection_id",
    "message_effect_id", "icon_custom_emoji_id", "language_code", "photo", "document",
})
SUPPORTED_HTML_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
    "blockquote", "tg-emoji",
})
# fmt: on
HTML_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]+|#[xX][0-9a-fA-F]+);")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    token: str
    at: float
    status: int = 200
    response: Any = None

    @property
    def ok(self) -> bool:
        return self.status == HTTPStatus.OK


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class StoredMessage:
    message: dict[str, Any]
    source: tuple[Any, ...]  # what Telegram compares to decide "message is not modified"


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_path: str
    content: bytes

    def as_telegram_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": f"unique-{self.file_id}",
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


@dataclass(frozen=True)
class InjectedFailure:
    status: int
    retry_after: int

    def answer(self) -> tuple[int, Any]:
        if self.status == HTTPStatus.TOO_MANY_REQUESTS:
            description = f"Too Many Requests: retry after {self.retry_after}"
            return self.status, ApiError(429, description, {"retry_after": self.retry_after}).body()
        if self.status == HTTPStatus.BAD_GATEWAY:
            return self.status, BAD_GATEWAY_HTML
        phrase = HTTPStatus(self.status).phrase if self.status in HTTPStatus._value2member_map_ else "Error"
        return self.status, ApiError(self.status, phrase).body()


# --- request decoding and validation -------------------------------------------------------------


def decode_param(name: str, raw: str) -> Any:
    """python-telegram-bot sends every value as a form field, JSON-encoding everything but strings."""
    if name in STRING_PARAMS:
        return raw
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    return value if isinstance(value, dict | list | bool | int | float) else raw


async def read_params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = {name: decode_param(name, value) for name, value in request.query.items()}
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as error:
            raise bad_request("can't parse JSON object") from error
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        params.update(body)
        return params
    for name, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            with value.file:
                params[name] = UploadedFile(value.filename, value.file.read(), value.content_type)
        else:
            params[name] = decode_param(name, value)
    return params


class TelegramHtml(HTMLParser):
    """Checks text with parse_mode HTML the way Telegram does and renders its plain text."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=False)
        self._source = source
        self._open_tags: list[str] = []
        self._plain: list[str] = []

    def plain_text(self) -> str:
        self._check_ampersands()
        self.feed(self._source)
        self.close()
        if self._open_tags:
            self._fail(f'Can\'t find end tag corresponding to start tag "{self._open_tags[-1]}"')
        return "".join(self._plain)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        is_spoiler_span = tag == "span" and dict(attrs).get("class") == "tg-spoiler"
        if tag not in SUPPORTED_HTML_TAGS or (tag == "span" and not is_spoiler_span):
            self._fail(f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}')
        self._open_tags.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._fail(f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}')

    def handle_endtag(self, tag: str) -> None:
        if not self._open_tags:
            self._fail(f"Unexpected end tag at byte offset {self._byte_offset()}")
        if self._open_tags[-1] != tag:
            expected = self._open_tags[-1]
            self._fail(
                f'Unmatched end tag at byte offset {self._byte_offset()}, expected "</{expected}>", '
                f'found "</{tag}>"'
            )
        self._open_tags.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data:
            offset = self._byte_offset() + len(data[: data.index("<")].encode())
            self._fail(f'Unsupported start tag "" at byte offset {offset}')
        self._plain.append(data)

    def handle_entityref(self, name: str) -> None:
        self._plain.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self._plain.append(html.unescape(f"&#{name};"))

    def handle_comment(self, data: str) -> None:
        self._fail(f"Unsupported HTML comment at byte offset {self._byte_offset()}")

    def handle_decl(self, decl: str) -> None:
        self._fail(f"Unsupported HTML declaration at byte offset {self._byte_offset()}")

    handle_pi = handle_decl
    unknown_decl = handle_decl

    def _check_ampersands(self) -> None:
        for match in re.finditer("&", self._source):
            if not HTML_ENTITY.match(self._source, match.start()):
                offset = len(self._source[: match.start()].encode())
                self._fail(f'Character "&" is reserved and must be escaped as "&amp;" (byte offset {offset})')

    def _byte_offset(self) -> int:
        line, column = self.getpos()
        lines = self._source.split("\n")
        index = sum(len(text) + 1 for text in lines[: line - 1]) + column
        return len(self._source[:index].encode())

    @staticmethod
    def _fail(reason: str) -> NoReturn:
        raise bad_request(f"can't parse entities: {reason}")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def rendered_text(raw: Any, parse_mode: Any) -> str:
    text = str(raw)
    if isinstance(parse_mode, str) and parse_mode.lower() == "html":
        return TelegramHtml(text).plain_text()
    return text


def validated_text(params: dict[str, Any]) -> str:
    raw = params.get("text")
    text = "" if raw is None else rendered_text(raw, params.get("parse_mode")).strip()
    if not text:
        raise bad_request("message text is empty")
    if utf16_length(text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return text


def validated_caption(params: dict[str, Any]) -> str | None:
    if params.get("caption") in (None, ""):
        return None
    caption = rendered_text(params["caption"], params.get("parse_mode")).strip()
    if utf16_length(caption) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return caption


def validate_reply_markup(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if "callback_data" in button and (
                not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES
            ):
                raise bad_request("BUTTON_DATA_INVALID")


def require(params: dict[str, Any], *names: str) -> None:
    for name in names:
        if params.get(name) in (None, ""):
            raise bad_request(f"{name} is empty")


def chat_object(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Cliente"}
    return {"id": chat_id, "type": "supergroup", "title": "Atención al cliente"}


def same_chat(left: Any, right: Any) -> bool:
    return str(left) == str(right)


# --- the server ----------------------------------------------------------------------------------


class FakeBotApi:
    def __init__(self, host: str = "127.0.0.1"):
        self._host = host
        self._port: int | None = None
        self._lock = threading.RLock()
        self._calls_changed = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._closing: asyncio.Event | None = None
        self._updates_pushed: asyncio.Event | None = None
        self._handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": lambda params: dict(BOT_ME),
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": lambda params: copy.deepcopy(self._commands),
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "copyMessage": self._copy_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "pinChatMessage": self._acknowledge_message_action,
            "answerCallbackQuery": self._answer_callback_query,
            "getFile": self._get_file,
            "getChat": self._get_chat,
            "createForumTopic": self._create_forum_topic,
            "editForumTopic": self._acknowledge_topic_action,
            "closeForumTopic": self._acknowledge_topic_action,
            "reopenForumTopic": self._acknowledge_topic_action,
        }
        self._canonical_names = {name.lower(): name for name in [*self._handlers, "getUpdates"]}
        self.blocked_chats: set[int] = set()
        self.forums: set[int] = set()  # supergroups with topics (getChat says is_forum)
        self._listeners: list[Callable[[Call], None]] = []
        self._reset_state()

    # --- lifecycle

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> FakeBotApi:
        if self._thread is not None:
            raise RuntimeError("FakeBotApi is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self._host, 0))
        self._port = sock.getsockname()[1]
        ready = threading.Event()
        startup_errors: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._serve, args=(sock, ready, startup_errors), name="fake-bot-api", daemon=True
        )
        self._thread.start()
        if not ready.wait(timeout=10) or startup_errors:
            self._thread = None
            raise RuntimeError("FakeBotApi did not start") from (startup_errors or [None])[0]
        return self

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._thread = None

    @property
    def base_url(self) -> str:
        return f"{self._origin()}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self._origin()}/file/bot"

    def _origin(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeBotApi is not running")
        return f"http://{self._host}:{self._port}"

    def _serve(self, sock: socket.socket, ready: threading.Event, errors: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._start_site(sock))
        except BaseException as error:  # reported to start()
            errors.append(error)
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _start_site(self, sock: socket.socket) -> None:
        self._closing = asyncio.Event()
        self._updates_pushed = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def _shutdown(self) -> None:
        assert self._closing is not None and self._runner is not None
        self._closing.set()
        self._wake_update_waiters()
        await self._runner.cleanup()

    # --- public API for tests

    def reset(self) -> None:
        """Forget calls, messages, updates, files, webhook, injected faults, blocked chats and forums."""
        with self._lock:
            self._reset_state()
            self.blocked_chats.clear()
            self.forums.clear()

    def _reset_state(self) -> None:
        self._calls: list[Call] = []
        self._messages: dict[tuple[int, int], StoredMessage] = {}
        self._last_message_id: defaultdict[int, int] = defaultdict(int)
        self._updates: deque[dict[str, Any]] = deque()
        self._next_update_id = 1
        self._files: dict[str, StoredFile] = {}
        self._webhook: dict[str, Any] | None = None
        self._commands: list[dict[str, Any]] = []
        self._failures: defaultdict[str, deque[InjectedFailure]] = defaultdict(deque)
        self._delays: dict[str, float] = {}
        self._ids = itertools.count(1)

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            if method is None:
                return list(self._calls)
            name = self._canonical(method)
            return [call for call in self._calls if call.method == name]

    def sent_texts(self, chat_id: int | str | None = None) -> list[str]:
        return [
            call.params["text"]
            for call in self.calls("sendMessage")
            if call.ok and (chat_id is None or same_chat(call.params.get("chat_id"), chat_id))
        ]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 10.0,
        predicate: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Block until `count` successful calls of `method` (matching `predicate`) were answered."""
        name = self._canonical(method)

        def matching() -> list[Call]:
            return [
                call
                for call in self._calls
                if call.method == name and call.ok and (predicate is None or predicate(call))
            ]

        with self._calls_changed:
            if self._calls_changed.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                return matching()
            found = len(matching())
            received = "\n".join(f"  {describe(call)}" for call in self._calls) or "  (nothing)"
        raise AssertionError(
            f"expected {count} successful {name} call(s) within {timeout}s, got {found}. "
            f"Received:\n{received}"
        )

    @property
    def webhook(self) -> dict[str, Any] | None:
        """The parameters of the setWebhook call in effect, or None."""
        with self._lock:
            return copy.deepcopy(self._webhook)

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        with self._lock:
            update = copy.deepcopy(update)
            update.setdefault("update_id", self._next_update_id)
            self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
            self._updates.append(update)
        if self._loop is not None and self._thread is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody is polling
                self._loop.call_soon_threadsafe(self._wake_update_waiters)
        return update["update_id"]

    def add_file(self, file_id: str, content: bytes, file_path: str | None = None) -> str:
        """Make a file available to getFile and the file URL; returns its file_path."""
        with self._lock:
            path = file_path or f"documents/file_{next(self._ids)}"
            self._files[file_id] = StoredFile(file_id, path, content)
            return path

    def fail_next(self, method: str, status: int = 429, times: int = 1, retry_after: int = 1) -> None:
        with self._lock:
            self._failures[self._canonical(method)].extend([InjectedFailure(status, retry_after)] * times)

    def delay(self, method: str, seconds: float) -> None:
        """Answer `method` after `seconds` (0 removes the delay); other requests are not held up."""
        with self._lock:
            self._delays[self._canonical(method)] = seconds

    def _canonical(self, method: str) -> str:
        return self._canonical_names.get(method.lower(), method)

    # --- HTTP handlers

    async def _handle_method(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        method = self._canonical(request.match_info["method"])
        params: dict[str, Any] = {}
        try:
            params = await read_params(request)
            await self._apply_delay(method)
            status, body = await self._answer(method, params)
        except ApiError as error:
            status, body = error.status, error.body()
        self._record(Call(method, params, request.match_info["token"], arrived, status, body))
        if isinstance(body, str):
            return web.Response(status=status, text=body, content_type="text/html")
        return web.json_response(body, status=status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["file_path"]
        with self._lock:
            stored = next((file for file in self._files.values() if file.file_path == path), None)
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        return web.Response(body=stored.content, content_type="application/octet-stream")

    async def _apply_delay(self, method: str) -> None:
        with self._lock:
            seconds = self._delays.get(method, 0)
        if seconds > 0:
            await self._sleep_unless_closing(seconds)

    async def _sleep_unless_closing(self, seconds: float) -> None:
        assert self._closing is not None
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    async def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        with self._lock:
            failures = self._failures.get(method)
            if failures:
                return failures.popleft().answer()
        if method == "getUpdates":
            return 200, {"ok": True, "result": await self._get_updates(params)}
        handler = self._handlers.get(method)
        if handler is None:
            return 404, ApiError(404, "Not Found").body()
        with self._lock:
            return 200, {"ok": True, "result": handler(params)}

    def _record(self, call: Call) -> None:
        with self._calls_changed:
            self._calls.append(call)
            self._calls_changed.notify_all()
            listeners = list(self._listeners)
        for listener in listeners:
            listener(call)

    def listen(self, listener: Callable[[Call], None]) -> Callable[[], None]:
        """Call `listener(call)` (in the fake's thread) for every call from now on; returns the
        function that stops it. Cheaper than polling `calls()` when thousands are recorded."""
        with self._lock:
            self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # --- getUpdates

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        assert self._loop is not None and self._closing is not None
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        deadline = self._loop.time() + float(params.get("timeout", 0))
        while True:
            pushed = self._updates_pushed
            assert pushed is not None
            with self._lock:
                if self._webhook is not None:
                    raise ApiError(409, WEBHOOK_CONFLICT)
                self._confirm_updates(params.get("offset"))
                if self._updates or self._closing.is_set():
                    return copy.deepcopy(list(self._updates)[:limit])
            remaining = deadline - self._loop.time()
            if remaining <= 0:
                return []
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(pushed.wait(), remaining)

    def _confirm_updates(self, offset: Any) -> None:
        if offset is None:
            return
        offset = int(offset)
        if offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
            return
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()

    def _wake_update_waiters(self) -> None:
        """Runs in the server loop: releases every long poll waiting for an update."""
        if self._updates_pushed is not None:
            self._updates_pushed.set()
        self._updates_pushed = asyncio.Event()

    # --- Bot API methods (called with the lock held)

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        self._webhook = dict(params) if params.get("url") else None
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": (self._webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook and "allowed_updates" in self._webhook:
            info["allowed_updates"] = self._webhook["allowed_updates"]
        return info

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        require(params, "commands")
        self._commands = params["commands"]
        return True

    def _target_chat(self, params: dict[str, Any]) -> int:
        require(params, "chat_id")
        try:
            chat_id = int(params["chat_id"])
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        if chat_id in self.blocked_chats:
            reason = (
                "bot was blocked by the user" if chat_id > 0 else "bot was kicked from the supergroup chat"
            )
            raise ApiError(403, f"Forbidden: {reason}")
        return chat_id

    def _new_message(
        self, chat_id: int, params: dict[str, Any], content: dict[str, Any], source: tuple[Any, ...]
    ) -> dict[str, Any]:
        self._last_message_id[chat_id] += 1
        message: dict[str, Any] = {
            "message_id": self._last_message_id[chat_id],
            "date": int(time.time()),
            "chat": chat_object(chat_id),
            "from": dict(BOT_USER),
            **content,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        if params.get("message_thread_id"):
            message["message_thread_id"] = params["message_thread_id"]
            message["is_topic_message"] = True
        self._messages[(chat_id, message["message_id"])] = StoredMessage(message, source)
        return copy.deepcopy(message)

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._target_chat(params)
        text = validated_text(params)
        validate_reply_markup(params.get("reply_markup"))
        source = (params["text"], params.get("parse_mode"), params.get("reply_markup"))
        return self._new_message(chat_id, params, {"text": text}, source)

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._target_chat(params)
        stored = self._stored_media(params, "photo", "photos/photo_{}.jpg")
        photo = {"file_id": stored.file_id, "file_unique_id": f"unique-{stored.file_id}", "width": 800}
        photo |= {"height": 600, "file_size": len(stored.content)}
        return self._new_media_message(chat_id, params, {"photo": [photo]})

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._target_chat(params)
        stored = self._stored_media(params, "document", "documents/file_{}")
        upload = params["document"]
        document = {
            "file_id": stored.file_id,
            "file_unique_id": f"unique-{stored.file_id}",
            "file_name": upload.filename
            if isinstance(upload, UploadedFile)
            else stored.file_path.split("/")[-1],
            "mime_type": upload.content_type
            if isinstance(upload, UploadedFile)
            else "application/octet-stream",
            "file_size": len(stored.content),
        }
        return self._new_media_message(chat_id, params, {"document": document})

    def _new_media_message(
        self, chat_id: int, params: dict[str, Any], media: dict[str, Any]
    ) -> dict[str, Any]:
        caption = validated_caption(params)
        validate_reply_markup(params.get("reply_markup"))
        content = media | ({"caption": caption} if caption else {})
        return self._new_message(
            chat_id, params, content, (params.get("caption"), params.get("reply_markup"))
        )

    def _stored_media(self, params: dict[str, Any], name: str, path_pattern: str) -> StoredFile:
        """An uploaded file is kept (getFile can serve it); a file_id or URL is referenced as is."""
        media = params.get(name)
        if isinstance(media, UploadedFile):
            number = next(self._ids)
            stored = StoredFile(f"{name}-{number}", path_pattern.format(number), media.content)
            self._files[stored.file_id] = stored
            return stored
        if not isinstance(media, str) or not media:
            raise bad_request(f"there is no {name} in the request")
        return self._files.get(media) or StoredFile(media, path_pattern.format(next(self._ids)), b"")

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._target_chat(params)
        require(params, "action")
        return True

    def _copy_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._target_chat(params)
        require(params, "from_chat_id", "message_id")
        original = self._messages.get((int(params["from_chat_id"]), int(params["message_id"])))
        if original is None:  # a message the fake did not send (e.g. the user's): copy it blindly
            source = ("copy", params["from_chat_id"], params["message_id"])
            return {"message_id": self._new_message(chat_id, params, {}, source)["message_id"]}
        content = {
            key: original.message[key]
            for key in ("text", "photo", "document", "caption")
            if key in original.message
        }
        return {"message_id": self._new_message(chat_id, params, content, original.source)["message_id"]}

    def _existing_message(self, params: dict[str, Any], not_found: str) -> StoredMessage:
        require(params, "chat_id", "message_id")
        stored = self._messages.get((int(params["chat_id"]), int(params["message_id"])))
        if stored is None:
            raise bad_request(not_found)
        return stored

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        text = validated_text(params)
        validate_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        stored = self._existing_message(params, "message to edit not found")
        source = (params["text"], params.get("parse_mode"), params.get("reply_markup"))
        if source == stored.source:
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        stored.source = source
        stored.message["text"] = text
        return self._edited(stored, params.get("reply_markup"))

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        markup = params.get("reply_markup")
        validate_reply_markup(markup)
        if params.get("inline_message_id"):
            return True
        stored = self._existing_message(params, "message to edit not found")
        if markup == stored.message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        stored.source = (*stored.source[:-1], markup)
        return self._edited(stored, markup)

    @staticmethod
    def _edited(stored: StoredMessage, markup: dict[str, Any] | None) -> dict[str, Any]:
        stored.message.pop("reply_markup", None)
        if markup:
            stored.message["reply_markup"] = markup
        stored.message["edit_date"] = int(time.time())
        return copy.deepcopy(stored.message)

    def _delete_message(self, params: dict[str, Any]) -> bool:
        require(params, "chat_id", "message_id")
        self._messages.pop((int(params["chat_id"]), int(params["message_id"])), None)
        return True

    def _acknowledge_message_action(self, params: dict[str, Any]) -> bool:
        require(params, "chat_id", "message_id")
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        require(params, "callback_query_id")
        return True

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        require(params, "file_id")
        stored = self._files.get(params["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.as_telegram_file()

    def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        require(params, "chat_id")
        try:
            chat = chat_object(int(params["chat_id"]))
        except ValueError:
            raise bad_request("chat not found") from None
        gift_types = (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        )
        forum = {"is_forum": True} if int(params["chat_id"]) in self.forums else {}
        return (
            chat
            | forum
            | {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": dict.fromkeys(gift_types, False),
            }
        )

    def _create_forum_topic(self, params: dict[str, Any]) -> dict[str, Any]:
        self._target_chat(params)
        require(params, "name")
        if int(params["chat_id"]) not in self.forums:
            raise bad_request("the chat is not a forum")
        return {
            "message_thread_id": next(self._ids),
            "name": params["name"],
            "icon_color": params.get("icon_color", DEFAULT_TOPIC_COLOR),
        }

    def _acknowledge_topic_action(self, params: dict[str, Any]) -> bool:
        require(params, "chat_id", "message_thread_id")
        return True


def describe(call: Call) -> str:
    params = ", ".join(f"{name}={value!r}" for name, value in call.params.items())
    return f"{call.method} [{call.status}] {params[:200]}"
