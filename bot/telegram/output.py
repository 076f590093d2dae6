"""Rasa's responses sent to a Telegram chat: split texts, inline keyboards, photos."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from rasa.core.channels.channel import OutputChannel
from telegram import Bot
from telegram.error import Forbidden, TelegramError

from bot.telegram_api.bot_thread import BotThread
from bot.telegram_api.delivery import deliver
from bot.telegram_api.keyboards import inline_keyboard
from bot.telegram_api.splitting import split_message

logger = logging.getLogger(__name__)


class DeliveryObserver(Protocol):
    async def blocked(self, chat_id: int) -> None:
        """The customer blocked the bot: nothing more is sent to them."""

    async def failed(self, chat_id: int, error: TelegramError) -> None:
        """A message could not be delivered after every retry."""


class TelegramOutput(OutputChannel):
    """Posts one conversation's responses to the chat's outbox on the bot's thread.

    Sending is not awaited: the turn goes on while the messages leave in order. Holds
    python-telegram-bot's bot (through `BotThread`); does not extend it.
    """

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(
        self, telegram: BotThread, callback_data: Callable[[str], str], observer: DeliveryObserver
    ) -> None:
        self.telegram = telegram
        self.callback_data = callback_data
        self.observer = observer
        self.blocked_chats: set[int] = set()
        self.posted = 0  # messages handed to the bot's thread by this output

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        chat_id = int(recipient_id)
        for part in split_message(text):
            self.post(chat_id, lambda bot, p=part: bot.send_message(chat_id, p))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        *leading, last = split_message(text) or ["…"]
        for part in leading:
            await self.send_text_message(recipient_id, part)
        chat_id, markup = int(recipient_id), inline_keyboard(buttons, self.callback_data)
        self.post(chat_id, lambda bot: bot.send_message(chat_id, last, reply_markup=markup))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        chat_id = int(recipient_id)
        self.post(chat_id, lambda bot: bot.send_photo(chat_id, image))

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        chat_id = int(recipient_id)
        self.post(chat_id, lambda bot: bot.send_document(chat_id, attachment))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        logger.warning(
            "custom payloads are not sent to Telegram (chat %s): %s", recipient_id, list(json_message)
        )

    def post(self, chat_id: int, make: Callable[[Bot], Awaitable[Any]]) -> None:
        self.posted += 1
        self.telegram.post(chat_id, lambda: self.send_now(chat_id, make))

    async def send_now(self, chat_id: int, make: Callable[[Bot], Awaitable[Any]]) -> None:
        """On the bot's loop: send with retries; a blocked chat is written to no more."""
        if chat_id in self.blocked_chats:
            return
        try:
            await deliver(lambda: make(self.telegram.bot))
        except Forbidden:
            self.blocked_chats.add(chat_id)
            await self.observer.blocked(chat_id)
        except TelegramError as error:
            await self.observer.failed(chat_id, error)
