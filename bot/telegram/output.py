"""Rasa's responses sent to a Telegram chat: split texts, inline keyboards, photos."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from rasa.core.channels.channel import OutputChannel
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError

from bot.telegram.delivery import deliver
from bot.telegram.keyboards import inline_keyboard
from bot.telegram.splitting import split_message

logger = logging.getLogger(__name__)

T = TypeVar("T")


class DeliveryObserver(Protocol):
    async def blocked(self, chat_id: int) -> None:
        """The customer blocked the bot: nothing more is sent to them."""

    async def failed(self, chat_id: int, error: TelegramError) -> None:
        """A message could not be delivered after every retry."""


class TelegramOutput(OutputChannel):
    """Sends one conversation's responses; holds python-telegram-bot's `Bot`, does not extend it."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, bot: Bot, callback_data: Callable[[str], str], observer: DeliveryObserver) -> None:
        self.bot = bot
        self.callback_data = callback_data
        self.observer = observer
        self.blocked_chats: set[int] = set()

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_message(text):
            await self._send(int(recipient_id), lambda p=part: self.bot.send_message(int(recipient_id), p))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        *leading, last = split_message(text) or ["…"]
        for part in leading:
            await self.send_text_message(recipient_id, part)
        markup = inline_keyboard(buttons, self.callback_data)
        await self._send_with_keyboard(int(recipient_id), last, markup)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(int(recipient_id), lambda: self.bot.send_photo(int(recipient_id), image))

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await self._send(int(recipient_id), lambda: self.bot.send_document(int(recipient_id), attachment))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        logger.warning(
            "custom payloads are not sent to Telegram (chat %s): %s", recipient_id, list(json_message)
        )

    async def _send_with_keyboard(self, chat_id: int, text: str, markup: InlineKeyboardMarkup) -> None:
        await self._send(chat_id, lambda: self.bot.send_message(chat_id, text, reply_markup=markup))

    async def _send(self, chat_id: int, call: Callable[[], Awaitable[T]]) -> T | None:
        if chat_id in self.blocked_chats:
            return None
        try:
            return await deliver(call)
        except Forbidden:
            self.blocked_chats.add(chat_id)
            await self.observer.blocked(chat_id)
        except TelegramError as error:
            await self.observer.failed(chat_id, error)
        return None
