"""The Facebook Pages adapter against a stub of the Pages API (see
tests/adapters/stubs/facebook.py and stubs/meta.py for the documentation followed)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from syndicator_adapters.facebook import FacebookAdapter

from syndicator.errors import AlreadyPosted, AuthFailed, RateLimited, Rejected, Transient
from syndicator.text import measure
from tests.adapters.stubs import LONG_PARAGRAPH, article, jpeg_file, make_target
from tests.adapters.stubs.facebook import FacebookStub
from tests.adapters.stubs.meta import (
    error,
    expired_token,
    permission_missing,
    rate_limited,
    with_public_media,
)

TOKEN = "EAAGpage-token-0123456789"


@pytest.fixture
def stub():
    return FacebookStub(token=TOKEN)


@pytest.fixture
def server(stub, http_server):
    return http_server(stub)


def facebook(server, monkeypatch, **options):  # type: ignore[no-untyped-def]
    adapter = make_target(
        FacebookAdapter,
        monkeypatch,
        options={"page_id": "1234", "base_url": server.url, **options},
        secrets={"access_token": TOKEN},
    )
    return with_public_media(adapter, None)  # a fresh shared cache per adapter


def test_a_post_sends_message_and_link_and_links_the_receipt(server, stub, monkeypatch):
    adapter = facebook(server, monkeypatch)
    post = adapter.render(article())
    receipt = adapter.publish(post, key="d1")
    [made] = stub.posts
    assert made["link"] == article().url and made["message"] == post.text
    assert receipt.remote_id == made["id"]
    assert receipt.remote_url == f"https://www.facebook.com/{made['id']}"
    assert all("access_token" not in r.target for r in server.requests)


def test_a_long_article_is_fitted_to_the_limit_and_keeps_title_and_link(server, monkeypatch):
    adapter = facebook(server, monkeypatch, limit=600)
    post = adapter.render(article(text=LONG_PARAGRAPH))
    assert post.limit == 600 and measure(post.text, "facebook") == post.length <= 600
    assert post.text.startswith(article().title) and article().url in post.text


def test_the_platform_cap_is_63206_utf16_units():
    from syndicator.text import fits

    assert fits("a" * 63_206, "facebook") and not fits("a" * 63_207, "facebook")
    assert not fits("😀" * 31_604, "facebook")  # an astral character is two units


def test_a_picture_is_uploaded_unpublished_and_attached_by_id(server, stub, monkeypatch, tmp_path):
    adapter = facebook(server, monkeypatch, picture=True)
    post = adapter.render(article(image_path=jpeg_file(tmp_path)))
    adapter.publish(post, key="d1")
    [(photo_id, photo)] = stub.photos.items()
    assert photo["published"] is False and photo["data"] == post.media[0].data
    [made] = stub.posts
    assert made["photos"] == [photo_id] and article().url in made["message"]


@pytest.mark.parametrize(
    ("answer", "kind", "words"),
    [
        (expired_token(), AuthFailed, "Session has expired"),
        (permission_missing("pages_manage_posts"), AuthFailed, "lacks a permission"),
        (rate_limited(), RateLimited, "Page request limit reached"),
        (error(2, "Service temporarily unavailable", status=500), Transient, "temporarily"),
        (error(506, "(#506) Duplicate status message"), AlreadyPosted, "Duplicate"),
        (error(100, "(#100) Invalid parameter"), Rejected, "Invalid parameter"),
    ],
)
def test_each_documented_error_maps_to_its_kind(server, stub, monkeypatch, answer, kind, words):
    adapter = facebook(server, monkeypatch)
    stub.script.append(answer)
    with pytest.raises(kind, match=words) as caught:
        adapter.publish(adapter.render(article()), key="d1")
    assert TOKEN not in str(caught.value)
    assert stub.posts == []


def test_a_rate_limit_waits_for_the_estimated_time_to_regain_access(server, stub, monkeypatch):
    adapter = facebook(server, monkeypatch)
    stub.script.append(rate_limited(regain_minutes=17))
    with pytest.raises(RateLimited) as caught:
        adapter.publish(adapter.render(article()), key="d1")
    expected = datetime.now(UTC) + timedelta(minutes=17)
    assert caught.value.retry_at is not None
    assert abs((caught.value.retry_at - expected).total_seconds()) < 30


def test_usage_near_the_limit_pauses_the_target_before_the_next_call(server, stub, monkeypatch):
    """X-App-Usage at 95 %: this post goes; the next one waits without calling Meta."""
    adapter = facebook(server, monkeypatch)
    stub.app_usage = {"call_count": 95, "total_cputime": 20, "total_time": 30}
    adapter.publish(adapter.render(article()), key="d1")
    calls = len(stub.calls)
    with pytest.raises(RateLimited, match="usage at 95%") as caught:
        adapter.publish(
            adapter.render(article(url="https://news.example.edu.cn/c/2.htm")), key="d2"
        )
    assert len(stub.calls) == calls and len(stub.posts) == 1
    assert caught.value.retry_at is not None and caught.value.retry_at > datetime.now(UTC)


def test_business_use_case_usage_is_read_too(server, stub, monkeypatch):
    adapter = facebook(server, monkeypatch)
    usage = {"1234": [{"type": "pages", "call_count": 91, "estimated_time_to_regain_access": 0}]}
    original = stub.route

    def route(request, path):  # type: ignore[no-untyped-def]
        status, headers, body = original(request, path)
        return status, {**headers, "X-Business-Use-Case-Usage": json.dumps(usage)}, body

    stub.route = route  # type: ignore[method-assign]
    adapter.publish(adapter.render(article()), key="d1")
    with pytest.raises(RateLimited, match="usage at 91%"):
        adapter.publish(adapter.render(article()), key="d2")


def test_find_existing_finds_a_post_whose_answer_was_lost_and_nothing_else(
    server, stub, monkeypatch
):
    adapter = facebook(server, monkeypatch)
    post = adapter.render(article())
    assert adapter.find_existing(post, key="d1") is None
    sent = adapter.publish(post, key="d1")
    found = facebook(server, monkeypatch).find_existing(post, key="d1")  # a new process
    assert found is not None and found.remote_id == sent.remote_id
    other = adapter.render(article(url="https://news.example.edu.cn/c/other.htm"))
    assert adapter.find_existing(other, key="d2") is None


def test_find_existing_sees_a_photo_post_by_the_link_in_its_message(server, monkeypatch, tmp_path):
    adapter = facebook(server, monkeypatch, picture=True)
    post = adapter.render(article(image_path=jpeg_file(tmp_path)))
    sent = adapter.publish(post, key="d1")
    found = adapter.find_existing(post, key="d1")
    assert found is not None and found.remote_id == sent.remote_id


def test_find_existing_raises_when_the_page_cannot_be_read(server, stub, monkeypatch):
    adapter = facebook(server, monkeypatch)
    stub.script.append(expired_token())
    with pytest.raises(AuthFailed):
        adapter.find_existing(adapter.render(article()), key="d1")


def test_verify_names_the_page(server, monkeypatch):
    assert facebook(server, monkeypatch).verify() == "Page BIT International Office (1234)"


def test_with_picture_and_no_lead_image_the_share_card_is_the_photo(server, stub, monkeypatch):
    zxingcpp = pytest.importorskip("zxingcpp")
    import io

    from PIL import Image

    adapter = facebook(server, monkeypatch, picture=True)
    post = adapter.render(article())
    if not post.media:
        pytest.skip("no font for share cards here")
    adapter.publish(post, key="d1")
    [photo] = stub.photos.values()
    with Image.open(io.BytesIO(photo["data"])) as card:
        assert [r.text for r in zxingcpp.read_barcodes(card)] == [article().url]


def test_the_configured_graph_version_is_in_every_path(server, monkeypatch):
    """Meta upgrades a call to a retired version to its oldest live one (no error to map),
    so the version is a key of its own, pinned in each request."""
    adapter = facebook(server, monkeypatch, version="v23.0")
    adapter.publish(adapter.render(article()), key="d1")
    adapter.verify()
    assert {r.path.split("/")[1] for r in server.requests} == {"v23.0"}
