"""Rasa buttons as Telegram inline keyboards, and the choice a pressed button stands for."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

SHORT_TITLE = 18  # titles up to this length go two to a row
TINY_TITLE, TINY_PER_ROW = 2, 5  # ratings: 1 | 2 | 3 | 4 | 5


def inline_keyboard(
    buttons: Sequence[dict[str, Any]], callback_data: Callable[[str], str]
) -> InlineKeyboardMarkup:
    """One key per Rasa button: a link for `url` buttons, else the payload as callback data
    (`callback_data` turns a payload into data of at most 64 bytes)."""
    return InlineKeyboardMarkup(rows_of([keyboard_button(button, callback_data) for button in buttons]))


def keyboard_button(button: dict[str, Any], callback_data: Callable[[str], str]) -> InlineKeyboardButton:
    title = str(button.get("title") or button.get("payload") or "")
    if button.get("type") == "web_url" or button.get("url"):
        return InlineKeyboardButton(title, url=button.get("url") or button.get("payload"))
    return InlineKeyboardButton(title, callback_data=callback_data(str(button.get("payload") or title)))


def rows_of(keys: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    """Pairs of short keys share a row (Sí | No), up to five tiny ones (1 | 2 | 3 | 4 | 5);
    a long title gets a row of its own."""
    rows: list[list[InlineKeyboardButton]] = []
    for key in keys:
        if rows and fits(rows[-1], key):
            rows[-1].append(key)
        else:
            rows.append([key])
    return rows


def fits(row: list[InlineKeyboardButton], key: InlineKeyboardButton) -> bool:
    titles = [len(k.text) for k in [*row, key]]
    if len(row) == 1:
        return max(titles) <= SHORT_TITLE
    return len(row) < TINY_PER_ROW and max(titles) <= TINY_TITLE


def pressed_title(markup: InlineKeyboardMarkup | None, callback_data: str) -> str | None:
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for key in row:
            if key.callback_data == callback_data:
                return key.text
    return None
