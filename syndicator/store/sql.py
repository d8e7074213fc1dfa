"""Plain SQL on a DB-API connection, for the store's hot paths.

Why not SQLAlchemy here: importing it costs a ``syndicator poll`` process more
(0.3-0.6 s) than a whole round of a thousand unchanged feeds, and the statements a
poll needs (look up keys, insert articles, save poll states) are a handful of
fixed strings. Those functions take a ``Sql``: a DB-API connection and its
dialect. ``sql_of`` also wraps a SQLAlchemy ``Connection`` (its driver connection,
inside the same transaction), so the rest of the store and its callers keep
passing what they have. Statements use ``?`` placeholders; PostgreSQL's driver
gets ``%s``.

``open_sqlite`` opens a SQLite post log directly with ``sqlite3``. An empty one is
created from ``sqlite_ddl`` (checked by a test against the migrations); one written
by an older syndicator is first brought up to date by ``database.migrate``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any

from syndicator.clock import as_utc, to_naive_utc

__all__ = ["SCHEMA_VERSION", "SQLiteStore", "Sql", "open_sqlite", "sql_of"]

# The schema version this syndicator writes (``schema.MIGRATIONS`` has one step per
# version; schema.py checks the two agree).
SCHEMA_VERSION = 4
CHUNK = 500  # values per IN (...) list: well under SQLite's and PostgreSQL's limits
# Rows per multi-row INSERT on SQLite: enough to make the GIL hand-offs rare, few
# enough that the compiled statements sqlite3 caches stay small (at 3,000 rows
# they held tens of MB).
ROWS_PER_INSERT = 200


class Sql:
    """A DB-API connection inside a transaction someone else commits."""

    __slots__ = ("_raw", "sqlite")

    def __init__(self, raw: Any, dialect: str) -> None:
        self._raw = raw
        self.sqlite = dialect == "sqlite"

    def _text(self, statement: str) -> str:
        return statement if self.sqlite else statement.replace("?", "%s")

    def rows(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self._raw.cursor()
        try:
            cursor.execute(self._text(statement), tuple(params))
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def run(self, statement: str, params: Sequence[Any] = ()) -> int:
        """Execute one statement; return the rows it changed."""
        cursor = self._raw.cursor()
        try:
            cursor.execute(
                self._text(statement), params if type(params) is tuple else tuple(params)
            )
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def insert(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        upsert_on: str | None = None,
    ) -> None:
        """Insert many rows; with ``upsert_on`` (a unique column) a row whose key
        exists updates it instead.

        On SQLite the rows go as multi-row ``VALUES`` lists, thousands of rows per
        statement: ``executemany`` steps once per row and gives up the GIL at each
        step, and a poll's fetch threads are waiting to take it, so with thousands
        of rows the writer spent most of its time queued behind them."""
        rows = [tuple(row) for row in rows]
        if not rows:
            return
        names = ", ".join(columns)
        conflict = ""
        if upsert_on is not None:
            updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != upsert_on)
            conflict = f" ON CONFLICT ({upsert_on}) DO UPDATE SET {updates}"
        one = "(" + ", ".join("?" * len(columns)) + ")"
        if self.sqlite:
            limit = self._raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns)
            per = max(1, min(limit, ROWS_PER_INSERT))
            for start in range(0, len(rows), per):
                chunk = rows[start : start + per]
                self.run(
                    f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))}"
                    + conflict,
                    tuple(chain.from_iterable(chunk)),  # flattened in C: thousands of values
                )
            return
        cursor = self._raw.cursor()
        try:
            cursor.executemany(
                self._text(f"INSERT INTO {table} ({names}) VALUES {one}{conflict}"), rows
            )
        finally:
            cursor.close()

    def chunked(
        self, statement: str, values: Sequence[Any], params: Sequence[Any] = ()
    ) -> Iterator[tuple[Any, ...]]:
        """Rows of ``statement`` whose ``(?)`` list (written ``IN ({})``) takes
        ``values``; ``params`` come after the list. SQLite reads the whole list as
        one JSON array (one query, see ``insert``); other databases take it in
        chunks of ``CHUNK``."""
        if self.sqlite:
            import json

            if values:
                yield from self.rows(
                    statement.format("SELECT value FROM json_each(?)"),
                    [json.dumps(list(values), ensure_ascii=False), *params],
                )
            return
        for start in range(0, len(values), CHUNK):
            chunk = values[start : start + CHUNK]
            marks = ",".join("?" * len(chunk))
            yield from self.rows(statement.format(marks), [*chunk, *params])

    def stamp(self, moment: datetime | None) -> Any:
        return stamp(moment, sqlite=self.sqlite)

    @staticmethod
    def moment(value: Any) -> datetime | None:
        """A stored datetime back as an aware UTC datetime."""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return as_utc(value)


def stamp(moment: datetime | None, *, sqlite: bool) -> Any:
    """A datetime as the store keeps it: naive UTC; on SQLite the text SQLAlchemy
    writes (``YYYY-MM-DD HH:MM:SS.ffffff``), so either side reads the other's."""
    moment = to_naive_utc(moment)
    if moment is None or not sqlite:
        return moment
    return moment.isoformat(" ", "microseconds")


