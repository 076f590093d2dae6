"""Who may use the console: one login from the environment, sessions kept in memory, and a limit
on wrong passwords per client address."""

from __future__ import annotations

import hmac
import secrets
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.local_secrets import kept_secret
from bot.models import utcnow

SESSION_LIFETIME = timedelta(hours=8)
MAX_FAILURES = 5  # wrong passwords from one address within FAILURE_WINDOW …
FAILURE_WINDOW = timedelta(minutes=15)  # … lock that address out until the oldest one is this old


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str

    def match(self, user: str, password: str) -> bool:
        """Constant time, whatever is wrong: the user, the password or both."""
        same_user = hmac.compare_digest(user.encode(), self.user.encode())
        same_password = hmac.compare_digest(password.encode(), self.password.encode())
        return same_user and same_password


def console_credentials(user: str, password: str | None, generated: Path) -> tuple[Credentials, bool]:
    """`CONSOLE_USER` / `CONSOLE_PASSWORD`; with no password set, one is generated once and kept in
    `generated` (readable by its owner only), never printed. True when it came from that file."""
    if password:
        return Credentials(user, password), False
    return Credentials(user, kept_secret(generated, length=12)), True


@dataclass
class Sessions:
    """Random session tokens, in this process's memory: a restart logs everybody out."""

    clock: Callable[[], datetime] = utcnow
    expiry: dict[str, datetime] = field(default_factory=dict)

    def open(self) -> str:
        token = secrets.token_urlsafe(32)
        self.expiry[token] = self.clock() + SESSION_LIFETIME
        return token

    def valid(self, token: str | None) -> bool:
        expires = self.expiry.get(token or "")
        if expires is None:
            return False
        if expires <= self.clock():
            del self.expiry[token]
            return False
        return True

    def close(self, token: str | None) -> None:
        self.expiry.pop(token or "", None)


@dataclass
class LoginThrottle:
    """At most MAX_FAILURES wrong passwords per address in any FAILURE_WINDOW."""

    clock: Callable[[], datetime] = utcnow
    failures: dict[str, deque[datetime]] = field(default_factory=lambda: defaultdict(deque))

    def wait(self, address: str) -> timedelta | None:
        """How long `address` must wait before trying again; None if it may try now."""
        recent = self._recent(address)
        if len(recent) < MAX_FAILURES:
            return None
        return recent[0] + FAILURE_WINDOW - self.clock()

    def failed(self, address: str) -> None:
        self._recent(address).append(self.clock())

    def succeeded(self, address: str) -> None:
        self.failures.pop(address, None)

    def _recent(self, address: str) -> deque[datetime]:
        recent = self.failures[address]
        while recent and recent[0] + FAILURE_WINDOW <= self.clock():
            recent.popleft()
        return recent
