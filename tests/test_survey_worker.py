"""An unanswered survey gets one reminder, then expires: the worker on a fake clock, the real
python-telegram-bot against the fake Bot API, a real SQLite store."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.cases import Demand, close_case, register_case
from bot.store.models import CaseEvent, CaseType, Survey
from bot.survey.store import RESOLVED, Outcome, answer_survey, start_survey
from bot.worker import Worker

CUSTOMER = 777
CLOSED_AT = datetime(2026, 11, 24, 10, 0)


class Clock:
    def __init__(self) -> None:
        self.now = CLOSED_AT

    def __call__(self) -> datetime:
        return self.now


def closed_duda(session_factory, policy) -> str:
    """A duda the bot answered and closed: its survey sent at CLOSED_AT."""
    demand = Demand(str(CUSTOMER), "telegram", CaseType.DUDA, "envios", "¿Cuánto tarda un envío?")
    with session_factory.begin() as session:
        case = register_case(session, demand, policy, CLOSED_AT)
        close_case(session, case, "Respondida por el asistente.", now=CLOSED_AT)
        start_survey(session, case, CLOSED_AT)
        return case.number


def survey_events(session_factory) -> list[str]:
    with session_factory() as session:
        kinds = session.execute(select(CaseEvent.kind).where(CaseEvent.kind.like("survey_%")))
        return list(kinds.scalars())


def stored_survey(session_factory) -> Survey:
    with session_factory() as session:
        return session.execute(select(Survey)).scalar_one()


async def test_one_reminder_after_a_day_then_the_survey_expires(bot, fake, session_factory, policy):
    number = closed_duda(session_factory, policy)
    clock = Clock()
    worker = Worker(bot, session_factory, None, clock=clock)

    clock.now = CLOSED_AT + timedelta(hours=23, minutes=59)
    await worker.deliver_due()
    assert fake.sent_texts(CUSTOMER) == []

    clock.now = CLOSED_AT + timedelta(hours=24)
    await worker.deliver_due()
    await worker.deliver_due()  # a second run sends nothing more
    (reminder,) = fake.calls("sendMessage")
    assert reminder.params["text"] == (
        f"Hace un tiempo cerramos tu caso {number}. Si tienes un momento, cuéntanos qué tal fue:\n"
        f"¿Se resolvió tu caso {number}?"
    )
    buttons = [key["text"] for row in reminder.params["reply_markup"]["inline_keyboard"] for key in row]
    assert buttons == ["Sí", "No"]
    assert survey_events(session_factory) == ["survey_sent", "survey_reminded"]

    clock.now = CLOSED_AT + timedelta(hours=48)
    await worker.deliver_due()
    assert len(fake.sent_texts(CUSTOMER)) == 1  # expiring says nothing to the customer
    expired = stored_survey(session_factory)
    assert (expired.status, expired.step) == ("caducada", None)
    assert survey_events(session_factory)[-1] == "survey_expired"
    with session_factory.begin() as session:
        late = answer_survey(session, str(CUSTOMER), number, RESOLVED, True)
    assert late.outcome is Outcome.EXPIRED and stored_survey(session_factory).resolved is None


async def test_a_survey_answered_in_time_gets_no_reminder(bot, fake, session_factory, policy):
    number = closed_duda(session_factory, policy)
    with session_factory.begin() as session:
        answer_survey(session, str(CUSTOMER), number, RESOLVED, True, CLOSED_AT + timedelta(hours=1))
        answer_survey(session, str(CUSTOMER), number, "calificacion", 5, CLOSED_AT + timedelta(hours=1))
        answer_survey(session, str(CUSTOMER), number, "comentario", None, CLOSED_AT + timedelta(hours=1))
    clock = Clock()
    clock.now = CLOSED_AT + timedelta(days=3)
    await Worker(bot, session_factory, None, clock=clock).deliver_due()
    assert fake.sent_texts(CUSTOMER) == []
    assert stored_survey(session_factory).status == "completada"
