"""A real Matrix homeserver (Synapse, SQLite) on 127.0.0.1 for the session.

The config is generated once per session and never edited: a second `-c` file overrides the
listener (loopback, free port), turns off key-server look-ups, presence and rate limits, and
sets a known registration secret so users are created over the admin API without a CLI.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import subprocess
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.servers import SERVERS_DIR, NotInstalled
from tests.servers.ports import free_port, http_ok
from tests.servers.process import ServerProcess

SERVER_NAME = "localhost"

_OVERRIDES = """\
listeners:
  - port: {port}
    bind_addresses: ['127.0.0.1']
    type: http
    tls: false
    x_forwarded: false
    resources: [{{names: [client], compress: false}}]
registration_shared_secret: "{secret}"
trusted_key_servers: []
suppress_key_server_warning: true
presence: {{enabled: false}}
rc_message: {{per_second: 1000, burst_count: 1000}}
rc_registration: {{per_second: 1000, burst_count: 1000}}
rc_joins:
  local: {{per_second: 1000, burst_count: 1000}}
rc_login:
  address: {{per_second: 1000, burst_count: 1000}}
  account: {{per_second: 1000, burst_count: 1000}}
  failed_attempts: {{per_second: 1000, burst_count: 1000}}
"""


@dataclass
class Synapse:
    """A running homeserver: `url`, user registration and a few client-API conveniences."""

    url: str
    workdir: Path
    shared_secret: str
    process: ServerProcess
    _txn: itertools.count = field(default_factory=lambda: itertools.count(1))
    _bot: tuple[str, str] | None = None

    def register(self, user: str, password: str, *, admin: bool = False) -> str:
        """Create `user` via the shared-secret admin API and return its access token."""
        api = f"{self.url}/_synapse/admin/v1/register"
        nonce = requests.get(api, timeout=10).json()["nonce"]
        mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
        kind = b"admin" if admin else b"notadmin"
        mac.update(b"\x00".join([nonce.encode(), user.encode(), password.encode(), kind]))
        body = {
            "nonce": nonce,
            "username": user,
            "password": password,
            "admin": admin,
            "mac": mac.hexdigest(),
        }
        resp = requests.post(api, json=body, timeout=30)
        if resp.status_code != 200:
            raise RuntimeError(f"Synapse register {user!r}: {resp.status_code} {resp.text}")
        return str(resp.json()["access_token"])

    def user_id(self, user: str) -> str:
        return f"@{user}:{SERVER_NAME}"

    @property
    def bot(self) -> tuple[str, str]:
        """(user id, access token) of a user `bot`, registered on first use."""
        if self._bot is None:
            self._bot = (self.user_id("bot"), self.register("bot", secrets.token_urlsafe(12)))
        return self._bot

    def client(self, method: str, path: str, token: str, **kwargs: Any) -> Any:
        """Call the client-server API (`path` after /_matrix/client/v3) and return the JSON."""
        resp = requests.request(
            method,
            f"{self.url}/_matrix/client/v3{path}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
            **kwargs,
        )
        if resp.status_code != 200:
            raise RuntimeError(f"Synapse {method} {path}: {resp.status_code} {resp.text}")
        return resp.json()

    def new_room(self, token: str, name: str = "news", *, invite: list[str] | None = None) -> str:
        """Create a room owned by the token's user and return its room id."""
        body: dict[str, Any] = {"name": name, "invite": invite or []}
        return str(self.client("POST", "/createRoom", token, json=body)["room_id"])

    def send_text(self, room_id: str, token: str, body: str) -> str:
        """Post an m.text message (as a human would) and return its event id."""
        room = urllib.parse.quote(room_id, safe="")
        path = f"/rooms/{room}/send/m.room.message/fixture-{next(self._txn)}"
        content = {"msgtype": "m.text", "body": body}
        return str(self.client("PUT", path, token, json=content)["event_id"])

    def messages(self, room_id: str, token: str, limit: int = 100) -> list[dict[str, Any]]:
        """The room's latest `limit` events, oldest first (state events included)."""
        room = urllib.parse.quote(room_id, safe="")
        params = {"dir": "b", "limit": str(limit)}
        chunk = self.client("GET", f"/rooms/{room}/messages", token, params=params)["chunk"]
        return list(reversed(chunk))

    def stop(self) -> None:
        self.process.stop()


def synapse_python() -> Path:
    python = SERVERS_DIR / "synapse-venv" / "bin" / "python"
    if not python.exists():
        raise NotInstalled("Synapse", python)
    return python


def start_synapse(workdir: Path) -> Synapse:
    """Generate a config in `workdir`, start Synapse on a free port, wait for /health."""
    python = synapse_python()
    config = workdir / "homeserver.yaml"
    generated = subprocess.run(
        [str(python), "-m", "synapse.app.homeserver", "--server-name", SERVER_NAME,
         "--config-path", str(config), "--data-directory", str(workdir / "data"),
         "--generate-config", "--report-stats=no"],
        cwd=workdir, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if generated.returncode != 0:
        raise RuntimeError(f"Synapse --generate-config failed:\n{generated.stderr}")
    port = free_port()
    secret = secrets.token_hex(16)
    overrides = workdir / "test-overrides.yaml"
    overrides.write_text(_OVERRIDES.format(port=port, secret=json.dumps(secret)[1:-1]))
    process = ServerProcess(
        [str(python), "-m", "synapse.app.homeserver", "-c", str(config), "-c", str(overrides)],
        workdir / "synapse.out",
        cwd=workdir,
    )
    url = f"http://127.0.0.1:{port}"
    process.wait_ready(http_ok(f"{url}/health"), timeout=90, what="Synapse")
    return Synapse(url=url, workdir=workdir, shared_secret=secret, process=process)
