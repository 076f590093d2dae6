"""The conversation log (bot/store/tracker_store.py) on SQLite and PostgreSQL: what is read back is
what was said, each event once, however often a conversation is read, extended and saved — with
the count of stored events kept on the tracker instead of asked of the database."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import PROJECT_ROOT
from bot.store.tracker_store import ReconnectingSQLTrackerStore


def turn(text: str) -> list:
    return [
        UserUttered(text, {"name": "saludo", "confidence": 0.9}),
        BotUttered(f"re: {text}"),
        ActionExecuted("action_listen"),
    ]


def stored_rows(store: ReconnectingSQLTrackerStore, sender: str) -> list[str]:
    with store.engine.connect() as connection:
        query = sa.text("SELECT type_name FROM events WHERE sender_id = :sender ORDER BY id")
        return list(connection.execute(query, {"sender": sender}).scalars())


def said_back(tracker: DialogueStateTracker) -> list[str]:
    return [event.text for event in tracker.events if isinstance(event, (UserUttered, BotUttered))]


def test_each_event_is_stored_once_however_often_the_conversation_is_saved(database_url):
    domain = Domain.load(PROJECT_ROOT / "domain.yml")
    store = ReconnectingSQLTrackerStore(domain=domain, host=database_url)

    async def conversation() -> DialogueStateTracker:
        new = DialogueStateTracker.from_events("c-1", [ActionExecuted("action_listen")], domain.slots)
        await store.save(new)  # not read from the store: counted in the database, as Rasa does
        for text in ("hola", "cuanto tarda un envio?", "gracias"):
            tracker = await store.retrieve("c-1")
            for event in turn(text):
                tracker.update(event)
            await store.save(tracker)
            await store.save(tracker)  # saved again with nothing new: nothing written twice
        return await store.retrieve("c-1")

    tracker = asyncio.run(conversation())
    assert said_back(tracker) == ["hola", "re: hola", "cuanto tarda un envio?", "re: cuanto tarda un envio?",
                                  "gracias", "re: gracias"]  # fmt: skip
    assert len(stored_rows(store, "c-1")) == len(tracker.events) == 10


def test_a_new_session_is_read_alone_and_stored_after_the_old_one(database_url):
    domain = Domain.load(PROJECT_ROOT / "domain.yml")
    store = ReconnectingSQLTrackerStore(domain=domain, host=database_url)

    async def two_sessions() -> DialogueStateTracker:
        first = DialogueStateTracker.from_events("c-2", [SessionStarted(), *turn("hola")], domain.slots)
        await store.save(first)
        tracker = await store.retrieve("c-2")
        for event in [ActionExecuted("action_session_start"), SessionStarted(), *turn("otra vez yo")]:
            tracker.update(event)
        await store.save(tracker)
        return await store.retrieve("c-2")

    tracker = asyncio.run(two_sessions())
    assert said_back(tracker) == ["otra vez yo", "re: otra vez yo"]
    assert stored_rows(store, "c-2").count("session_started") == 2 and len(stored_rows(store, "c-2")) == 9
