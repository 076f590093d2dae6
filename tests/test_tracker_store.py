"""The conversation log (bot/store/tracker_store.py) on SQLite and PostgreSQL: what is read back is
what was said, each event once, however often a conversation is read, extended and saved — with
the count of stored events kept on the tracker instead of asked of the database."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
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


def test_the_rows_written_are_those_rasas_own_store_writes_and_either_reads_the_others(database_url):
    """Rows written in one statement, read by their JSON column: a database our store wrote is one
    Rasa's store reads the same, and the other way round (a deployment may switch either way)."""
    domain = Domain.load(PROJECT_ROOT / "domain.yml")
    ours = ReconnectingSQLTrackerStore(domain=domain, host=database_url)
    rasas = SQLTrackerStore(domain=domain, host=database_url)
    events = [
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("cuanto tarda un envio?", {"name": "duda", "confidence": 0.97}, message_id="tg-1"),
        SlotSet("tipo_caso", "duda"),
        ActionExecuted("action_responder_duda"),
        BotUttered(
            "Envío estándar: 2–4 días laborables.", {"buttons": [{"title": "Sí", "payload": "/afirmar"}]}
        ),
        ActionExecuted("action_listen"),
    ]

    async def written_and_read() -> tuple[DialogueStateTracker, DialogueStateTracker]:
        await ours.save(DialogueStateTracker.from_events("ours", events, domain.slots))
        await rasas.save(DialogueStateTracker.from_events("rasas", events, domain.slots))
        return await rasas.retrieve("ours"), await ours.retrieve("rasas")

    read_by_rasa, read_by_ours = asyncio.run(written_and_read())
    assert rows(ours, "ours") == rows(ours, "rasas")
    assert [row[1:4] for row in rows(ours, "ours")][2:5] == [
        ("user", "duda", None), ("slot", None, "tipo_caso"), ("action", None, "action_responder_duda"),
    ]  # fmt: skip
    assert list(read_by_rasa.events) == list(read_by_ours.events) == events


def rows(store: ReconnectingSQLTrackerStore, sender: str) -> list[tuple]:
    """Every column but the id and the sender."""
    with store.engine.connect() as connection:
        query = sa.text(
            "SELECT timestamp, type_name, intent_name, action_name, data FROM events"
            " WHERE sender_id = :sender ORDER BY id"
        )
        return [tuple(row) for row in connection.execute(query, {"sender": sender})]
