"""The satisfaction survey on Telegram: its questions, the buttons pressed (now or days later,
after any restart: the payload carries the case), and answers typed instead of pressed.

The survey never traps the customer: a message that is a new question or request goes to the
assistant as usual, and the survey can be picked up again from its buttons.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from telegram import CallbackQuery, Message
from telegram.error import Forbidden, TelegramError

from bot.desk.conversations import Conversations
from bot.desk.messenger import HandoffMessenger
from bot.handoff.rules import first_name
from bot.store.models import Case, Survey, utcnow
from bot.survey.answers import parse_rating, parse_resolved
from bot.survey.messages import question, text
from bot.survey.store import (
    RATING,
    RESOLVED,
    Outcome,
    Pressed,
    Result,
    answer_survey,
    spend_reask,
)
from bot.telegram_api.buttons import answer_query, show_choice
from bot.telegram_api.keyboards import inline_keyboard

logger = logging.getLogger(__name__)

# A typed message with one of these intents is something new, not an answer to the survey. A
# comment may well sound like a complaint, so `queja` only counts while a rating is awaited.
NEW_DEMAND = {"duda", "solicitud", "consultar_caso", "pedir_humano"}
NEW_DEMAND_INSTEAD_OF_RATING = NEW_DEMAND | {"queja"}
NEW_DEMAND_CONFIDENCE = 0.7


@dataclass
class SurveyDesk:
    messenger: HandoffMessenger
    conversations: Conversations
    callback_data: Callable[[str], str]

    async def ask(self, case: Case, step: str, lead: str | None = None, wording: str | None = None) -> None:
        asked = question(case.number, step, lead, wording)
        markup = inline_keyboard(asked.buttons, self.callback_data)
        try:
            await self.messenger.send(case.customer.chat_id, asked.text, reply_markup=markup)
        except Forbidden:
            await self.messenger.customer_blocked(case)
        except TelegramError as error:
            logger.error("survey question %s of case %s not delivered: %s", step, case.number, error)

    async def press(self, chat_id: int, query: CallbackQuery, pressed: Pressed, title: str) -> None:
        result = await self.messenger.store(
            answer_survey, str(chat_id), pressed.number, pressed.question, pressed.answer, utcnow()
        )
        refusal = {Outcome.FOREIGN: "foreign", Outcome.EXPIRED: "expired", Outcome.ALREADY: "already"}
        if result.outcome in refusal:
            await answer_query(self.messenger.telegram, query, text(refusal[result.outcome]))
            return
        await answer_query(self.messenger.telegram, query, None)
        if isinstance(query.message, Message):
            show_choice(self.messenger.telegram, query.message, title)
        await self.follow_up(result)

    async def typed(self, survey: Survey, said: str) -> bool:
        """A typed answer to `survey`'s question waiting (read when the update started), if it is
        one; False: the assistant answers."""
        step, number, chat_id = survey.step, survey.case.number, survey.case.customer.chat_id
        if step == RESOLVED:
            answer = parse_resolved(said)
            if answer is None:
                return False
        elif step == RATING:
            answer = parse_rating(said)
            if answer is None:
                return await self.not_a_rating(survey.case, survey.id, said)
        else:
            if await self.is_new_demand(said, NEW_DEMAND):
                return False
            answer = said.strip()
        result = await self.messenger.store(answer_survey, str(chat_id), number, step, answer, utcnow())
        await self.follow_up(result)
        return True

    async def not_a_rating(self, case: Case, survey_id: int, said: str) -> bool:
        """Asked again once with the buttons; after that, or if it is something new, the assistant
        answers."""
        if await self.is_new_demand(said, NEW_DEMAND_INSTEAD_OF_RATING):
            return False
        if not await self.messenger.store(spend_reask, survey_id):
            return False
        await self.ask(case, RATING, wording=text("reask_rating"))
        return True

    async def is_new_demand(self, said: str, intents: set[str]) -> bool:
        intent, confidence = await self.conversations.intent_of(said)
        return intent in intents and confidence >= NEW_DEMAND_CONFIDENCE

    async def follow_up(self, result: Result) -> None:
        case = result.case
        if result.outcome is Outcome.NEXT:
            await self.ask(case, result.survey.step)
        elif result.outcome is Outcome.DONE:
            await self.say(case, text("thanks"))
        elif result.outcome is Outcome.REOPENED:
            await self.reopened(case)

    async def reopened(self, case: Case) -> None:
        owner = case.assigned_agent
        if owner is None:
            await self.say(case, text("reopened_queue", numero=case.number))
            return
        await self.conversations.pause(case.customer.chat_id)
        await self.say(case, text("reopened_agent", numero=case.number, agente=first_name(owner)))
        await self.messenger.tell_agents(case, text("reopened_thread"))

    async def say(self, case: Case, message: str) -> None:
        try:
            await self.messenger.send(case.customer.chat_id, message)
        except TelegramError as error:
            logger.error("survey of case %s: message not delivered: %s", case.number, error)
