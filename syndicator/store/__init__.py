"""The post log: sources' poll state, articles, deliveries and their events.

SQLAlchemy Core over SQLite by default, or any SQLAlchemy URL (PostgreSQL when several
workers share the work). Modules hold plain functions that take a connection; ``Store``
only owns the engine, so callers choose their transaction boundaries: a delivery's claim
is committed on its own, before the network call. Importing this package does not
load SQLAlchemy: ``Store`` loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from syndicator.store.engine_store import Store
    from syndicator.store.lock import AlreadyRunning

__all__ = ["AlreadyRunning", "Store"]


def __getattr__(name: str) -> Any:
    if name == "Store":
        from syndicator.store.engine_store import Store

        return Store
    if name == "AlreadyRunning":
        from syndicator.store.lock import AlreadyRunning

        return AlreadyRunning
    raise AttributeError(name)
