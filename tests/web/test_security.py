"""Passwords, sessions, CSRF tokens and login throttling, each on its own."""

from __future__ import annotations

import time

from syndicator.web.security import (
    LoginThrottle,
    Sessions,
    check_login,
    hash_password,
    verify_password,
)


def test_a_password_is_stored_as_an_argon2id_hash_that_verifies_only_itself() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert verify_password(stored, "correct horse")
    assert not verify_password(stored, "correct hors")
    assert not verify_password("not a hash", "correct horse")


def test_an_unknown_user_never_logs_in() -> None:
    assert check_login(None, "anything") is False


def test_a_session_cookie_round_trips_and_a_tampered_one_is_refused() -> None:
    sessions = Sessions(b"k" * 32)
    session, cookie = sessions.new("eddie")
    assert sessions.read(cookie) == session
    assert sessions.read(cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")) is None
    assert Sessions(b"other key" * 4).read(cookie) is None
    assert sessions.read("") is None and sessions.read(None) is None


def test_the_csrf_token_belongs_to_its_session() -> None:
    sessions = Sessions(b"k" * 32)
    mine, _ = sessions.new("eddie")
    theirs, _ = sessions.new("eddie")
    assert mine.csrf_ok(mine.csrf_token)
    assert not mine.csrf_ok(theirs.csrf_token)
    assert not mine.csrf_ok("") and not mine.csrf_ok(None)


def test_failures_past_the_limit_block_until_the_window_passes() -> None:
    throttle = LoginThrottle(max_failures=3, window=0.3)
    for _ in range(3):
        assert not throttle.blocked("ip:1", "user:x")
        throttle.failed("ip:1", "user:x")
    assert throttle.blocked("ip:1") and throttle.blocked("user:x")
    assert not throttle.blocked("ip:2", "user:y")
    time.sleep(0.35)
    assert not throttle.blocked("ip:1", "user:x")


def test_a_success_clears_the_count() -> None:
    throttle = LoginThrottle(max_failures=2, window=60)
    throttle.failed("user:x")
    throttle.succeeded("user:x")
    throttle.failed("user:x")
    assert not throttle.blocked("user:x")
