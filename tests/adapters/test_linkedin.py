"""The LinkedIn adapter against a stub of the Posts and Images APIs (see
tests/adapters/stubs/linkedin.py for the documentation followed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from syndicator_adapters.linkedin import LinkedInAdapter

from syndicator.errors import AlreadyPosted, AuthFailed, RateLimited, Rejected, Transient
from syndicator.text import measure
from tests.adapters.stubs import LONG_PARAGRAPH, article, jpeg_file, make_target
from tests.adapters.stubs.linkedin import LinkedInStub

TOKEN = "AQVxK7Tq9ZpR2mW4nB8cD1fG"  # random-looking: redaction masks any 8 of its characters
ORG = "urn:li:organization:5515715"
TRICKY = "Researchers (from physics) won the [2025] prize #1 for *quantum* work_flow."


@pytest.fixture
def stub():
    return LinkedInStub(token=TOKEN, organization=ORG)


@pytest.fixture
def server(stub, http_server):
    running = http_server(stub)
    stub.url = running.url
    return running


def linkedin(server, monkeypatch, **options):  # type: ignore[no-untyped-def]
    return make_target(
        LinkedInAdapter,
        monkeypatch,
        options={"author": ORG, "base_url": server.url, **options},
        secrets={"access_token": TOKEN},
    )


def test_an_article_share_sends_the_versioned_headers_and_links_the_receipt(
    server, stub, monkeypatch
):
    adapter = linkedin(server, monkeypatch)
    post = adapter.render(article())
    receipt = adapter.publish(post, key="d1")
    [made] = stub.posts
    assert made["article"]["source"] == article().url
    assert made["article"]["title"] == article().title
    assert made["article"]["description"]
    assert receipt.remote_id == made["id"]
    assert receipt.remote_url == f"https://www.linkedin.com/feed/update/{made['id']}/"
    sent = server.requests[-1]
    assert sent.header("LinkedIn-Version") == "202607"
    assert sent.header("X-Restli-Protocol-Version") == "2.0.0"


def test_reserved_characters_are_escaped_so_the_whole_text_shows(server, stub, monkeypatch):
    """Little text format: unescaped, LinkedIn cuts the post at the first "(" (the stub
    does the same); escaped, the reader sees exactly the rendered text."""
    adapter = linkedin(server, monkeypatch)
    post = adapter.render(article(title=TRICKY, url="https://news.example.edu/a_b/(c).htm"))
    adapter.publish(post, key="d1")
    assert stub.posts[0]["shown"] == post.text


def test_the_length_counts_the_escapes_and_stays_within_3000(server, stub, monkeypatch):
    adapter = linkedin(server, monkeypatch)
    body = (TRICKY + " ") * 200 + LONG_PARAGRAPH
    post = adapter.render(article(text=body))
    assert post.limit == 3000 and measure(post.text, "linkedin") == post.length <= 3000
    adapter.publish(post, key="d1")  # the stub measures the escaped commentary too
    assert len(stub.posts) == 1
    assert measure("(a)", "linkedin") == 5 and measure("https://x.org/(a)", "linkedin") == 17


def test_the_thumbnail_is_uploaded_first_and_referenced_by_its_urn(
    server, stub, monkeypatch, tmp_path
):
    adapter = linkedin(server, monkeypatch)
    post = adapter.render(article(image_path=jpeg_file(tmp_path)))
    adapter.publish(post, key="d1")
    [(urn, data)] = stub.images.items()
    assert data == post.media[0].data
    assert stub.posts[0]["article"]["thumbnail"] == urn


def test_the_token_is_never_sent_to_an_upload_url_off_linkedin(
    server, stub, monkeypatch, tmp_path, http_server
):
    elsewhere = http_server(lambda request: (201, {}, b""))
    stub.url = elsewhere.url  # a hostile or broken answer points the upload elsewhere
    adapter = linkedin(server, monkeypatch)
    with pytest.raises(Transient, match="off LinkedIn"):
        adapter.publish(adapter.render(article(image_path=jpeg_file(tmp_path))), key="d1")
    assert elsewhere.requests == [] and stub.posts == []


def test_a_sunset_version_is_a_config_error_naming_the_key(server, stub, monkeypatch):
    adapter = linkedin(server, monkeypatch, version="202301")
    with pytest.raises(Rejected, match=r"targets\.test-target\.version: .*202301.*not active"):
        adapter.publish(adapter.render(article()), key="d1")
    with pytest.raises(Rejected, match="version"):
        adapter.verify()
    assert stub.posts == []


def test_an_expired_token_and_a_missing_permission_are_auth_failures(server, stub, monkeypatch):
    adapter = linkedin(server, monkeypatch)
    stub.expired = True
    with pytest.raises(AuthFailed, match="expired"):
        adapter.publish(adapter.render(article()), key="d1")
    stub.expired, stub.forbidden = False, True
    with pytest.raises(AuthFailed, match="Not enough permissions"):
        adapter.publish(adapter.render(article()), key="d1")


def test_a_daily_throttle_waits_until_midnight_utc(server, stub, monkeypatch):
    adapter = linkedin(server, monkeypatch)
    stub.throttled = True
    with pytest.raises(RateLimited, match="APPLICATION DAY limit") as caught:
        adapter.publish(adapter.render(article()), key="d1")
    midnight = (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    assert caught.value.retry_at == midnight
    assert LinkedInAdapter.max_per_day == 150


def test_a_duplicate_is_already_posted_with_the_first_posts_urn(server, stub, monkeypatch):
    adapter = linkedin(server, monkeypatch)
    post = adapter.render(article())
    first = adapter.publish(post, key="d1")
    with pytest.raises(AlreadyPosted) as caught:
        adapter.publish(post, key="d1")
    assert caught.value.remote_id == first.remote_id and len(stub.posts) == 1


def test_find_existing_finds_the_post_by_its_article_link(server, stub, monkeypatch):
    adapter = linkedin(server, monkeypatch)
    post = adapter.render(article())
    assert adapter.find_existing(post, key="d1") is None
    sent = adapter.publish(post, key="d1")
    found = linkedin(server, monkeypatch).find_existing(post, key="d1")
    assert found is not None and found.remote_id == sent.remote_id
    other = adapter.render(article(url="https://news.example.edu.cn/c/other.htm"))
    assert adapter.find_existing(other, key="d2") is None


def test_verify_names_the_organization(server, monkeypatch):
    assert linkedin(server, monkeypatch).verify() == "organization BIT International"
