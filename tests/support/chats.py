"""Telegram chat ids for tests that share one running assistant: each test its own customer."""

from __future__ import annotations

import itertools

_chat_ids = itertools.count(600001)


def new_chat() -> int:
    return next(_chat_ids)
