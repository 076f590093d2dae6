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

endpoints.yml names this class as the tracker store's `type`; everything else is Rasa's.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)


class ReconnectingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url, pool_pre_ping=True, hide_parameters=True, **create_engine_kwargs(url)
        )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.unsaved: dict[str, DialogueStateTracker] = {}

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await self.save_unsaved()
            await super().save(tracker)
        except sa.exc.SQLAlchemyError:
            self.unsaved[tracker.sender_id] = tracker
            raise
        self.unsaved.pop(tracker.sender_id, None)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        await self.save_unsaved()
        return await super().retrieve(sender_id)

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        await self.save_unsaved()
        return await super().retrieve_full_tracker(conversation_id)

    async def save_unsaved(self) -> None:
        """Write what an outage kept back; raises (keeping the rest) while the database is still away.
        Rasa's save adds only the events the database does not have yet."""
        for sender_id, tracker in list(self.unsaved.items()):
            await super().save(tracker)
            del self.unsaved[sender_id]
            logger.info(
                "a conversation kept back by a database outage is saved now (%d events)", len(tracker.events)
            )
