"""The relay: while an agent has a customer's case, what the customer sends goes to the case's
thread in the agents' group (and into their paused Rasa conversation), and what the agent writes
there goes to the customer under the agent's first name."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from telegram import Message
from telegram.error import Forbidden, TelegramError

from bot.attachments import attach_file
from bot.cases import RELAYED_CHANNELS, customer_left, resume_handoff
from bot.customers import save_phone
from bot.desk.conversations import Conversations
from bot.desk.messenger import HandoffMessenger
from bot.desk.texts import for_agents, for_customer, media_label, status_label
from bot.handoff.agents import active_agent
from bot.handoff.rules import (
    case_in_thread,
    first_name,
    record_agent_message,
    record_customer_message,
)
from bot.store.models import Agent, Case, Handoff, utcnow
from bot.telegram_api.agents_incoming import replied_to, thread_of
from bot.telegram_api.config import CHANNEL
from bot.telegram_api.delivery import deliver
from bot.telegram_api.incoming import Attach, PressButton, Reply, ShareContact, ToAssistant
from bot.telegram_api.splitting import split_message
from bot.timeline import CUSTOMER_ACTOR, agent_actor

logger = logging.getLogger(__name__)

GOODBYE_INTENT = "despedida"
# The media replies of `incoming.reply_for_media`: in a handoff the agent gets the thing itself.
RELAYED_MEDIA = {
    "utter_telegram_audio",
    "utter_telegram_sticker",
    "utter_telegram_ubicacion",
    "utter_telegram_encuesta",
    "utter_telegram_no_soportado",
}


class Suggester(Protocol):
    """Agent assist (bot/desk/assist.py), told what happens in a relayed conversation."""

    async def suggest(self, case: Case) -> None: ...

    async def agent_wrote(self, case: Case, agent: Agent, text: str) -> None: ...


@dataclass
class Relay:
    messenger: HandoffMessenger
    conversations: Conversations
    assist: Suggester | None = None

    async def from_agent(self, message: Message) -> None:
        """An agent's message in a case's thread goes to the customer, with the agent's name."""
        case = await self.messenger.store(
            case_in_thread, message.chat_id, thread_of(message), replied_to(message)
        )
        if case is None:  # the group's own conversation
            logger.debug("agents' group message %s is about no case", message.message_id)
            return
        agent = await self.messenger.store(active_agent, message.from_user.id)
        refusal = relay_refusal(case, agent)
        if refusal is not None:
            await self.messenger.reply(message, refusal)
            return
        if case.handoff is None:  # the owner writes again after /devolver: the bot steps aside
            await self.messenger.change(case, resume_handoff, agent_actor(agent))
            await self.conversations.pause(case.customer.chat_id)
        try:
            await self.deliver_to_customer(case, agent, message)
        except Forbidden:
            await self.messenger.customer_blocked(case)
            return
        except TelegramError as error:
            logger.error("agent message for case %s not delivered: %s", case.number, error)
            await self.messenger.reply(message, for_agents("not_delivered", error=str(error)))
            return
        text = message.text or media_label(message)
        await self.messenger.change(
            case, record_agent_message, agent, text, (message.chat_id, message.message_id), utcnow()
        )
        if self.assist is not None and message.text:
            await self.assist.agent_wrote(case, agent, message.text)

    async def deliver_to_customer(self, case: Case, agent: Agent, message: Message) -> None:
        chat_id, name = case.customer.chat_id, first_name(agent)
        if message.text:
            await deliver_text(self.messenger, case, agent, message.text)
            return
        caption = f"{name}: {message.caption}" if message.caption else None
        await self.messenger.telegram.call(
            lambda bot: deliver(
                lambda: bot.copy_message(chat_id, message.chat_id, message.message_id, caption=caption)
            )
        )

    async def from_customer(
        self, incoming: Any, message: Message | None, update_id: int, case: Case | None
    ) -> bool:
        """While an agent has the customer's case (`case`, read when the update started), what they
        send goes to the case's thread and the bot stays silent; False when no agent has it (the
        bot answers as usual)."""
        if case is None or not isinstance(incoming, (ToAssistant, Attach, ShareContact, Reply, PressButton)):
            return False
        if isinstance(incoming, Reply) and incoming.response not in RELAYED_MEDIA:
            return False  # /ayuda, edits, unknown commands: answered as usual
        owner = first_name(case.assigned_agent)
        if isinstance(incoming, PressButton):
            await self.messenger.answer(
                incoming.query, for_customer("with_agent", agente=owner, numero=case.number)
            )
        elif isinstance(incoming, ToAssistant) and (message is None or incoming.text.startswith("/")):
            await self.messenger.tell_customer(case, "with_agent", agente=owner)
        else:
            await self.pass_on(case, incoming, message, update_id)
        return True

    async def pass_on(self, case: Case, incoming: Any, message: Message, update_id: int) -> None:
        chat = str(incoming.chat_id)
        if case.handoff == Handoff.CUSTOMER_LEFT.value:
            await self.messenger.change(case, resume_handoff, CUSTOMER_ACTOR)
            await self.messenger.tell_agents(case, for_agents("customer_back"))
        if isinstance(incoming, Attach):
            await self.messenger.store(attach_file, chat, CHANNEL, incoming.file)
        elif isinstance(incoming, ShareContact):
            await self.messenger.store(save_phone, chat, CHANNEL, incoming.phone)
        name = case.customer.name or chat
        if isinstance(incoming, ToAssistant):
            text = incoming.text
            post = await self.messenger.tell_agents(
                case, for_agents("customer_says", cliente=name, texto=text)
            )
        else:
            text = media_label(message)
            await self.messenger.tell_agents(case, for_agents("customer_sent", cliente=name))
            post = await self.messenger.copy_to_agents(case, message)
        await self.messenger.change(case, record_customer_message, text, post)
        metadata = {"telegram": {"message_id": message.message_id, "handoff": case.number}}
        intent = await self.conversations.log_user_message(chat, text, f"tg-{update_id}", metadata)
        if intent == GOODBYE_INTENT:
            await self.messenger.change(case, customer_left)
            await self.messenger.tell_customer(case, "goodbye", agente=first_name(case.assigned_agent))
            await self.messenger.tell_agents(case, for_agents("customer_left"))
        elif self.assist is not None and isinstance(incoming, ToAssistant):
            await self.assist.suggest(case)


