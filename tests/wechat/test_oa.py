"""The Official Account flow against a local server that follows the WeChat docs
(endpoints and errcodes as documented in tests/wechat/fake_wechat.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from syndicator_adapters.wechat.oa import OfficialAccountOptions, WeChatOfficialAccountAdapter
from syndicator_adapters.wechat.oa_client import next_midnight_shanghai

from syndicator.adapter import MemoryCache, Target
from syndicator.errors import AuthFailed, RateLimited, Rejected, Transient

from .fake_wechat import APPID, SECRET, FakeWeChat


@pytest.fixture
def wechat(http_server):
    fake = FakeWeChat()
    fake.server = http_server(fake)
    return fake


@pytest.fixture
def make_adapter(wechat, monkeypatch):
    monkeypatch.setenv("WECHAT_TEST_SECRET", SECRET)

    def build(cache=None, **options) -> WeChatOfficialAccountAdapter:
        target = Target(
            name="wechat-oa",
            adapter="wechat_oa",
            options=OfficialAccountOptions(
                appid=APPID, base_url=wechat.server.url, poll_interval=0.01, **options
            ),
            secret_refs={"app_secret": "env:WECHAT_TEST_SECRET"},
            cache=cache or MemoryCache(),
            timezone="Asia/Shanghai",
        )
        return WeChatOfficialAccountAdapter(target)

    return build


def paths(wechat) -> list[str]:
    return [r.path for r in wechat.server.requests]


def test_draft_and_publish_flow_returns_the_article_url(make_adapter, wechat, zh_article):
    adapter = make_adapter(publish=True, author="新闻中心", need_open_comment=True)
    post = adapter.render(zh_article)
    receipt = adapter.publish(post, key="d1")
    assert paths(wechat) == [
        "/cgi-bin/token",
        "/cgi-bin/material/add_material",
        "/cgi-bin/draft/add",
        "/cgi-bin/freepublish/submit",
        "/cgi-bin/freepublish/get",
        "/cgi-bin/freepublish/get",
        "/cgi-bin/freepublish/get",
    ]
    assert receipt.remote_url.startswith("https://mp.weixin.qq.com/s/ARTICLE-")
    ((article,),) = wechat.drafts.values()
    assert article["title"] == zh_article.title
    assert article["author"] == "新闻中心" and article["need_open_comment"] == 1
    assert article["content_source_url"] == zh_article.url
    assert article["content"].startswith("<p>2019年") and "<script" not in article["content"]
    assert len(article["digest"]) <= 120
    raw = next(r for r in wechat.server.requests if r.path == "/cgi-bin/draft/add").body
    assert "北京理工大学".encode() in raw  # UTF-8, not \\u escapes


def test_cover_is_uploaded_as_a_jpeg_thumb_under_64kb(make_adapter, wechat, seed_article, photo):
    adapter = make_adapter()
    receipt = adapter.publish(adapter.render(seed_article.with_changes(image_path=photo)), key="d1")
    (thumb,) = wechat.materials.values()
    assert thumb.startswith(b"\xff\xd8") and len(thumb) <= 64 * 1024
    assert receipt.remote_id.startswith("DRAFT-") and receipt.detail == "saved as a draft"
    assert "/cgi-bin/freepublish/submit" not in paths(wechat)


def test_token_expiring_mid_flow_is_renewed_once(make_adapter, wechat, seed_article):
    wechat.expire_tokens_on = "/cgi-bin/draft/add"
    receipt = make_adapter(publish=True).publish(make_adapter().render(seed_article), key="d1")
    assert receipt.remote_url
    assert wechat.token_fetches == 2
    assert paths(wechat)[:5] == [
        "/cgi-bin/token",
        "/cgi-bin/material/add_material",
        "/cgi-bin/draft/add",  # 42001
        "/cgi-bin/token",
        "/cgi-bin/draft/add",
    ]


def test_token_refused_twice_is_auth_failure(make_adapter, wechat, seed_article):
    adapter = make_adapter()
    post = adapter.render(seed_article)
    wechat.fail_next["/cgi-bin/draft/add"] = [40001, 40001]
    with pytest.raises(AuthFailed, match="40001"):
        adapter.publish(post, key="d1")
    assert wechat.token_fetches == 2


def test_token_is_shared_through_the_cache(make_adapter, wechat, seed_article):
    cache = MemoryCache()
    first, second = make_adapter(cache=cache), make_adapter(cache=cache)
    first.publish(first.render(seed_article), key="d1")
    second.publish(second.render(seed_article), key="d2")
    assert wechat.token_fetches == 1


def test_daily_quota_is_rate_limited_until_midnight_in_china(make_adapter, wechat, seed_article):
    adapter = make_adapter()
    post = adapter.render(seed_article)
    wechat.fail_next["/cgi-bin/material/add_material"] = [45009]
    with pytest.raises(RateLimited) as raised:
        adapter.publish(post, key="d1")
    local = raised.value.retry_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert (local.hour, local.minute) == (0, 0)
    assert timedelta(0) < raised.value.retry_at - datetime.now(UTC) <= timedelta(days=1)


def test_next_midnight_shanghai_is_in_china_time():
    late_evening_utc = datetime(2025, 3, 1, 15, 30, tzinfo=UTC)  # 23:30 in Beijing
    assert next_midnight_shanghai(late_evening_utc) == datetime(2025, 3, 1, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(("code", "kind"), [(53503, Rejected), (53505, Rejected), (-1, Transient)])
def test_publish_refusals_and_busy_system(make_adapter, wechat, seed_article, code, kind):
    adapter = make_adapter(publish=True)
    post = adapter.render(seed_article)
    wechat.fail_next["/cgi-bin/freepublish/submit"] = [code]
    with pytest.raises(kind, match=str(code)):
        adapter.publish(post, key="d1")


def test_failed_publishing_job_is_rejected(make_adapter, wechat, seed_article):
    wechat.final_status = 3
    adapter = make_adapter(publish=True)
    with pytest.raises(Rejected, match="publishing failed"):
        adapter.publish(adapter.render(seed_article), key="d1")


def test_wrong_secret_is_auth_failure_without_the_secret(
    make_adapter, wechat, seed_article, monkeypatch
):
    adapter = make_adapter()
    post = adapter.render(seed_article)
    monkeypatch.setenv("WECHAT_TEST_SECRET", "wrong-secret-value")
    with pytest.raises(AuthFailed) as raised:
        adapter.publish(post, key="d1")
    assert "40125" in str(raised.value)
    assert "wrong-secret-value" not in str(raised.value) and "secret=" not in str(raised.value)


def test_unreachable_server_is_transient(seed_article, monkeypatch):
    monkeypatch.setenv("WECHAT_TEST_SECRET", SECRET)
    target = Target(
        name="wechat-oa",
        adapter="wechat_oa",
        options=OfficialAccountOptions(appid=APPID, base_url="http://127.0.0.1:9"),
        secret_refs={"app_secret": "env:WECHAT_TEST_SECRET"},
    )
    adapter = WeChatOfficialAccountAdapter(target)
    with pytest.raises(Transient) as raised:
        adapter.publish(adapter.render(seed_article), key="d1")
    assert SECRET not in str(raised.value)


def test_render_keeps_wechat_limits(make_adapter, seed_article):
    long = seed_article.with_changes(title="Record " * 30)
    post = make_adapter().render(long)
    assert len(post.title) <= 64 and post.length <= 120 == post.limit
    assert post.media[0].mime == "image/jpeg" and len(post.media[0].data) <= 64 * 1024
