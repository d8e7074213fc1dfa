"""The Discord adapter against an Execute Webhook stub (tests/adapters/stubs/discord.py
follows discord-api-docs webhook.mdx, message.mdx, rate-limits.mdx and the JSON codes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from syndicator_adapters.discord import DiscordAdapter

from syndicator.errors import AuthFailed, RateLimited, Rejected
from syndicator.text import measure
from tests.adapters.stubs import LONG_PARAGRAPH, article, make_target
from tests.adapters.stubs.discord import DiscordStub

HOOK_ID, HOOK_TOKEN = "1111111111111111111", "hook-token-SECRET-abcdefghijklmnop"


@pytest.fixture
def stub():
    return DiscordStub(webhook_id=HOOK_ID, token=HOOK_TOKEN)


def _adapter(server, monkeypatch, token=HOOK_TOKEN, hook_id=HOOK_ID, template=None):
    return make_target(
        DiscordAdapter,
        monkeypatch,
        options={},
        secrets={"url": f"{server.url}/api/webhooks/{hook_id}/{token}"},
        template=template,
    )


@pytest.fixture
def discord(stub, http_server, monkeypatch):
    server = http_server(stub)
    adapter = _adapter(server, monkeypatch)
    adapter.server = server
    return adapter


def test_posts_content_and_an_embed_without_pings_and_waits_for_the_message(discord, stub):
    """Execute Webhook with ``wait=true``; allowed_mentions parse [] (no @everyone pings)."""
    item = article(title="@everyone new lab", image_url="https://news.example.edu.cn/lead.jpg")
    receipt = discord.publish(discord.render(item), key="d1")
    message = stub.messages[0]
    assert discord.server.requests[0].query["wait"] == ["true"]
    assert message["allowed_mentions"] == {"parse": []}
    (embed,) = message["embeds"]
    assert embed["title"] == "@everyone new lab" and embed["url"] == item.url
    assert embed["image"] == {"url": "https://news.example.edu.cn/lead.jpg"}
    assert receipt.remote_id == message["id"]


def test_a_long_article_fits_content_2000_and_the_embed_limits(stub, http_server, monkeypatch):
    """message.mdx: content ≤ 2000, title ≤ 256, description ≤ 4096, embeds ≤ 6000 in all."""
    server = http_server(stub)
    adapter = _adapter(server, monkeypatch, template="{title}\n\n{summary}\n\n{url}")
    url = "https://news.example.edu.cn/c/2024/c_3.htm"
    post = adapter.render(article(url=url, title="Lab " * 100, text=LONG_PARAGRAPH * 3))
    assert measure(post.text, "discord") <= 2000 and post.limit == 2000
    assert post.text.rstrip().endswith(url)
    embed = post.extra["embed"]
    assert len(embed["title"]) <= 256 and len(embed["description"]) <= 4096
    assert len(embed["title"]) + len(embed["description"]) <= 6000
    adapter.publish(post, key="d1")
    assert stub.messages


def test_429_waits_for_the_bodys_retry_after(discord, stub):
    """rate-limits.mdx: 429 body ``retry_after`` in float seconds."""
    stub.retry_after = 12.5
    before = datetime.now(UTC)
    with pytest.raises(RateLimited, match="rate limited") as caught:
        discord.publish(discord.render(article()), key="d1")
    assert before + timedelta(seconds=12.5) <= caught.value.retry_at
    assert caught.value.retry_at <= datetime.now(UTC) + timedelta(seconds=12.5)


def test_a_429_without_a_json_body_falls_back_to_the_retry_after_header(discord, stub):
    """rate-limits.mdx: every 429 carries ``Retry-After`` (seconds)."""
    stub.header_only_retry_after = 40
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as caught:
        discord.publish(discord.render(article()), key="d1")
    assert before + timedelta(seconds=40) <= caught.value.retry_at


def test_unknown_webhook_is_auth_failed(stub, http_server, monkeypatch):
    """404 ``{"message": "Unknown Webhook", "code": 10015}``: the webhook was deleted."""
    adapter = _adapter(http_server(stub), monkeypatch, hook_id="2222222222222222222")
    with pytest.raises(AuthFailed, match="Unknown Webhook"):
        adapter.publish(adapter.render(article()), key="d1")


def test_invalid_form_body_is_rejected_with_discords_field_message(discord):
    from dataclasses import replace

    post = replace(discord.render(article()), text="x" * 2001)
    with pytest.raises(Rejected, match=r"content: Must be 2000 or fewer in length"):
        discord.publish(post, key="d1")


def test_verify_is_not_available_for_webhooks(discord):
    with pytest.raises(NotImplementedError):
        discord.verify()


def test_preview_needs_no_secret(monkeypatch):
    adapter = make_target(DiscordAdapter, monkeypatch, options={})
    assert adapter.render(article()).text
