"""The Matrix adapter against a real Synapse homeserver (tests/servers/synapse.py).

Synapse runs with its rate limits turned off, so the 429 cases use a local server that
answers as the client-server spec's ``room_send.yaml`` and ``_index.md`` (Rate limiting)
document: HTTP 429, ``errcode`` M_LIMIT_EXCEEDED, a ``Retry-After`` header (v1.10+) or
the older ``retry_after_ms`` body field.
"""

from __future__ import annotations

import secrets
import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from syndicator_adapters.matrix import CONTENT_BUDGET, content_bytes, to_html

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
)
from tests.servers.http import Request

pytestmark = pytest.mark.servers


def matrix(monkeypatch: pytest.MonkeyPatch, url: str, room: str, token: str, **options: Any):
    return make_adapter(
        monkeypatch,
        "matrix",
        {"homeserver": url, "room": room, **options},
        {"access_token": token},
    )


def room_messages(synapse, room: str, token: str) -> list[dict[str, Any]]:
    return [e for e in synapse.messages(room, token) if e["type"] == "m.room.message"]


def test_post_arrives_with_plain_body_and_html_with_bold_title_and_link(synapse, monkeypatch):
    _user, token = synapse.bot
    room = synapse.new_room(token)
    adapter = matrix(monkeypatch, synapse.url, room, token)
    news = article(title="Campus <opens> new library & café")

    post = adapter.render(news)
    receipt = adapter.publish(post, key=secrets.token_hex(16))

    [event] = room_messages(synapse, room, token)
    assert event["event_id"] == receipt.remote_id
    content = event["content"]
    assert content["msgtype"] == "m.notice"
    assert content["body"] == post.text
    assert news.url in content["body"]
    assert content["format"] == "org.matrix.custom.html"
    assert (
        "<strong>Campus &lt;opens&gt; new library &amp; café</strong>" in content["formatted_body"]
    )
    assert f'<a href="{news.url}">{news.url}</a>' in content["formatted_body"]
    quoted_event = urllib.parse.quote(receipt.remote_id, safe="$")
    assert receipt.remote_url == f"https://matrix.to/#/{room}/{quoted_event}"


def test_the_same_delivery_key_twice_creates_one_event(synapse, monkeypatch):
    _user, token = synapse.bot
    room = synapse.new_room(token)
    adapter = matrix(monkeypatch, synapse.url, room, token, msgtype="m.text")
    post = adapter.render(article())
    key = secrets.token_hex(16)

    first = adapter.publish(post, key=key)
    second = adapter.publish(post, key=key)

    assert first.remote_id == second.remote_id
    events = room_messages(synapse, room, token)
    assert [e["event_id"] for e in events] == [first.remote_id]
    assert events[0]["content"]["msgtype"] == "m.text"


def test_a_room_alias_is_resolved_to_its_room(synapse, monkeypatch):
    _user, token = synapse.bot
    room = synapse.new_room(token)
    alias = f"#news-{secrets.token_hex(4)}:localhost"
    synapse.client(
        "PUT", f"/directory/room/{urllib.parse.quote(alias)}", token, json={"room_id": room}
    )
    adapter = matrix(monkeypatch, synapse.url, alias, token)

    receipt = adapter.publish(adapter.render(article()), key=secrets.token_hex(16))

    assert [e["event_id"] for e in room_messages(synapse, room, token)] == [receipt.remote_id]


def test_a_too_long_article_is_fitted_and_the_event_stays_under_64_kib(synapse, monkeypatch):
    _user, token = synapse.bot
    room = synapse.new_room(token)
    adapter = matrix(monkeypatch, synapse.url, room, token)
    # ~14,000 CJK characters: about 40 KB as the body and as much again as HTML.
    huge = long_article().with_changes(text="研究团队表示，这一成果对精密测量具有重要意义。" * 600)

    post = adapter.render(huge)

    assert measure(post.text, "plain") <= post.limit
    assert len(post.text) < len(huge.text)  # cut for the event size, not the character limit
    assert content_bytes(post.extra["content"]) <= CONTENT_BUDGET
    assert LONG_URL in post.text
    adapter.publish(post, key=secrets.token_hex(16))
    [event] = room_messages(synapse, room, token)
    assert event["content"]["body"] == post.text


def test_an_oversized_event_is_rejected_with_the_homeservers_message(synapse, monkeypatch):
    _user, token = synapse.bot
    room = synapse.new_room(token)
    adapter = matrix(monkeypatch, synapse.url, room, token)
    text = "x" * 70_000
    post = Post("t", "matrix", text, "plain", len(text), 100_000, link="https://e.org/")

    with pytest.raises(Rejected) as caught:
        adapter.publish(post, key=secrets.token_hex(16))

    assert "M_TOO_LARGE" in caught.value.platform_message
    assert room_messages(synapse, room, token) == []


def test_a_bad_token_is_auth_failed_and_never_shown(synapse, monkeypatch, caplog):
    capture_everything(caplog)
    _user, token = synapse.bot
    room = synapse.new_room(token)
    bogus = "syt_" + secrets.token_urlsafe(24)
    adapter = matrix(monkeypatch, synapse.url, room, bogus)

    with pytest.raises(AuthFailed) as caught:
        adapter.publish(adapter.render(article()), key=secrets.token_hex(16))
    with pytest.raises(AuthFailed) as verifying:
        adapter.verify()

    assert "M_UNKNOWN_TOKEN" in caught.value.platform_message
    assert_no_secret([bogus], caplog, caught.value, verifying.value)


def test_verify_names_the_account_and_no_token_leaks(synapse, monkeypatch, caplog):
    capture_everything(caplog)
    user, token = synapse.bot
    room = synapse.new_room(token)
    adapter = matrix(monkeypatch, synapse.url, room, token)

    assert user in adapter.verify()
    receipt = adapter.publish(adapter.render(article()), key=secrets.token_hex(16))

    assert_no_secret([token], caplog, receipt.remote_id, receipt.remote_url, receipt.detail)


@pytest.mark.parametrize(
    ("headers", "body", "seconds"),
    [
        ({"Retry-After": "42"}, {"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests"}, 42),
        ({}, {"errcode": "M_LIMIT_EXCEEDED", "error": "Slow down", "retry_after_ms": 7500}, 7.5),
    ],
)
def test_a_rate_limit_answer_is_retried_when_the_homeserver_says(
    http_server, monkeypatch, headers, body, seconds
):
    def handler(request: Request):
        return 429, headers, body

    stub = http_server(handler)
    adapter = matrix(monkeypatch, "https://matrix.example.org", "!room:example.org", "tok-1234",
                     base_url=stub.url)  # fmt: skip

    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as caught:
        adapter.publish(adapter.render(article()), key="k1")
    after = datetime.now(UTC)

    assert caught.value.retry_at is not None
    wait = timedelta(seconds=seconds)
    assert before + wait <= caught.value.retry_at <= after + wait
    assert body["error"] in caught.value.platform_message
    assert (
        stub.requests[0].path
        == "/_matrix/client/v3/rooms/%21room%3Aexample.org/send/m.room.message/k1"
    )


def test_a_title_written_on_several_lines_is_still_bold():
    html = to_html(
        "Solar car wins\n\nhttps://e.org/", title="Solar car\n  wins", url="https://e.org/"
    )
    assert html.startswith("<p><strong>Solar car wins</strong></p>")


def test_html_body_escapes_text_and_keeps_paragraphs():
    html = to_html("A <b> title\n\nLine one\nline two https://e.org/?a=1&b=2", title="A <b> title",
                   url="https://e.org/?a=1&b=2")  # fmt: skip
    assert html == (
        "<p><strong>A &lt;b&gt; title</strong></p>"
        '<p>Line one<br>line two <a href="https://e.org/?a=1&amp;b=2">https://e.org/?a=1&amp;b=2</a></p>'
    )


def _rss(items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{date}</pubDate><description>Teaser of {title}.</description></item>"
        for title, link, date in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>{entries}</channel></rss>'


def test_end_to_end_a_backfilled_feed_article_arrives_in_the_room_once(
    synapse, http_server, monkeypatch, tmp_path
):
    """A config on disk, a feed on a local HTTP server, Synapse as the target: poll and
    drain post the newest article (backfill:1) once, and a second round adds nothing."""
    from syndicator.config import load_config
    from syndicator.delivery import drain
    from syndicator.engine import Engine
    from syndicator.poll import poll

    _user, token = synapse.bot
    room = synapse.new_room(token)
    feed = _rss([
        ("Solar car team wins national title", "https://news.example.edu/2026/11/28/c_3.htm",
         "Sat, 28 Nov 2026 09:00:00 +0000"),
        ("New library opens", "https://news.example.edu/2026/11/27/c_2.htm",
         "Fri, 27 Nov 2026 09:00:00 +0000"),
        ("Term starts", "https://news.example.edu/2026/11/26/c_1.htm",
         "Thu, 26 Nov 2026 09:00:00 +0000"),
    ])  # fmt: skip
    site = http_server(lambda request: (200, {"Content-Type": "application/rss+xml"}, feed))
    monkeypatch.setenv("MMB_E2E_MATRIX_TOKEN", token)
    config = tmp_path / "syndicator.toml"
    config.write_text(
        f"""
[store]
url = "sqlite:///var/e2e.db"

[service]
jitter = "0s"

[[sources]]
name = "news"
url = "{site.url}/rss.xml"
kind = "feed"
first_run = "backfill:1"
full_text = "never"

[[targets]]
name = "matrix-room"
adapter = "matrix"
homeserver = "{synapse.url}"
room = "{room}"
[targets.secrets]
access_token = "env:MMB_E2E_MATRIX_TOKEN"
""",
        encoding="utf-8",
    )
    engine = Engine.open(load_config(config))
    try:
        poll(engine, force=True)
        first = drain(engine)
        poll(engine, force=True)
        second = drain(engine)
    finally:
        engine.close()

    assert (first.sent, second.sent) == (1, 0)
    [event] = room_messages(synapse, room, token)
    assert event["content"]["msgtype"] == "m.notice"
    assert event["content"]["body"].startswith("Solar car team wins national title")
    assert "https://news.example.edu/2026/11/28/c_3.htm" in event["content"]["body"]
