"""A real Bluesky PDS (with its PLC directory) on 127.0.0.1, from @atproto/dev-env.

`TestNetworkNoAppView` runs the PDS on SQLite files and a disk blob store in TMPDIR and the
PLC in memory: no Postgres, no Redis. Handles must end in `.test` (the dev network's handle
domain). Reads go through com.atproto.repo.*, since there is no AppView.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tests.servers import SERVERS_DIR, NotInstalled
from tests.servers.ports import free_port, http_ok
from tests.servers.process import ServerProcess

SCRIPT_DIR = Path(__file__).resolve().parent / "pds"


@dataclass
class Pds:
    """A running PDS: `url`, accounts, and record reads for assertions."""

    url: str
    plc_url: str
    process: ServerProcess

    def xrpc(self, method: str, nsid: str, token: str | None = None, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        resp = requests.request(
            method, f"{self.url}/xrpc/{nsid}", headers=headers, timeout=30, **kwargs
        )
        if resp.status_code != 200:
            raise RuntimeError(f"PDS {nsid}: {resp.status_code} {resp.text}")
        return resp.json()

    def create_account(self, handle: str, password: str) -> tuple[str, str]:
        """Create an account and return (did, access JWT). `bot` becomes `bot.test`."""
        if "." not in handle:
            handle = f"{handle}.test"
        body = {"handle": handle, "password": password, "email": f"{handle}@example.test"}
        out = self.xrpc("POST", "com.atproto.server.createAccount", json=body)
        return str(out["did"]), str(out["accessJwt"])

    def get_record(self, uri: str) -> dict[str, Any]:
        """Fetch `at://did/collection/rkey`; returns {uri, cid, value}."""
        if not uri.startswith("at://"):
            raise ValueError(f"not an at:// URI: {uri!r}")
        repo, collection, rkey = uri.removeprefix("at://").split("/", 2)
        params = {"repo": repo, "collection": collection, "rkey": rkey}
        return dict(self.xrpc("GET", "com.atproto.repo.getRecord", params=params))

    def list_records(self, did: str, collection: str, limit: int = 100) -> list[dict[str, Any]]:
        """Records of one collection in a repo, newest first (the PDS's order)."""
        params = {"repo": did, "collection": collection, "limit": str(limit)}
        return list(self.xrpc("GET", "com.atproto.repo.listRecords", params=params)["records"])

    def stop(self) -> None:
        self.process.stop()


def start_pds(workdir: Path) -> Pds:
    """Start PLC + PDS on two free ports; data and blobs go under `workdir`."""
    modules = SERVERS_DIR / "pds" / "node_modules"
    if not (modules / "@atproto" / "dev-env").is_dir():
        raise NotInstalled("The Bluesky PDS (@atproto/dev-env)", modules)
    node = shutil.which("node")
    if node is None:
        raise NotInstalled("Node.js", "node on PATH")
    tmp = workdir / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmp), "NODE_PATH": str(modules), "NODE_ENV": "test"}
    plc_port, pds_port = free_port(), free_port()
    while pds_port == plc_port:
        pds_port = free_port()
    process = ServerProcess(
        [node, str(SCRIPT_DIR / "pds-net.js"), str(plc_port), str(pds_port)],
        workdir / "pds.out",
        env=env,
        cwd=workdir,
    )
    url = f"http://127.0.0.1:{pds_port}"
    process.wait_ready(http_ok(f"{url}/xrpc/_health"), timeout=90, what="Bluesky PDS")
    return Pds(url=url, plc_url=f"http://127.0.0.1:{plc_port}", process=process)
