"""Logins for the web apps: ``user:password,…`` from the configuration, checked in constant
time, with failed attempts throttled (Gradio has none): after :data:`MOST_FAILURES` failures
for a user name from one address within :data:`LOCK_SECONDS`, every attempt for that name from
that address is refused for :data:`LOCK_SECONDS` (HTTP 429), right password or not, and the
lock is logged.

Gradio hands the login function the user name and password only; :class:`ClientAddress`, an
ASGI middleware of the app, tells it the caller's address. Counting per name and address, a
stranger who knows an editor's name cannot lock the editor out from elsewhere. Behind a
reverse proxy every caller has the proxy's address: the count is then per name.
"""
from __future__ import annotations

import hmac
import logging
import threading
import time
from contextvars import ContextVar
from typing import Callable

from fastapi import HTTPException

from rag.core.errors import ConfigError

CLIENT: ContextVar[str] = ContextVar("client_address", default="")

MOST_FAILURES = 5
LOCK_SECONDS = 60.0
MOST_NAMES_KEPT = 10_000  # user names whose recent failures are counted
log = logging.getLogger("rag.login")


class TooManyAttempts(HTTPException):
    """Raised to Gradio's login route while a user is locked: HTTP 429 with the reason."""

    def __init__(self, user: str):
        super().__init__(status_code=429, detail=f"too many failed logins for {user!r}; try again in a minute")


def parse_users(spec: str, variable: str) -> dict[str, str]:
    """``alice:pw1,bob:pw2`` → {alice: pw1, bob: pw2}; a clear error for anything else."""
    users: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in spec.split(","))):
        user, sep, password = pair.partition(":")
        if not sep or not user.strip() or not password:
            raise ConfigError(f"{variable} must be user:password[,user:password…]; got an entry without both")
        users[user.strip()] = password
    return users


class ClientAddress:
    """ASGI middleware: the caller's address, for the login function (:data:`CLIENT`)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        token = CLIENT.set(str((scope.get("client") or ("",))[0]) if scope.get("type") == "http" else "")
        try:
            await self.app(scope, receive, send)
        finally:
            CLIENT.reset(token)


class Logins:
    """The login function Gradio calls: ``logins(user, password) → bool``."""

    def __init__(self, users: dict[str, str], clock: Callable[[], float] = time.monotonic):
        self.users = users
        self.clock = clock
        self._failures: dict[tuple[str, str], list[float]] = {}  # (name, address) → failure times
        self._locked_until: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def __call__(self, user: str, password: str) -> bool:
        now, key = self.clock(), (user, CLIENT.get())
        with self._lock:
            self._forget(now)
            if self._locked_until.get(key, 0.0) > now:
                log.warning("login refused for %r from %s: locked after %d failures", user, key[1] or "?", MOST_FAILURES)
                raise TooManyAttempts(user)
            expected = self.users.get(user)
            ok = expected is not None and hmac.compare_digest(password.encode(), expected.encode())
            if ok:
                self._failures.pop(key, None)
                return True
            recent = [t for t in self._failures.get(key, []) if now - t < LOCK_SECONDS] + [now]
            self._failures[key] = recent
            log.warning("failed login for %r from %s (%d in the last minute)", user, key[1] or "?", len(recent))
            if len(recent) >= MOST_FAILURES:
                self._locked_until[key] = now + LOCK_SECONDS
                self._failures.pop(key, None)
                log.warning("user %r locked from %s for %.0f s after %d failed logins", user, key[1] or "?",
                            LOCK_SECONDS, len(recent))
            return False

    def _forget(self, now: float) -> None:
        """Drop expired locks and failures, and past MOST_NAMES_KEPT names the oldest: names
        made up by the thousand cannot grow the process."""
        self._locked_until = {u: t for u, t in self._locked_until.items() if t > now}
        self._failures = {u: ts for u, ts in self._failures.items() if now - ts[-1] < LOCK_SECONDS}
        while len(self._failures) > MOST_NAMES_KEPT:
            self._failures.pop(next(iter(self._failures)))
