"""A throw-away PostgreSQL cluster on 127.0.0.1 (Debian binaries, initdb + pg_ctl).

initdb refuses to run as root, so as root the cluster belongs to the `postgres` system user
and lives in a temp dir that user owns (pytest's own tmp dirs are mode 0700 for root).
Durability is switched off: a test cluster never needs to survive a crash, and fsync is slow.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.servers import NotInstalled
from tests.servers.ports import free_port

SUPERUSER = "postgres"


def pg_bindir() -> Path:
    """The newest Debian PostgreSQL bin dir, else wherever initdb is on PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise NotInstalled("PostgreSQL", "/usr/lib/postgresql/*/bin/initdb or initdb on PATH")
    return Path(initdb).parent


def _as_owner(argv: list[str]) -> list[str]:
    return ["runuser", "-u", SUPERUSER, "--", *argv] if os.geteuid() == 0 else argv


@dataclass
class Postgres:
    """A running cluster; `url(db)` gives SQLAlchemy URLs, `create_database` fresh ones."""

    port: int
    workdir: Path
    bindir: Path

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def conninfo(self, dbname: str = "postgres") -> str:
        """The libpq form, for psycopg.connect."""
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={dbname}"

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (a unique name unless given) and return its URL."""
        import psycopg  # test extra; imported here so other fixtures do not need it

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            _as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.workdir / "data"),
                       "-m", "immediate", "-w", "stop"]),
            capture_output=True, timeout=60, cwd="/",
        )  # fmt: skip
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_postgres() -> Postgres:
    """initdb into a new temp dir, start on a free port, return when it accepts connections."""
    bindir = pg_bindir()
    workdir = Path(tempfile.mkdtemp(prefix="syndicator-pg-"))
    if os.geteuid() == 0:
        shutil.chown(workdir, SUPERUSER, SUPERUSER)
    data = workdir / "data"
    init = subprocess.run(
        _as_owner([str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
                   "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
        capture_output=True, text=True, timeout=120, cwd=workdir,
    )  # fmt: skip
    if init.returncode != 0:
        shutil.rmtree(workdir, ignore_errors=True)
        raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
    port = free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={workdir} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    start = subprocess.run(
        _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(workdir / "server.log"),
                   "-w", "-t", "60", "-o", options, "start"]),
        capture_output=True, text=True, timeout=90, cwd=workdir,
    )  # fmt: skip
    server = Postgres(port=port, workdir=workdir, bindir=bindir)
    if start.returncode != 0:
        log = (workdir / "server.log").read_text(errors="replace") if workdir.exists() else ""
        server.stop()
        raise RuntimeError(f"pg_ctl start failed:\n{start.stdout}\n{start.stderr}\n{log}")
    return server
