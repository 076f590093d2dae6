"""The scaled-out assistant under load and failures: 2 Rasa servers and 2 action servers behind
nginx, PostgreSQL and Redis (bot/ops/cluster.py), its Telegram channel talking to the fake Bot API.
Each test asserts that nothing is lost: every accepted message is answered (or its customer told of
a problem), no case is lost or registered twice."""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from bot.ops.cluster import running_cluster
from bot.store.db import create_session_factory
from bot.store.models import Case, Customer, InboxUpdate
from tests.support import telegram_updates as tg
from tests.support.fake_bot_api import FakeBotApi
from tests.support.postgres import fresh_postgres_database
from tests.support.services import service_url
from tests.support.telegram_assistant import SECRET, assistant_settings, short_inbox_leases

pytestmark = pytest.mark.slow

CASE_NUMBER = re.compile(r"[DQS]-\d{4}-\d{6}")
LEASE_SECONDS = 5
REPLY_TIMEOUT = 180.0
PROBLEM = "problema técnico"
COMPLAINTS = (
    "qué desastre de embalaje: el pedido PED-{order} llegó con la caja rota y el jarrón hecho pedazos, "
    "estoy muy molesto",
    "me cobraron dos veces el pedido PED-{order} y nadie me devuelve el dinero",
    "el pedido PED-{order} lleva dos semanas de retraso y nadie me dice nada",
)


