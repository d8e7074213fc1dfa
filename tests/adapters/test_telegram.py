"""The Telegram adapter against a Bot API stub (tests/adapters/stubs/telegram.py follows
core.telegram.org/bots/api: HTML style, sendMessage/sendPhoto limits, error bodies)."""

from __future__ import annotations

import html
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from syndicator_adapters.telegram import TelegramAdapter, to_html

from syndicator.errors import AuthFailed, RateLimited, Rejected
from syndicator.text import measure
from tests.adapters.stubs import CJK_PARAGRAPH, LONG_PARAGRAPH, article, jpeg_file, make_target
from tests.adapters.stubs.telegram import TelegramStub, parse_html

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture
def stub():
    return TelegramStub(token=TOKEN)


@pytest.fixture
def telegram(stub, http_server, monkeypatch):
    server = http_server(stub)
    adapter = make_target(
        TelegramAdapter,
        monkeypatch,
        options={"chat_id": "@bitnews", "base_url": server.url},
        secrets={"bot_token": TOKEN},
    )
    adapter.server = server
    return adapter


def test_send_message_with_html_and_a_public_channel_link(telegram, stub):
    """sendMessage with parse_mode HTML; t.me/<channel>/<message_id> for a public channel."""
    receipt = telegram.publish(telegram.render(article()), key="d1")
    sent = stub.messages[0]
    assert sent["method"] == "sendMessage"
    assert sent["params"]["parse_mode"] == "HTML"
    assert sent["params"]["link_preview_options"] == {"is_disabled": False, "url": article().url}
    assert sent["plain"].startswith("New laboratory for quantum sensing opens")
    assert receipt.remote_url == f"https://t.me/bitnews/{receipt.remote_id}"


def test_markup_characters_in_every_piece_are_escaped(telegram, stub):
    """HTML style: all <, > and & that are not markup must be entities."""
    tricky = article(
        title="R&D <b>boost</b> for A<B",
        text="Costs fell 5% & rose >3x; see <script>alert(1)</script> & more.",
        url="https://news.example.edu.cn/a?x=1&y=<2>",
    )
    post = telegram.render(tricky)
    plain = parse_html(post.text)  # the stub's own parser, strict like Telegram's
    assert plain.startswith("R&D <b>boost</b> for A<B")
    assert "<script>alert(1)</script> & more." in plain
    telegram.publish(post, key="d1")
    assert stub.messages[0]["plain"] == plain


def test_a_long_article_fits_4096_after_entity_parsing(telegram):
    """sendMessage: 1-4096 characters after entities parsing."""
    url = "https://news.example.edu.cn/c/2024/c_1.htm"
    body = (LONG_PARAGRAPH + " A&B <tag> ") * 3 + CJK_PARAGRAPH * 3
    post = telegram.render(article(url=url, text=body))
    plain = parse_html(post.text)
    assert measure(plain, "telegram") <= 4096 and post.limit == 4096
    assert post.length == measure(plain, "telegram")
    assert url in plain
    telegram.publish(post, key="d1")


def test_with_a_picture_it_sends_a_photo_with_a_caption_within_1024(telegram, stub, tmp_path):
    """sendPhoto: multipart ``photo``; caption 0-1024 characters after entities parsing."""
    url = "https://news.example.edu.cn/c/2024/c_2.htm"
    post = telegram.render(article(url=url, text=LONG_PARAGRAPH, image_path=jpeg_file(tmp_path)))
    assert post.rule == "telegram_caption" and post.limit == 1024
    assert measure(parse_html(post.text), "telegram_caption") <= 1024
    telegram.publish(post, key="d1")
    sent = stub.messages[0]
    assert sent["method"] == "sendPhoto" and sent["photo"] == post.media[0].data
    assert url in sent["plain"]


def test_disable_preview_option(stub, http_server, monkeypatch):
    server = http_server(stub)
    adapter = make_target(
        TelegramAdapter,
        monkeypatch,
        options={"chat_id": "@bitnews", "base_url": server.url, "disable_preview": True},
        secrets={"bot_token": TOKEN},
    )
    adapter.publish(adapter.render(article()), key="d1")
    assert stub.messages[0]["params"]["link_preview_options"] == {"is_disabled": True}


def test_429_retry_after_becomes_rate_limited_at_that_time(telegram, stub):
    """429 ``{"parameters": {"retry_after": N}}``."""
    stub.retry_after = 35
    before = datetime.now(UTC)
    with pytest.raises(RateLimited, match="retry after 35") as caught:
        telegram.publish(telegram.render(article()), key="d1")
    assert before + timedelta(seconds=35) <= caught.value.retry_at
    assert caught.value.retry_at <= datetime.now(UTC) + timedelta(seconds=35)


def test_chat_not_found_is_auth_failed_with_telegrams_description(stub, http_server, monkeypatch):
    server = http_server(stub)
    adapter = make_target(
        TelegramAdapter,
        monkeypatch,
        options={"chat_id": "@nosuchchannel", "base_url": server.url},
        secrets={"bot_token": TOKEN},
    )
    with pytest.raises(AuthFailed, match="chat not found"):
        adapter.publish(adapter.render(article()), key="d1")


def test_a_chat_the_bot_may_not_post_in_is_auth_failed(stub, http_server, monkeypatch):
    """403 "Forbidden: bot is not a member of the channel chat"."""
    server = http_server(stub)
    adapter = make_target(
        TelegramAdapter,
        monkeypatch,
        options={"chat_id": "@otherchannel", "base_url": server.url},
        secrets={"bot_token": TOKEN},
    )
    with pytest.raises(AuthFailed, match="not a member of the channel chat"):
        adapter.publish(adapter.render(article()), key="d1")


def test_a_bad_token_is_auth_failed_and_never_shown(stub, http_server, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    server = http_server(stub)
    wrong = "987654321:WrongTokenWrongTokenWrongToken"
    adapter = make_target(
        TelegramAdapter,
        monkeypatch,
        options={"chat_id": "@bitnews", "base_url": server.url},
        secrets={"bot_token": wrong},
    )
    with pytest.raises(AuthFailed, match="Unauthorized") as caught:
        adapter.publish(adapter.render(article()), key="d1")
    assert wrong not in str(caught.value)
    assert wrong not in caplog.text


def test_a_text_telegram_refuses_is_rejected_with_its_description(telegram):
    from dataclasses import replace

    post = telegram.render(article())
    with pytest.raises(Rejected, match="can't parse entities"):
        telegram.publish(replace(post, text="a <blink>b</blink>"), key="d1")


def test_verify_calls_get_me(telegram):
    assert "@bitnews_bot" in telegram.verify()
    assert telegram.server.requests[0].path.endswith("/getMe")


def test_preview_needs_no_secret(monkeypatch):
    adapter = make_target(TelegramAdapter, monkeypatch, options={"chat_id": -1001234567890})
    assert adapter.render(article()).text


def test_to_html_bolds_a_leading_title_only():
    assert to_html("A & B\n\nbody", "A & B") == "<b>A &amp; B</b>\n\nbody"
    assert to_html("x <y>", "title") == html.escape("x <y>", quote=False)
    assert not re.search(r"<b>", to_html("other", "title"))
