"""Rasa's Redis lock store configured by one URL, with each ticket change made atomic.

`LOCK_STORE_URL=redis://[:password@]host:port/db` makes every Rasa server share one lock per
conversation; unset, Rasa keeps its in-memory lock store (one server). The launcher sets
`LOCK_STORE_TYPE`, which endpoints.yml passes to Rasa, from that URL.

Rasa Open Source's `RedisLockStore` changes a lock by reading it, changing it in Python and
writing it back: two servers issuing a ticket for the same conversation in the same
millisecond can both get the same number. Here every change is a Redis transaction (WATCH the
key, retry if another server wrote it meanwhile); the tickets and their JSON are Rasa's own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

IN_MEMORY = "in_memory"
KEY_PREFIX = "atencion"


def lock_store_type(url: str | None) -> str:
    """What endpoints.yml's `lock_store.type` is for `LOCK_STORE_URL`."""
    return f"{__name__}.UrlRedisLockStore" if url else IN_MEMORY


def redis_options(url: str) -> dict[str, Any]:
    """RedisLockStore's arguments for `url`; a clear error for anything that is not Redis."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError(f"LOCK_STORE_URL must start with redis:// or rediss://, not {url!r}")
    path = parts.path.strip("/")
    if path and not path.isdigit():
        raise ValueError(f"LOCK_STORE_URL: the database after the host must be a number, not {path!r}")
    return {
        "host": parts.hostname or "localhost",
        "port": parts.port or 6379,
        "db": int(path or 0),
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "use_ssl": parts.scheme == "rediss",
        "key_prefix": KEY_PREFIX,
    }


class UrlRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(**redis_options(endpoint_config.url or ""))

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: TicketLock) -> int:
            return lock.issue_ticket(lock_lifetime)

        return self._change(conversation_id, issue, create=True)

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, TicketLock.remove_expired_tickets)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Give the ticket back, and delete the lock when nobody else holds one (atomically)."""
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number), delete_if_idle=True)

    def _change(
        self,
        conversation_id: str,
        change: Callable[[TicketLock], Any],
        create: bool = False,
        delete_if_idle: bool = False,
    ) -> Any:
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> Any:
            stored = pipe.get(key)
            if stored is None and not create:
                return None
            lock = TicketLock.from_dict(json.loads(stored)) if stored else TicketLock(conversation_id)
            result = change(lock)
            pipe.multi()
            if delete_if_idle and not lock.is_someone_waiting():
                pipe.delete(key)
            else:
                pipe.set(key, lock.dumps())
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)
