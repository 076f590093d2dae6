"""The Rasa side of a handoff: pausing and resuming a customer's conversation, and keeping
what they say to the agent in their tracker.

While an agent has the case the channel does not run turns: Rasa would start a new session
after `session_expiration_time`, and a new session is no longer paused. Instead the message is
parsed (NLU only) and appended to the paused tracker, as Rasa's own `POST
/conversations/<id>/tracker/events` does: under the conversation's lock, so it never
interleaves with a turn.
"""

from __future__ import annotations

import copy
import logging
from collections import OrderedDict
from typing import Any

from rasa.core.agent import Agent
from rasa.server import update_conversation_with_events
from rasa.shared.core.events import ConversationPaused, ConversationResumed, Event, UserUttered
from sanic import Sanic

from bot.telegram_api.config import CHANNEL

logger = logging.getLogger(__name__)


PARSES_KEPT = 256  # the NLU's readings of recent texts: a relayed message is read for the tracker
# and again for the agent's suggestions (bot/desk/assist.py), by the same model


class Conversations:
    def __init__(self, app: Sanic) -> None:
        self.app = app
        self._parsed: OrderedDict[tuple[str | None, str], dict[str, Any]] = OrderedDict()

    @property
    def agent(self) -> Agent | None:
        return getattr(self.app.ctx, "agent", None)  # read each time: a new model replaces it

    async def pause(self, sender_id: str) -> None:
        await self.append(sender_id, [ConversationPaused()])

    async def resume(self, sender_id: str) -> None:
        await self.append(sender_id, [ConversationResumed()])

    async def log_user_message(
        self, sender_id: str, text: str, message_id: str, metadata: dict[str, Any]
    ) -> str | None:
        """Understand `text` and keep it in the tracker without answering; its intent."""
        parsed = await self.parse(text)
        if parsed is None:
            return None
        uttered = UserUttered(
            text,
            parsed.get("intent"),
            parsed.get("entities"),
            parsed,
            input_channel=CHANNEL,
            message_id=message_id,
            metadata=metadata,
        )
        await self.append(sender_id, [uttered])
        return (parsed.get("intent") or {}).get("name")

    async def intent_of(self, text: str) -> tuple[str | None, float]:
        """What the NLU makes of `text` (nothing is stored): intent name and confidence."""
        parsed = await self.parse(text)
        intent = (parsed or {}).get("intent") or {}
        return intent.get("name"), float(intent.get("confidence") or 0.0)

    async def parse(self, text: str) -> dict[str, Any] | None:
        """The NLU's whole reading of `text` (intent, entities, the FAQ's ranking); nothing is stored.
        A text read lately by the same model is not read again."""
        agent = self.agent
        if agent is None or not agent.is_ready():
            return None
        key = (agent.model_id, text)
        if key not in self._parsed:
            self._parsed[key] = await agent.parse_message(text)
            while len(self._parsed) > PARSES_KEPT:
                self._parsed.popitem(last=False)
        self._parsed.move_to_end(key)
        return copy.deepcopy(self._parsed[key])

    def responses(self) -> dict[str, list[dict[str, Any]]]:
        """The domain's responses of the model in use."""
        agent = self.agent
        return agent.domain.responses if agent is not None and agent.domain is not None else {}

    async def append(self, sender_id: str, events: list[Event]) -> None:
        agent = self.agent
        if agent is None or agent.processor is None or agent.tracker_store is None:
            logger.warning("no model loaded: conversation %s not updated (%s)", sender_id, events)
            return
        async with agent.lock_store.lock(sender_id):
            tracker = await update_conversation_with_events(sender_id, agent.processor, agent.domain, events)
            await agent.tracker_store.save(tracker)
