"""The satisfaction survey of a closed case, in the store: one per case, each answer kept the
moment it is given. «No, no se resolvió» reopens the case for its agent, or its team's queue.

Questions in order: resolved (yes/no) → rating (1–5) → comment (text, or skipped). Functions
take a `Session` and never commit, like `bot.cases`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from bot.cases import RELAYED_CHANNELS, finish_case, reopen_case
from bot.config import get_settings
from bot.store.models import Case, Customer, Level, Survey, utcnow
from bot.store.outbox import CASE_CARD, SURVEY_EXPIRY, SURVEY_REMINDER, enqueue
from bot.timeline import CUSTOMER_ACTOR, add_event

RESOLVED, RATING, COMMENT = "resuelto", "calificacion", "comentario"
QUESTIONS = (RESOLVED, RATING, COMMENT)
SENT, IN_PROGRESS, DONE, EXPIRED = "enviada", "en_curso", "completada", "caducada"
PREFIX = "encuesta"  # button payloads: encuesta:<case number>:<question>:<answer>
SKIP = "omitir"

Answer = bool | int | str | None


def payload(number: str, question: str, answer: str) -> str:
    return f"{PREFIX}:{number}:{question}:{answer}"


@dataclass(frozen=True)
class Pressed:
    number: str
    question: str
    answer: Answer


def read_payload(data: str) -> Pressed | None:
    """A survey button's payload, or None when it is not one (or is malformed)."""
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != PREFIX or parts[2] not in QUESTIONS:
        return None
    _, number, question, raw = parts
    if question == RESOLVED and raw in {"si", "no"}:
        return Pressed(number, question, raw == "si")
    if question == RATING and raw in {"1", "2", "3", "4", "5"}:
        return Pressed(number, question, int(raw))
    if question == COMMENT and raw == SKIP:
        return Pressed(number, question, None)
    return None


def malformed_survey_answer(data: str) -> bool:
    """A survey payload that does not read as one of the survey's answers (`…:calificacion:9`)."""
    return data.startswith(f"{PREFIX}:") and read_payload(data) is None


def surveyed(case: Case) -> bool:
    """Only customers who can press the survey's buttons get one (Telegram)."""
    return case.channel in RELAYED_CHANNELS


def start_survey(session: Session, case: Case, now: datetime | None = None) -> Survey | None:
    """The case's survey, if it has none yet (one per case: a reopened case is not asked twice)."""
    if not surveyed(case) or session.execute(select(Survey.id).where(Survey.case_id == case.id)).first():
        return None
    now = now or utcnow()
    survey = Survey(
        case=case,
        agent_id=case.assigned_agent_id,
        team_id=case.team_id,
        status=SENT,
        step=RESOLVED,
        created_at=now,
    )
    session.add(survey)
    add_event(session, case, "survey_sent", at=now)
    reminder_at = now + timedelta(hours=get_settings().survey_reminder_hours)
    enqueue(session, SURVEY_REMINDER, case, not_before=reminder_at)
    return survey


class Outcome(enum.Enum):
    NEXT = "next"  # stored; the next question follows
    DONE = "done"  # stored; the survey is over
    REOPENED = "reopened"  # «No»: stored, the survey is over and the case is open again
    ALREADY = "already"  # a question answered before: nothing changes
    EXPIRED = "expired"
    FOREIGN = "foreign"  # not a survey of this customer's


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    survey: Survey | None = None
    case: Case | None = None


def survey_of_case(session: Session, case_id: int) -> Survey | None:
    query = (
        select(Survey)
        .where(Survey.case_id == case_id)
        .options(selectinload(Survey.case).selectinload(Case.customer))
    )
    return session.execute(query).scalar_one_or_none()


