"""What service_rounds.py watches a running service with, each in a thread of its own.

``Sampler`` tails nginx's access log every 10 ms (one ``(time, status)`` per
``/feeds/`` request: the log has no timestamps, so the time is when the line was
seen) and reads the service's CPU (utime + stime), VmRSS and thread count from
/proc every 100 ms. ``HealthProbe`` asks ``/healthz`` about every 20 ms on a new
connection, as a supervisor would, and keeps each answer's latency and status.
"""

from __future__ import annotations

import http.client
import os
import statistics
import threading
import time
from collections import Counter

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14, 15)


def status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Sampler:
    def __init__(self, access_log: str, mark: int) -> None:
        self.access_log, self.mark = access_log, mark
        self.requests: list[tuple[float, str]] = []
        self.samples: list[tuple[float, float, int]] = []  # time, CPU s, VmRSS kB
        self.gone = False
        self.pid = 0
        self.threads_max = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self, pid: int) -> None:
        self.pid = pid
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with open(self.access_log, "rb") as fh:
            fh.seek(self.mark)
            partial, tick = b"", 0
            while not self._stop.is_set():
                partial = self._read_lines(fh, partial)
                if tick % 10 == 0:
                    self._sample()
                tick += 1
                time.sleep(0.01)

    def _read_lines(self, fh: object, partial: bytes) -> bytes:
        data = partial + fh.read()  # type: ignore[attr-defined]
        *lines, partial = data.split(b"\n")
        now = time.monotonic()
        for line in lines:
            status, _, uri = [*line.decode("utf-8", "replace").split(" ", 2), "", ""][:3]
            if uri.startswith("/feeds/"):
                self.requests.append((now, status))
        return partial

    def _sample(self) -> None:
        try:
            sample = (time.monotonic(), cpu_seconds(self.pid), status_kb(self.pid, "VmRSS"))
        except (FileNotFoundError, ProcessLookupError, IndexError):
            self.gone = True
            return
        if sample[2] == 0:  # a zombie has no memory: the service has exited
            self.gone = True
            return
        self.samples.append(sample)
        self.threads_max = max(self.threads_max, status_kb(self.pid, "Threads"))

    def settle(
        self, after: float, deadline: float, next_round: int, most: float, window: float = 0.5
    ) -> tuple[float, float, bool]:
        """The first moment from ``after`` on that the CPU grows by at most ``most``
        seconds over ``window``: the round's work is done. (time, CPU then, settled).
        If request number ``next_round`` (the next round's first) comes first, the
        last sample before it, not settled."""
        while time.monotonic() < deadline and not self.gone:
            samples = [s for s in self.samples if s[0] >= after]
            for index, (moment, cpu, _) in enumerate(samples):
                later = [s for s in samples[index:] if s[0] >= moment + window]
                if later and later[0][1] - cpu <= most:
                    return moment, cpu, True
            if len(self.requests) > next_round:
                moment = self.requests[next_round][0]
                return moment, self.cpu_before(moment), False
            time.sleep(0.1)
        raise SystemExit("the service's CPU never settled after the round (or it exited)")

    def cpu_before(self, moment: float) -> float:
        earlier = [cpu for at, cpu, _ in self.samples if at <= moment]
        return earlier[-1] if earlier else 0.0

    def rss_max(self, start: float, end: float) -> int:
        return max((rss for at, _, rss in self.samples if start <= at <= end), default=0)

    def rss_at(self, moment: float) -> int:
        earlier = [rss for at, _, rss in self.samples if at <= moment]
        return earlier[-1] if earlier else 0

    def rss_last(self) -> int:
        return self.samples[-1][2] if self.samples else 0

    def hwm_kb(self) -> int:
        return status_kb(self.pid, "VmHWM")


class HealthProbe:
    def __init__(self, host: str, port: int, every: float = 0.02) -> None:
        self.host, self.port, self.every = host, port, every
        self.answers: list[tuple[float, float, str]] = []  # asked at, latency s, status
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            asked = time.monotonic()
            status = self._ask()
            self.answers.append((asked, time.monotonic() - asked, status))
            self._stop.wait(max(0.0, asked + self.every - time.monotonic()))

    def _ask(self) -> str:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            return str(response.status)
        except ConnectionRefusedError:
            return "refused"
        except OSError as exc:  # a timeout is an answer too: the worst one
            return type(exc).__name__
        finally:
            connection.close()

    def summary(self, start: float, end: float) -> dict[str, object]:
        """Latencies of the questions asked between ``start`` and ``end``, in ms."""
        chosen = [a for a in self.answers if start <= a[0] <= end]
        latencies = sorted(latency * 1000 for _, latency, _ in chosen) or [0.0]
        cuts = (
            statistics.quantiles(latencies, n=100, method="inclusive")
            if len(latencies) > 1
            else latencies * 99
        )
        return {
            "count": len(chosen),
            "statuses": dict(Counter(status for _, _, status in chosen)),
            "p50_ms": statistics.median(latencies),
            "p99_ms": cuts[98],
            "max_ms": latencies[-1],
        }