def sql_of(connection: Sql | Any) -> Sql:
    """``connection`` as a ``Sql``: itself, or a SQLAlchemy Connection's driver
    connection (same transaction)."""
    if isinstance(connection, Sql):
        return connection
    return Sql(connection.connection.driver_connection, connection.dialect.name)


class SQLiteStore:
    """A SQLite post log opened with ``sqlite3`` alone: what a poll needs, no more.

    ``begin()`` is one write transaction (``BEGIN IMMEDIATE``, so two writers wait
    for each other instead of failing at commit) on the one writing connection;
    ``read()`` a snapshot for lookups on the one reading connection. Each is used
    by one thread at a time: a round's fetch threads take turns for their short
    lookups rather than each opening a connection of its own."""

    def __init__(self, path: str, url: str) -> None:
        self.path, self.url = path, url
        self._writer: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()

    @contextmanager
    def begin(self) -> Iterator[Sql]:
        with self._write_lock:
            if self._writer is None:
                self._writer = connect_sqlite(self.path)
            raw = self._writer
            raw.execute("BEGIN IMMEDIATE")
            try:
                yield Sql(raw, "sqlite")
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[Sql]:
        with self._read_lock:
            if self._reader is None:
                self._reader = connect_sqlite(self.path)
            raw = self._reader
            raw.execute("BEGIN")
            try:
                yield Sql(raw, "sqlite")
            finally:
                raw.execute("ROLLBACK")

    def close(self) -> None:
        with self._write_lock, self._read_lock:
            for raw in (self._reader, self._writer):
                if raw is not None:
                    raw.close()
            self._writer = self._reader = None


def connect_sqlite(path: str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), with the same
    pragmas as the SQLAlchemy engine's."""
    raw = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA synchronous=NORMAL")
    raw.execute("PRAGMA foreign_keys=ON")
    return raw


def sqlite_path(url: str) -> str | None:
    """The file of a ``sqlite:///PATH`` URL; None for anything else (and for memory)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == "sqlite:///:memory:" or "?" in url:
        return None
    return url[len(prefix) :]


def schema_version(path: str) -> int:
    """The store's schema version; 0 when it has no ``meta`` table (or no file)."""
    if not Path(path).exists():
        return 0
    raw = sqlite3.connect(path, timeout=30)
    try:
        row = raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:  # no meta table yet
        return 0
    finally:
        raw.close()
    return int(row[0]) if row else 0


def open_sqlite(url: str) -> SQLiteStore | None:
    """The store at ``url`` opened with sqlite3, migrated first when needed; None when
    ``url`` is not a SQLite file (the caller uses the SQLAlchemy store then)."""
    path = sqlite_path(url)
    if path is None:
        return None
    if schema_version(path) != SCHEMA_VERSION and not _create(path):
        from syndicator.store.database import open_engine

        open_engine(url).dispose()  # migrates an older store; refuses a newer one
    return SQLiteStore(path, url)


def _create(path: str) -> bool:
    """Create the current schema in an empty database; False when it is not empty
    (an older store, to be migrated)."""
    from syndicator.store.sqlite_ddl import CREATE_SQLITE

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    raw = connect_sqlite(path)
    try:
        raw.execute("BEGIN IMMEDIATE")  # two first polls at once: one creates
        tables = raw.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
        if tables.fetchone()[0]:
            raw.execute("ROLLBACK")
            return schema_version(path) == SCHEMA_VERSION
        for statement in CREATE_SQLITE.split(";"):
            if statement.strip():
                raw.execute(statement)
        raw.execute(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
        )
        raw.execute("COMMIT")
        return True
    finally:
        raw.close()
