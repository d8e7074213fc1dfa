"""No secret of any adapter reaches a log line, an error or a receipt, however the
publish goes wrong: a network error (a closed port), 401, 500, or a hostile server that
echoes the request (URL, body and all) back in its answer, as some platforms' error
messages do with a token they did not like."""

from __future__ import annotations

import json
import logging
import socket
import traceback
from typing import Any

import pytest
from syndicator_adapters.discord import DiscordAdapter
from syndicator_adapters.facebook import FacebookAdapter
from syndicator_adapters.instagram import InstagramAdapter
from syndicator_adapters.linkedin import LinkedInAdapter
from syndicator_adapters.slack import SlackAdapter
from syndicator_adapters.telegram import TelegramAdapter
from syndicator_adapters.threads import ThreadsAdapter
from syndicator_adapters.webhook import WebhookAdapter
from syndicator_adapters.weibo import WeiboAdapter
from syndicator_adapters.x import XAdapter

from syndicator.errors import PublishError
from tests.adapters.stubs import article, make_target
from tests.servers.http import Request, Response

WEBHOOK_PATHS = {
    "discord": "/api/webhooks/1234567890123/discord-hook-token-QWERTYUIOP",
    "slack": "/services/T0LEAK/B0LEAK/slackHookSecretPart123456",
    "webhook": "/hooks/generic-secret-path-987654321",
}
ADAPTERS: dict[str, tuple[type, dict[str, Any], dict[str, str]]] = {
    "weibo": (
        WeiboAdapter,
        {"safe_domain": "example.edu.cn", "rip": "203.0.113.7"},
        {"access_token": "2.00WeiboLeakCheckToken"},
    ),
    "x": (
        XAdapter,
        {},
        {
            "api_key": "xLeakApiKey123",
            "api_secret": "xLeakApiSecret456",
            "access_token": "1001-xLeakAccessToken",
            "access_secret": "xLeakAccessSecret789",
        },
    ),
    "telegram": (
        TelegramAdapter,
        {"chat_id": "@bitnews"},
        {"bot_token": "555000111:TelegramLeakCheckTokenABCDEF"},
    ),
    "discord": (DiscordAdapter, {}, {}),
    "slack": (SlackAdapter, {}, {}),
    "webhook": (WebhookAdapter, {}, {"signing_key": "webhookSigningKeyLeak"}),
    "facebook": (FacebookAdapter, {"page_id": "1234"}, {"access_token": "EAAGfbQx7LeakTok9"}),
    "instagram": (
        InstagramAdapter,
        {"user_id": "1784", "poll_delay": 0.0},
        {"access_token": "IGQVJigZp3LeakTok8"},
    ),
    "linkedin": (
        LinkedInAdapter,
        {"author": "urn:li:organization:5515715"},
        {"access_token": "AQVlnKw5LeakTok7"},
    ),
    "threads": (
        ThreadsAdapter,
        {"user_id": "2600", "poll_delay": 0.0},
        {"access_token": "THQWJthRv2LeakTok6"},
    ),
}


def _closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _echoing(status: int):
    """Answers ``status`` with the request echoed into every field an adapter reads."""

    def handler(request: Request) -> Response:
        echo = f"{request.method} {request.target} {request.headers} {request.body[:2000]!r}"
        body = {
            "ok": status < 400,
            "error_code": 21332 if status == 401 else status,
            "error": echo,
            "description": echo,
            "detail": echo,
            "title": echo,
            "message": echo,
            "errors": [{"message": echo}],
            "id": echo,
            "idstr": echo,
            "result": {"message_id": echo},
            "data": {"id": echo},
            "channel_id": echo,
            "guild_id": echo,
        }
        if "/services/" in request.path:  # Slack answers in plain text
            return status, {"Content-Type": "text/plain"}, echo
        return status, {}, json.dumps(body)

    return handler


def _adapter(name: str, root: str, monkeypatch: pytest.MonkeyPatch):
    adapter_class, options, secrets = ADAPTERS[name]
    if name in WEBHOOK_PATHS:
        secrets = {**secrets, "url": root + WEBHOOK_PATHS[name]}
    else:
        options = {**options, "base_url": root}
    return make_target(adapter_class, monkeypatch, options=options, secrets=secrets, name=name)


def _secrets_of(name: str) -> list[str]:
    values = list(ADAPTERS[name][2].values())
    if name in WEBHOOK_PATHS:
        path = WEBHOOK_PATHS[name]
        values += [path, path.rsplit("/", 1)[-1]]
    return values


def _assert_clean(name: str, *texts: str) -> None:
    for secret in _secrets_of(name):
        for text in texts:
            assert secret not in text, f"{name}: a secret leaked into: {text[:300]!r}"


