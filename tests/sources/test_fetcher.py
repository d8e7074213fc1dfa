"""The fetch contract: the in-memory ``FakeFetcher`` answers as a server and the real
fetcher together would (the same answers give the same results and messages from both),
and ``BlockingFetch`` serves synchronous callers from a loop in another thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from syndicator.errors import SourceError
from syndicator.sources.fetcher import (
    BlockingFetch,
    FakeFetcher,
    FakeResponse,
    Fetcher,
    FetchRequest,
    FetchResult,
    LoopThread,
)
from syndicator.sources.http import AiohttpFetcher

from .conftest import LocalServer, conditional

FEED = "http://news.example/feed.xml"


def fetched(fetcher: Fetcher, request: FetchRequest) -> FetchResult:
    return asyncio.run(fetcher.fetch(request))


# -- FakeFetcher ------------------------------------------------------------------------


def test_the_fake_answers_from_its_routes_and_records_each_request() -> None:
    body = b"<rss/>"
    fake = FakeFetcher(
        {FEED: FakeResponse(body, headers={"Content-Type": "text/xml; charset=GBK"})}
    )
    result = fetched(fake, FetchRequest(FEED, source="news"))
    assert (result.status, result.body, result.url, result.encoding) == (200, body, FEED, "gb18030")
    assert [r.url for r in fake.requests] == [FEED]


def test_the_fake_answers_304_when_the_validators_match() -> None:
    headers = {"ETag": '"v1"', "Last-Modified": "Sun, 09 Feb 2020 04:07:00 GMT"}
    fake = FakeFetcher({FEED: FakeResponse(b"<rss/>", headers=headers)})
    first = fetched(fake, FetchRequest(FEED))
    again = fetched(fake, FetchRequest(FEED, etag=first.etag))
    assert (first.status, first.etag) == (200, '"v1"')
    assert (again.status, again.not_modified, again.body, again.etag) == (304, True, b"", '"v1"')
    by_date = fetched(fake, FetchRequest(FEED, last_modified=headers["Last-Modified"]))
    assert by_date.not_modified


def test_the_fake_passes_the_request_to_a_callable_route() -> None:
    def answer(request: FetchRequest) -> FakeResponse:
        return FakeResponse(f"for {request.source}".encode())

    assert fetched(FakeFetcher({FEED: answer}), FetchRequest(FEED, source="a")).body == b"for a"


def test_the_fake_raises_an_exception_route_as_a_source_error() -> None:
    fake = FakeFetcher({FEED: TimeoutError(), "http://b.example/": ConnectionResetError("reset")})
    with pytest.raises(SourceError, match=r"source 'news': timed out after 10s \(http"):
        fetched(fake, FetchRequest(FEED, source="news"))
    with pytest.raises(SourceError, match="cannot fetch: reset"):
        fetched(fake, FetchRequest("http://b.example/", source="b"))


def test_the_fake_follows_redirects_and_refuses_a_sixth() -> None:
    routes: dict[str, FakeResponse] = {
        f"http://a.example/{n}": FakeResponse(status=301, headers={"Location": f"/{n + 1}"})
        for n in range(12)
    }
    routes["http://a.example/2"] = FakeResponse(b"moved here")
    fake = FakeFetcher(routes)
    result = fetched(fake, FetchRequest("http://a.example/0"))
    assert (result.url, result.body) == ("http://a.example/2", b"moved here")
    assert [r.url for r in fake.requests] == [f"http://a.example/{n}" for n in range(3)]
    with pytest.raises(SourceError, match="too many redirects"):
        fetched(fake, FetchRequest("http://a.example/3"))


def test_the_fake_enforces_the_size_cap() -> None:
    fake = FakeFetcher({FEED: FakeResponse(b"x" * 5000)})
    with pytest.raises(SourceError, match="body of 5000 bytes exceeds the cap of 1000"):
        fetched(fake, FetchRequest(FEED, max_bytes=1000))


# -- the same answers from the fake and from a real server ------------------------------

Case = tuple[str, int, dict[str, str], bytes]
CASES: dict[str, Case] = {
    "fresh": ("/feed", 200, {"ETag": '"v2"', "Cache-Control": "max-age=60"}, b"<rss/>"),
    "busy": ("/busy", 503, {"Retry-After": "120"}, b"later"),
    "gone": ("/gone", 404, {}, b""),
    "moved": ("/moved", 302, {"Location": "/feed"}, b""),
}


@pytest.fixture(params=["fake", "aiohttp"])
def serve_cases(
    request: pytest.FixtureRequest, http_server: LocalServer
) -> Iterator[Callable[[FetchRequest], FetchResult | str]]:
    """``answer(request)`` from the fake, or from the real fetcher and a real server,
    serving ``CASES`` on the same URLs; a failure is returned as its message."""
    for path, status, headers, body in CASES.values():
        http_server.serve(path, body, status=status, headers=headers)
    fresh = CASES["fresh"]
    http_server.handle(fresh[0], conditional(fresh[3], fresh[2]["ETag"], fresh[2]))
    routes = {
        http_server.url(path): FakeResponse(body, status, headers)
        for path, status, headers, body in CASES.values()
    }
    fake = request.param == "fake"

    def answer(one: FetchRequest) -> FetchResult | str:
        async def run() -> FetchResult:
            fetcher: Fetcher = FakeFetcher(routes) if fake else AiohttpFetcher("t/1")
            try:
                return await fetcher.fetch(one)
            finally:
                await fetcher.close()

        try:
            return asyncio.run(run())
        except SourceError as exc:
            return f"{exc} retry_after={exc.retry_after}"

    yield answer


@pytest.mark.parametrize("case", CASES)
def test_the_fake_answers_as_the_real_fetcher_does(
    serve_cases: Callable[[FetchRequest], FetchResult | str], http_server: LocalServer, case: str
) -> None:
    url = http_server.url(CASES[case][0])
    expected = {
        "fresh": (http_server.url("/feed"), 200, b"<rss/>", '"v2"', 60.0),
        "busy": f"source 'busy': HTTP 503 Service Unavailable, retry after 120s ({url}) "
        "retry_after=120.0",
        "gone": f"source 'gone': HTTP 404 Not Found ({url}) retry_after=None",
        "moved": (http_server.url("/feed"), 200, b"<rss/>", '"v2"', 60.0),
    }[case]
    answer = serve_cases(FetchRequest(url, source=case))
    if isinstance(answer, FetchResult):
        assert (answer.url, answer.status, answer.body, answer.etag, answer.max_age) == expected
    else:
        assert answer == expected
    if case == "fresh":
        again = serve_cases(FetchRequest(url, source=case, etag='"v2"'))
        assert isinstance(again, FetchResult) and again.not_modified


# -- BlockingFetch ---------------------------------------------------------------------------


def test_a_blocking_fetch_works_with_no_loop_around_it() -> None:
    blocking = BlockingFetch(FakeFetcher({FEED: FakeResponse(b"<rss/>")}))
    try:
        assert blocking(FetchRequest(FEED)).body == b"<rss/>"
    finally:
        blocking.close()
    with pytest.raises(RuntimeError, match="closed"):
        blocking(FetchRequest(FEED))


def test_a_blocking_fetch_starts_no_thread_before_its_first_fetch() -> None:
    before = threading.active_count()
    blocking = BlockingFetch(FakeFetcher({}))
    assert threading.active_count() == before
    blocking.close()
    assert threading.active_count() == before


def test_worker_threads_share_a_fetcher_on_a_loop_in_another_thread() -> None:
    loops: list[asyncio.AbstractEventLoop] = []

    def answer(request: FetchRequest) -> FakeResponse:
        loops.append(asyncio.get_running_loop())
        return FakeResponse(request.source.encode())

    runner = LoopThread()
    fake = FakeFetcher({FEED: answer})
    blocking = BlockingFetch(fake, runner.loop)
    try:
        with ThreadPoolExecutor(4) as threads:
            bodies = list(
                threads.map(lambda n: blocking(FetchRequest(FEED, source=str(n))).body, range(12))
            )
        blocking.close()
        assert fake.closed and not runner.loop.is_closed()  # not its loop to stop
    finally:
        runner.close()
    assert bodies == [str(n).encode() for n in range(12)]
    assert set(loops) == {runner.loop}


def test_a_blocking_fetch_on_its_own_loop_is_an_error_not_a_hang() -> None:
    runner = LoopThread()
    blocking = BlockingFetch(FakeFetcher({FEED: FakeResponse()}), runner.loop)

    async def inside() -> None:
        blocking(FetchRequest(FEED))

    try:
        with pytest.raises(RuntimeError, match="its own event loop"):
            asyncio.run_coroutine_threadsafe(inside(), runner.loop).result(timeout=10)
    finally:
        runner.close()
