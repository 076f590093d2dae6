"""Webhook bodies Telegram could not have sent are told apart before anything is stored (the bugs
the fuzzing of tests/test_webhook_fuzz.py found, one case each)."""

from __future__ import annotations

import copy

import pytest

from bot.telegram.validation import malformed, not_an_update
from tests.support import telegram_updates as tg

MESSAGE = tg.text_update(4242, "hola")
PRESSED = tg.callback_update(4242, "/duda", tg.bot_message(4242, "¿Qué necesitas?", [], 7))


def changed(path: str, value) -> dict:
    """MESSAGE with the field at the dotted `path` set to `value` (`None`: removed)."""
    update = copy.deepcopy(MESSAGE)
    *parents, last = path.split(".")
    target = update
    for key in parents:
        target = target[key]
    if value is None:
        del target[last]
    else:
        target[last] = value
    return update


def test_a_real_update_is_well_formed():
    assert not_an_update(MESSAGE) is None and malformed(MESSAGE) is None
    assert (
        malformed(tg.callback_update(4242, "/duda", tg.bot_message(4242, "¿Qué necesitas?", [], 7))) is None
    )


@pytest.mark.parametrize(
    "body",
    [[], "texto", {"update_id": True}, {"update_id": "1"}, {"update_id": -1}, {"update_id": 2**64}, {}],
)
def test_what_is_not_an_update_at_all(body):
    assert not_an_update(body) is not None


@pytest.mark.parametrize(
    "path, value",
    [
        ("message.from.id", 2**63),  # beyond the store's BIGINT
        ("message.from.first_name", "\ud800"),  # a lone surrogate
        ("message.from.username", ["x"]),
        ("message.from.first_name", None),
        ("message.chat", None),  # a required field missing
        ("message.chat.type", ["private"]),
        ("message.chat.id", True),
        ("message.text", 5),
        ("message.text", "a" * 4097),  # longer than Telegram allows
        ("message.message_id", [1]),
        ("message.reply_to_message", {"message_id": 1, "chat": "x"}),
    ],
)
def test_what_telegram_would_never_send_is_malformed(path, value):
    assert malformed(changed(path, value)) is not None


def test_deep_nesting_and_bad_callback_data_are_malformed():
    nested: dict = {"x": 1}
    for _ in range(100):
        nested = {"x": nested}
    assert malformed({**MESSAGE, "unknown_kind": nested}) == "nested too deep"
    pressed = copy.deepcopy(PRESSED)
    pressed["callback_query"]["data"] = 5
    assert malformed(pressed) == "callback_query: data"


def test_a_text_of_exactly_telegrams_limit_is_accepted():
    assert malformed(changed("message.text", "a" * 4096)) is None
