"""Who may use the console: one login from the environment (the password kept only as an Argon2
hash), sessions kept in memory with a CSRF token each, and a limit on wrong passwords per client
address and per user name, bounded in memory.

`python -m bot.console.auth` reads a password and prints its hash, for CONSOLE_PASSWORD."""

from __future__ import annotations

import getpass
import hmac
import secrets
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.ops.local_secrets import kept_secret
from bot.store.models import utcnow

SESSION_LIFETIME = timedelta(hours=8)
MAX_FAILURES = 5  # wrong passwords from one address, or for one user name, within FAILURE_WINDOW …
FAILURE_WINDOW = timedelta(minutes=15)  # … lock it out until the oldest one is this old
MAX_TRACKED = 10_000  # addresses and user names remembered at once; the oldest are forgotten first
HASHER = PasswordHasher()


@dataclass(frozen=True)
class Credentials:
    user: str
    password_hash: str  # Argon2

    @classmethod
    def from_password(cls, user: str, password: str) -> Credentials:
        """A password given already hashed («$argon2id$…») is kept as it is."""
        return cls(user, password if password.startswith("$argon2") else HASHER.hash(password))

    def match(self, user: str, password: str) -> bool:
        """The password is always checked (the same work whatever is wrong); the hash comparison is
        Argon2's own, in constant time."""
        same_user = hmac.compare_digest(user.encode(), self.user.encode())
        try:
            same_password = HASHER.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            same_password = False
        return same_user and same_password


def console_credentials(user: str, password: str | None, generated: Path) -> tuple[Credentials, bool]:
    """`CONSOLE_USER` / `CONSOLE_PASSWORD`; with no password set, one is generated once and kept in
    `generated` (readable by its owner only), never printed. True when it came from that file."""
    if password:
        return Credentials.from_password(user, password), False
    return Credentials.from_password(user, kept_secret(generated, length=12)), True


@dataclass
class Sessions:
    """Random session tokens, in this process's memory: a restart logs everybody out. Each session
    has its own CSRF token, which every form posts back."""

    clock: Callable[[], datetime] = utcnow
    expiry: dict[str, datetime] = field(default_factory=dict)
    csrf: dict[str, str] = field(default_factory=dict)

    def open(self) -> str:
        token = secrets.token_urlsafe(32)
        self.expiry[token] = self.clock() + SESSION_LIFETIME
        self.csrf[token] = secrets.token_urlsafe(24)
        return token

    def csrf_matches(self, token: str | None, posted: str) -> bool:
        expected = self.csrf.get(token or "")
        return expected is not None and hmac.compare_digest(expected.encode(), posted.encode())

    def valid(self, token: str | None) -> bool:
        expires = self.expiry.get(token or "")
        if expires is None:
            return False
        if expires <= self.clock():
            self.close(token)
            return False
        return True

    def close(self, token: str | None) -> None:
        self.expiry.pop(token or "", None)
        self.csrf.pop(token or "", None)


@dataclass
class LoginThrottle:
    """At most MAX_FAILURES wrong passwords per address and per user name in any FAILURE_WINDOW (one
    address guessing many names, or many addresses guessing one); at most MAX_TRACKED of them kept."""

    clock: Callable[[], datetime] = utcnow
    failures: OrderedDict[str, deque[datetime]] = field(default_factory=OrderedDict)

    def wait(self, address: str, user: str) -> timedelta | None:
        """How long this login must wait before trying again; None if it may try now."""
        waits = [self._wait(key) for key in self._keys(address, user)]
        return max((w for w in waits if w is not None), default=None)

    def failed(self, address: str, user: str) -> None:
        for key in self._keys(address, user):
            self._recent(key).append(self.clock())
            self.failures.move_to_end(key)
        while len(self.failures) > MAX_TRACKED:
            self.failures.popitem(last=False)

    def succeeded(self, address: str, user: str) -> None:
        for key in self._keys(address, user):
            self.failures.pop(key, None)

    @staticmethod
    def _keys(address: str, user: str) -> tuple[str, str]:
        return f"address:{address}", f"user:{user.strip().casefold()}"

    def _wait(self, key: str) -> timedelta | None:
        recent = self._recent(key) if key in self.failures else ()
        if len(recent) < MAX_FAILURES:
            return None
        return recent[0] + FAILURE_WINDOW - self.clock()

    def _recent(self, key: str) -> deque[datetime]:
        recent = self.failures.setdefault(key, deque())
        while recent and recent[0] + FAILURE_WINDOW <= self.clock():
            recent.popleft()
        return recent


def main() -> None:
    print(HASHER.hash(getpass.getpass("Contraseña de la consola: ")))


if __name__ == "__main__":
    main()
