"""A crash mid-publish (no platform here has an idempotency key): the engine's recovery
asks ``find_existing`` and never posts twice. Facebook and LinkedIn list the Page's
recent posts; Instagram and Threads are asked about the delivery's container, which
the adapter records in the post log's shared cache before publishing it. The engine,
store, recovery and media server are the real ones; the platforms are the local
servers of tests/adapters/stubs."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from syndicator.delivery import drain
from syndicator.engine import Engine
from syndicator.models import DeliveryState
from syndicator.recovery import recover
from syndicator.runtime import serve_media
from syndicator.store import deliveries as delivery_store
from syndicator.store.codec import post_from_json
from tests.adapters.stubs import jpeg_file
from tests.adapters.stubs.facebook import FacebookStub
from tests.adapters.stubs.instagram import InstagramStub
from tests.adapters.stubs.linkedin import LinkedInStub
from tests.adapters.stubs.threads import ThreadsStub
from tests.platform.scenario import article, open_clocked, queue, row, rows

TOKEN = "crash-test-token-0123456789"


def _facebook(url: str) -> str:
    return f"""
[[targets]]
name = "fb"
adapter = "facebook"
page_id = "1234"
base_url = "{url}"
[targets.secrets]
access_token = "env:CRASH_TOKEN"
"""


def _linkedin(url: str) -> str:
    return f"""
[[targets]]
name = "li"
adapter = "linkedin"
author = "urn:li:organization:5515715"
base_url = "{url}"
[targets.secrets]
access_token = "env:CRASH_TOKEN"
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _instagram(url: str, port: int) -> str:
    return f"""
[media]
public_url = "http://127.0.0.1:{port}/"
serve = "127.0.0.1:{port}"

[[targets]]
name = "ig"
adapter = "instagram"
user_id = "17841400000000001"
base_url = "{url}"
poll_delay = 0.0
[targets.secrets]
access_token = "env:CRASH_TOKEN"
"""


def _threads(url: str) -> str:
    return f"""
[[targets]]
name = "th"
adapter = "threads"
user_id = "26000000000000001"
base_url = "{url}"
picture = false
poll_delay = 0.0
[targets.secrets]
access_token = "env:CRASH_TOKEN"
"""


def _crash_mid_send(engine: Engine, *, reached_platform: bool) -> int:
    """A SIGKILL between the claim and the record: the delivery stays ``sending``, and
    the post is on the platform when the request got through."""
    [delivery] = rows(engine)
    with engine.store.begin() as connection:
        assert delivery_store.claim(
            connection, delivery.id, holder="dead:1", now=engine.clock.now()
        )
    if reached_platform:
        adapter = engine.targets[delivery.target].adapter
        adapter.publish(post_from_json(delivery.post), key=delivery.idem_key)
    return delivery.id


@pytest.mark.parametrize("platform", ["facebook", "linkedin"])
@pytest.mark.parametrize("reached", [True, False])
def test_a_crash_mid_publish_is_settled_on_the_platform_and_never_posted_twice(
    tmp_path: Path, http_server, monkeypatch, platform: str, reached: bool
):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CRASH_TOKEN", TOKEN)
    if platform == "facebook":
        stub: FacebookStub | LinkedInStub = FacebookStub(token=TOKEN)
        server = http_server(stub)
        body = _facebook(server.url)
    else:
        stub = LinkedInStub(token=TOKEN)
        server = http_server(stub)
        stub.url = server.url
        body = _linkedin(server.url)
    engine = open_clocked(tmp_path, body)
    queue(engine, [article(1)])
    delivery_id = _crash_mid_send(engine, reached_platform=reached)
    assert recover(engine) == _expected(reached)  # the service's start-up
    drain(engine)
    settled = row(engine, delivery_id)
    assert settled.state is DeliveryState.SENT
    assert len(stub.posts) == 1
    assert settled.remote_id == stub.posts[0]["id"]
    engine.close()


@pytest.mark.parametrize("platform", ["instagram", "threads"])
@pytest.mark.parametrize("reached", [True, False])
def test_a_crash_mid_publish_is_settled_by_the_recorded_container(
    tmp_path: Path, http_server, monkeypatch, platform: str, reached: bool
):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CRASH_TOKEN", TOKEN)
    stub: InstagramStub | ThreadsStub
    if platform == "instagram":
        stub = InstagramStub(token=TOKEN)
        body = _instagram(http_server(stub).url, _free_port())
    else:
        stub = ThreadsStub(token=TOKEN)
        body = _threads(http_server(stub).url)
    engine = open_clocked(tmp_path, body)
    media = serve_media(engine) if platform == "instagram" else None
    try:
        queue(engine, [article(1, image_path=jpeg_file(tmp_path, size=(640, 480)))])
        delivery_id = _crash_mid_send(engine, reached_platform=reached)
        assert recover(engine) == _expected(reached)
        drain(engine)
    finally:
        if media is not None:
            media.stop()
    settled = row(engine, delivery_id)
    assert settled.state is DeliveryState.SENT
    assert len(stub.published) == 1 and len(stub.containers) == 1
    engine.close()


def _expected(reached: bool) -> dict[str, int]:
    if reached:
        return {"resent": 0, "found": 1, "unknown": 0}
    return {"resent": 1, "found": 0, "unknown": 0}
