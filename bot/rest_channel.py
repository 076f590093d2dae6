"""Rasa's REST channel behind our trust boundary (credentials.yml: `bot.rest_channel.RestChannel`).

- Its conversations live in their own namespace: the sender `abc` is the conversation `rest:abc`, so a
  REST client naming a Telegram chat id reaches a new, empty conversation and never that customer's.
- The input channel is always `rest`, whatever the body says; bidi controls are removed from the text.
- Without TELEGRAM_TOKEN it is open on the bind address (the console chat, local tools, tests). With
  TELEGRAM_TOKEN it answers 404 unless REST_CHANNEL_TOKEN is set. With REST_CHANNEL_TOKEN every request
  needs `Authorization: Bearer <token>` (Rasa's console client sends it as `?token=`), else 401.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import metrics
from bot.config import get_settings
from bot.text import bidi_safe, without_bidi_controls

SENDER_PREFIX = "rest:"
MAX_SENDER_LENGTH = 120  # customers.chat_id holds 128 characters, the prefix included
MAX_BODY_BYTES = 1024 * 1024  # a customer's message is a few kilobytes; Sanic alone would take 100 MB


def rest_sender(sender: str) -> str:
    """The conversation id a REST `sender` stands for."""
    return SENDER_PREFIX + sender


@dataclass(frozen=True)
class RestAccess:
    telegram_on: bool
    token: str | None

    @property
    def open(self) -> bool:
        return not self.telegram_on or self.token is not None

    def allows(self, request: Request) -> bool:
        if self.token is None:
            return True
        return any(
            hmac.compare_digest(given.encode(), self.token.encode()) for given in offered_tokens(request)
        )


def offered_tokens(request: Request) -> list[str]:
    scheme, _, credentials = (request.headers.get("Authorization") or "").partition(" ")
    offered = [credentials.strip()] if scheme.lower() == "bearer" and credentials.strip() else []
    return offered + [token for token in request.args.getlist("token", []) if token]


def json_error(status: int, description: str) -> HTTPResponse:
    return response.json({"ok": False, "description": description}, status=status)


def body_problem(request: Request) -> str | None:
    """Why a POST body is not a REST message, or None."""
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - Sanic raises its own InvalidUsage for any parse failure
        return "the body is not JSON"
    if not isinstance(body, dict):
        return "the body must be a JSON object with `sender` and `message`"
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip():
        return "`sender` must be a non-empty string"
    if len(sender) > MAX_SENDER_LENGTH:
        return f"`sender` is longer than {MAX_SENDER_LENGTH} characters"
    if message is not None and not isinstance(message, str):
        return "`message` must be a string"
    return None


class RestChannel(RestInput):
    def __init__(self, access: RestAccess) -> None:
        self.access = access

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestChannel:
        settings = get_settings()
        token = (credentials or {}).get("token") or settings.rest_channel_token
        return cls(RestAccess(telegram_on=bool(settings.telegram_token), token=token))

    async def _extract_sender(self, req: Request) -> str:
        return rest_sender(req.json["sender"])

    def _extract_message(self, req: Request) -> str | None:
        message = req.json.get("message")
        return without_bidi_controls(message) if message is not None else None

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        return bidi_safe(request.json.get("metadata"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest_webhook = super().blueprint(metrics.timed_turns(on_new_message, "rest"))
        rest_webhook.middleware("request")(self.guard)  # the decorator form: Blueprint.middleware is lazy
        return rest_webhook

    async def guard(self, request: Request) -> HTTPResponse | None:
        if not self.access.open:
            return json_error(
                404, "the REST channel is off: TELEGRAM_TOKEN is set and REST_CHANNEL_TOKEN is not"
            )
        if not self.access.allows(request):
            return json_error(401, "missing or wrong REST channel token (Authorization: Bearer …)")
        if len(request.body or b"") > MAX_BODY_BYTES:
            return json_error(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
        if request.method == "POST" and (problem := body_problem(request)):
            return json_error(400, problem)
        return None
