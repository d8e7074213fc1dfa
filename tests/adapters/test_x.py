"""The X adapter: OAuth 1.0a signing (RFC 5849 and X's documented example) and posting
against a stub of the v2 API (see tests/adapters/stubs/x.py for the documentation)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from syndicator_adapters.x import (
    XAdapter,
    hmac_sha1_signature,
    oauth1_header,
    signature_base_string,
)

from syndicator.errors import AlreadyPosted, AuthFailed, RateLimited, Rejected
from syndicator.text import measure
from tests.adapters.stubs import CJK_PARAGRAPH, LONG_PARAGRAPH, article, jpeg_file, make_target
from tests.adapters.stubs.x import XStub, x_length

KEYS = {
    "api_key": "consumer-key-123",
    "api_secret": "consumer-secret-456",
    "access_token": "1001-access-token-789",
    "access_secret": "access-secret-abc",
}


def test_signature_matches_rfc5849_section_1_2_example():
    """RFC 5849 §1.2: the photos.example.net request signs to tR3+Ty81lMeYAr/Fid0kMTYa/WM=."""
    params = [
        ("file", "vacation.jpg"),
        ("size", "original"),
        ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
        ("oauth_token", "nnch734d00sl2jdk"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "1191242096"),
        ("oauth_nonce", "kllo9940pd9333jh"),
        ("oauth_version", "1.0"),
    ]
    base = signature_base_string("GET", "http://photos.example.net/photos", params)
    assert base.startswith("GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg")
    assert hmac_sha1_signature(base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00") == (
        "tR3+Ty81lMeYAr/Fid0kMTYa/WM="
    )


def test_header_matches_xs_documented_creating_a_signature_example():
    """X developer docs, "Creating a signature": the statuses/update example."""
    header = oauth1_header(
        "POST",
        "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
        consumer_key="xvz1evFS4wEEPTGEFPHBog",
        consumer_secret="kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        token_secret="LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
        extra_params=[("status", "Hello Ladies + Gentlemen, a signed OAuth request!")],
        nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
        timestamp=1318622958,
    )
    assert 'oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D"' in header


def test_default_ports_are_dropped_and_others_kept_in_the_base_uri():
    """RFC 5849 §3.4.1.2: lowercase scheme and host, default port omitted."""
    assert "%2F%2Fexample.com%2Fa" in signature_base_string("GET", "HTTPS://Example.COM:443/a", [])
    assert "example.com%3A8080" in signature_base_string("GET", "http://example.com:8080/a", [])


@pytest.fixture
def stub():
    return XStub(KEYS["api_key"], KEYS["api_secret"], KEYS["access_token"], KEYS["access_secret"])


@pytest.fixture
def x(stub, http_server, monkeypatch):
    server = http_server(stub)
    adapter = make_target(XAdapter, monkeypatch, options={"base_url": server.url}, secrets=KEYS)
    adapter.server = server
    return adapter


def test_posts_json_with_a_valid_signature_and_links_the_receipt(x, stub):
    """Create Post: JSON ``{"text"}``; the stub verifies the OAuth 1.0a signature."""
    receipt = x.publish(x.render(article()), key="d1")
    assert stub.posts[0]["text"].endswith(article().url)
    assert receipt.remote_url == f"https://x.com/i/web/status/{receipt.remote_id}"


def test_a_wrong_secret_fails_the_signature_and_is_auth_failed(stub, http_server, monkeypatch):
    """RFC 5849 §3.2: the server recomputes the signature; a mismatch is HTTP 401."""
    server = http_server(stub)
    adapter = make_target(
        XAdapter,
        monkeypatch,
        options={"base_url": server.url},
        secrets={**KEYS, "access_secret": "not-the-secret"},
    )
    with pytest.raises(AuthFailed, match="401"):
        adapter.publish(adapter.render(article()), key="d1")
    assert stub.posts == []


def test_long_english_and_chinese_articles_fit_280_weighted_with_the_url(x, stub):
    """twitter-text v3: CJK weighs 2 and every URL 23; the stub counts independently."""
    for index, body in enumerate((LONG_PARAGRAPH, CJK_PARAGRAPH)):
        url = f"https://news.example.edu.cn/c/2024-05-20/c_{index}{'x' * 80}.htm"
        post = x.render(article(url=url, title="北理工新实验室揭牌 New lab", text=body))
        assert measure(post.text, "x") <= 280 and post.length <= post.limit == 280
        assert url in post.text
        assert x_length(post.text) <= 280
        x.publish(post, key=f"d{index}")
    assert len(stub.posts) == 2


def test_a_picture_is_uploaded_then_attached_by_media_id(x, stub, tmp_path):
    """Upload media (multipart, tweet_image), then Create Post with media.media_ids."""
    post = x.render(article(image_path=jpeg_file(tmp_path)))
    x.publish(post, key="d1")
    (media_id,) = stub.media
    assert stub.posts[0]["media_ids"] == [media_id]
    assert stub.media[media_id] == post.media[0].data


def test_duplicate_content_403_is_already_posted(x):
    post = x.render(article())
    x.publish(post, key="d1")
    with pytest.raises(AlreadyPosted, match="duplicate content"):
        x.publish(post, key="d1")


def test_other_403_and_400_are_rejected_with_xs_words(x, stub):
    post = x.render(article())
    with pytest.raises(Rejected, match="weighted length 400 is over 280"):
        x.publish(replace(post, text="長" * 200), key="d1")
    stub.forbidden = True
    with pytest.raises(Rejected, match="not permitted to perform this action"):
        x.publish(post, key="d2")


def test_429_waits_until_x_rate_limit_reset(x, stub):
    """429 with ``x-rate-limit-reset`` (epoch seconds)."""
    stub.rate_reset = int(time.time()) + 900
    with pytest.raises(RateLimited) as caught:
        x.publish(x.render(article()), key="d1")
    assert caught.value.retry_at == datetime.fromtimestamp(stub.rate_reset, UTC)


def test_verify_names_the_account(x):
    """GET /2/users/me."""
    assert "@bitnews" in x.verify()


def test_preview_needs_no_secret(monkeypatch):
    adapter = make_target(XAdapter, monkeypatch, options={})
    assert adapter.render(article()).length <= 280
