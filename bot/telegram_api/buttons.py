"""What a pressed inline button gets back: an answer to its query (always), and the pressed
message showing the choice without its keyboard."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, Message
from telegram.constants import MessageLimit
from telegram.error import TelegramError

from bot.telegram_api.bot_thread import BotThread

logger = logging.getLogger(__name__)


async def answer_query(telegram: BotThread, query: CallbackQuery, text: str | None) -> None:
    """Telegram shows a spinner on the button until the query is answered; `text` is a pop-up."""
    try:
        await telegram.call(lambda bot: bot.answer_callback_query(query.id, text=text))
    except TelegramError as error:
        logger.warning("could not answer callback query %s: %s", query.id, error)


def show_choice(telegram: BotThread, message: Message, title: str) -> None:
    """The pressed message shows the choice and loses its keyboard (queued before any reply)."""
    chat_id, message_id = message.chat_id, message.message_id
    text = f"{message.text or ''}\n\n» {title}".strip()

    async def edit() -> None:
        bot = telegram.bot
        try:
            if message.text and len(text) <= MessageLimit.MAX_TEXT_LENGTH:
                await bot.edit_message_text(text, chat_id, message_id, reply_markup=None)
            else:
                await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
        except TelegramError as error:
            logger.warning("could not edit the pressed message in chat %s: %s", chat_id, error)

    telegram.post(chat_id, edit)
