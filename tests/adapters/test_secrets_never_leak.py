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
    "facebook": (FacebookAdapter, {"page_id": "1234"}, {"access_token": "EAAGfacebookLeakToken"}),
    "instagram": (
        InstagramAdapter,
        {"user_id": "1784", "poll_delay": 0.0},
        {"access_token": "IGQVJinstagramLeakToken"},
    ),
    "linkedin": (
        LinkedInAdapter,
        {"author": "urn:li:organization:5515715"},
        {"access_token": "AQVlinkedinLeakToken"},
    ),
    "threads": (
        ThreadsAdapter,
        {"user_id": "2600", "poll_delay": 0.0},
        {"access_token": "THQWJthreadsLeakToken"},
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