async def deliver_text(messenger: HandoffMessenger, case: Case, agent: Agent, text: str) -> None:
    """`text` to the case's customer as the agent's («Laura: …»), in parts Telegram accepts."""
    for part in split_message(for_customer("agent_says", agente=first_name(agent), texto=text)):
        await messenger.send(case.customer.chat_id, part)


async def send_as_agent(messenger: HandoffMessenger, case: Case, agent: Agent, text: str) -> bool:
    """Like an agent's own message in the thread: delivered, or the agents told why not."""
    try:
        await deliver_text(messenger, case, agent, text)
    except Forbidden:
        await messenger.customer_blocked(case)
        return False
    except TelegramError as error:
        logger.error("suggested answer for case %s not delivered: %s", case.number, error)
        await messenger.tell_agents(case, for_agents("not_delivered", error=str(error)))
        return False
    return True


def relay_refusal(case: Case, agent: Agent | None) -> str | None:
    if agent is None:
        return for_agents("only_agents")
    if not case.is_open:
        return for_agents("not_relayed_closed", numero=case.number, estado=status_label(case))
    if case.channel not in RELAYED_CHANNELS:
        return for_agents("not_relayed_channel", numero=case.number, canal=case.channel)
    if case.assigned_agent is None:
        return for_agents("not_relayed_unassigned", numero=case.number)
    if case.assigned_agent_id != agent.id:
        return for_agents("not_relayed_other", numero=case.number, agente=case.assigned_agent.name)
    return None
