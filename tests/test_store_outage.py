"""The database down for 10 s under a running assistant (PostgreSQL behind a TCP proxy that is cut):
customers hear of it, nothing crashes, and once it is back every message is answered without help."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import func, select

from bot.store.db import create_session_factory
from bot.store.models import Case, InboxUpdate
from tests.support import telegram_updates as tg
from tests.support.fake_bot_api import FakeBotApi
from tests.support.postgres import fresh_postgres_database
from tests.support.tcp_proxy import proxied_database
from tests.support.telegram_assistant import short_inbox_leases, telegram_assistant, texts

pytestmark = pytest.mark.slow

OUTAGE_SECONDS = 10
WAIT_APOLOGY = "no hace falta que lo repitas"
QUESTION = "cuanto tarda un envio a valencia?"


LEASE_SECONDS = 3  # an update whose server stopped renewing it is taken over this soon


@pytest.fixture(scope="module")
def outage(trained_model, tmp_path_factory, postgres_databases):
    with (
        short_inbox_leases(LEASE_SECONDS),
        fresh_postgres_database(postgres_databases) as url,
        proxied_database(url) as (proxied_url, proxy),
        FakeBotApi() as fake,
        telegram_assistant(
            tmp_path_factory.mktemp("outage"), fake, "https://outage.example.com", "outage-",
            database_url=proxied_url,
        ) as assistant,
    ):  # fmt: skip
        yield assistant, proxy, url


def server_is_up(assistant) -> bool:
    base = assistant.rest_url.split("/webhooks/")[0]
    with urllib.request.urlopen(base + "/", timeout=5) as response:
        return response.status == 200


def readiness(assistant) -> tuple[int, dict]:
    """What a load balancer sees at the Rasa server's /webhooks/telegram/ready."""
    url = assistant.rest_url.replace("/rest/webhook", "/telegram/ready")
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


READY = (200, {"status": "ready", "checks": {"model": "ok", "database": "ok", "telegram": "ok"}})


def post_until_accepted(assistant, update: dict, timeout: float = 30) -> None:
    """As Telegram does: deliver again until the webhook answers 200."""
    deadline = time.monotonic() + timeout
    while assistant.post(update) != 200:
        assert time.monotonic() < deadline, "the webhook never accepted the update again"
        time.sleep(1)


def test_the_database_down_for_ten_seconds(outage):
    assistant, proxy, direct_url = outage
    assert "problema técnico" not in texts(assistant.say(9100, QUESTION, expect=1))
    assert readiness(assistant) == READY

    proxy.cut()
    cut_at = time.monotonic()
    customers = (9101, 9102, 9103)
    updates = {chat: tg.text_update(chat, QUESTION) for chat in customers}
    for chat, update in updates.items():
        assert assistant.post(update) == 503  # Telegram will deliver it again
        (apology,) = assistant.replies(chat, 1)
        assert WAIT_APOLOGY in apology.params["text"]
    for update in updates.values():  # delivered again while still down: no second apology
        assert assistant.post(update) == 503
    assert server_is_up(assistant)
    status, body = readiness(assistant)  # alive, but a load balancer should send elsewhere
    assert status == 503 and body["checks"]["database"].startswith("the database does not answer")
    assert body["checks"]["model"] == "ok"
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - cut_at)))
    assert [len(assistant.sent(chat)) for chat in customers] == [1, 1, 1]

    proxy.restore()
    for chat, update in updates.items():
        post_until_accepted(assistant, update)
        answer = assistant.replies(chat, 2)[1]
        assert "problema técnico" not in answer.params["text"]
    time.sleep(2)  # nothing else arrives: each question answered once
    answered = {chat: [c.params["text"] for c in assistant.sent(chat)] for chat in customers}
    assert all(len(set(replies)) == len(replies) for replies in answered.values()), json.dumps(answered)
    assert "problema técnico" not in texts(assistant.say(9104, QUESTION, expect=1))
    assert server_is_up(assistant) and readiness(assistant) == READY

    time.sleep(3 * LEASE_SECONDS)  # no update is left for a server to take over and apologize for
    assert "problema técnico" not in texts(assistant.sent(9100))
    with create_session_factory(direct_url)() as session:
        states = session.execute(select(InboxUpdate.state, func.count()).group_by(InboxUpdate.state)).all()
    assert dict(states) == {"done": 5}


def is_apology(text: str) -> bool:
    return "problema técnico" in text or WAIT_APOLOGY in text


def settle(direct_url: str, timeout: float = 30) -> None:
    """Wait until every update is recorded as processed: a turn saves its conversation after its
    answers have left, so an earlier test's last turn could still be writing when a cut is armed."""
    deadline = time.monotonic() + timeout
    while pending_updates(direct_url):
        assert time.monotonic() < deadline, "updates still pending"
        time.sleep(0.2)


def pending_updates(direct_url: str) -> int:
    with create_session_factory(direct_url)() as session:
        return session.execute(
            select(func.count()).where(InboxUpdate.state.in_(["received", "processing"]))
        ).scalar_one()


def cases_without_events(direct_url: str) -> int:
    with create_session_factory(direct_url)() as session:
        return session.execute(select(func.count()).select_from(Case).where(~Case.events.any())).scalar_one()


