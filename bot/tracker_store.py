"""Rasa's SQL tracker store, checking each pooled connection before use (SQLAlchemy's
`pool_pre_ping`). Without it, the first turn after the database restarts fails on a connection
the database has already closed; with it, the stale connection is replaced and the turn goes on.
endpoints.yml names this class as the tracker store's `type`; everything else is Rasa's.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class ReconnectingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url, pool_pre_ping=True, hide_parameters=True, **create_engine_kwargs(url)
        )
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
