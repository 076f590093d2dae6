"""Talking on both sides of a handoff: to the case's thread in the agents' group, to its customer,
and to the agent who pressed or wrote; every message about a case is remembered as the case's."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import CallbackQuery, Message
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from bot.cases import RELAYED_CHANNELS, load_case
from bot.customers import set_reachable
from bot.desk.texts import for_agents, for_customer
from bot.handoff.case_card import in_case_thread
from bot.handoff.rules import remember_post
from bot.store.models import Case
from bot.telegram_api.agents_incoming import thread_of
from bot.telegram_api.bot_thread import BotThread
from bot.telegram_api.delivery import deliver
from bot.timeline import add_event

logger = logging.getLogger(__name__)

T = TypeVar("T")
Store = Callable[..., Awaitable[Any]]  # store(work, *args): work(session, *args) in one transaction


@dataclass
class HandoffMessenger:
    telegram: BotThread
    store: Store
    agents_chat_id: int | None

    async def send(self, chat_id: int | str, text: str, **options: Any) -> Message:
        return await self.telegram.call(
            lambda bot: deliver(lambda: bot.send_message(chat_id, text, **options))
        )

    async def reply(self, message: Message, text: str) -> None:
        """Answer an agent where they wrote (same topic, as a reply)."""
        try:
            await self.send(
                message.chat_id,
                text,
                parse_mode=ParseMode.HTML,
                message_thread_id=thread_of(message),
                reply_to_message_id=message.message_id,
            )
        except TelegramError as error:
            logger.warning("could not answer agent message %s: %s", message.message_id, error)

    async def answer(self, query: CallbackQuery, text: str | None, alert: bool = False) -> None:
        try:
            await self.telegram.call(
                lambda bot: bot.answer_callback_query(query.id, text=text, show_alert=alert)
            )
        except TelegramError as error:
            logger.warning("could not answer callback query %s: %s", query.id, error)

    async def tell_agents(self, case: Case, text: str, **options: Any) -> tuple[int, int] | None:
        """Post HTML in the case's thread (`options`: sendMessage's, e.g. reply_markup); the post is
        remembered as the case's."""
        chat = self.agents_chat_id
        if chat is None:
            logger.warning("TELEGRAM_AGENTS_CHAT_ID is not set: agents not told about case %s", case.number)
            return None
        try:
            sent = await self.send(chat, text, parse_mode=ParseMode.HTML, **in_case_thread(case), **options)
        except TelegramError as error:
            logger.error("could not post in the thread of case %s: %s", case.number, error)
            return None
        await self.store(remember_post, case, chat, sent.message_id)
        return chat, sent.message_id

    async def tell_customer(self, case: Case, key: str, **variables: Any) -> bool:
        """A handoff notice to the customer, recorded as a case event; False if not delivered."""
        if case.channel not in RELAYED_CHANNELS:
            return False
        chat_id = case.customer.chat_id
        text = for_customer(key, numero=case.number, **variables)
        try:
            await self.send(chat_id, text)
        except Forbidden:
            await self.customer_blocked(case)
            return False
        except TelegramError as error:
            logger.error("notice %s of case %s not delivered: %s", key, case.number, error)
            await self.tell_agents(case, for_agents("not_delivered", error=str(error)))
            return False
        await self.change(
            case, lambda session, fresh: add_event(session, fresh, "customer_notified", notice=key)
        )
        return True

    async def customer_blocked(self, case: Case) -> None:
        await self.store(set_reachable, case.customer.chat_id, False)
        await self.tell_agents(case, for_agents("blocked"))

    async def change(self, case: Case, work: Callable[..., T], *args: Any) -> T:
        """`work(session, case, *args)` on a fresh copy of `case`, in one transaction."""
        return await self.store(lambda s: work(s, load_case(s, case.number), *args))

    async def copy_to_agents(self, case: Case, message: Message) -> tuple[int, int] | None:
        chat = self.agents_chat_id
        if chat is None:
            return None
        try:
            copied = await self.telegram.call(
                lambda bot: deliver(
                    lambda: bot.copy_message(
                        chat, message.chat_id, message.message_id, **in_case_thread(case)
                    )
                )
            )
        except TelegramError as error:
            logger.error("could not copy a customer's file to case %s: %s", case.number, error)
            return None
        return chat, copied.message_id
