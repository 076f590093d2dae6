"""The assistant running with its Telegram channel pointed at a fake Bot API, and a customer's
side of the conversation (posting updates, pressing buttons, reading replies): for the
end-to-end tests and the benchmark."""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import PROJECT_ROOT, Settings, get_settings
from bot.ops.launcher import free_port, running_services, service_environment, worker_command
from bot.store.db import create_session_factory
from bot.store.migrate import migrate
from bot.store.models import Case, Customer
from tests.support import telegram_updates as tg
from tests.support.fake_bot_api import Call, FakeBotApi

TOKEN = "123456789:fake-token-for-tests"
SECRET = "s3cr3t-de-prueba"
ALWAYS_OPEN = PROJECT_ROOT / "tests" / "data" / "business_hours_always_open.yml"


@dataclasses.dataclass
class TelegramAssistant:
    """A running assistant (Rasa server, action server, SQLite store) whose Telegram channel
    talks to `fake`; its REST channel answers only when the servers have a REST_CHANNEL_TOKEN."""

    webhook_url: str
    rest_url: str
    database_url: str
    fake: FakeBotApi
    log: Path
    log_start: int
    agents_chat_id: int | None = None

    def log_text(self) -> str:
        with open(self.log, "rb") as log:
            log.seek(self.log_start)
            return log.read().decode(errors="replace")

    def post(self, update: dict, secret: str | None = SECRET) -> int:
        return self.post_body(json.dumps(update).encode(), secret)

    def post_body(self, body: bytes, secret: str | None = SECRET) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        request = urllib.request.Request(self.webhook_url, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def replies(self, chat_id: int, count: int, timeout: float = 60) -> list[Call]:
        """The first `count` messages sent to `chat_id`, waiting for them to arrive."""
        return self.fake.wait_for("sendMessage", count, timeout, predicate=to_chat(chat_id))[:count]

    def send(self, chat_id: int, update: dict, expect: int = 1) -> list[Call]:
        """Post `update` and wait for the `expect` messages it makes the bot send."""
        before = len(self.sent(chat_id))
        assert self.post(update) == 200
        return self.replies(chat_id, before + expect)[before:]

    def say(self, chat_id: int, text: str, expect: int = 1) -> list[Call]:
        return self.send(chat_id, tg.text_update(chat_id, text), expect)

    def sent(self, chat_id: int) -> list[Call]:
        return [c for c in self.fake.calls("sendMessage") if c.ok and to_chat(chat_id)(c)]

    def press(self, chat_id: int, reply: Call, title: str, expect: int = 1) -> list[Call]:
        """Press the button `title` of the message `reply` the bot sent."""
        keyboard = reply.params["reply_markup"]["inline_keyboard"]
        data = next(key["callback_data"] for row in keyboard for key in row if key["text"] == title)
        buttons = [(key["text"], key["callback_data"]) for row in keyboard for key in row]
        pressed = tg.bot_message(
            chat_id, reply.params["text"], buttons, reply.response["result"]["message_id"]
        )
        return self.send(chat_id, tg.callback_update(chat_id, data, pressed), expect)

    def cases(self, chat_id: int) -> list[Case]:
        with create_session_factory(self.database_url)() as session:
            query = select(Case).join(Customer).where(Customer.chat_id == str(chat_id)).order_by(Case.id)
            return list(session.execute(query).scalars())

    # --- the agents' side

    def card_of(self, number: str, timeout: float = 60) -> Call:
        """The case card the worker posted in the agents' group."""
        (card,) = self.fake.wait_for(
            "sendMessage",
            timeout=timeout,
            predicate=lambda c: (
                to_chat(self.agents_chat_id)(c) and number in c.params["text"] and "reply_markup" in c.params
            ),
        )[:1]
        return card

    def agent_press(self, agent_id: int, card: Call, title: str, name: str = "Laura") -> Call:
        """An agent presses `title` on `card`; the bot's answer to the callback query."""
        keyboard = card.params["reply_markup"]["inline_keyboard"]
        data = next(key["callback_data"] for row in keyboard for key in row if key["text"] == title)
        update = tg.agents_callback(agent_id, data, card.response["result"], name)
        query_id = update["callback_query"]["id"]
        assert self.post(update) == 200
        (answer,) = self.fake.wait_for(
            "answerCallbackQuery", predicate=lambda c: c.params["callback_query_id"] == query_id
        )
        return answer

    def agent_says(self, agent_id: int, text: str, thread_id: int | None = None, reply_to: Call | None = None,
                   name: str = "Laura") -> None:  # fmt: skip
        replied = reply_to.response["result"] if reply_to is not None else None
        assert (
            self.post(tg.agents_message(self.agents_chat_id, agent_id, text, thread_id, replied, name)) == 200
        )

    def agents_posts(self, predicate=lambda call: True) -> list[Call]:
        return [
            c
            for c in self.fake.calls("sendMessage")
            if c.ok and to_chat(self.agents_chat_id)(c) and predicate(c)
        ]

    def wait_agents_post(self, fragment: str, thread_id: int | None = None, timeout: float = 60) -> Call:
        """The first post in the agents' group (in forum topic `thread_id`) containing `fragment`."""

        def matches(call: Call) -> bool:
            in_thread = thread_id is None or call.params.get("message_thread_id") == thread_id
            return to_chat(self.agents_chat_id)(call) and in_thread and fragment in call.params["text"]

        return self.fake.wait_for("sendMessage", timeout=timeout, predicate=matches)[0]


def to_chat(chat_id: int):
    return lambda call: str(call.params.get("chat_id")) == str(chat_id)


def texts(calls: list[Call]) -> str:
    return "\n".join(call.params["text"] for call in calls)


def assistant_settings(
    fake: FakeBotApi,
    database_url: str,
    webhook_url: str | None,
    lock_store_url: str | None = None,
    agents_chat_id: int | None = None,
) -> Settings:
    """Settings for servers whose Telegram channel talks to `fake`, on free loopback ports."""
    return dataclasses.replace(
        get_settings(),
        database_url=database_url,
        lock_store_url=lock_store_url,
        rasa_port=free_port(),
        action_port=free_port(),
        console_port=free_port(),
        worker_port=free_port(),
        telegram_token=TOKEN,
        telegram_webhook_url=webhook_url,
        telegram_webhook_secret=SECRET,
        telegram_api_base_url=fake.base_url,
        telegram_agents_chat_id=str(agents_chat_id) if agents_chat_id is not None else None,
        business_hours_path=ALWAYS_OPEN,  # the real clock must not decide what a test sees
    )


@contextmanager
def short_inbox_leases(seconds: float) -> Iterator[None]:
    """Servers started meanwhile take over a dead server's updates after `seconds`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INBOX_LEASE_SECONDS", str(seconds))
        yield


@contextmanager
def telegram_assistant(
    store: Path,
    fake: FakeBotApi,
    webhook_url: str | None,
    log_prefix: str,
    agents_chat_id: int | None = None,
    worker: bool = False,
    database_url: str | None = None,
    rest_channel_token: str | None = None,
    messages_per_second: float | None = None,
) -> Iterator[TelegramAssistant]:
    """The Rasa and action servers (and, with `worker`, `python -m bot worker`) on `store`, or on
    `database_url` when given; the bot sending at most `messages_per_second` (default Telegram's)."""
    database_url = database_url or f"sqlite:///{store / 'atencion.db'}"
    migrate(database_url)
    settings = dataclasses.replace(
        assistant_settings(fake, database_url, webhook_url, agents_chat_id=agents_chat_id),
        rest_channel_token=rest_channel_token,
    )
    if messages_per_second is not None:
        settings = dataclasses.replace(settings, telegram_messages_per_second=messages_per_second)
    log = PROJECT_ROOT / "var" / "log" / f"{log_prefix}rasa.log"
    log_start = log.stat().st_size if log.exists() else 0
    registration = "setWebhook" if webhook_url else "deleteWebhook"
    registered_before = len([call for call in fake.calls(registration) if call.ok])
    with running_services(settings, log_prefix=log_prefix) as supervisor:
        if worker:
            supervisor.start(f"{log_prefix}worker", worker_command(), service_environment(settings))
        fake.wait_for(registration, registered_before + 1, timeout=60)
        base = f"http://127.0.0.1:{settings.rasa_port}/webhooks"
        yield TelegramAssistant(
            f"{base}/telegram/webhook",
            f"{base}/rest/webhook",
            database_url,
            fake,
            log,
            log_start,
            agents_chat_id,
        )
