"""Rasa's SQL tracker store, made to survive the database going away.

- Each pooled connection is checked before use (SQLAlchemy's `pool_pre_ping`): without it, the
  first turn after the database restarts fails on a connection the database already closed.
- A conversation that could not be saved is not lost. Rasa wraps every tracker store in
  `FailSafeTrackerStore`, which on a failed save logs the error and keeps the tracker in memory,
  where nothing reads it again: the next turn would start from the database's copy, without the
  turn the customer was just answered in (their «sí» to «¿Resolví tu duda?» would mean nothing).
  Here the unsaved tracker is kept and written as soon as the database answers again, before any
  conversation is read from it. Per server: another replica that takes the chat's next turn reads
  the database's copy.

- On an SQLite file its connections are pooled, as the case store's are (SQLAlchemy 1.4 would open
  one for every read and every save).
- Saving does not ask the database how many of the conversation's events it already has (Rasa
  counts them with a query on every save, a third of a save's time on SQLite:
  benchmarks/results.md, «Tracker store»): a tracker read or saved here remembers how many of its
  events the database holds, and only the ones after them are written. This holds because a
  conversation is read and saved under Rasa's lock for it (the lock store: Redis with several
  servers), so nothing else writes its events in between; a tracker that did not come from here
  is counted as before.
- A save writes its events with one INSERT of many rows (SQLAlchemy Core) instead of an ORM object
  per event, whose unit of work was most of a save's time; a read fetches only the events' JSON
  column, not whole ORM objects. The rows are Rasa's own (`event_row`).

endpoints.yml names this class as the tracker store's `type`; everything else is Rasa's.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)
IN_STORE = "_events_in_store"  # on a tracker read or saved here: how many of its events the database has


def sqlite_pool(url: sa.engine.URL) -> dict[str, Any]:
    """SQLAlchemy 1.4 opens a new connection for every session on an SQLite file (NullPool): pooled,
    as the case store's are (bot/store/db.py)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return {}
    return {"poolclass": sa.pool.QueuePool, "connect_args": {"check_same_thread": False}}


class ReconnectingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url, pool_pre_ping=True, hide_parameters=True, **create_engine_kwargs(url), **sqlite_pool(url)
        )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.unsaved: dict[str, DialogueStateTracker] = {}

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await self.save_unsaved()
            await self.write(tracker)
        except sa.exc.SQLAlchemyError:
            self.unsaved[tracker.sender_id] = tracker
            raise
        self.unsaved.pop(tracker.sender_id, None)
        setattr(tracker, IN_STORE, len(tracker.events))

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        await self.save_unsaved()
        tracker = await super().retrieve(sender_id)
        if tracker is not None:  # read from its latest session: every event it holds is stored
            setattr(tracker, IN_STORE, len(tracker.events))
        return tracker

    async def write(self, tracker: DialogueStateTracker) -> None:
        """Rasa's `SQLTrackerStore.save`, its events inserted in one statement."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = [
                event_row(tracker.sender_id, event) for event in self._additional_events(session, tracker)
            ]
            if rows:
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            session.commit()

    def _event_query(
        self, session: sa.orm.Session, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> Any:
        """Rasa's query (its rows are read as `row.data`, or counted), for the JSON column only."""
        query = super()._event_query(session, sender_id, fetch_events_from_all_sessions)
        return query.with_entities(self.SQLEvent.data)

    def _additional_events(self, session: sa.orm.Session, tracker: DialogueStateTracker) -> Iterator:
        stored = getattr(tracker, IN_STORE, None)
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        await self.save_unsaved()
        return await super().retrieve_full_tracker(conversation_id)

    async def save_unsaved(self) -> None:
        """Write what an outage kept back; raises (keeping the rest) while the database is still away.
        Rasa's save adds only the events the database does not have yet."""
        for sender_id, tracker in list(self.unsaved.items()):
            await self.write(tracker)
            del self.unsaved[sender_id]
            logger.info(
                "a conversation kept back by a database outage is saved now (%d events)", len(tracker.events)
            )


def event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """The `events` row Rasa's SQLTrackerStore stores for `event`."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }
