"""Session fixtures for real servers on 127.0.0.1 (see tests/servers/ for the how and why).

Each server starts only when a test first asks for it, lives for the session, keeps its data
under a temp dir and is stopped by PID at the end. A missing install fails the test with
"run ./dev servers": a test that silently skips would hide exactly what CI must check.
The two factories (`nginx_site`, `http_server`) are cheap, so their servers live for one test.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.servers.http import Handler, StubServer, serve
from tests.servers.nginx import NginxSite, start_nginx
from tests.servers.pds import Pds, start_pds
from tests.servers.postgres import Postgres, start_postgres
from tests.servers.synapse import Synapse, start_synapse


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """Synapse homeserver: `.url`, `.register()`, `.bot`, `.new_room()`, `.messages()`."""
    server = start_synapse(tmp_path_factory.mktemp("synapse"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pds]:
    """Bluesky PDS: `.url`, `.create_account()`, `.get_record()`, `.list_records()`."""
    server = start_pds(tmp_path_factory.mktemp("pds"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Postgres]:
    """The PostgreSQL cluster: `.url(db)`, `.conninfo(db)`, `.create_database()`."""
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: Postgres) -> str:
    """SQLAlchemy URL of the session's `syndic_test` database (shared by tests)."""
    return postgres_server.create_database("syndic_test")


@pytest.fixture
def fresh_postgres_url(postgres_server: Postgres) -> str:
    """SQLAlchemy URL of a new, empty database for this test alone."""
    return postgres_server.create_database()


@pytest.fixture
def nginx_site(tmp_path: Path) -> Iterator[Callable[..., NginxSite]]:
    """Factory: `nginx_site(root_dir, extra_conf="")` serves a directory with nginx."""
    sites: list[NginxSite] = []

    def start(root: Path, extra_conf: str = "") -> NginxSite:
        sites.append(
            start_nginx(Path(root), tmp_path / f"nginx-{len(sites)}", extra_conf=extra_conf)
        )
        return sites[-1]

    yield start
    for site in sites:
        site.stop()


@pytest.fixture
def http_server() -> Iterator[Callable[..., StubServer]]:
    """Factory: `http_server(handler, host="127.0.0.1")` runs a recording stub server
    (see tests/servers/http.py)."""
    stubs: list[StubServer] = []
    with contextlib.ExitStack() as stack:

        def start(handler: Handler, *, host: str = "127.0.0.1") -> StubServer:
            stubs.append(stack.enter_context(serve(handler, host=host)))
            return stubs[-1]

        yield start
    errors = [error for stub in stubs for error in stub.errors]
    if errors:
        raise AssertionError(f"a stub handler raised: {errors[0]!r}") from errors[0]
