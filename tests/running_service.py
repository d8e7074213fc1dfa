"""A real ``syndicator run`` subprocess for tests where the running service is the
point (signals, timing, other processes changing its post log)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from syndicator.service import Service


class Running:
    """A ``syndicator run`` subprocess whose log the test can wait on."""

    def __init__(self, config: Path, log: Path) -> None:
        self.log = log
        self._handle = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "syndicator", "run", "-c", str(config)],
            cwd=config.parent,
            stdout=self._handle,
            stderr=self._handle,
        )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, needle: str, *, count: int = 1, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.text().count(needle) < count:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} not logged; log:\n{self.text()}")
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(30)
        self._handle.close()
        return code


class InProcess:
    """The service's own coroutines (``Service.run``, and the health endpoint when
    ``health`` is an address) on an event loop in a thread of this process, for
    tests whose targets are adapters registered in this process only. ``url``: the
    health endpoint's."""

    def __init__(self, service: Service, *, health: str | None = None) -> None:
        self.service, self.health, self.url = service, health, ""
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="service", daemon=True)

    def __enter__(self) -> InProcess:
        self._thread.start()
        if not self._ready.wait(30) or self._error is not None:
            raise AssertionError(f"the service did not start: {self._error!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.service.stop()
        self._thread.join(30)
        assert not self._thread.is_alive(), "the service did not stop"

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported by __enter__ or the test
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        from syndicator.health import start_health_server
        from syndicator.poll import poller_of

        fetcher = poller_of(self.service.engine).open_fetcher()
        site = await start_health_server(self.service, self.health) if self.health else None
        if site is not None:
            self.url = site.url
        self._ready.set()
        try:
            await self.service.run(fetcher)
        finally:
            if site is not None:
                await site.stop()
            await fetcher.close()
