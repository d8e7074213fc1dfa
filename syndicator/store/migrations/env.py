"""How Alembic reaches the post log.

Inside syndicator the connection comes from ``migrate.upgrade`` (already in the
transaction that holds the migration lock). From the ``alembic`` command line, a
developer names the store with ``-x url=...``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from syndicator.store.schema import metadata


def _run(connection: Connection) -> None:
    # Batch mode lets a revision alter a SQLite table (copy and move) as well as a
    # PostgreSQL one.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("name the store: alembic ... -x url=sqlite:///var/dev.db ...")
    with create_engine(url).begin() as opened:
        _run(opened)