@pytest.mark.parametrize("name", sorted(ADAPTERS))
@pytest.mark.parametrize("failure", ["network", 401, 500])
def test_failed_publishes_leak_no_secret(name, failure, http_server, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    root = _closed_port() if failure == "network" else http_server(_echoing(failure)).url
    adapter = _adapter(name, root, monkeypatch)
    post = adapter.render(article(url="https://news.example.edu.cn/c/1.htm"))
    with pytest.raises(PublishError) as caught:
        adapter.publish(post, key="delivery-1")
    error = caught.value
    _assert_clean(
        name,
        caplog.text,
        str(error),
        repr(error),
        error.platform_message,
        "".join(traceback.format_exception(error)),
    )


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_receipts_of_a_hostile_echoing_server_leak_no_secret(
    name, http_server, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    adapter = _adapter(name, http_server(_echoing(200)).url, monkeypatch)
    post = adapter.render(article(url="https://news.example.edu.cn/c/1.htm"))
    try:
        receipt = adapter.publish(post, key="delivery-1")
        texts = [receipt.remote_id, receipt.remote_url, receipt.detail]
    except PublishError as error:  # an answer it cannot use is fine, a leak is not
        texts = [str(error), error.platform_message]
    _assert_clean(name, caplog.text, *texts)


@pytest.mark.parametrize(
    "name", ["weibo", "x", "telegram", "facebook", "instagram", "linkedin", "threads"]
)
def test_failed_verify_leaks_no_secret(name, http_server, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    adapter = _adapter(name, http_server(_echoing(401)).url, monkeypatch)
    with pytest.raises(PublishError) as caught:
        adapter.verify()
    _assert_clean(name, caplog.text, str(caught.value), caught.value.platform_message)


# --- Not even a part of a secret: a long error body with the secrets at every offset.
# Truncating an error body before redacting it left the head of a token that straddled
# the cut (300 characters in _short_body, 100 and 200 for Slack) in every error.

FRAGMENT = 8
BODY = 360  # longer than every cut an adapter makes


def fragments(secret: str) -> set[str]:
    return {secret[i : i + FRAGMENT] for i in range(len(secret) - FRAGMENT + 1)}


def _secret_parts(name: str) -> list[str]:
    """The secrets of ``name`` without what is public: a webhook URL's API prefix
    (``/api/webhooks/``, ``/services/``) is in every such URL, its ids and token are
    the secret."""
    values = list(ADAPTERS[name][2].values())
    if name in WEBHOOK_PATHS:
        values.append(WEBHOOK_PATHS[name].split("/", 3)[-1])
    return values


def assert_no_fragment(secrets: list[str], *texts: str) -> None:
    """No run of ``FRAGMENT`` characters of any secret in any of ``texts``."""
    for secret in secrets:
        for part in fragments(secret):
            for text in texts:
                assert part not in text, f"{part!r} of a secret in: {text[:400]!r}"


def _echoing_at(group: str, offsets: list[int]):
    """Answers 500 with ``group`` (the adapter's secrets) placed at the next offset of
    a long body: as plain text on even offsets, in every JSON field on odd ones."""

    def handler(request: Request) -> Response:
        offset = offsets.pop(0) if offsets else 0
        echo = "#" * offset + group + "#" * (BODY - offset)
        if offset % 2 == 0:
            return 500, {"Content-Type": "text/plain"}, echo
        fields = ("error", "description", "detail", "title", "message", "errmsg")
        body: dict[str, Any] = dict.fromkeys(fields, echo)
        body["errors"] = [{"message": echo}]
        return 500, {}, json.dumps(body)

    return handler


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_a_secret_at_any_offset_of_a_long_error_body_leaks_not_even_in_part(
    name, http_server, monkeypatch, caplog, tmp_path, request
):
    caplog.set_level(logging.DEBUG)
    secrets = _secret_parts(name)
    group = " ".join(_secrets_of(name))
    offsets = list(range(BODY))
    stub = http_server(_echoing_at(group, offsets))
    adapter = _adapter(name, stub.url, monkeypatch)
    post = adapter.render(article(url="https://news.example.edu.cn/c/1.htm"))
    if name == "instagram":  # Instagram fetches the picture itself: it must be published
        from tests.adapters.stubs.meta import PublishedMedia, with_public_media

        published = PublishedMedia(tmp_path / "media")
        request.addfinalizer(published.stop)
        adapter = with_public_media(adapter, published)
        post = published.store(post)
    kept: list[str] = []
    while offsets:
        before = len(offsets)
        with pytest.raises(PublishError) as caught:
            adapter.publish(post, key="delivery-1")
        assert len(offsets) < before  # each publish reached the server
        error = caught.value
        kept += [str(error), error.platform_message, *traceback.format_exception_only(error)]
    assert_no_fragment(secrets, caplog.text, *kept)
