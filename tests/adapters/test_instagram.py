"""The Instagram adapter against a stub of the content publishing API (see
tests/adapters/stubs/instagram.py), which fetches the image itself from the real media
server (syndicator.media_server), as Instagram does."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from syndicator_adapters.instagram import InstagramAdapter, feed_jpeg

from syndicator.errors import AuthFailed, RateLimited, Rejected, RenderError, Transient
from syndicator.text import fits, measure
from tests.adapters.stubs import LONG_PARAGRAPH, article, jpeg_file, make_target
from tests.adapters.stubs.instagram import InstagramStub
from tests.adapters.stubs.meta import (
    PublishedMedia,
    expired_token,
    permission_missing,
    rate_limited,
    with_public_media,
)

TOKEN = "IGQVJ-user-token-0123456789"


@pytest.fixture
def stub():
    return InstagramStub(token=TOKEN)


@pytest.fixture
def server(stub, http_server):
    return http_server(stub)


@pytest.fixture
def media(tmp_path: Path) -> Iterator[PublishedMedia]:
    published = PublishedMedia(tmp_path / "media")
    yield published
    published.stop()


def instagram(server, monkeypatch, media, **options):  # type: ignore[no-untyped-def]
    adapter = make_target(
        InstagramAdapter,
        monkeypatch,
        options={
            "user_id": "17841400000000001",
            "base_url": server.url,
            "poll_delay": 0.0,
            **options,
        },
        secrets={"access_token": TOKEN},
    )
    return with_public_media(adapter, media)


def rendered(adapter, media, tmp_path, **changes):  # type: ignore[no-untyped-def]
    """A post as the engine hands it to publish: rendered, its media stored."""
    lead = changes.pop("image_path", None) or jpeg_file(tmp_path, size=(640, 480))
    return media.store(adapter.render(article(image_path=lead, **changes)))


def test_an_image_post_is_a_container_from_the_public_url_then_media_publish(
    server, stub, monkeypatch, media, tmp_path
):
    adapter = instagram(server, monkeypatch, media)
    post = rendered(adapter, media, tmp_path)
    receipt = adapter.publish(post, key="d1")
    [container] = stub.containers.values()
    assert container.fields["image_url"].startswith(media.public.url)
    assert container.fields["caption"] == post.text
    assert container.fields["alt_text"] == article().title
    assert stub.fetched == [post.media[0].data]  # Instagram got exactly our JPEG
    assert receipt.remote_id in stub.published
    assert receipt.remote_url == f"https://www.instagram.com/p/C{receipt.remote_id}/"
    assert [c for c in stub.calls if c[1].endswith("content_publishing_limit")]


def test_the_image_is_a_jpeg_in_the_feeds_aspect_ratios(tmp_path):
    from PIL import Image

    for size in ((1000, 300), (300, 1000), (640, 480)):
        path = tmp_path / f"{size[0]}x{size[1]}.png"
        Image.new("RGB", size, (10, 120, 200)).save(path, "PNG")
        data = feed_jpeg(path.read_bytes())
        assert data is not None and data.startswith(b"\xff\xd8\xff")
        with Image.open(io.BytesIO(data)) as image:
            assert 0.8 - 0.01 <= image.width / image.height <= 1.91 + 0.01


def test_without_a_lead_image_the_square_share_card_is_posted(server, stub, monkeypatch, media):
    pytest.importorskip("zxingcpp")
    import zxingcpp
    from PIL import Image

    adapter = instagram(server, monkeypatch, media)
    try:
        post = media.store(adapter.render(article()))
    except RenderError as exc:  # no font installed: the card cannot be drawn
        pytest.skip(f"no font for share cards here: {exc}")
    adapter.publish(post, key="d1")
    with Image.open(io.BytesIO(stub.fetched[0])) as card:
        assert card.width == card.height
        assert [r.text for r in zxingcpp.read_barcodes(card)] == [article().url]


def test_the_caption_keeps_to_2200_and_30_hashtags(server, monkeypatch, media, tmp_path):
    tags = tuple(f"tag{i}" for i in range(40))
    adapter = make_target(
        InstagramAdapter,
        monkeypatch,
        options={"user_id": "17841400000000001", "base_url": server.url},
        secrets={"access_token": TOKEN},
        hashtags=tags,
    )
    post = adapter.render(article(text=LONG_PARAGRAPH, image_path=jpeg_file(tmp_path)))
    assert post.limit == 2200 and measure(post.text, "instagram") <= 2200
    assert post.text.count("#") == 30 and fits(post.text, "instagram")


def test_a_container_in_progress_is_polled_with_a_bounded_back_off(
    server, stub, monkeypatch, media, tmp_path
):
    adapter = instagram(server, monkeypatch, media, poll_attempts=4)
    stub.progress.append(2)  # in progress for two reads, then FINISHED
    adapter.publish(rendered(adapter, media, tmp_path), key="d1")
    container_reads = [c for c in stub.calls if c == ("GET", next(iter(stub.containers)))]
    assert len(container_reads) == 3 and len(stub.published) == 1


def test_a_container_still_in_progress_after_the_last_check_is_transient_and_reused(
    server, stub, monkeypatch, media, tmp_path
):
    adapter = instagram(server, monkeypatch, media, poll_attempts=3)
    stub.progress.append(5)
    post = rendered(adapter, media, tmp_path)
    with pytest.raises(Transient, match="still in progress after 3 checks"):
        adapter.publish(post, key="d1")
    container_id = next(iter(stub.containers))
    assert [c for c in stub.calls if c == ("GET", container_id)] == [("GET", container_id)] * 3
    adapter.publish(post, key="d1")  # the retry waits for the same container
    assert len(stub.containers) == 1 and len(stub.published) == 1


def test_a_container_in_error_is_rejected_with_its_status(
    server, stub, monkeypatch, media, tmp_path
):
    adapter = instagram(server, monkeypatch, media)
    stub.progress.append("ERROR")
    with pytest.raises(Rejected, match="could not be processed"):
        adapter.publish(rendered(adapter, media, tmp_path), key="d1")
    assert stub.published == {}


def test_an_expired_container_is_created_again(server, stub, monkeypatch, media, tmp_path):
    adapter = instagram(server, monkeypatch, media)
    stub.progress.append("EXPIRED")
    adapter.publish(rendered(adapter, media, tmp_path), key="d1")
    assert len(stub.containers) == 2 and len(stub.published) == 1


def test_a_retry_after_a_lost_publish_answer_never_publishes_twice(
    server, stub, monkeypatch, media, tmp_path
):
    adapter = instagram(server, monkeypatch, media)
    post = rendered(adapter, media, tmp_path)
    adapter.publish(post, key="d1")
    again = adapter.publish(post, key="d1")  # as after a timeout: the same delivery key
    assert len(stub.published) == 1 and again.detail == "published by an earlier attempt"


def test_a_failed_permalink_read_after_publishing_is_not_a_failed_post(
    server, stub, monkeypatch, media, tmp_path
):
    adapter = instagram(server, monkeypatch, media)
    stub.permalink_fails = True
    receipt = adapter.publish(rendered(adapter, media, tmp_path), key="d1")
    assert receipt.remote_id in stub.published and receipt.remote_url == ""


def test_the_publishing_limit_is_checked_before_a_container_is_made(
    server, stub, monkeypatch, media, tmp_path
):
    adapter = instagram(server, monkeypatch, media)
    stub.quota_usage = 50
    with pytest.raises(RateLimited, match="50 of 50 posts"):
        adapter.publish(rendered(adapter, media, tmp_path), key="d1")
    assert stub.containers == {}
    assert InstagramAdapter.max_per_day == 50


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (expired_token(), AuthFailed),
        (permission_missing("instagram_content_publish"), AuthFailed),
        (rate_limited(4), RateLimited),
    ],
)
def test_documented_errors_map_to_their_kinds(
    server, stub, monkeypatch, media, tmp_path, answer, kind
):
    adapter = instagram(server, monkeypatch, media)
    post = rendered(adapter, media, tmp_path)
    stub.script.append(answer)
    with pytest.raises(kind):
        adapter.publish(post, key="d1")
    assert stub.published == {}


def test_an_image_only_served_for_referenced_files_is_refused_at_the_container(
    server, stub, monkeypatch, media, tmp_path
):
    """A file the post log does not reference is not served, so Instagram cannot get it."""
    adapter = instagram(server, monkeypatch, media)
    post = rendered(adapter, media, tmp_path)
    media.referenced.clear()
    with pytest.raises(Rejected, match="Media download has failed"):
        adapter.publish(post, key="d1")


def test_without_public_url_check_says_so_and_publish_refuses(server, monkeypatch, tmp_path):
    adapter = instagram(server, monkeypatch, None)
    assert "[media] public_url" in adapter.validate({})[0]
    with pytest.raises(Rejected, match="public_url"):
        adapter.publish(adapter.render(article(image_path=jpeg_file(tmp_path))), key="d1")


def test_verify_names_the_account(server, monkeypatch, media):
    assert (
        instagram(server, monkeypatch, media).verify() == "@bit_international (17841400000000001)"
    )
