"""What the desk must know of a customer's chat before the assistant may answer: the case an
agent is talking through, and the survey waiting for an answer. The channel reads it in the
same transaction that starts the update (and stores the customer): one light statement says
whether either exists, and only then are they loaded (most turns have neither)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.handoff.rules import handoff_case, handoff_cases
from bot.store.models import Case, Survey
from bot.survey.store import pending_survey, pending_surveys


@dataclass(frozen=True)
class ChatState:
    handoff_case: Case | None = None
    pending_survey: Survey | None = None


def chat_state(session: Session, chat_id: str) -> ChatState:
    handoff, survey = session.execute(
        select(handoff_cases(chat_id).exists(), pending_surveys(chat_id).exists())
    ).one()
    return ChatState(
        handoff_case(session, chat_id) if handoff else None,
        pending_survey(session, chat_id) if survey else None,
    )