class Telegram:
    """Telegram's side: delivers updates to a webhook (again while it is not answered 200, as
    Telegram does) and receives what the bot sends (the fake Bot API). One thread sorts what the
    bot sends into each chat's mailbox: a hundred customers waiting on the fake's own calls list
    would keep it too busy to answer the bot."""

    def __init__(self, fake: FakeBotApi, webhook: str) -> None:
        self.fake, self.webhook = fake, webhook
        self.mailboxes: defaultdict[int, list[str]] = defaultdict(list)
        self.arrived = threading.Condition()
        self.stopping = threading.Event()
        self.sorter = threading.Thread(target=self.sort_mail, daemon=True)
        self.sorter.start()

    def sort_mail(self) -> None:
        seen = 0
        while not self.stopping.wait(0.1):
            calls = self.fake.calls("sendMessage")
            with self.arrived:
                for call in calls[seen:]:
                    if call.ok:
                        self.mailboxes[int(call.params["chat_id"])].append(call.params["text"])
                self.arrived.notify_all()
            seen = len(calls)

    def deliver(self, update: dict, url: str | None = None, timeout: float = 120) -> int:
        """Post until accepted; the number of attempts."""
        deadline = time.monotonic() + timeout
        attempts = 0
        while True:
            attempts += 1
            if self.post(update, url) == 200:
                return attempts
            assert time.monotonic() < deadline, f"update {update['update_id']} was never accepted"
            time.sleep(0.5)

    def post(self, update: dict, url: str | None = None) -> int:
        request = urllib.request.Request(
            url or self.webhook,
            data=json.dumps(update).encode(),
            headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0  # nothing answered: nginx or the server is down

    def sent(self, chat: int) -> list[str]:
        with self.arrived:
            return list(self.mailboxes[chat])

    def wait(self, chat: int, predicate, count: int = 1, timeout: float = REPLY_TIMEOUT) -> list[str]:
        """The first `count` texts sent to `chat` that match `predicate`, once they have arrived."""

        def matching() -> list[str]:
            return [text for text in self.mailboxes[chat] if predicate(text)]

        with self.arrived:
            if not self.arrived.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                raise AssertionError(
                    f"chat {chat}: {count} matching replies expected, got {self.mailboxes[chat]}"
                )
            return matching()[:count]


@pytest.fixture(scope="module")
def cluster(trained_model, postgres_databases, tmp_path_factory):
    redis_url = service_url("Redis")
    with (
        short_inbox_leases(LEASE_SECONDS),
        fresh_postgres_database(postgres_databases) as database_url,
        FakeBotApi() as fake,
    ):
        settings = assistant_settings(fake, database_url, "https://cluster.example.com", redis_url)
        directory = tmp_path_factory.mktemp("cluster")
        with running_cluster(
            settings, rasa=2, actions=2, log_prefix="reliability-", directory=directory, worker=False,
            console=False,
        ) as running:  # fmt: skip
            fake.wait_for("setWebhook", 2, timeout=60)
            telegram = Telegram(fake, f"{running.public_url}/webhooks/telegram/webhook")
            yield running, telegram, create_session_factory(database_url)
            telegram.stopping.set()


def replica_webhooks(running) -> list[str]:
    return [f"{url}/webhooks/telegram/webhook" for url in running.rasa.values()]


def complaint(chat: int, n: int) -> dict:
    order = f"{chat % 10000:04d}{n:03d}"
    return tg.text_update(chat, COMPLAINTS[n % len(COMPLAINTS)].format(order=order))


def told_numbers(telegram: Telegram, chat: int) -> list[str]:
    return [m.group() for text in telegram.sent(chat) if (m := CASE_NUMBER.search(text))]


def cases_by_chat(factory) -> dict[str, list[str]]:
    with factory() as session:
        rows = session.execute(select(Customer.chat_id, Case.number).join(Case.customer)).all()
    by_chat: dict[str, list[str]] = {}
    for chat, number in rows:
        by_chat.setdefault(chat, []).append(number)
    return by_chat


def test_a_thousand_cases_from_a_hundred_chats_at_once(cluster):
    running, telegram, factory = cluster
    chats = [7_100_000 + n for n in range(100)]
    per_chat = 10

    def customer(chat: int) -> None:
        for n in range(per_chat):
            telegram.deliver(complaint(chat, n))
            telegram.wait(chat, CASE_NUMBER.search, count=n + 1)

    with ThreadPoolExecutor(len(chats)) as pool:
        list(pool.map(customer, chats))

    told = {chat: told_numbers(telegram, chat) for chat in chats}
    assert all(len(numbers) == per_chat for numbers in told.values())
    everyone = [number for numbers in told.values() for number in numbers]
    assert len(set(everyone)) == 1000  # every customer told their own number, none twice
    stored = cases_by_chat(factory)
    assert sum(len(numbers) for numbers in stored.values()) == 1000
    assert {chat: sorted(told[chat]) for chat in chats} == {chat: sorted(stored[str(chat)]) for chat in chats}
    assert not any(PROBLEM in text for chat in chats for text in telegram.sent(chat))


def test_one_chats_messages_sent_to_both_replicas_are_processed_in_order(cluster):
    running, telegram, factory = cluster
    first, second = replica_webhooks(running)
    chat = 7_200_001
    words = ["hola", "cuanto tarda un envio a valencia?", "y a canarias?", "gracias", "adiós"]
    updates = [tg.text_update(chat, text) for text in words]
    for n, update in enumerate(updates):  # each accepted before the next is sent, alternately
        assert telegram.post(update, first if n % 2 == 0 else second) == 200
    telegram.wait(chat, lambda text: True, count=len(words))
    deadline = time.monotonic() + REPLY_TIMEOUT
    while (seen := user_texts(factory, chat)) != words:
        assert time.monotonic() < deadline, seen
        time.sleep(0.5)


def user_texts(factory, chat: int) -> list[str]:
    """What the customer said, in the order Rasa's tracker store recorded it."""
    with factory() as session:
        rows = session.execute(
            text("SELECT data FROM events WHERE sender_id = :chat AND type_name = 'user' ORDER BY id"),
            {"chat": str(chat)},
        ).scalars()
        return [json.loads(row)["text"] for row in rows]


def test_the_same_update_delivered_three_times_to_two_replicas_is_processed_once(cluster):
    running, telegram, factory = cluster
    first, second = replica_webhooks(running)
    chat = 7_300_001
    update = complaint(chat, 1)
    barrier = threading.Barrier(3)

    def deliver(url: str) -> int:
        barrier.wait()
        return telegram.post(update, url)

    with ThreadPoolExecutor(3) as pool:
        assert list(pool.map(deliver, [first, second, first])) == [200, 200, 200]
    telegram.wait(chat, CASE_NUMBER.search)
    time.sleep(3)  # time for a second processing to show, if there were one
    assert len(told_numbers(telegram, chat)) == 1
    assert len(cases_by_chat(factory)[str(chat)]) == 1
    assert user_texts(factory, chat) == [update["message"]["text"]]


def test_kill_9_of_an_action_server_and_a_rasa_server_mid_load(cluster):
    """Only the turns running when a server is killed may end in the apology; every other update
    gets its real answer (its case number), and none is left pending or failed."""
    running, telegram, factory = cluster
    chats = [7_400_000 + n for n in range(40)]
    updates = {chat: complaint(chat, 1) for chat in chats}
    chat_of = {update["update_id"]: chat for chat, update in updates.items()}
    rasa_name, actions_name = next(iter(running.rasa)), next(iter(running.actions))
    cut_off: set[int] = set()

    def kill_mid_turn(name: str) -> None:
        # Running at the kill: started before it, or cut off by it (already failed or abandoned, or
        # still `processing` with the dead server until its lease runs out).
        cut_off.update(updates_in(factory, ["processing"]))
        kill_9(running, name)
        cut_off.update(updates_in(factory, ["processing", "failed", "abandoned"]))

    def customer(chat: int) -> None:
        time.sleep((chat % 40) * 0.1)  # arriving over four seconds
        telegram.deliver(updates[chat])

    with ThreadPoolExecutor(len(chats)) as pool:
        arrivals = pool.map(customer, chats)
        time.sleep(1.5)
        kill_mid_turn(actions_name)
        time.sleep(1.0)
        kill_mid_turn(rasa_name)
        list(arrivals)
    running.restart(actions_name)
    running.restart(rasa_name)

    for chat in chats:
        telegram.wait(chat, lambda text: bool(CASE_NUMBER.search(text)) or PROBLEM in text)
    time.sleep(2 * LEASE_SECONDS)
    stored = cases_by_chat(factory)
    cut_off_chats = {chat_of[update_id] for update_id in cut_off if update_id in chat_of}
    outcomes = Counter()
    for chat in chats:
        told, cases = told_numbers(telegram, chat), stored.get(str(chat), [])
        assert len(cases) <= 1, f"chat {chat}: a case registered twice: {cases}"
        assert len(set(told)) <= 1 and set(told) <= set(cases), f"chat {chat}: told {told}, stored {cases}"
        apologized = any(PROBLEM in text for text in telegram.sent(chat))
        if chat in cut_off_chats:
            assert told or apologized, f"chat {chat}: cut off by a kill and told nothing"
            outcomes["cut off: answered" if told else "cut off: apologized"] += 1
        else:
            assert told and not apologized, f"chat {chat}: not running at a kill, yet {telegram.sent(chat)}"
            outcomes["answered"] += 1
    states = states_of(factory, list(chat_of))
    assert not {update for update, state in states.items() if state in ("received", "processing")}
    unfinished = {chat_of[update] for update, state in states.items() if state != "done"}
    assert unfinished <= cut_off_chats, (
        f"failed or abandoned, not running at a kill: {unfinished - cut_off_chats}"
    )
    print(f"after kill -9: {dict(outcomes)}; running at a kill: {len(cut_off_chats)}")


def updates_in(factory, states: list[str]) -> set[int]:
    with factory() as session:
        return set(session.scalars(select(InboxUpdate.update_id).where(InboxUpdate.state.in_(states))))


def states_of(factory, update_ids: list[int]) -> dict[int, str]:
    with factory() as session:
        rows = session.execute(
            select(InboxUpdate.update_id, InboxUpdate.state).where(InboxUpdate.update_id.in_(update_ids))
        )
        return dict(rows.all())


def kill_9(running, name: str) -> None:
    process = running.supervisor.children[name]
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def test_a_forged_secret_is_refused_through_nginx(cluster):
    running, telegram, factory = cluster
    request = urllib.request.Request(
        telegram.webhook,
        data=b'{"update_id": 1}',
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "falso"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
