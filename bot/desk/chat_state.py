"""What the desk must know of a customer's chat before the assistant may answer: the case an
agent is talking through, and the survey waiting for an answer. The channel reads it in the
same transaction that starts the update (and stores the customer), one round trip for all."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.handoff.rules import handoff_case
from bot.store.models import Case, Survey
from bot.survey.store import pending_survey


@dataclass(frozen=True)
class ChatState:
    handoff_case: Case | None = None
    pending_survey: Survey | None = None


def chat_state(session: Session, chat_id: str) -> ChatState:
    return ChatState(handoff_case(session, chat_id), pending_survey(session, chat_id))