def own_case(session: Session, chat_id: str, number: str) -> Case | None:
    """Case `number` if it is `chat_id`'s (None for unknown and foreign alike), with what the
    channel needs after the transaction: customer and owner. Its row is locked until the end of the
    transaction: two answers at once (a double tap) wait for each other on PostgreSQL, as SQLite's
    one writer at a time makes them, so the second sees the first one's answer."""
    query = (
        select(Case)
        .join(Customer)
        .where(Case.number == number.upper(), Customer.chat_id == chat_id)
        .options(selectinload(Case.customer), selectinload(Case.assigned_agent))
        .with_for_update(of=Case)
    )
    return session.execute(query).scalar_one_or_none()


def survey_of(session: Session, case: Case) -> Survey | None:
    return session.execute(select(Survey).where(Survey.case_id == case.id)).scalar_one_or_none()


def answer_survey(
    session: Session, chat_id: str, number: str, question: str, answer: Answer, now: datetime | None = None
) -> Result:
    """Store `answer` to `question` if it is the one the survey is waiting for."""
    case = own_case(session, chat_id, number)
    survey = survey_of(session, case) if case is not None else None
    if survey is None:
        return Result(Outcome.FOREIGN)
    if survey.status == EXPIRED:
        return Result(Outcome.EXPIRED, survey, case)
    if survey.step != question:
        return Result(Outcome.ALREADY, survey, case)
    now = now or utcnow()
    outcome = record(session, survey, case, question, answer, now)
    add_event(session, case, "survey_answered", CUSTOMER_ACTOR, at=now, question=question, answer=answer)
    if case.level >= Level.AGENT:  # the agents' card shows the outcome
        enqueue(session, CASE_CARD, case)
    return Result(outcome, survey, case)


def record(
    session: Session, survey: Survey, case: Case, question: str, answer: Answer, now: datetime
) -> Outcome:
    survey.answered_at, survey.status, survey.reasked = now, IN_PROGRESS, False
    if question == RESOLVED:
        survey.resolved = bool(answer)
        if not answer:
            survey.step, survey.status = None, DONE
            reopen_case(session, case, now)
            return Outcome.REOPENED
        survey.step = RATING
    elif question == RATING:
        survey.csat, survey.step = int(answer), COMMENT
    else:
        survey.comment, survey.step, survey.status = answer or None, None, DONE
        finish_case(session, case, now=now)
        return Outcome.DONE
    return Outcome.NEXT


def pending_surveys(chat_id: str) -> Select:
    """The customer's surveys still waiting for an answer."""
    return (
        select(Survey)
        .join(Case, Survey.case_id == Case.id)
        .join(Customer)
        .where(Customer.chat_id == chat_id, Survey.step.is_not(None), Survey.status.in_([SENT, IN_PROGRESS]))
    )


def pending_survey(session: Session, chat_id: str) -> Survey | None:
    """The customer's latest survey still waiting for an answer."""
    query = (
        pending_surveys(chat_id)
        .options(selectinload(Survey.case).selectinload(Case.customer))
        .order_by(Survey.created_at.desc(), Survey.id.desc())
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


def spend_reask(session: Session, survey_id: int) -> bool:
    """True the first time a typed answer is not understood (ask again), False after (the row
    locked: of two at once, one only)."""
    survey = session.get(Survey, survey_id, with_for_update=True)
    if survey.reasked:
        return False
    survey.reasked = True
    return True


def remind(session: Session, survey: Survey, now: datetime) -> bool:
    """Record the one reminder of an unanswered survey and schedule its expiry; False if it is over."""
    if survey.step is None or survey.status == EXPIRED or survey.reminded_at is not None:
        return False
    survey.reminded_at = now
    add_event(session, survey.case, "survey_reminded", at=now, question=survey.step)
    expiry_at = now + timedelta(hours=get_settings().survey_expiry_hours)
    enqueue(session, SURVEY_EXPIRY, survey.case, not_before=expiry_at)
    return True


def expire(session: Session, survey: Survey, now: datetime) -> bool:
    if survey.step is None or survey.status == EXPIRED:
        return False
    survey.status, survey.step = EXPIRED, None
    add_event(session, survey.case, "survey_expired", at=now)
    finish_case(session, survey.case, now=now)
    if survey.case.level >= Level.AGENT:
        enqueue(session, CASE_CARD, survey.case)
    return True
