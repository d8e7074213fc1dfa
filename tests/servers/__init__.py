"""Real servers for the tests: Synapse, a Bluesky PDS, PostgreSQL, nginx, and stub HTTP servers.

`./dev servers` installs the binaries into `.cache/servers/` (or the system, for apt
packages); the modules here start them on 127.0.0.1, on free ports, with their data in
temp dirs, and stop them by PID. The fixtures in tests/conftest.py wrap them.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVERS_DIR = Path(os.environ.get("SYNDICATOR_SERVERS_DIR", REPO_ROOT / ".cache" / "servers"))


class NotInstalled(RuntimeError):
    """A server the test needs is not installed: the fix is always the same command."""

    def __init__(self, what: str, looked_for: object) -> None:
        super().__init__(f"{what} is not installed (looked for {looked_for}): run ./dev servers")
