"""Our Telegram channel for Rasa, on python-telegram-bot (credentials.yml: `bot.telegram.TelegramInput`)."""

from bot.telegram.input import TelegramInput
from bot.telegram.output import TelegramOutput

__all__ = ["TelegramInput", "TelegramOutput"]
