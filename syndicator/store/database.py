"""Opening a post log: the engine, the migration to the current schema, and the lock
that keeps a second service from running on the same store."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, update

from syndicator.errors import ConfigError
from syndicator.store import schema

log = logging.getLogger(__name__)


def open_engine(url: str) -> Engine:
    """Create the SQLAlchemy engine and bring its schema up to date."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        from syndicator.store.sql import create_private

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


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets `syndicator log` read while the service writes; NORMAL sync is durable
    # across process crashes (what the exactly-once rule needs), not across power loss.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def migrate(engine: Engine) -> int:
    """Apply every migration the store has not seen; return the resulting version."""
    with engine.begin() as connection:
        version = schema.current_version(connection)
        if version > schema.SCHEMA_VERSION:
            raise ConfigError(
                f"store: schema version {version} is newer than this syndicator "
                f"({schema.SCHEMA_VERSION}); upgrade syndicator"
            )
        for step in range(version, schema.SCHEMA_VERSION):
            log.info("migrating the post log from schema %d to %d", step, step + 1)
            schema.MIGRATIONS[step](connection)
        if version != schema.SCHEMA_VERSION:
            values = {"key": "schema_version", "value": str(schema.SCHEMA_VERSION)}
            if version == 0:
                connection.execute(insert(schema.meta).values(**values))
            else:
                connection.execute(
                    update(schema.meta)
                    .where(schema.meta.c.key == "schema_version")
                    .values(value=values["value"])
                )
    return schema.SCHEMA_VERSION


def safe_url(url: str) -> str:
    """A store URL without its password, for messages."""
    if "://" in url and "@" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
    return url
