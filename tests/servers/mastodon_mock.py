"""mastodon-mock (PyPI), a stateful FastAPI server of the Mastodon REST API, on a free
loopback port and in memory: no real Mastodon can be installed from PyPI, npm or
Debian. It honours ``Idempotency-Key`` on ``POST /api/v1/statuses`` (the same key
returns the first status) and has a fault-injection control plane
(``POST /api/v1/_mock/faults``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import requests

from tests.servers.ports import free_port, http_ok
from tests.servers.process import ServerProcess

TOKEN = "mock_token"  # the mock's built-in test user


class MastodonMock:
    def __init__(self, url: str, process: ServerProcess | None = None) -> None:
        self.url = url
        self.process = process

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        return requests.request(method, self.url + path, headers=headers, timeout=10, **kwargs)

    def statuses(self) -> list[dict[str, Any]]:
        me = self.api("GET", "/api/v1/accounts/verify_credentials").json()
        params = {"limit": "40"}
        return list(self.api("GET", f"/api/v1/accounts/{me['id']}/statuses", params=params).json())

    def all_statuses(self) -> list[dict[str, Any]]:
        """Every status of the test user, newest first (paged by ``max_id``)."""
        me = self.api("GET", "/api/v1/accounts/verify_credentials").json()
        found: list[dict[str, Any]] = []
        params = {"limit": "40"}
        while True:
            page = self.api("GET", f"/api/v1/accounts/{me['id']}/statuses", params=params).json()
            if not page:
                return found
            found.extend(page)
            params = {"limit": "40", "max_id": page[-1]["id"]}

    def fault(self, effect: dict[str, Any], *, count: int | None = 1) -> None:
        rule = {"match": {"methods": ["POST"], "path": "/api/v1/statuses"}, "effect": effect}
        response = requests.post(f"{self.url}/api/v1/_mock/faults", json={**rule, "count": count},
                                 timeout=10)  # fmt: skip
        response.raise_for_status()

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


def start_mastodon_mock(workdir: Path) -> MastodonMock:
    program = Path(sys.executable).with_name("mastodon_mock")
    if not program.exists():
        raise RuntimeError("mastodon-mock is not installed: uv sync --extra test")
    port = free_port()
    process = ServerProcess(
        [str(program), "serve", "--in-memory", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"],
        workdir / "mock.out",
        cwd=workdir,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    process.wait_ready(http_ok(f"{url}/api/v2/instance"), timeout=60, what="mastodon-mock")
    return MastodonMock(url, process)
