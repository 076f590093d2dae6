"""The survey in the store: one per case, answers in order and kept at once, «No» reopens, a
double tap counts once, and the buttons' payloads (real SQLite and PostgreSQL stores)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy import select

from bot.cases import Demand, close_case, register_case
from bot.store.models import Case, CaseType, Notification, Survey
from bot.survey.messages import card_line, question
from bot.survey.store import (
    COMMENT,
    RATING,
    RESOLVED,
    Outcome,
    Pressed,
    answer_survey,
    read_payload,
    spend_reask,
    start_survey,
)

CUSTOMER = "321"


def closed_duda(session_factory, policy, channel: str = "telegram") -> tuple[str, bool]:
    demand = Demand(CUSTOMER, channel, CaseType.DUDA, "envios", "¿Cuánto tarda un envío?")
    with session_factory.begin() as session:
        case = register_case(session, demand, policy)
        close_case(session, case, "Respondida por el asistente.")
        return case.number, start_survey(session, case) is not None


def answer(session_factory, number: str, question_name: str, value, chat: str = CUSTOMER):
    with session_factory.begin() as session:
        return answer_survey(session, chat, number, question_name, value).outcome


def test_the_answers_are_kept_in_order_and_the_survey_ends(session_factory, policy):
    number, started = closed_duda(session_factory, policy)
    assert started
    assert answer(session_factory, number, RATING, 5) is Outcome.ALREADY  # not yet asked
    assert answer(session_factory, number, RESOLVED, True) is Outcome.NEXT
    assert answer(session_factory, number, RESOLVED, False) is Outcome.ALREADY
    assert answer(session_factory, number, RATING, 2) is Outcome.NEXT
    assert answer(session_factory, number, COMMENT, "Tardaron en contestar") is Outcome.DONE
    with session_factory() as session:
        survey = session.execute(select(Survey)).scalar_one()
        assert (survey.resolved, survey.csat, survey.comment, survey.status) == (
            True,
            2,
            "Tardaron en contestar",
            "completada",
        )
        assert card_line(survey) == "Encuesta: ✅ resuelto · ⭐ 2/5"


def test_one_survey_per_case_and_only_for_telegram_customers(session_factory, policy):
    number, _ = closed_duda(session_factory, policy)
    with session_factory.begin() as session:
        case = session.execute(select(Case).where(Case.number == number)).scalar_one()
        assert start_survey(session, case) is None
    _, console_started = closed_duda(session_factory, policy, channel="rest")
    assert not console_started


def at_once(session_factory, work, times: int = 2) -> list:
    """`work(session)` in `times` transactions that start together, in as many threads."""
    engine = session_factory.kw["bind"]
    for connection in [engine.connect() for _ in range(times)]:  # connected beforehand: no head start
        connection.close()
    ready = threading.Barrier(times)

    def run(_):
        with session_factory.begin() as session:
            ready.wait()
            return work(session)

    with ThreadPoolExecutor(times) as threads:
        return list(threads.map(run, range(times)))


def test_a_double_tap_on_no_reopens_the_case_once(session_factory, policy):
    number, _ = closed_duda(session_factory, policy)
    outcomes = at_once(session_factory, lambda s: answer_survey(s, CUSTOMER, number, RESOLVED, False).outcome)
    assert sorted(outcome.value for outcome in outcomes) == ["already", "reopened"]
    with session_factory() as session:
        case = session.execute(select(Case).where(Case.number == number)).scalar_one()
        kinds = [event.kind for event in case.events]
        assert kinds.count("reopened") == 1 and kinds.count("survey_answered") == 1


def test_two_unreadable_answers_at_once_ask_again_once(session_factory, policy):
    number, _ = closed_duda(session_factory, policy)
    with session_factory() as session:
        survey_id = session.execute(select(Survey.id)).scalar_one()
    assert sorted(at_once(session_factory, lambda session: spend_reask(session, survey_id))) == [False, True]


def test_another_customer_cannot_answer(session_factory, policy):
    number, _ = closed_duda(session_factory, policy)
    assert answer(session_factory, number, RESOLVED, False, chat="999") is Outcome.FOREIGN
    assert answer(session_factory, "D-2026-999999", RESOLVED, False) is Outcome.FOREIGN


def test_no_reopens_a_bot_closed_duda_into_its_teams_queue(session_factory, policy):
    number, _ = closed_duda(session_factory, policy)
    assert answer(session_factory, number, RESOLVED, False) is Outcome.REOPENED
    with session_factory() as session:
        case = session.execute(select(Case).where(Case.number == number)).scalar_one()
        assert (case.status, case.level, case.closed_at) == ("escalado", 2, None)
        kinds = [event.kind for event in case.events]
        assert kinds[-3:] == ["reopened", "escalated", "survey_answered"]
        cards = session.execute(select(Notification).where(Notification.kind == "case_card")).scalars()
        assert len(list(cards)) >= 1
        assert card_line(session.execute(select(Survey)).scalar_one()) == "Encuesta: ❌ no resuelto"


def test_button_payloads_carry_the_case_and_nothing_else_is_read_as_one():
    asked = question("Q-2026-000007", RATING)
    payloads = [button["payload"] for button in asked.buttons]
    assert payloads[0] == "encuesta:Q-2026-000007:calificacion:1"
    assert read_payload(payloads[4]) == Pressed("Q-2026-000007", RATING, 5)
    assert read_payload("encuesta:Q-2026-000007:resuelto:si") == Pressed("Q-2026-000007", RESOLVED, True)
    assert read_payload("encuesta:Q-2026-000007:comentario:omitir").answer is None
    for other in ("/afirmar", "encuesta:Q-2026-000007:calificacion:9", "encuesta:x:y", "tomar:Q-2026-000007"):
        assert read_payload(other) is None


def test_a_reopened_case_gets_a_new_resolution_deadline_and_keeps_its_first_response_one(
    session_factory, policy
):
    number, _ = closed_duda(session_factory, policy)
    with session_factory() as session:
        before = session.execute(select(Case).where(Case.number == number)).scalar_one()
    reopened_at = datetime(2026, 11, 30, 9, 0)  # Monday 10:00 in Madrid
    with session_factory.begin() as session:
        answer_survey(session, CUSTOMER, number, RESOLVED, False, reopened_at)
    with session_factory() as session:
        after = session.execute(select(Case).where(Case.number == number)).scalar_one()
    assert after.first_response_due == before.first_response_due
    # sla.yml: 16 opening hours for a duda: 9 on Monday until 19:00, 7 on Tuesday from 09:00
    assert after.sla_due_at == datetime(2026, 12, 1, 15, 0)
