"""The worker posts escalated cases' cards in the agents' group and tells customers nobody has
taken their case yet when a person will write (real python-telegram-bot against the fake Bot API,
a real SQLite store, an injected clock, the repo's business_hours.yml in Europe/Madrid)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.cases import Demand, register_case
from bot.store.models import Agent, Case, CaseEvent, CaseType, Customer, Notification
from bot.store.outbox import CASE_CARD, UNATTENDED, enqueue
from bot.worker import Worker

AGENTS = -1001234567890
CUSTOMER = 555
NOW = datetime(2026, 11, 24, 10, 0)  # naive UTC: Tuesday 11:00 in Madrid, within opening hours
SATURDAY_EVENING = datetime(2026, 11, 28, 19, 0)  # 20:00 in Madrid, after Saturday's 10:00-14:00


class Clock:
    """A fixed moment the tests move forward by hand."""

    def __init__(self, start: datetime = NOW) -> None:
        self.start = start
        self.offset = timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.start + self.offset


def worker_for(bot, session_factory, agents_chat_id: int | None = AGENTS, start: datetime = NOW) -> Worker:
    return Worker(bot, session_factory, agents_chat_id, clock=Clock(start))


def complaint(
    session_factory,
    policy,
    text: str = "El paquete llegó mojado",
    chat: str = str(CUSTOMER),
    now: datetime = NOW,
) -> int:
    demand = Demand(
        chat, "telegram", CaseType.QUEJA, "envio", text, source_key=f"{chat}:1", customer_name="Ana"
    )
    with session_factory.begin() as session:
        return register_case(session, demand, policy, now).id  # complaints escalate: a card to post


def stored(session_factory, case_id: int, kind: str = CASE_CARD) -> tuple[Case, list[Notification]]:
    with session_factory() as session:
        query = (
            select(Notification)
            .where(Notification.case_id == case_id, Notification.kind == kind)
            .order_by(Notification.id)
        )
        return session.get(Case, case_id), list(session.execute(query).scalars())


async def test_in_a_forum_each_case_gets_its_topic_and_a_card_to_take(bot, fake, session_factory, policy):
    fake.forums.add(AGENTS)
    case_id = complaint(session_factory, policy, text="<b>urgente</b> & el paquete llegó mojado")
    assert await worker_for(bot, session_factory).deliver_due() == 1

    (topic,) = fake.calls("createForumTopic")
    (card,) = fake.calls("sendMessage")
    assert topic.params["name"].startswith("Q-2026-") and topic.params["name"].endswith("entrega o envío")
    assert card.params["chat_id"] == AGENTS and card.params["parse_mode"] == "HTML"
    assert card.params["message_thread_id"] == topic.response["result"]["message_thread_id"]
    assert (
        "&lt;b&gt;urgente&lt;/b&gt; &amp; el paquete" in card.params["text"]
    )  # escaped, and Telegram accepted it
    keys = card.params["reply_markup"]["inline_keyboard"][0]
    assert [k["text"] for k in keys] == ["Tomar", "Historial"]
    case, (notification,) = stored(session_factory, case_id)
    assert case.card_message_id == card.response["result"]["message_id"]
    assert case.agents_thread_id == topic.response["result"]["message_thread_id"]
    assert notification.status == "sent"


async def test_a_card_already_posted_is_updated_not_posted_again(bot, fake, session_factory, policy):
    case_id = complaint(session_factory, policy)
    worker = worker_for(bot, session_factory)
    await worker.deliver_due()
    with session_factory.begin() as session:
        enqueue(session, CASE_CARD, session.get(Case, case_id), not_before=worker.clock())
    await worker.deliver_due()
    assert len(fake.calls("sendMessage")) == 1 and fake.calls("createForumTopic") == []  # not a forum
    with session_factory() as session:
        kinds = session.execute(select(CaseEvent.kind).where(CaseEvent.case_id == case_id)).scalars()
        assert list(kinds).count("card_posted") == 1
    (edit,) = fake.calls("editMessageText")
    assert edit.status == 400 and "not modified" in edit.response["description"]  # nothing changed
    assert [n.status for n in stored(session_factory, case_id)[1]] == ["sent", "sent"]


async def test_without_an_agents_group_the_case_stays_registered_and_a_warning_says_why(
    bot, fake, session_factory, policy, caplog
):
    case_id = complaint(session_factory, policy)
    with caplog.at_level(logging.WARNING):
        await worker_for(bot, session_factory, agents_chat_id=None).deliver_due()
    case, (notification,) = stored(session_factory, case_id)
    assert case.status == "escalado" and notification.status == "skipped"
    assert fake.calls("sendMessage") == []
    assert any(
        "TELEGRAM_AGENTS_CHAT_ID is not set" in r.getMessage() and case.number in r.getMessage()
        for r in caplog.records
    )


async def test_a_failed_post_is_retried_later_without_a_second_topic(bot, fake, session_factory, policy):
    fake.forums.add(AGENTS)
    case_id = complaint(session_factory, policy)
    worker = worker_for(bot, session_factory)
    fake.fail_next("sendMessage", status=500, times=10)
    await worker.deliver_due()
    case, (notification,) = stored(session_factory, case_id)
    assert (notification.status, notification.attempts, case.card_message_id) == ("pending", 1, None)
    assert await worker.deliver_due() == 0  # backing off

    fake.reset()
    fake.forums.add(AGENTS)
    worker.clock.offset += timedelta(seconds=10)
    assert await worker.deliver_due() == 1
    case, (notification,) = stored(session_factory, case_id)
    assert notification.status == "sent" and case.card_message_id is not None
    assert fake.calls("createForumTopic") == []  # the topic opened before the failure is reused


def take(session_factory, case_id: int) -> None:
    """An agent takes the case (what «Tomar» does to the store)."""
    with session_factory.begin() as session:
        case = session.get(Case, case_id)
        agent = Agent(telegram_user_id=4242, name="Luis", team_id=case.team_id)
        session.add(agent)
        session.flush()
        case.assigned_agent_id = agent.id


def notified(session_factory, case_id: int) -> list[CaseEvent]:
    with session_factory() as session:
        query = select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == "customer_notified")
        return list(session.execute(query).scalars())


async def test_within_hours_a_customer_nobody_took_hears_after_ten_minutes_when_someone_will_write(
    bot, fake, session_factory, policy
):
    case_id = complaint(session_factory, policy)
    worker = worker_for(bot, session_factory)
    assert await worker.deliver_due() == 1  # the card; the notice waits
    worker.clock.offset = timedelta(minutes=9, seconds=59)
    assert await worker.deliver_due() == 0
    worker.clock.offset = timedelta(minutes=10)
    assert await worker.deliver_due() == 1

    case, (notice,) = stored(session_factory, case_id, UNATTENDED)
    assert fake.sent_texts(CUSTOMER) == [
        f"Tu caso {case.number} está registrado y en cola. Aún no hay una persona libre; "
        "te escribirá alguien del equipo en unos 30 minutos."
    ]
    assert notice.status == "sent"
    (event,) = notified(session_factory, case_id)
    assert event.details == {"notice": "unattended"} and event.created_at == NOW + timedelta(minutes=10)


async def test_a_case_taken_before_the_notice_is_due_sends_nothing(bot, fake, session_factory, policy):
    case_id = complaint(session_factory, policy)
    take(session_factory, case_id)
    worker = worker_for(bot, session_factory)
    worker.clock.offset = timedelta(minutes=10)
    assert await worker.deliver_due() == 2  # the card and the notice
    _, (notice,) = stored(session_factory, case_id, UNATTENDED)
    assert notice.status == "skipped"
    assert fake.sent_texts(CUSTOMER) == [] and notified(session_factory, case_id) == []


async def test_outside_hours_the_notice_follows_the_escalation_and_says_when_the_team_is_back(
    bot, fake, session_factory, policy
):
    case_id = complaint(session_factory, policy, now=SATURDAY_EVENING)
    worker = worker_for(bot, session_factory, start=SATURDAY_EVENING)
    assert await worker.deliver_due() == 1  # the card; the notice waits for the escalation reply
    worker.clock.offset = timedelta(minutes=1)
    assert await worker.deliver_due() == 1
    case, (notice,) = stored(session_factory, case_id, UNATTENDED)
    assert fake.sent_texts(CUSTOMER) == [
        f"Tu caso {case.number} está registrado. Nuestro equipo está fuera de horario; "
        "te escribirá el lunes 30/11 a las 9:00."
    ]
    assert notice.status == "sent" and len(notified(session_factory, case_id)) == 1


async def test_open_or_closed_is_decided_when_the_notice_is_delivered(bot, fake, session_factory, policy):
    before_closing = datetime(2026, 11, 24, 17, 55)  # Tuesday 18:55 in Madrid
    complaint(session_factory, policy, now=before_closing)
    worker = worker_for(bot, session_factory, start=before_closing)
    worker.clock.offset = timedelta(minutes=10)  # 19:05: closed
    await worker.deliver_due()
    (text,) = fake.sent_texts(CUSTOMER)
    assert text.endswith("fuera de horario; te escribirá mañana a las 9:00.")


async def test_a_customer_who_blocked_the_bot_is_marked_unreachable_and_not_retried(
    bot, fake, session_factory, policy
):
    fake.blocked_chats.add(CUSTOMER)
    case_id = complaint(session_factory, policy)
    worker = worker_for(bot, session_factory)
    worker.clock.offset = timedelta(minutes=10)
    assert await worker.deliver_due() == 2
    _, (notice,) = stored(session_factory, case_id, UNATTENDED)
    assert (notice.status, notice.attempts) == ("skipped", 0)
    with session_factory() as session:
        customer = session.execute(select(Customer).where(Customer.chat_id == str(CUSTOMER))).scalar_one()
        assert customer.reachable is False
    assert notified(session_factory, case_id) == []
    worker.clock.offset = timedelta(hours=1)
    assert await worker.deliver_due() == 0


async def test_the_notice_is_delivered_once_however_often_the_worker_runs(bot, fake, session_factory, policy):
    case_id = complaint(session_factory, policy, now=SATURDAY_EVENING)
    worker = worker_for(bot, session_factory, start=SATURDAY_EVENING)
    worker.clock.offset = timedelta(minutes=1)
    assert await worker.deliver_due() == 2
    assert await worker.deliver_due() == 0
    worker.clock.offset = timedelta(hours=2)
    assert await worker.deliver_due() == 0
    assert len(fake.sent_texts(CUSTOMER)) == 1 and len(notified(session_factory, case_id)) == 1
