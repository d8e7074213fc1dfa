"""The Weibo adapter against a stub of ``statuses/share`` (see tests/adapters/stubs/weibo.py
for the documentation it follows: open.weibo.com/wiki/2/statuses/share and Error_code)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from syndicator_adapters.weibo import WeiboAdapter

from syndicator.errors import AlreadyPosted, AuthFailed, RateLimited, Rejected
from syndicator.text import measure
from tests.adapters.stubs import CJK_PARAGRAPH, LONG_PARAGRAPH, article, jpeg_file, make_target
from tests.adapters.stubs.weibo import WeiboStub

TOKEN = "2.00weibo-token-abcdef"
DOMAIN = "example.edu.cn"


@pytest.fixture
def stub():
    return WeiboStub(token=TOKEN, safe_domain=DOMAIN)


@pytest.fixture
def weibo(stub, http_server, monkeypatch):
    server = http_server(stub)
    adapter = make_target(
        WeiboAdapter,
        monkeypatch,
        options={"safe_domain": DOMAIN, "base_url": server.url, "rip": "203.0.113.7"},
        secrets={"access_token": TOKEN},
    )
    adapter.server = server
    return adapter


def test_share_sends_a_form_with_token_status_and_rip_never_the_token_in_the_url(weibo, stub):
    """statuses/share: POST form-urlencoded with access_token, status, rip."""
    post = weibo.render(article())
    receipt = weibo.publish(post, key="d1")
    request = weibo.server.requests[0]
    assert request.path == "/2/statuses/share.json"
    assert request.header("Content-Type").startswith("application/x-www-form-urlencoded")
    assert TOKEN not in request.target
    assert stub.posted[0]["text"] == post.text
    assert stub.posted[0]["rip"] == "203.0.113.7"
    assert receipt.remote_id == "4900000000000001"
    assert receipt.remote_url.endswith("/4900000000000001")


def test_a_long_chinese_article_is_fitted_to_140_with_the_link_intact(weibo, stub):
    """statuses/share: status ≤ 140 汉字 (half-width counts half); the stub counts itself."""
    url = "https://news.example.edu.cn/c/2024-05-20/c_98765.htm"
    post = weibo.render(article(url=url, title="北理工新实验室揭牌", text=CJK_PARAGRAPH))
    assert measure(post.text, "weibo") <= 140
    assert post.length <= post.limit == 140
    assert url in post.text
    weibo.publish(post, key="d1")
    assert stub.posted[0]["text"].endswith(url)


def test_a_long_english_article_counts_half_width_and_fits_140(weibo, stub):
    """Half-width characters count 0.5: up to 280 ASCII characters fit."""
    url = "https://news.example.edu.cn/c/2024-05-20/c_4321.htm"
    post = weibo.render(article(url=url, text=LONG_PARAGRAPH))
    assert measure(post.text, "weibo") <= 140 and url in post.text
    assert len(post.text) > 200  # counted by half, not cut at 140 characters
    weibo.publish(post, key="d1")
    assert stub.posted


def test_hashtags_are_never_sent_as_weibo_topics(weibo, stub, monkeypatch):
    """statuses/share: the status must not contain "#话题词#"."""
    adapter = make_target(
        WeiboAdapter,
        monkeypatch,
        options={"safe_domain": DOMAIN, "base_url": weibo.server.url, "rip": "203.0.113.7"},
        secrets={"access_token": TOKEN},
        hashtags=("北理工",),
        template="【{title}】{summary} {hashtags} {url}",
    )
    post = adapter.render(article(title="#科研# 新实验室 #quantum#", categories=("新闻",)))
    assert "#" not in post.text
    adapter.publish(post, key="d1")
    assert stub.posted


def test_lead_picture_goes_as_multipart_pic_under_5_mb(weibo, stub, tmp_path):
    """statuses/share: with a picture the body is multipart/form-data, ``pic`` < 5 MB."""
    big = jpeg_file(tmp_path, size=(1800, 1800), noisy=True)
    assert big.stat().st_size > 5 * 1024 * 1024
    post = weibo.render(article(image_path=big))
    assert len(post.media) == 1 and len(post.media[0].data) < 5 * 1024 * 1024
    weibo.publish(post, key="d1")
    assert weibo.server.requests[0].header("Content-Type").startswith("multipart/form-data")
    assert stub.posted[0]["pic"] == post.media[0].data


def test_picture_none_sends_no_picture(weibo, stub, tmp_path, monkeypatch):
    adapter = make_target(
        WeiboAdapter,
        monkeypatch,
        options={"safe_domain": DOMAIN, "picture": "none"},
    )
    assert adapter.render(article(image_path=jpeg_file(tmp_path))).media == ()


def test_repeat_content_20019_is_already_posted_not_a_retry(weibo):
    """Error_code 20019 "repeat content!" (HTTP 400)."""
    post = weibo.render(article())
    weibo.publish(post, key="d1")
    with pytest.raises(AlreadyPosted, match="repeat content"):
        weibo.publish(post, key="d1")


def test_hourly_rate_limit_waits_until_the_top_of_the_next_hour(weibo, stub):
    """Error_code 10023 "User requests out of rate limit!": an hourly window, no Retry-After."""
    stub.rate_limited = True
    before = datetime.now(UTC)
    with pytest.raises(RateLimited, match="out of rate limit") as caught:
        weibo.publish(weibo.render(article()), key="d1")
    retry_at = caught.value.retry_at
    assert retry_at.minute == retry_at.second == retry_at.microsecond == 0
    assert before < retry_at <= before + timedelta(hours=1)


def test_invalid_token_21332_is_auth_failed(stub, http_server, monkeypatch):
    server = http_server(stub)
    adapter = make_target(
        WeiboAdapter,
        monkeypatch,
        options={"safe_domain": DOMAIN, "base_url": server.url},
        secrets={"access_token": "2.00expired"},
    )
    with pytest.raises(AuthFailed, match="invalid_access_token"):
        adapter.publish(adapter.render(article()), key="d1")


def test_unbound_domain_10017_is_rejected_with_a_hint_about_safe_domain(http_server, monkeypatch):
    """Error_code 10017 "appkey not bind domain!": the app's domain differs from ours."""
    server = http_server(WeiboStub(token=TOKEN, safe_domain="other.example.org"))
    adapter = make_target(
        WeiboAdapter,
        monkeypatch,
        options={"safe_domain": DOMAIN, "base_url": server.url},
        secrets={"access_token": TOKEN},
    )
    with pytest.raises(Rejected, match="appkey not bind domain") as caught:
        adapter.publish(adapter.render(article()), key="d1")
    assert "safe_domain" in str(caught.value)


