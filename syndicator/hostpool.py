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
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar
from urllib.parse import urlsplit

__all__ = ["Outcome", "host_of", "run_per_host"]

T = TypeVar("T")
R = TypeVar("R")


class Outcome(Generic[T, R]):
    """What one call gave: ``value`` or the ``error`` it raised."""

    __slots__ = ("error", "item", "value")

    def __init__(self, item: T, value: R | None = None, error: BaseException | None = None):
        self.item, self.value, self.error = item, value, error


def host_of(url: str) -> str:
    """The politeness key of a URL: its host and port, lower-cased."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return (parts.netloc or url).lower()


def run_per_host(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    host: Callable[[T], str],
    concurrency: int,
    per_host: int,
    thread_name_prefix: str = "fetch",
) -> Iterator[Outcome[T, R]]:
    """Call ``fn`` on every item in threads and yield each ``Outcome`` as it
    finishes. At most ``concurrency`` calls run at once and at most ``per_host``
    for items sharing ``host(item)``; hosts take turns, so one big site does not
    delay the rest of the round."""
    concurrency, per_host = max(1, concurrency), max(1, per_host)
    waiting: dict[str, deque[T]] = {}
    for item in items:
        waiting.setdefault(host(item), deque()).append(item)
    if not waiting:
        return
    ready: deque[str] = deque(waiting)  # hosts with queued work and a free slot
    active: dict[str, int] = dict.fromkeys(waiting, 0)
    done: queue.SimpleQueue[tuple[str, Outcome[T, R]]] = queue.SimpleQueue()
    running = 0

    def call(key: str, item: T) -> None:
        try:
            done.put((key, Outcome(item, value=fn(item))))
        except BaseException as exc:  # handed to the caller, who decides
            done.put((key, Outcome(item, error=exc)))

    workers = min(concurrency, sum(min(per_host, len(q)) for q in waiting.values()))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=thread_name_prefix) as pool:

        def launch() -> None:
            nonlocal running
            while running < concurrency and ready:
                key = ready.popleft()
                line = waiting[key]
                future: Future[None] = pool.submit(call, key, line.popleft())
                del future  # results come back through `done`
                running += 1
                active[key] += 1
                if line and active[key] < per_host:
                    ready.append(key)

        launch()
        while running:
            key, outcome = done.get()
            running -= 1
            active[key] -= 1
            if waiting[key] and active[key] == per_host - 1:
                ready.append(key)  # the host just got a slot back
            launch()  # keep the network busy while the caller works on this one
            yield outcome
