"""The Slack adapter against an incoming-webhook stub (tests/adapters/stubs/slack.py follows
api.slack.com messaging/webhooks, block-kit section, formatting#escaping and the
2016-05-17 changelog of webhook errors)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from syndicator_adapters.slack import SlackAdapter

from syndicator.errors import AuthFailed, RateLimited, Rejected, Transient
from tests.adapters.stubs import LONG_PARAGRAPH, article, make_target
from tests.adapters.stubs.slack import SlackStub, displayed


@pytest.fixture
def stub():
    return SlackStub()


@pytest.fixture
def slack(stub, http_server, monkeypatch):
    server = http_server(stub)
    adapter = make_target(
        SlackAdapter, monkeypatch, options={}, secrets={"url": server.url + stub.path}
    )
    adapter.server = server
    return adapter


def test_posts_a_mrkdwn_section_with_a_title_link_and_a_text_fallback(slack, stub):
    item = article(url="https://news.example.edu.cn/a?x=1&y=2")
    receipt = slack.publish(slack.render(item), key="d1")
    (message,) = stub.messages
    section = message["blocks"][0]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert section["text"]["text"].startswith("*<https://news.example.edu.cn/a?x=1&amp;y=2|")
    assert item.url in message["text"].replace("&amp;", "&")
    assert receipt.detail == "ok"


def test_control_characters_are_escaped_so_nothing_pings_or_breaks(slack, stub):
    """formatting#escaping: &, <, > in text; ``<!channel>`` would notify everyone."""
    item = article(title="R&D <!channel> a>b", text="Costs <fell> & rose | more")
    post = slack.render(item)
    shown = displayed(post.text)
    assert shown.startswith("*R&D <!channel> a>b*\n")
    assert "Costs <fell> & rose | more" in shown
    slack.publish(post, key="d1")
    assert stub.messages


def test_a_long_article_fits_the_3000_section_limit_as_sent(slack, stub):
    """block-kit section: text ≤ 3000 characters."""
    post = slack.render(article(text=("A&B <x> " + LONG_PARAGRAPH) * 3))
    assert len(post.text) <= 3000 and post.length == len(post.text) and post.limit == 3000
    assert post.link in post.text
    slack.publish(post, key="d1")
    assert stub.messages


def test_429_waits_for_retry_after(slack, stub):
    stub.retry_after = 30
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as caught:
        slack.publish(slack.render(article()), key="d1")
    assert before + timedelta(seconds=30) <= caught.value.retry_at
    assert caught.value.retry_at <= datetime.now(UTC) + timedelta(seconds=30)


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (400, "invalid_payload", Rejected),
        (400, "user_not_found", Rejected),
        (403, "action_prohibited", AuthFailed),
        (404, "channel_not_found", AuthFailed),
        (410, "channel_is_archived", AuthFailed),
        (500, "rollup_error", Transient),
    ],
)
def test_documented_error_bodies_map_to_their_kind(slack, stub, status, body, kind):
    """2016-05-17 changelog: the plain-text error body of each status."""
    stub.answer = (status, body)
    with pytest.raises(kind, match=body):
        slack.publish(slack.render(article()), key="d1")


def test_a_revoked_webhook_is_auth_failed(stub, http_server, monkeypatch):
    server = http_server(stub)
    adapter = make_target(
        SlackAdapter, monkeypatch, options={}, secrets={"url": server.url + "/services/T/B/gone"}
    )
    with pytest.raises(AuthFailed, match="no_service"):
        adapter.publish(adapter.render(article()), key="d1")


def test_preview_needs_no_secret(monkeypatch):
    assert make_target(SlackAdapter, monkeypatch, options={}).render(article()).text