def test_a_post_without_a_safe_domain_link_is_refused_before_any_request(weibo):
    post = weibo.render(article(url="https://elsewhere.example.com/a.htm"))
    with pytest.raises(Rejected, match="safe domain"):
        weibo.publish(post, key="d1")
    assert weibo.server.requests == []


def test_too_long_20012_is_rejected_with_weibos_message(weibo):
    """Error_code 20012: a post edited past 140 after rendering is refused by Weibo."""
    post = weibo.render(article())
    from dataclasses import replace

    with pytest.raises(Rejected, match="Text too long"):
        weibo.publish(replace(post, text="长" * 150 + " " + post.link), key="d1")


def test_validate_names_every_source_off_the_safe_domain(monkeypatch):
    adapter = make_target(WeiboAdapter, monkeypatch, options={"safe_domain": DOMAIN})
    problems = adapter.validate(
        {
            "main": "https://example.edu.cn/news/",
            "sub": "https://news.example.edu.cn/list.htm",
            "other": "https://www.example.com/feed.xml",
            "lookalike": "https://notexample.edu.cn/",
        }
    )
    assert len(problems) == 2
    assert "'other'" in problems[0] and "'lookalike'" in problems[1]


def test_preview_needs_no_secret(monkeypatch):
    adapter = make_target(WeiboAdapter, monkeypatch, options={"safe_domain": DOMAIN})
    assert adapter.render(article()).text


def test_verify_uses_the_oauth2_header_not_the_url(weibo, stub):
    """OAuth2 doc: the token may be sent as ``Authorization: OAuth2 <token>``."""
    assert str(stub.uid) in weibo.verify()
    assert TOKEN not in weibo.server.requests[0].target


def test_bad_options_are_named(monkeypatch):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="rip"):
        make_target(WeiboAdapter, monkeypatch, options={"safe_domain": DOMAIN, "rip": "x.y"})
    with pytest.raises(ValidationError, match="safe_domain"):
        make_target(WeiboAdapter, monkeypatch, options={})
