"""The Threads adapter against a stub of the Threads API (see tests/adapters/stubs/threads.py),
which counts text its own way (emoji as UTF-8 bytes) and fetches images itself."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from syndicator_adapters.threads import ThreadsAdapter

from syndicator.errors import AuthFailed, RateLimited, Rejected, Transient
from syndicator.text import fits, measure
from tests.adapters.stubs import CJK_PARAGRAPH, LONG_PARAGRAPH, article, jpeg_file, make_target
from tests.adapters.stubs.meta import (
    PublishedMedia,
    expired_token,
    permission_missing,
    rate_limited,
    with_public_media,
)
from tests.adapters.stubs.threads import ThreadsStub, threads_length

TOKEN = "THQWJ-threads-token-0123456789"
EMOJI_PARAGRAPH = "Campus news 🎓🔬 from the lab 👩‍🔬 with a 🇨🇳 flag. " * 30


@pytest.fixture
def stub():
    return ThreadsStub(token=TOKEN)


@pytest.fixture
def server(stub, http_server):
    return http_server(stub)


@pytest.fixture
def media(tmp_path: Path) -> Iterator[PublishedMedia]:
    published = PublishedMedia(tmp_path / "media")
    yield published
    published.stop()


def threads(server, monkeypatch, media, **options):  # type: ignore[no-untyped-def]
    adapter = make_target(
        ThreadsAdapter,
        monkeypatch,
        options={
            "user_id": "26000000000000001",
            "base_url": server.url,
            "poll_delay": 0.0,
            **options,
        },
        secrets={"access_token": TOKEN},
    )
    return with_public_media(adapter, media)


def test_a_text_post_is_a_text_container_with_the_link_attached(server, stub, monkeypatch):
    adapter = threads(server, monkeypatch, None)
    post = adapter.render(article())
    receipt = adapter.publish(post, key="d1")
    [container] = stub.containers.values()
    assert container.fields["media_type"] == "TEXT"
    assert container.fields["link_attachment"] == article().url
    assert container.fields["text"] == post.text
    assert (
        receipt.remote_url == f"https://www.threads.com/@bit.international/post/{receipt.remote_id}"
    )


def test_an_image_post_gives_threads_the_public_url_of_the_stored_image(
    server, stub, monkeypatch, media, tmp_path
):
    adapter = threads(server, monkeypatch, media)
    post = media.store(adapter.render(article(image_path=jpeg_file(tmp_path))))
    adapter.publish(post, key="d1")
    [container] = stub.containers.values()
    assert container.fields["media_type"] == "IMAGE"
    assert container.fields["image_url"].startswith(media.public.url)
    assert stub.fetched == [post.media[0].data]


def test_without_a_public_url_an_image_post_falls_back_to_text(server, stub, monkeypatch, tmp_path):
    adapter = threads(server, monkeypatch, None)
    assert "[media] public_url" in adapter.validate({})[0]
    assert threads(server, monkeypatch, None, picture=False).validate({}) == []
    adapter.publish(adapter.render(article(image_path=jpeg_file(tmp_path))), key="d1")
    assert next(iter(stub.containers.values())).fields["media_type"] == "TEXT"


@pytest.mark.parametrize("body", [LONG_PARAGRAPH, CJK_PARAGRAPH, EMOJI_PARAGRAPH])
def test_long_texts_fit_500_with_emoji_counted_as_utf8_bytes(server, stub, monkeypatch, body):
    adapter = threads(server, monkeypatch, None)
    post = adapter.render(article(text=body))
    assert post.limit == 500 and measure(post.text, "threads") <= 500
    assert threads_length(post.text) <= 500 and article().url in post.text
    adapter.publish(post, key="d1")
    assert len(stub.published) == 1


def test_emoji_count_their_utf8_bytes():
    assert measure("🎓", "threads") == 4 and measure("👩‍🔬", "threads") == 11
    assert measure("北理工", "threads") == 3 and measure("abc", "threads") == 3
    assert fits("a" * 500, "threads") and not fits("a" * 497 + "🎓", "threads")


def test_more_than_five_links_never_fit():
    links = " ".join(f"https://example{i}.edu/" for i in range(6))
    assert not fits(links, "threads") and fits(links.rsplit(" ", 1)[0], "threads")


def test_the_stub_refuses_six_links_as_threads_does(server, stub, monkeypatch):
    adapter = threads(server, monkeypatch, None)
    post = adapter.render(article())
    links = " ".join(f"https://example{i}.edu/" for i in range(6))
    with pytest.raises(Rejected, match="LINK_LIMIT_EXCEEDED"):
        adapter.publish(replace(post, text=links), key="d1")


def test_container_polling_is_bounded_and_the_container_reused_on_retry(server, stub, monkeypatch):
    adapter = threads(server, monkeypatch, None, poll_attempts=2)
    stub.progress.append(4)
    post = adapter.render(article())
    with pytest.raises(Transient, match="after 2 checks"):
        adapter.publish(post, key="d1")
    adapter.publish(post, key="d1")
    assert len(stub.containers) == 1 and len(stub.published) == 1


def test_a_container_in_error_is_rejected_and_an_expired_one_made_again(server, stub, monkeypatch):
    adapter = threads(server, monkeypatch, None)
    stub.progress.extend(["ERROR", "EXPIRED"])
    with pytest.raises(Rejected, match="FAILED_PROCESSING_IMAGE"):
        adapter.publish(adapter.render(article()), key="d1")
    adapter.publish(adapter.render(article()), key="d2")
    assert len(stub.containers) == 3 and len(stub.published) == 1


def test_a_retry_after_publishing_does_not_publish_twice(server, stub, monkeypatch):
    adapter = threads(server, monkeypatch, None)
    post = adapter.render(article())
    adapter.publish(post, key="d1")
    assert adapter.publish(post, key="d1").detail == "published by an earlier attempt"
    assert len(stub.published) == 1


def test_the_publishing_limit_of_250_is_checked_first(server, stub, monkeypatch):
    adapter = threads(server, monkeypatch, None)
    stub.quota_usage = 250
    with pytest.raises(RateLimited, match="250 of 250"):
        adapter.publish(adapter.render(article()), key="d1")
    assert stub.containers == {} and ThreadsAdapter.max_per_day == 250


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (expired_token(), AuthFailed),
        (permission_missing("threads_content_publish"), AuthFailed),
        (rate_limited(4), RateLimited),
    ],
)
def test_documented_errors_map_to_their_kinds(server, stub, monkeypatch, answer, kind):
    adapter = threads(server, monkeypatch, None)
    stub.script.append(answer)
    with pytest.raises(kind):
        adapter.publish(adapter.render(article()), key="d1")
    assert stub.published == {}


def test_verify_names_the_profile(server, monkeypatch):
    assert threads(server, monkeypatch, None).verify() == "@bit.international (26000000000000001)"
