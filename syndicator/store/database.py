"""Opening a post log: the engine, with its schema brought to the newest revision
(``migrate``; Alembic is imported only when there is something to do)."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text

from syndicator.errors import ConfigError

log = logging.getLogger(__name__)

WAL_TRIES = 600  # 30 s in steps of 50 ms


def open_engine(url: str) -> Engine:
    """Create the SQLAlchemy engine and bring its schema up to date."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        create_private(url[len("sqlite:///") :])
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    try:
        engine = create_engine(url, **kwargs)
    except Exception as exc:  # bad URL, missing driver
        raise ConfigError(f"store.url: cannot open {safe_url(url)}: {exc}") from None
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    migrate(engine)
    return engine


def create_private(path: str) -> None:
    """Create the post log's file readable by its owner only (0600, in a new folder
    0700) before SQLite would create it 0644: it holds every post's text, errors and
    remote URLs. SQLite gives its -wal and -shm files the database file's mode. An
    existing file is left as it is."""
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with suppress(FileExistsError):
        os.close(os.open(file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets `syndicator log` read while the service writes; NORMAL sync is durable
    # across process crashes (what the exactly-once rule needs), not across power loss.
    _wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _wal(cursor: sqlite3.Cursor) -> None:
    """Switch a new store to WAL. The switch needs the file to itself, and SQLite
    answers "database is locked" at once, without waiting its busy timeout, while
    another process creates the same new store: wait for that, up to 30 s."""
    for attempt in range(WAL_TRIES):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == WAL_TRIES - 1:
                raise
            time.sleep(0.05)


def migrate(engine: Engine) -> str:
    """Apply every migration the store has not seen; return the revision it is at."""
    from syndicator.store.migrations import HEAD

    if _revision_without_alembic(engine) == HEAD:
        log.debug("post log %s is at revision %s", engine.url.render_as_string(), HEAD)
        return HEAD
    # Alembic narrates each step (and its plugins, as it is imported) at INFO; the one
    # line ``upgrade`` logs says what matters.
    quiet = logging.getLogger("alembic")
    if quiet.level == logging.NOTSET:
        quiet.setLevel(logging.WARNING)
    from syndicator.store.migrate import upgrade

    return upgrade(engine)


def _revision_without_alembic(engine: Engine) -> str | None:
    """The store's Alembic revision read with a plain query (None when it has none)."""
    with engine.connect() as connection:
        if not engine.dialect.has_table(connection, "alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def safe_url(url: str) -> str:
    """A store URL without its password, for messages."""
    if "://" in url and "@" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
    return url
