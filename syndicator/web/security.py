"""Who is asking, and may they: passwords, sessions, CSRF tokens, login throttling.

- Passwords are hashed with argon2id (argon2-cffi); the store keeps only the hash.
- A session is a signed cookie (itsdangerous) holding the user's name and a random
  CSRF secret; it is HttpOnly and SameSite=Strict, and expires after
  ``SESSION_HOURS``. The signing key is made once per store and kept in the store's
  ``meta`` table, so every process serving one post log accepts the same sessions
  and a restart logs nobody out. It is never shown.
- Every form carries a CSRF token derived from the session's secret; a POST whose
  token does not match is refused.
- Failed logins are counted per address and per user name; past ``MAX_FAILURES``
  within ``WINDOW`` seconds, logins from there are refused until the window passes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine, insert, select

from syndicator.store import schema

SESSION_COOKIE = "syndicator_session"
SESSION_HOURS = 12
MAX_FAILURES = 5
WINDOW = 60.0  # seconds

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the user does not exist, so a login for an unknown
# name takes as long as one with a wrong password (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def check_login(stored_hash: str | None, password: str) -> bool:
    if stored_hash is None:
        verify_password(_DUMMY_HASH, password)
        return False
    return verify_password(stored_hash, password)


def session_key(engine: Engine) -> bytes:
    """The store's session signing key, made on first use."""
    meta = schema.meta
    with engine.begin() as connection:
        value = connection.execute(
            select(meta.c.value).where(meta.c.key == "web_session_key")
        ).scalar()
        if value is None:
            value = secrets.token_hex(32)
            connection.execute(insert(meta).values(key="web_session_key", value=value))
    return bytes.fromhex(str(value))


@dataclass(frozen=True)
class Session:
    user: str
    csrf_secret: str

    @property
    def csrf_token(self) -> str:
        return hmac.new(self.csrf_secret.encode(), b"csrf", hashlib.sha256).hexdigest()

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf_token, str(token))


class Sessions:
    def __init__(self, key: bytes) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt="syndicator-session")

    def new(self, user: str) -> tuple[Session, str]:
        session = Session(user=user, csrf_secret=secrets.token_hex(16))
        cookie = self._serializer.dumps({"u": session.user, "c": session.csrf_secret})
        return session, cookie

    def read(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=SESSION_HOURS * 3600)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), str):
            return None
        return Session(user=data["u"], csrf_secret=str(data.get("c", "")))


class LoginThrottle:
    """Failed logins per key (an address, a user name) within a sliding window."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW) -> None:
        self.max_failures, self.window = max_failures, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.max_failures for k in keys)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
