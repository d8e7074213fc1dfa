"""A crash mid-publish on Facebook and LinkedIn (no idempotency key, but both list a
Page's recent posts): the engine's recovery asks ``find_existing`` and never posts twice.
The engine, store and recovery are the real ones; the platforms are the local servers
of tests/adapters/stubs."""

from __future__ import annotations

from pathlib import Path

import pytest

from syndicator.delivery import drain
from syndicator.engine import Engine
from syndicator.models import DeliveryState
from syndicator.recovery import recover
from syndicator.store import deliveries as delivery_store
from syndicator.store.codec import post_from_json
from tests.adapters.stubs.facebook import FacebookStub
from tests.adapters.stubs.linkedin import LinkedInStub
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
    counts = recover(engine)  # the service's start-up
    assert counts == (
        {"resent": 0, "found": 1, "unknown": 0}
        if reached
        else {"resent": 1, "found": 0, "unknown": 0}
    )
    drain(engine)
    settled = row(engine, delivery_id)
    assert settled.state is DeliveryState.SENT
    assert len(stub.posts) == 1
    assert settled.remote_id == stub.posts[0]["id"]
    engine.close()
