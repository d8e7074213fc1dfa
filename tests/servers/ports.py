"""Free loopback ports and readiness polling shared by the server fixtures."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable


def free_port() -> int:
    """Ask the kernel for a free port on 127.0.0.1.

    The socket is closed before the server binds, so another process could take the port in
    between; on a test machine that race is rare enough, and every server here fails loudly
    (with its log) if its bind fails.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(
    ready: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    alive: Callable[[], bool] = lambda: True,
    log: Callable[[], str] = lambda: "",
) -> None:
    """Poll `ready` until it is true; fail early (with the log) if the process died.

    Failing with the server's own log tail is the point: a fixture that only says
    "timed out" sends the reader hunting through temp dirs.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if not alive():
            raise RuntimeError(f"{what} exited during start-up:\n{log()}")
        time.sleep(0.1)
    raise RuntimeError(f"{what} was not ready after {timeout:.0f} s:\n{log()}")


def http_ok(url: str) -> Callable[[], bool]:
    """A readiness probe: true once GET `url` answers 2xx."""

    def probe() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return 200 <= resp.status < 300
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False

    return probe
