"""Parsing on every core when a round has much to parse.

Fetching is network wait, so threads do it; parsing a feed and building its
articles is CPU under the GIL, so once a round has received many bodies
(``start_after`` bytes of bodies) the rest are parsed by worker processes while the fetch
threads keep the network busy and the main thread records. A quiet round
(304s, a few changed feeds) never starts a process. Workers only read the store
(to skip known items) and never write it: every write stays in the poller's
process, so SQLite's single writer is respected.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger(__name__)

__all__ = ["ParsePool"]

_worker: dict[str, Any] = {}


def _init_worker(store_url: str, user_agent: str, allow_private: tuple[str, ...] = ()) -> None:
    from syndicator.sources.fetch import make_session
    from syndicator.store import Store

    _worker["store"] = Store(store_url)
    _worker["session"] = make_session(user_agent, pool_size=4, allow_private=allow_private)


def _known(keys: Any) -> set[str]:
    from syndicator.store.articles import known_keys

    with _worker["store"].read() as connection:
        return set(known_keys(connection, keys))


def _nothing_known(keys: Any) -> set[str]:
    return set()


def _complete_in_worker(spec: Any, result: Any, check_known: bool) -> tuple[Any, list[Any]]:
    """The poll result and what recording needs of each article (keys, hash, JSON),
    made here rather than by the one process that writes the store."""
    from syndicator.sources.poll import complete_poll
    from syndicator.store.articles import prepare

    known = _known if check_known else _nothing_known
    done = complete_poll(spec, _worker["session"], result, known)
    return done, [prepare(article) for article in done.articles]


def _noop() -> None:
    return None


def _preload() -> None:
    """What a worker runs, imported before forking so every worker starts with it."""
    import lxml.etree  # noqa: F401

    import syndicator.sources.entries
    import syndicator.sources.feeds
    import syndicator.sources.poll
    import syndicator.store.articles  # noqa: F401


class ParsePool:
    """``complete(spec, session, result, is_known)`` runs ``complete_poll`` here, or,
    after ``start_after`` bytes of bodies in this round and with ``workers`` > 1, in a worker
    process. Call ``close()`` at the end of the round.

    Workers are spawned (a fresh interpreter: safe whatever threads are running), which
    costs each a fraction of a second of imports. ``eager=True`` says the round will
    surely parse much (sources polled for the first time): the workers are then started
    at once, forked from this process with the parser already imported, provided no
    other thread runs yet (forking a threaded process can copy a held lock)."""

    def __init__(
        self,
        *,
        store_url: str,
        user_agent: str,
        allow_private: tuple[str, ...] = (),
        workers: int | None = None,
        start_after: int = 12_000_000,
        eager: bool = False,
    ) -> None:
        self.store_url, self.user_agent = store_url, user_agent
        self.allow_private = allow_private  # the fetch guard's, for article pages
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.start_after = start_after
        self._received = 0  # bytes of bodies this round
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        if eager and self._may_use_processes() and threading.active_count() == 1:
            import multiprocessing

            if "fork" in multiprocessing.get_all_start_methods():
                self._fork_now()

    def _fork_now(self) -> None:
        """Fork the workers at once; if that fails (no memory for a process, a worker
        dying at start) the round goes on, parsing here or in spawned workers later."""
        from concurrent.futures.process import BrokenProcessPool

        _preload()
        pool = self._start("fork")
        try:
            # With "fork" the executor creates every process on its first task; give
            # it one now, while this is still the only thread.
            pool.submit(_noop).result()
        except (OSError, BrokenProcessPool) as exc:
            log.warning("could not start parse workers (%s); parsing in this process", exc)
            pool.shutdown(wait=False, cancel_futures=True)
            return
        self._pool = pool

    def _may_use_processes(self) -> bool:
        return self.workers >= 2 and not self.store_url.endswith(":memory:")

    def _start(self, method: str) -> ProcessPoolExecutor:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        log.debug("parsing in %d worker processes (%s)", self.workers, method)
        return ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_init_worker,
            initargs=(self.store_url, self.user_agent, self.allow_private),
        )

    def _use_pool(self, size: int) -> ProcessPoolExecutor | None:
        if not self._may_use_processes():
            return None
        with self._lock:
            self._received += size
            if self._pool is None and self._received > self.start_after:
                self._pool = self._start("spawn")
            return self._pool

    def complete(
        self, spec: Any, session: Any, result: Any, is_known: Any, *, check_known: bool = True
    ) -> tuple[Any, list[str] | None]:
        """``complete_poll``'s result and, from a worker, each article's
        ``articles.prepare`` (else None). ``check_known=False`` skips the store lookup (a source's first
        poll: recording dedups against the store anyway)."""
        from syndicator.sources.poll import complete_poll

        pool = None if result.not_modified else self._use_pool(len(result.body))
        if pool is None:
            known = is_known if check_known else _nothing_known
            return complete_poll(spec, session, result, known), None
        return pool.submit(_complete_in_worker, spec, result, check_known).result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
