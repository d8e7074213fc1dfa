"""Many requests in flight, never too many at one site, results streamed.

Why not a bare ``ThreadPoolExecutor.map``: it caps only the total, so a config
where most sources live on one host would open ``concurrency`` connections to
that host at once; and it holds every result until the caller reads it, so a
round over thousands of feeds keeps every body in memory. Here work is handed to
the threads only when both the global cap and the item's host cap allow it, and
only as fast as the caller consumes results: at most ``concurrency`` finished
results wait in memory, however many items there are.
"""

from __future__ import annotations

import queue
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, Union
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

__all__ = ["Inline", "Outcome", "Step", "host_of", "run_per_host"]

_NETLOC = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([^/?#\[\]]*)(?:[/?#]|\Z)")

T = TypeVar("T")
R = TypeVar("R")


class Outcome(Generic[T, R]):
    """What one call gave: ``value`` or the ``error`` it raised."""

    __slots__ = ("error", "item", "value")

    def __init__(self, item: T, value: R | None = None, error: BaseException | None = None):
        self.item, self.value, self.error = item, value, error


# What ``Inline.wait`` gives for an item: its Outcome, or the work left for a thread.
Step = Union[Outcome[T, R], Callable[[], R]]  # noqa: UP007 - a generic alias needs Union


class Inline(Protocol[T, R]):
    """Work the scheduling thread does itself, without blocking (``sources.sweep``)."""

    def start(self, token: str, item: T) -> bool:
        """Take ``item`` into the loop (True), or leave it to a thread (False)."""

    def wait(self, block: bool) -> list[tuple[str, T, Step[T, R]]]:
        """The items that finished or need a thread since the last call, each with
        the ``token`` it started with; ``block``: wait for at least one or a ``wake``."""

    def wake(self) -> None:
        """Interrupt a blocked ``wait`` (called from the threads)."""


def host_of(url: str) -> str:
    """The politeness key of a URL: its host and port, lower-cased."""
    plain = _NETLOC.match(url) if url.isascii() and url.isprintable() else None
    if plain is not None and " " not in url:  # as urlsplit reads it, at a fifth of the cost
        return (plain.group(1) or url).lower()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return (parts.netloc or url).lower()


class _Threads:
    """A thread pool made on first use: a round the sweep answers whole never
    imports ``concurrent.futures`` nor builds an executor."""

    def __init__(self, workers: int, prefix: str) -> None:
        self.workers, self.prefix = workers, prefix
        self._pool: ThreadPoolExecutor | None = None

    def submit(self, fn: Callable[..., None], *args: Any) -> None:
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix=self.prefix)
        self._pool.submit(fn, *args)

    def __enter__(self) -> _Threads:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)


def run_per_host(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    host: Callable[[T], str],
    concurrency: int,
    per_host: int,
    thread_name_prefix: str = "fetch",
    inline: Inline[T, R] | None = None,
) -> Iterator[Outcome[T, R]]:
    """Call ``fn`` on every item in threads and yield each ``Outcome`` as it
    finishes. At most ``concurrency`` calls run at once and at most ``per_host``
    for items sharing ``host(item)``; hosts take turns, so one big site does not
    delay the rest of the round. ``inline``: work this thread does itself on
    non-blocking sockets (``inline.start(host, item)`` takes the item or leaves it
    to ``fn``); an item it hands back unfinished goes on in a thread, keeping its
    slot. Threads are started only when work reaches them."""
    concurrency, per_host = max(1, concurrency), max(1, per_host)
    waiting: dict[str, deque[T]] = {}
    for item in items:
        waiting.setdefault(host(item), deque()).append(item)
    if not waiting:
        return
    ready: deque[str] = deque(waiting)  # hosts with queued work and a free slot
    active: dict[str, int] = dict.fromkeys(waiting, 0)
    done: queue.SimpleQueue[tuple[str, Outcome[T, R]]] = queue.SimpleQueue()
    running = in_loop = 0

    def call(key: str, item: T, work: Callable[[], R]) -> None:
        try:
            done.put((key, Outcome(item, value=work())))
        except BaseException as exc:  # handed to the caller, who decides
            done.put((key, Outcome(item, error=exc)))
        if inline is not None:
            inline.wake()

    workers = min(concurrency, sum(min(per_host, len(q)) for q in waiting.values()))
    with _Threads(workers, thread_name_prefix) as pool:

        def launch() -> None:
            nonlocal running, in_loop
            while running < concurrency and ready:
                key = ready.popleft()
                line = waiting[key]
                item = line.popleft()
                if inline is not None and inline.start(key, item):
                    in_loop += 1
                else:  # results come back through `done`
                    pool.submit(call, key, item, partial(fn, item))
                running += 1
                active[key] += 1
                if line and active[key] < per_host:
                    ready.append(key)

        launch()
        while running:
            finished: list[tuple[str, Outcome[T, R]]] = []
            if in_loop:
                assert inline is not None
                for key, item, step in inline.wait(block=done.empty()):
                    in_loop -= 1
                    if isinstance(step, Outcome):
                        finished.append((key, step))
                    else:  # goes on in a thread, in the slot it holds
                        pool.submit(call, key, item, step)
            elif done.empty():
                finished.append(done.get())
            while not done.empty():
                finished.append(done.get())
            for key, _ in finished:
                running -= 1
                active[key] -= 1
                if waiting[key] and active[key] == per_host - 1:
                    ready.append(key)  # the host just got a slot back
            launch()  # keep the network busy while the caller works on these
            for _, outcome in finished:
                yield outcome
