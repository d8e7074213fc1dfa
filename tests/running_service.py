"""A real ``syndicator run`` subprocess for tests where the running service is the
point (signals, timing, other processes changing its post log)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path


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
