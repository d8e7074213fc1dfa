"""The Mastodon adapter against mastodon-mock (PyPI), a stateful FastAPI server of the
Mastodon REST API: no real Mastodon can be installed from PyPI, npm or Debian (see
REAL-SERVERS.md §3 in the project notes). Its fault-injection control plane
(``POST /api/v1/_mock/faults``) produces the 429 answer; its own validation produces
the 422 for a too-long status, with Mastodon's wording.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from syndicator.errors import AuthFailed, RateLimited, Rejected
from syndicator.models import Post
from syndicator.text import measure
from tests.adapters.mmb_helpers import (
    LONG_URL,
    article,
    assert_no_secret,
    capture_everything,
    long_article,
    make_adapter,
    write_image,
)
from tests.servers.mastodon_mock import TOKEN, MastodonMock, start_mastodon_mock

pytestmark = pytest.mark.servers


@pytest.fixture(scope="session")
def mastodon_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MastodonMock]:
    """mastodon-mock on a free loopback port, in memory, for the session."""
    mock = start_mastodon_mock(tmp_path_factory.mktemp("mastodon-mock"))
    try:
        yield mock
    finally:
        mock.stop()


def mastodon(monkeypatch, mock: MastodonMock, token: str = TOKEN, **options: Any):
    return make_adapter(
        monkeypatch, "mastodon", {"instance": mock.url, **options}, {"access_token": token}
    )


def test_status_goes_out_with_visibility_language_warning_and_described_image(
    mastodon_mock, monkeypatch, tmp_path
):
    adapter = mastodon(monkeypatch, mastodon_mock, visibility="unlisted", content_warning="News")
    news = article().with_changes(image_path=write_image(tmp_path / "lead.png"))

    post = adapter.render(news)
    receipt = adapter.publish(post, key=secrets.token_hex(16))

    status = mastodon_mock.api("GET", f"/api/v1/statuses/{receipt.remote_id}").json()
    assert status["url"] == receipt.remote_url
    assert status["visibility"] == "unlisted"
    assert status["language"] == "en"
    assert status["spoiler_text"] == "News"
    assert f'href="{news.url}"' in status["content"]
    [attachment] = status["media_attachments"]
    assert attachment["type"] == "image"
    assert attachment["description"] == news.title


def test_the_same_delivery_key_twice_posts_one_status(mastodon_mock, monkeypatch):
    adapter = mastodon(monkeypatch, mastodon_mock)
    post = adapter.render(article(title=f"Only once {secrets.token_hex(4)}"))
    key = secrets.token_hex(16)
    before = len(mastodon_mock.statuses())

    first = adapter.publish(post, key=key)
    second = adapter.publish(post, key=key)

    assert first == second
    assert len(mastodon_mock.statuses()) == before + 1


def test_a_rate_limit_is_retried_at_the_reset_time_the_server_announced(mastodon_mock, monkeypatch):
    adapter = mastodon(monkeypatch, mastodon_mock)
    post = adapter.render(article())
    mastodon_mock.fault({"type": "ratelimit"}, count=3)

    def announced_reset() -> float:
        response = mastodon_mock.api("POST", "/api/v1/statuses", data={"status": "probe"})
        assert response.status_code == 429
        return float(response.headers["X-RateLimit-Reset"])

    earliest = announced_reset()
    with pytest.raises(RateLimited) as caught:
        adapter.publish(post, key=secrets.token_hex(16))
    latest = announced_reset()

    assert caught.value.retry_at is not None
    assert earliest <= caught.value.retry_at.timestamp() <= latest
    assert caught.value.retry_at > datetime.now(UTC)


def test_a_too_long_status_is_rejected_with_the_servers_message(mastodon_mock, monkeypatch):
    adapter = mastodon(monkeypatch, mastodon_mock)
    text = "x" * 600
    post = Post("t", "mastodon", text, "mastodon", 600, 10_000, extra={"visibility": "public"})

    with pytest.raises(Rejected) as caught:
        adapter.publish(post, key=secrets.token_hex(16))

    assert "Text is too long" in caught.value.platform_message


def test_a_too_long_article_is_fitted_to_the_instance_limit_and_accepted(
    mastodon_mock, monkeypatch, tmp_path
):
    """Fitted as Mastodon counts (graphemes, every URL as 23, the warning included).
    The mock counts code points with URLs in full, so the article here has a URL
    shorter than 23 characters: then the mock's count is never the larger one, and its
    acceptance is meaningful."""
    short_url = "https://e.edu.cn/a/1"
    adapter = mastodon(monkeypatch, mastodon_mock, content_warning="科研 Research")
    huge = long_article(image_path=write_image(tmp_path / "big.png", size=(1600, 1000)))
    huge = huge.with_changes(url=short_url, key=short_url)

    post = adapter.render(huge)

    assert measure(post.text, "mastodon") + measure("科研 Research", "mastodon") <= 500
    assert short_url in post.text
    assert post.text.startswith("北京理工大学")
    receipt = adapter.publish(post, key=secrets.token_hex(16))
    status = mastodon_mock.api("GET", f"/api/v1/statuses/{receipt.remote_id}").json()
    assert len(status["media_attachments"]) == 1


def test_a_long_url_counts_as_23_and_is_never_cut(monkeypatch):
    adapter = make_adapter(
        monkeypatch, "mastodon", {"instance": "https://mastodon.example"}, {"access_token": "t"}
    )

    post = adapter.render(long_article())

    assert LONG_URL in post.text
    assert measure(post.text, "mastodon") <= 500 < len(post.text)


def test_a_smaller_instance_limit_is_respected(mastodon_mock, monkeypatch):
    adapter = mastodon(monkeypatch, mastodon_mock, max_characters=200)

    post = adapter.render(long_article())

    assert post.limit == 200
    assert measure(post.text, "mastodon") <= 200
    assert LONG_URL in post.text


def test_a_bad_token_is_auth_failed_and_never_shown(mastodon_mock, monkeypatch, caplog):
    capture_everything(caplog)
    bogus = "tok_" + secrets.token_urlsafe(24)
    adapter = mastodon(monkeypatch, mastodon_mock, token=bogus)

    with pytest.raises(AuthFailed) as caught:
        adapter.publish(adapter.render(article()), key=secrets.token_hex(16))
    with pytest.raises(AuthFailed) as verifying:
        adapter.verify()

    assert caught.value.platform_message
    assert_no_secret([bogus], caplog, caught.value, verifying.value)


def test_verify_names_the_account_and_the_token_stays_out_of_receipts(
    mastodon_mock, monkeypatch, caplog
):
    capture_everything(caplog)
    adapter = mastodon(monkeypatch, mastodon_mock)

    assert adapter.verify().startswith("@testuser on ")
    receipt = adapter.publish(adapter.render(article()), key=secrets.token_hex(16))

    assert_no_secret([TOKEN], caplog, receipt.remote_id, receipt.remote_url, receipt.detail)
