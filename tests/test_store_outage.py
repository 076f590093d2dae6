"""The database down for 10 s under a running assistant (PostgreSQL behind a TCP proxy that is cut):
customers hear of it, nothing crashes, and once it is back every message is answered without help."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from sqlalchemy import func, select

from bot.db import create_session_factory
from bot.models import InboxUpdate
from tests import telegram_updates as tg
from tests.fake_bot_api import FakeBotApi
from tests.postgres import fresh_postgres_database
from tests.tcp_proxy import proxied_database
from tests.telegram_assistant import short_inbox_leases, telegram_assistant, texts

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


def post_until_accepted(assistant, update: dict, timeout: float = 30) -> None:
    """As Telegram does: deliver again until the webhook answers 200."""
    deadline = time.monotonic() + timeout
    while assistant.post(update) != 200:
        assert time.monotonic() < deadline, "the webhook never accepted the update again"
        time.sleep(1)


def test_the_database_down_for_ten_seconds(outage):
    assistant, proxy, direct_url = outage
    assert "problema técnico" not in texts(assistant.say(9100, QUESTION, expect=1))

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
    assert server_is_up(assistant)

    time.sleep(3 * LEASE_SECONDS)  # no update is left for a server to take over and apologize for
    assert "problema técnico" not in texts(assistant.sent(9100))
    with create_session_factory(direct_url)() as session:
        states = session.execute(select(InboxUpdate.state, func.count()).group_by(InboxUpdate.state)).all()
    assert dict(states) == {"done": 5}
