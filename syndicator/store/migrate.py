"""Bringing a post log to the schema this syndicator reads and writes, when it opens.

Alembic keeps the history (``store/migrations/versions``) and the revision a store is
at (its ``alembic_version`` table). Opening a store runs every revision it has not
seen, inside one transaction that holds a lock (SQLite's write lock taken at once,
a PostgreSQL advisory lock), so two processes opening a new store at the same moment
never both create it. One INFO line says when a store was upgraded; creating a new
one, or finding it up to date, is a DEBUG line.

Stores made before Alembic numbered their schema in ``meta.schema_version`` (1 to 3).
Version 3 is revision ``0003``; an older one is first brought to it by the two steps
it lacked. Afterwards ``meta.schema_version`` reads ``4``, higher than any
pre-Alembic syndicator knows, so an old release refuses the store instead of writing
to a schema it does not know.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    text,
    update,
)

from syndicator.errors import ConfigError
from syndicator.store.schema import meta

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0003"  # the revision equal to schema version 3, the last numbered in meta
LEGACY_LAST = 3
ALEMBIC_ERA = "4"  # meta.schema_version from Alembic on (see the module docstring)
_LOCK_KEY = 0x53594E4D  # "SYNM": PostgreSQL advisory lock held while migrating


def upgrade(engine: Engine) -> str:
    """Run every revision the store at ``engine`` lacks; return the revision it is at."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    assert head is not None
    name = engine.url.render_as_string(hide_password=True)
    with engine.connect() as connection:
        _lock(connection)
        before = current_revision(connection)
        if before is None:
            before = _adopt_pre_alembic_store(connection, config)
        else:
            _refuse_unknown(script, before)
        if before == head:
            connection.rollback()
            log.debug("post log %s is at revision %s", name, head)
            return head
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        _write_era(connection)
        connection.commit()
    if before is None:  # a new store is no news; an upgrade is
        log.debug("created the post log %s at revision %s", name, head)
    else:
        log.info("upgraded the post log %s from %s to revision %s", name, before, head)
    return head


def current_revision(connection: Connection) -> str | None:
    """The Alembic revision a store is at; None before Alembic (or for an empty one)."""
    return MigrationContext.configure(connection).get_current_revision()


def _lock(connection: Connection) -> None:
    """Hold the store's migration lock until this transaction ends."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, taken now
    elif connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def _refuse_unknown(script: ScriptDirectory, revision: str) -> None:
    try:
        script.get_revision(revision)
    except CommandError:
        raise ConfigError(
            f"store: schema revision {revision} is newer than this syndicator; upgrade syndicator"
        ) from None


def _legacy_version(connection: Connection) -> int:
    """``meta.schema_version`` of a store made before Alembic; 0 when there is none."""
    if not connection.dialect.has_table(connection, "meta"):
        return 0
    value = connection.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(value) if value is not None else 0


def _adopt_pre_alembic_store(connection: Connection, config: AlembicConfig) -> str | None:
    """Stamp a store made before Alembic with ``BASELINE`` (after bringing an older one
    to version 3); return what it was, or None for an empty database."""
    version = _legacy_version(connection)
    if version == 0:
        return None
    if version > LEGACY_LAST:
        raise ConfigError(
            f"store: schema version {version} is newer than this syndicator; upgrade syndicator"
        )
    _bridge_to_v3(connection, version)
    config.attributes["connection"] = connection
    command.stamp(config, BASELINE)
    return f"schema version {version} (before Alembic)"


def _bridge_to_v3(connection: Connection, version: int) -> None:
    """What versions 2 and 3 added, as they added it (frozen here: never edited)."""
    if version < 2:
        v2 = MetaData()
        Table(
            "target_pauses",
            v2,
            Column("target", String(200), primary_key=True),
            Column("until", DateTime, nullable=False),
            Column("reason", Text, nullable=False),
        )
        v2.create_all(connection)
    if version < 3:
        connection.execute(text("ALTER TABLE articles ADD COLUMN plan VARCHAR(8)"))


def _write_era(connection: Connection) -> None:
    updated = connection.execute(
        update(meta).where(meta.c.key == "schema_version").values(value=ALEMBIC_ERA)
    )
    if not updated.rowcount:
        connection.execute(insert(meta).values(key="schema_version", value=ALEMBIC_ERA))
