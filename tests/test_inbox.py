"""The update inbox in the store, on SQLite and PostgreSQL: once per update, in each chat's order
across servers, and taken over from a server that stopped renewing its leases."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.store import inbox
from bot.store.inbox import Start
from bot.store.models import InboxState, InboxUpdate

NOW = datetime(2026, 11, 25, 10, 0)
A, B, C = "server-a", "server-b", "server-c"


def accept(factory, update_id: int, owner: str, chat: str | None = "100", now: datetime = NOW) -> bool:
    with factory.begin() as session:
        return inbox.accept(session, update_id, chat, f'{{"update_id": {update_id}}}', owner, now)


def start(factory, update_id: int, owner: str, now: datetime = NOW) -> Start:
    with factory.begin() as session:
        return inbox.start(session, update_id, owner, now)


def finish(factory, update_id: int, owner: str, state: InboxState = InboxState.DONE) -> None:
    with factory.begin() as session:
        inbox.finish(session, update_id, owner, state)


def take_over(factory, owner: str, now: datetime) -> list[tuple[int, InboxState]]:
    with factory.begin() as session:
        return [(taken.update_id, taken.state) for taken in inbox.take_over(session, owner, now)]


def states(factory) -> dict[int, tuple[str, str]]:
    with factory() as session:
        rows = session.execute(select(InboxUpdate.update_id, InboxUpdate.state, InboxUpdate.owner))
        return {update_id: (state, owner) for update_id, state, owner in rows}


def after_lease(seconds: float = 1) -> datetime:
    return NOW + inbox.lease_duration() + timedelta(seconds=seconds)


def test_an_update_delivered_again_is_accepted_and_processed_once(session_factory):
    assert accept(session_factory, 5001, A) is True
    assert accept(session_factory, 5001, B) is False  # Telegram resent it to another server
    assert start(session_factory, 5001, B) is Start.GONE  # not B's to process
    assert start(session_factory, 5001, A) is Start.STARTED
    assert start(session_factory, 5001, A) is Start.GONE
    finish(session_factory, 5001, A)
    assert accept(session_factory, 5001, C) is False  # even after it was processed
    assert states(session_factory) == {5001: ("done", A)}


def test_the_same_update_posted_to_three_servers_at_once_is_accepted_by_one(session_factory):
    results: list[bool] = []
    barrier = threading.Barrier(3)

    def deliver(owner: str) -> None:
        barrier.wait()
        results.append(accept(session_factory, 6001, owner))

    threads = [threading.Thread(target=deliver, args=(owner,)) for owner in (A, B, C)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, True]


def test_a_chats_later_update_waits_for_an_earlier_one_on_another_server(session_factory):
    accept(session_factory, 10, A)
    accept(session_factory, 11, B)
    accept(session_factory, 12, B, chat="200")  # another chat: no need to wait
    assert start(session_factory, 11, B) is Start.WAIT
    assert start(session_factory, 12, B) is Start.STARTED
    assert start(session_factory, 10, A) is Start.STARTED
    assert start(session_factory, 11, B) is Start.WAIT  # still being processed on A
    finish(session_factory, 10, A)
    assert start(session_factory, 11, B) is Start.STARTED


def test_a_servers_own_updates_are_ordered_by_its_chat_queue_not_by_the_store(session_factory):
    accept(session_factory, 20, A)
    accept(session_factory, 21, A)
    assert start(session_factory, 21, A) is Start.STARTED


def test_updates_of_a_server_that_stopped_renewing_are_taken_over_once(session_factory):
    accept(session_factory, 30, A)
    accept(session_factory, 31, A, chat="300")
    assert start(session_factory, 31, A) is Start.STARTED
    accept(session_factory, 32, A, chat="400")
    finish(session_factory, 32, A)
    assert take_over(session_factory, B, NOW + timedelta(seconds=5)) == []  # leases still running
    assert take_over(session_factory, B, after_lease()) == [
        (30, InboxState.RECEIVED),
        (31, InboxState.PROCESSING),
    ]
    assert take_over(session_factory, C, after_lease(2)) == []  # B's lease is new
    assert start(session_factory, 30, A) is Start.GONE  # A came back: no longer its update
    finish(session_factory, 31, A)  # nor can it finish it
    assert start(session_factory, 30, B, after_lease()) is Start.STARTED
    assert states(session_factory)[31] == ("processing", B)


def test_renewing_keeps_a_servers_updates(session_factory):
    accept(session_factory, 40, A)
    with session_factory.begin() as session:
        inbox.renew(session, A, [40], NOW + timedelta(seconds=25))
    assert take_over(session_factory, B, after_lease()) == []
    assert take_over(session_factory, B, after_lease(26)) == [(40, InboxState.RECEIVED)]