@pytest.mark.parametrize(
    "statement",
    [b"INSERT INTO cases ", b"INSERT INTO case_events "],
    ids=["registering the case", "recording its first event"],
)
def test_the_database_lost_while_the_case_is_registered(outage, statement):
    """Cut at the moment the turn writes the case: the customer hears the apology once, nothing is
    left half written (no case without its events), and once the database is back the next turn works."""
    assistant, proxy, direct_url = outage
    chat = 9200 + len(statement)
    settle(direct_url)
    proxy.cut_when(statement)
    update = tg.text_update(chat, QUESTION)
    status = assistant.post(update)
    (apology,) = assistant.replies(chat, 1)
    assert is_apology(apology.params["text"]), apology.params["text"]
    proxy.restore()
    if status != 200:  # Telegram delivers it again
        post_until_accepted(assistant, update)
    time.sleep(3 * LEASE_SECONDS)
    said = [call.params["text"] for call in assistant.sent(chat)]
    assert sum(map(is_apology, said)) == 1, said
    assert cases_without_events(direct_url) == 0 and pending_updates(direct_url) == 0
    after = assistant.say(chat, "hola", expect=1)
    assert not is_apology(texts(after))


def test_the_database_lost_while_the_conversation_is_saved(outage):
    """Cut when the turn saves the conversation, after the customer was answered: no apology is owed,
    and the turn is not forgotten: once the database is back, «sí» to «¿Resolví tu duda?» closes it."""
    assistant, proxy, direct_url = outage
    chat = 9300
    settle(direct_url)
    proxy.cut_when(b"INSERT INTO events ")
    assert assistant.post(tg.text_update(chat, QUESTION)) == 200
    answer = texts(assistant.replies(chat, 2))
    assert "Envío estándar" in answer and not is_apology(answer)
    assert proxy.wait_cut(10), "the conversation was never saved"
    time.sleep(1)  # the turn ends while the database is away
    proxy.restore()
    settle(direct_url)
    closed = texts(assistant.say(chat, "sí", expect=1))
    assert "He cerrado tu consulta" in closed, closed
    said = [call.params["text"] for call in assistant.sent(chat)]
    assert not any(map(is_apology, said)), said
    settle(direct_url)  # the «sí» turn is recorded done after its answer has left
    assert cases_without_events(direct_url) == 0


POLLING_OUTAGE_SECONDS = 60


@pytest.fixture(scope="module")
def polling_outage(trained_model, tmp_path_factory, postgres_databases):
    with (
        fresh_postgres_database(postgres_databases) as url,
        proxied_database(url) as (proxied_url, proxy),
        FakeBotApi() as fake,
        telegram_assistant(
            tmp_path_factory.mktemp("polling-outage"), fake, None, "polling-outage-", database_url=proxied_url
        ) as assistant,
    ):  # fmt: skip
        yield assistant, proxy, url


def test_polled_updates_wait_out_a_minute_without_the_database(polling_outage):
    """Long polling confirms an update (getUpdates' offset) only once it is in the inbox: a minute
    without the database loses nothing, and each message is answered once when it is back."""
    assistant, proxy, direct_url = polling_outage
    fake = assistant.fake
    fake.push_update(tg.text_update(9200, QUESTION))
    assert "problema técnico" not in assistant.replies(9200, 1)[0].params["text"]

    proxy.cut()
    customers = (9201, 9202, 9203)
    for chat in customers:
        fake.push_update(tg.text_update(chat, QUESTION))
    (apology,) = assistant.replies(customers[0], 1)  # the first one read is told nothing is lost
    assert WAIT_APOLOGY in apology.params["text"]
    time.sleep(POLLING_OUTAGE_SECONDS)
    assert [len(assistant.sent(chat)) for chat in customers] == [1, 0, 0]  # told once, nothing lost

    proxy.restore()
    answer = len(assistant.sent(9200))  # the messages one answer takes (the FAQ text, «¿Resolví…?»)
    expected = dict(zip(customers, (1 + answer, answer, answer), strict=True))
    for chat, count in expected.items():
        assistant.replies(chat, count, timeout=120)
    time.sleep(3)  # nothing else arrives: each question answered once
    said = {chat: [call.params["text"] for call in assistant.sent(chat)] for chat in customers}
    assert {chat: len(texts) for chat, texts in said.items()} == expected
    after_the_apology = [said[customers[0]][1:], *(said[chat] for chat in customers[1:])]
    assert all(len(set(texts)) == len(texts) for texts in said.values()), said
    assert all("problema técnico" not in "".join(texts) for texts in after_the_apology), said
    assert inbox_states(direct_url, until={"done": 4}) == {"done": 4}  # each stored once, all finished


def inbox_states(database_url: str, until: dict[str, int], timeout: float = 30) -> dict[str, int]:
    """The inbox's updates by state, once they are `until` (or when `timeout` has passed)."""
    deadline = time.monotonic() + timeout
    while True:
        with create_session_factory(database_url)() as session:
            query = select(InboxUpdate.state, func.count()).group_by(InboxUpdate.state)
            states = dict(session.execute(query).all())
        if states == until or time.monotonic() > deadline:
            return states
        time.sleep(0.5)
