"""The fetch guard in a real aiohttp ClientSession, against real servers on two loopback
addresses: a news site on 127.0.0.2 (the source's own host) whose links and redirects
point at an internal service on 127.0.0.1 (and on [::1]). Nothing may reach the
internal service unless the config allows its network."""

from __future__ import annotations

import asyncio
import contextlib
import socket

import aiohttp
import pytest

from syndicator.sources.guard import FetchGuard, FetchRefused, parse_allow_list
from syndicator.sources.guard_aiohttp import GuardedResolver, guard_trace_config, refusal_in
from tests.servers.http import Request, Response, serve


def _internal(request: Request) -> Response:
    return 200, {"Content-Type": "text/plain"}, "INTERNAL ADMIN db-password=hunter2"


def _ipv6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.fixture
def stub_server():
    """``stub_server(handler, host=...)``: a recording stub server on any loopback address."""
    with contextlib.ExitStack() as stack:
        yield lambda handler, host="127.0.0.1": stack.enter_context(serve(handler, host=host))


@pytest.fixture
def servers(stub_server):
    internal = stub_server(_internal)
    internal_port = internal.url.rsplit(":", 1)[1]
    redirects = {
        "/to-loopback": f"{internal.url}/secret",
        "/to-integer": f"http://2130706433:{internal_port}/secret",
        "/to-hex": f"http://0x7f000001:{internal_port}/secret",
        "/to-localhost": f"http://localhost:{internal_port}/secret",
        "/to-metadata": "http://169.254.169.254/latest/meta-data/",
        "/to-file": "file:///etc/passwd",
    }

    def news(request: Request) -> Response:
        if request.path in redirects:
            return 302, {"Location": redirects[request.path]}, ""
        return 200, {"Content-Type": "text/html"}, "<h1>Solar car wins</h1>"

    site = stub_server(news, host="127.0.0.2")
    return site, internal


def _fetch(url: str, *, allow: tuple[str, ...] = (), own: tuple[str, ...] = ("127.0.0.2",)):
    """GET ``url`` through a guarded session; the body, or the refusal."""

    async def run() -> str | FetchRefused:
        guard = FetchGuard(parse_allow_list(allow))
        connector = aiohttp.TCPConnector(resolver=GuardedResolver(guard, own), use_dns_cache=False)
        async with aiohttp.ClientSession(
            connector=connector, trace_configs=[guard_trace_config(guard, own)]
        ) as session:
            try:
                async with session.get(url) as response:
                    return await response.text()
            except (aiohttp.ClientError, FetchRefused) as exc:
                refused = refusal_in(exc)
                if refused is None:
                    raise
                return refused

    return asyncio.run(run())


def test_the_sources_own_host_is_fetched_although_it_is_loopback(servers):
    site, internal = servers
    assert "Solar car" in _fetch(f"{site.url}/article")
    assert internal.requests == []


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/to-loopback", "127.0.0.1 is a loopback address"),
        ("/to-integer", "non-standard spelling"),
        ("/to-hex", "non-standard spelling"),
        ("/to-localhost", "localhost resolves to 127.0.0.1 is a loopback address"),
        ("/to-metadata", "169.254.169.254 is a link-local address"),
        ("/to-file", "only http and https"),
    ],
)
def test_a_redirect_from_the_news_host_to_an_internal_address_is_refused(servers, path, why):
    site, internal = servers
    refused = _fetch(f"{site.url}{path}")
    assert isinstance(refused, FetchRefused | aiohttp.ClientError)
    if isinstance(refused, FetchRefused):
        assert why in str(refused)
    else:  # aiohttp refuses a redirect to a non-HTTP scheme itself
        assert path == "/to-file"
    assert internal.requests == []


@pytest.mark.parametrize(
    "spelling", ["127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.1", "localhost"]
)
def test_a_link_to_the_internal_service_is_refused_in_every_spelling(servers, spelling):
    _, internal = servers
    port = internal.url.rsplit(":", 1)[1]
    refused = _fetch(f"http://{spelling}:{port}/secret")
    assert isinstance(refused, FetchRefused), refused
    assert f"{spelling}:{port}/secret" in str(refused) or spelling in str(refused)
    assert internal.requests == []


@pytest.mark.skipif(not _ipv6_available(), reason="no IPv6 loopback on this machine")
def test_an_ipv6_loopback_link_is_refused(stub_server):
    internal = stub_server(_internal, host="::1")
    refused = _fetch(f"{internal.url}/secret")
    assert isinstance(refused, FetchRefused)
    assert "::1 is a loopback address" in str(refused)
    assert internal.requests == []


def test_a_network_in_allow_private_may_be_fetched(servers):
    _, internal = servers
    assert "INTERNAL" in _fetch(f"{internal.url}/secret", allow=("127.0.0.1/32",))
    port = internal.url.rsplit(":", 1)[1]
    assert "INTERNAL" in _fetch(f"http://localhost:{port}/x", allow=("127.0.0.0/8",))
    assert len(internal.requests) == 2


def test_a_configured_host_name_is_trusted_with_every_address_it_resolves_to(servers):
    _, internal = servers
    port = internal.url.rsplit(":", 1)[1]
    assert "INTERNAL" in _fetch(f"http://localhost:{port}/feed", own=("localhost",))
