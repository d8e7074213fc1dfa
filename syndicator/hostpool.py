"""Many requests in flight, never too many at one site, results streamed.

Why not a bare ``ThreadPoolExecutor.map``: it caps only the total, so a config
where most sources live on one host would open ``concurrency`` connections to
that host at once; and it holds every result until the caller reads it, so a
round over thousands of feeds keeps every body in memory. Here a thread takes an
item only when both the global cap and the item's host cap allow it, and only as
fast as the caller consumes results: at most ``concurrency`` finished results
wait in memory, however many items there are.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
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
    delay the rest of the round.

    The threads are all started before any work is handed out (a thread started
    while others are busy waits for the GIL just to begin), and each takes its next
    item itself when it finishes one. A call starts only while fewer than
    ``concurrency`` results are running or waiting for the caller."""
    concurrency, per_host = max(1, concurrency), max(1, per_host)
    waiting: dict[str, deque[T]] = {}
    for item in items:
        waiting.setdefault(host(item), deque()).append(item)
    total = sum(len(line) for line in waiting.values())
    if not total:
        return
    ready: deque[str] = deque(waiting)  # hosts with queued work and a free slot
    active: dict[str, int] = dict.fromkeys(waiting, 0)
    done: queue.SimpleQueue[Outcome[T, R]] = queue.SimpleQueue()
    turn = threading.Condition()
    budget = concurrency  # calls that may start before the caller takes a result
    closed = False

    def next_item() -> tuple[str, T] | None:
        nonlocal budget
        with turn:
            while not closed and not (ready and budget > 0):
                turn.wait()
            if closed:
                return None
            key = ready.popleft()
            line = waiting[key]
            item = line.popleft()
            budget -= 1
            active[key] += 1
            if line and active[key] < per_host:
                ready.append(key)
            return key, item

    def work() -> None:
        while (taken := next_item()) is not None:
            key, item = taken
            try:
                outcome: Outcome[T, R] = Outcome(item, value=fn(item))
            except BaseException as exc:  # handed to the caller, who decides
                outcome = Outcome(item, error=exc)
            with turn:
                active[key] -= 1
                if waiting[key] and active[key] == per_host - 1:
                    ready.append(key)  # the host just got a slot back
                    turn.notify()
            done.put(outcome)

    workers = min(concurrency, sum(min(per_host, len(q)) for q in waiting.values()))
    threads = [
        threading.Thread(target=work, name=f"{thread_name_prefix}-{n}", daemon=True)
        for n in range(workers)
    ]
    with turn:  # started while none can take work: each start is immediate
        for thread in threads:
            thread.start()
        turn.notify_all()
    try:
        for _ in range(total):
            outcome = done.get()
            with turn:
                budget += 1
                turn.notify()
            yield outcome
    finally:
        with turn:
            closed = True
            turn.notify_all()
        for thread in threads:
            thread.join()
