"""Waking a worker when another one makes a delivery due: PostgreSQL LISTEN/NOTIFY.

One thread per worker holds its own connection (outside SQLAlchemy's pool, in
autocommit mode, as LISTEN needs) and calls ``wake`` for each notification, several
arriving together waking once. A lost connection is logged and opened again after a
pause; meanwhile the service's look at the post log every ``[service] drain_every``
still finds what became due, only later.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import Engine

if TYPE_CHECKING:
    from psycopg import Connection

log = logging.getLogger(__name__)

RECONNECT_AFTER = 2.0  # seconds
WAIT = 1.0  # seconds between looks at the stop flag


class Listener:
    def __init__(self, engine: Engine, channel: str, wake: Callable[[], None]) -> None:
        self.engine = engine
        self.channel = channel
        self.wake = wake
        self._stop = threading.Event()
        self.listening = threading.Event()  # set once LISTEN is in force
        self._thread = threading.Thread(target=self._run, name="listen", daemon=True)

    def start(self, wait: float = 5.0) -> None:
        """Start listening; return once LISTEN is in force (or ``wait`` seconds passed:
        the service does not wait on a database that is slow to answer)."""
        self._thread.start()
        self.listening.wait(wait)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5 * WAIT)

    def _connect(self) -> Connection[tuple[object, ...]]:
        import psycopg

        args, params = self.engine.dialect.create_connect_args(self.engine.url)
        connection = psycopg.connect(*args, **params, autocommit=True)
        connection.execute(f'LISTEN "{self.channel}"')
        return connection

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                connection = self._connect()
            except Exception as exc:
                log.warning("LISTEN %s: cannot connect (%s); polling meanwhile", self.channel, exc)
                self._stop.wait(RECONNECT_AFTER)
                continue
            self.listening.set()
            try:
                self._receive(connection)
            except Exception as exc:
                if not self._stop.is_set():
                    log.warning("LISTEN %s: connection lost (%s); reconnecting", self.channel, exc)
                    self._stop.wait(RECONNECT_AFTER)
            finally:
                connection.close()

    def _receive(self, connection: Connection[tuple[object, ...]]) -> None:
        while not self._stop.is_set():
            if not list(connection.notifies(timeout=WAIT, stop_after=1)):
                continue
            list(connection.notifies(timeout=0.01))  # the ones that came with it
            try:
                self.wake()
            except Exception:
                log.exception("waking the drain failed")
