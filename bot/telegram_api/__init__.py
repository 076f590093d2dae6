"""Telegram without Rasa: the Bot API client, delivery within Telegram's limits, reading updates,
keyboards and buttons."""
