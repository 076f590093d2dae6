"""The Telegram input channel: webhook at /webhooks/telegram/webhook, or long polling.

The webhook checks the secret header, stores the update in the inbox (bot/store/inbox.py), hands it
to its chat's queue and answers 200: a slow turn never makes Telegram resend, and an update
accepted by a server that dies is processed by another one. Each update id is processed once.
When the store cannot take the update, the customer hears it will be answered later, and
Telegram gets a 503 so that it delivers the update again.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from telegram import Update
from telegram.error import TelegramError

from bot import health, metrics
from bot.config import get_settings
from bot.desk.assist import AgentAssist
from bot.desk.commands import AgentsDesk
from bot.desk.conversations import Conversations
from bot.desk.messenger import HandoffMessenger
from bot.desk.relay import Relay
from bot.desk.survey_buttons import SurveyDesk
from bot.ops.model_reload import ModelFollower, follow_published_models
from bot.store.callback_payloads import callback_data_for
from bot.store.db import get_session_factory
from bot.store.inbox import TakenOver
from bot.store.models import InboxState
from bot.telegram.processing import REPEAT_APOLOGY, WAIT_APOLOGY, UpdateProcessor
from bot.telegram.store_work import STORE_DOWN, StoreWork
from bot.telegram.validation import MAX_UPDATE_BYTES, is_id, malformed, not_an_update
from bot.telegram_api.bot_thread import BotThread
from bot.telegram_api.client import build_bot
from bot.telegram_api.config import SECRET_HEADER, TelegramConfig, secret_matches
from bot.telegram_api.delivery import deliver
from bot.telegram_api.incoming import ALLOWED_UPDATES, Context, chat_key, interpret
from bot.telegram_api.ordering import ChatQueues
from bot.telegram_api.polling import poll_updates
from bot.text import bidi_safe
from bot.training.model_scores import held_out_scores
from bot.training.train import MODEL_PATH

logger = logging.getLogger(__name__)

DRAIN_SECONDS_AT_STOP = 10
APOLOGIES_REMEMBERED = 4096


def agents_desk(
    telegram: BotThread, store_work: StoreWork, agents_chat_id: int | None, conversations: Conversations
) -> AgentsDesk:
    messenger = HandoffMessenger(telegram, store_work.transaction, agents_chat_id)
    assist = AgentAssist(messenger, conversations)
    relay = Relay(messenger, conversations, assist)
    surveys = SurveyDesk(messenger, conversations, partial(callback_data_for, store_work.session_factory))
    return AgentsDesk(messenger, conversations, relay, surveys, assist=assist)


def domain_responses(app: Sanic) -> dict[str, list[dict[str, Any]]]:
    agent = getattr(app.ctx, "agent", None)  # read each time: a new model replaces the agent
    return agent.domain.responses if agent is not None and agent.domain is not None else {}


def model_missing(app: Sanic) -> str | None:
    agent = getattr(app.ctx, "agent", None)
    return None if agent is not None and agent.is_ready() else "no model loaded"


async def requested_slot(app: Sanic, sender_id: str) -> str | None:
    """The slot the active form is asking for in this conversation, if any."""
    agent = getattr(app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        return None
    tracker = await agent.tracker_store.retrieve(sender_id)
    if tracker is None or not tracker.active_loop_name:
        return None
    return tracker.get_slot("requested_slot")


def json_error(status: int, description: str) -> HTTPResponse:
    return response.json({"ok": False, "description": description}, status=status)


class TelegramInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TelegramInput:
        return cls(TelegramConfig.from_credentials(credentials))

    def __init__(self, config: TelegramConfig, session_factory: sessionmaker | None = None) -> None:
        self.config = config
        self.session_factory = session_factory
        self.telegram: BotThread | None = None
        self.processor: UpdateProcessor | None = None
        self.queues = ChatQueues()
        self.polling: concurrent.futures.Future | None = None
        self.polled_in_order = asyncio.Lock()
        self.apologized: OrderedDict[int, None] = OrderedDict()  # updates refused while the store was down
        self.model_follower: ModelFollower | None = None

    @property
    def mode(self) -> str:
        if self.processor is None:
            return "off"
        return "polling" if self.polling is not None else "webhook"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = Blueprint("telegram_webhook", __name__)
        on_new_message = metrics.timed_turns(on_new_message, "telegram")

        @telegram_webhook.route("/", methods=["GET"])
        async def status(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok", "mode": self.mode})

        @telegram_webhook.route("/health", methods=["GET"])
        async def alive(_request: Request) -> HTTPResponse:
            return health.alive()

        @telegram_webhook.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            store = health.database_check(lambda: self.session_factory or get_session_factory())
            checks = {"model": lambda: model_missing(request.app), "database": store, "telegram": self.off}
            return await health.ready(checks)

        @telegram_webhook.route("/metrics", methods=["GET"])
        async def exposition(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)  # read each time: a reload replaces it
            metrics.model_in_use(agent, held_out_scores(getattr(agent, "model_id", None), MODEL_PATH))
            return await metrics.exposition()

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            answer = await self.receive(request)
            metrics.WEBHOOK_ANSWERS.labels(str(answer.status)).inc()
            return answer

        @telegram_webhook.listener("after_server_start")
        async def start(app: Sanic, _loop: Any) -> None:
            # Every process of a Rasa server runs its channels' listeners: the one place of ours in each.
            self.model_follower = follow_published_models(app, get_settings().lock_store_url)
            await self.start(app, on_new_message)

        @telegram_webhook.listener("before_server_stop")
        async def stop(_app: Sanic, _loop: Any) -> None:
            if self.model_follower is not None:
                self.model_follower.stop()
            await self.stop()

        return telegram_webhook

    def off(self) -> str | None:
        """Why the channel cannot take Telegram's updates although a token is configured."""
        if self.config.enabled and self.processor is None:
            return "Telegram refused the bot or is unreachable"
        return None  # on, or off by choice: without TELEGRAM_TOKEN the REST channel still works

    async def receive(self, request: Request) -> HTTPResponse:
        if self.processor is None or self.telegram is None:
            return json_error(503, "the Telegram channel is off (no TELEGRAM_TOKEN, or Telegram refused it)")
        if not secret_matches(request.headers.get(SECRET_HEADER), self.config.secret):
            return json_error(403, "wrong or missing secret token")
        if len(request.body or b"") > MAX_UPDATE_BYTES:
            return json_error(413, f"larger than any Telegram update ({MAX_UPDATE_BYTES} bytes at most)")
        try:
            body = json.loads(request.body or b"")
        except (ValueError, UnicodeDecodeError, RecursionError):
            return json_error(400, "the body is not JSON")
        if reason := not_an_update(body):
            return json_error(400, reason)
        try:
            if reason := malformed(body):  # also bounds the nesting bidi_safe walks
                raise ValueError(reason)
            body = bidi_safe(body)
            update = Update.de_json(body, self.telegram.bot)
        except Exception as error:  # a malformed update will not improve if Telegram resends it
            logger.warning("update %s could not be read and was dropped: %r", body.get("update_id"), error)
            return response.json({"ok": True})
        try:
            await self.accept(update, json.dumps(body))
        except STORE_DOWN as error:
            logger.error(
                "update %s could not be stored; Telegram will deliver it again: %s", update.update_id, error
            )
            await self.apologize_once(update, WAIT_APOLOGY)
            return json_error(503, "the store is unavailable; deliver the update again later")
        except SQLAlchemyError:  # the store refused a value: a resend would be refused again
            logger.exception("update %s was refused by the store and dropped", update.update_id)
        return response.json({"ok": True})

    async def accept(self, update: Update, body: str) -> None:
        """Into the inbox, then into the chat's queue; a redelivered update is left alone."""
        processor = self.processor
        if processor is None:
            return
        key = chat_key(update)
        if await processor.inbox.accept(update.update_id, str(key) if is_id(key) else None, body):
            self.feed(update)
        else:
            logger.info("update %s was delivered again; it is already in the inbox", update.update_id)

    async def accept_polled(self, update: Update) -> bool:
        """True once the update is in the inbox (or already was): only then does getUpdates move
        past it. While the store is down the customer is told once that nothing is lost, and
        Telegram keeps the update until it is fetched again."""
        update = Update.de_json(bidi_safe(update.to_dict()), update.get_bot())
        async with self.polled_in_order:
            try:
                await self.accept(update, update.to_json())
            except SQLAlchemyError as error:
                logger.warning(
                    "update %s could not be stored yet (%s); it will be fetched again",
                    update.update_id,
                    error,
                )
                await self.apologize_once(update, WAIT_APOLOGY)
                return False
        return True

    async def apologize_once(self, update: Update, response: str) -> None:
        if self.processor is None or update.update_id in self.apologized:
            return
        self.apologized[update.update_id] = None
        while len(self.apologized) > APOLOGIES_REMEMBERED:
            self.apologized.popitem(last=False)
        await self.processor.apologize(interpret(update, self.processor.context), response)

    async def take_over(self, taken: TakenOver) -> None:
        """An update of a server that stopped: processed if it never started, else apologized for."""
        processor = self.processor
        if processor is None or self.telegram is None:
            return
        update = Update.de_json(json.loads(taken.body), self.telegram.bot) if taken.body else None
        if update is not None and taken.state is InboxState.RECEIVED:
            self.feed(update)
            return
        if update is not None:
            await processor.apologize(interpret(update, processor.context), REPEAT_APOLOGY)
        await processor.inbox.finish(taken.update_id, InboxState.ABANDONED)

    def feed(self, update: Update) -> None:
        """Queue `update` behind the earlier ones of its chat; returns at once."""
        processor = self.processor
        if processor is None:
            return
        key = chat_key(update) or ("update", update.update_id)
        self.queues.submit(key, lambda: processor.process(update))

    async def start(self, app: Sanic, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        if not self.config.enabled:
            logger.info("TELEGRAM_TOKEN is not set: the Telegram channel is off")
            return
        telegram = BotThread(build_bot(self.config))
        try:
            await telegram.start()
        except TelegramError as error:
            logger.error("the Telegram channel is off: Telegram refused the bot (%s)", error)
            await telegram.stop(0)
            return
        self.telegram, bot = telegram, telegram.bot
        store_work = StoreWork(self.session_factory or get_session_factory())
        self.processor = processor = UpdateProcessor(
            telegram=telegram,
            context=Context(bot.id, bot.username, self.config.agents_chat_id),
            on_new_message=on_new_message,
            store_work=store_work,
            responses=lambda: domain_responses(app),
            requested_slot=lambda sender_id: requested_slot(app, sender_id),
            desk=agents_desk(telegram, store_work, self.config.agents_chat_id, Conversations(app)),
        )
        url = self.config.public_webhook_url
        if url:
            await self.register_webhook(telegram, url)
        else:
            loop = asyncio.get_running_loop()

            async def feed(update: Update) -> bool:  # from the bot's thread to the server's loop
                return await asyncio.wrap_future(
                    asyncio.run_coroutine_threadsafe(self.accept_polled(update), loop)
                )

            self.polling = telegram.submit(lambda: poll_updates(bot, feed))
        processor.inbox.keep(asyncio.get_running_loop(), self.take_over)
        logger.info("Telegram channel on as @%s (%s)", bot.username, self.mode)

    async def register_webhook(self, telegram: BotThread, url: str) -> None:
        secret = self.config.secret
        try:
            await telegram.call(
                lambda bot: deliver(
                    lambda: bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
                )
            )
        except TelegramError as error:
            logger.error("Telegram did not accept the webhook %s: %s", url, error)

    async def stop(self) -> None:
        if self.polling is not None:
            self.polling.cancel()
        if self.processor is not None:
            self.processor.inbox.stop_keeping()
        await self.queues.drain(DRAIN_SECONDS_AT_STOP)
        if self.telegram is not None:
            await self.telegram.stop(DRAIN_SECONDS_AT_STOP)
