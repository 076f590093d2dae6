"""Agent assist in the case's thread (bot/assist/): when an agent takes a case, and whenever its
customer writes there, up to three suggested answers, each with «Enviar» (sent to the customer as
the agent's own message: same relay, same prefix, same events) and «Editar» (its text posted to copy,
change and send). Only the case's owner may use them; they expire when it changes hands."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session
from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup

from bot.assist import events
from bot.assist.faq import faq_suggestions
from bot.assist.kinds import SENT
from bot.assist.similar_cases import rated_resolutions, similar_suggestions
from bot.assist.suggestions import FAQ, Suggestion, chosen
from bot.cases import RELAYED_CHANNELS, load_case
from bot.desk.conversations import Conversations
from bot.desk.messenger import HandoffMessenger
from bot.desk.relay import send_as_agent
from bot.desk.texts import for_agents
from bot.handoff.rules import record_agent_message
from bot.labels import label
from bot.nlu.sentence_encoder import encode
from bot.store.models import Agent, Case, Message, utcnow

logger = logging.getLogger(__name__)

SEND = "enviar"
EDIT = "editar"
LATEST_MESSAGES = 3  # of the customer's, read for the suggestions
CACHED_VECTORS = 5000
DROPPED_SECONDS = 60.0  # which suggestions agents keep ignoring, read again at most this often


@dataclass
class AgentAssist:
    messenger: HandoffMessenger
    conversations: Conversations
    _vectors: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict)
    _dropped: tuple[float, set[tuple[str, str]]] = field(default_factory=lambda: (float("-inf"), set()))

    async def suggest(self, case: Case, agent: Agent | None = None) -> None:
        """Post this case's suggestions to its thread, for the agent who has it now."""
        agent = agent or case.assigned_agent
        if agent is None or case.channel not in RELAYED_CHANNELS or not case.is_open:
            return
        said = list(dict.fromkeys([case.description, *await self.messenger.store(latest_said, case.id)]))
        said = [text for text in said if text and text.strip()]
        parses = [parsed for text in said if (parsed := await self.conversations.parse(text))]
        solved = await self.messenger.store(rated_resolutions, case.type, case.customer_id)
        left_out = await self.dropped() | await self.messenger.store(events.pending, case.id)
        candidates = faq_suggestions(parses, self.conversations.responses())
        candidates += similar_suggestions(" ".join(said), solved, self.encoded)
        for suggestion in chosen(candidates, left_out):
            await self.show(case, agent, suggestion)

    async def dropped(self) -> set[tuple[str, str]]:
        read_at, dropped = self._dropped
        if time.monotonic() - read_at > DROPPED_SECONDS:
            dropped = await self.messenger.store(events.dropped)
            self._dropped = (time.monotonic(), dropped)
        return dropped

    async def show(self, case: Case, agent: Agent, suggestion: Suggestion) -> None:
        shown_id = await self.messenger.store(
            lambda session: events.record_shown(
                session, load_case(session, case.number), agent, suggestion, utcnow()
            )
        )
        text = for_agents("suggestion", origen=origin(suggestion), texto=suggestion.text)
        await self.messenger.tell_agents(case, text, reply_markup=buttons(shown_id))

    async def press(self, query: CallbackQuery, agent: Agent, action: str, shown: str) -> None:
        if not shown.isdigit():
            await self.messenger.answer(query, for_agents("suggestion_expired"), alert=True)
            return
        found = await self.messenger.store(events.usable, int(shown), agent)
        if found.refusal is not None:
            await self.messenger.answer(query, for_agents(found.refusal), alert=True)
        elif action == SEND:
            await self.send(query, found.case, agent, int(shown), found.text)
        else:
            await self.messenger.answer(query, None)
            await self.messenger.tell_agents(found.case, for_agents("suggestion_to_edit", texto=found.text))

    async def send(self, query: CallbackQuery, case: Case, agent: Agent, shown_id: int, text: str) -> None:
        if not await send_as_agent(self.messenger, case, agent, text):
            await self.messenger.answer(query, for_agents("not_delivered", error=""), alert=True)
            return
        post = (query.message.chat_id, query.message.message_id) if query.message else None
        now = utcnow()

        def record(session: Session) -> None:
            fresh = load_case(session, case.number)
            record_agent_message(session, fresh, agent, text, post, now)
            events.record_use(session, fresh, agent, shown_id, SENT, now)

        await self.messenger.store(record)
        await self.messenger.answer(query, for_agents("suggestion_sent"))

    async def agent_wrote(self, case: Case, agent: Agent, text: str) -> None:
        await self.messenger.change(case, events.agent_wrote, agent, text, utcnow())

    def encoded(self, texts: list[str]) -> np.ndarray:
        """The sentence encoder's vectors, each text encoded once (the closed cases recur)."""
        missing = [text for text in dict.fromkeys(texts) if text not in self._vectors]
        if missing:
            for text, vector in zip(missing, encode(missing), strict=True):
                self._vectors[text] = vector
        while len(self._vectors) > CACHED_VECTORS:
            self._vectors.popitem(last=False)
        return np.stack([self._vectors[text] for text in texts])


def latest_said(session: Session, case_id: int) -> list[str]:
    query = (
        select(Message.text)
        .where(Message.case_id == case_id, Message.sender == "customer")
        .order_by(Message.id.desc())
        .limit(LATEST_MESSAGES)
    )
    return list(reversed(session.execute(query).scalars().all()))


def origin(suggestion: Suggestion) -> str:
    if suggestion.source == FAQ:
        topic = suggestion.key.partition("/")[2]
        return label("handoff", "suggestion_faq").format(tema=label("duda_topic", topic) if topic else "")
    return label("handoff", "suggestion_case")


def buttons(shown_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label("handoff", "suggestion_send"), callback_data=f"{SEND}:{shown_id}"),
                InlineKeyboardButton(label("handoff", "suggestion_edit"), callback_data=f"{EDIT}:{shown_id}"),
            ]
        ]
    )
