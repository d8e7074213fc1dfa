"""The generic webhook adapter against a receiver that checks what its docstring promises:
an HMAC-SHA256 ``sha256=<hex>`` over the raw body, JSON, and ``Idempotency-Key``."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from syndicator_adapters.webhook import WebhookAdapter, signature

from syndicator.errors import AuthFailed, RateLimited, Rejected, Transient
from tests.adapters.stubs import LONG_PARAGRAPH, article, make_target
from tests.adapters.stubs.webhook import WebhookReceiver

PATH = "/hooks/news-7f3a9c2e"
KEY = "whsec-signing-key-0123456789"


@pytest.fixture
def receiver():
    return WebhookReceiver(path=PATH, signing_key=KEY)


def _adapter(server, monkeypatch, *, options=None, key=KEY, template=None):
    secrets = {"url": server.url + PATH}
    if key:
        secrets["signing_key"] = key
    return make_target(
        WebhookAdapter, monkeypatch, options=options or {}, secrets=secrets, template=template
    )


def test_default_body_carries_every_field_and_a_valid_signature(receiver, http_server, monkeypatch):
    adapter = _adapter(http_server(receiver), monkeypatch)
    item = article()
    receipt = adapter.publish(adapter.render(item), key="d1")
    (event,) = receiver.events
    assert event["title"] == item.title and event["url"] == item.url
    assert event["published"] == "2024-05-20T08:30:00+00:00" and event["source"] == "BIT News"
    assert receipt.remote_id == "evt_1"


def test_signature_is_hmac_sha256_of_the_exact_body_sent(receiver, http_server, monkeypatch):
    server = http_server(receiver)
    adapter = _adapter(server, monkeypatch)
    adapter.publish(adapter.render(article(title="Ünïcode «标题»")), key="d1")
    request = server.requests[0]
    digest = hmac.new(KEY.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.header("X-Syndicator-Signature") == f"sha256={digest}"
    assert signature(b"{}", "k") == "sha256=" + hmac.new(b"k", b"{}", hashlib.sha256).hexdigest()


def test_a_wrong_signing_key_is_refused_and_auth_failed(receiver, http_server, monkeypatch):
    adapter = _adapter(http_server(receiver), monkeypatch, key="another-key-entirely")
    with pytest.raises(AuthFailed, match="bad signature"):
        adapter.publish(adapter.render(article()), key="d1")
    assert receiver.events == []


def test_a_body_template_fills_placeholders_in_nested_values(receiver, http_server, monkeypatch):
    body = {"event": "article", "data": {"headline": "{title}", "links": ["{url}"]}, "n": 3}
    adapter = _adapter(http_server(receiver), monkeypatch, options={"body": body})
    item = article()
    adapter.publish(adapter.render(item), key="d1")
    assert receiver.events[0] == {
        "event": "article",
        "data": {"headline": item.title, "links": [item.url]},
        "n": 3,
    }


def test_an_unknown_placeholder_in_the_body_is_a_config_error(monkeypatch):
    with pytest.raises(ValidationError, match=r"unknown placeholder \{author\}"):
        make_target(WebhookAdapter, monkeypatch, options={"body": {"a": "{author}"}})


def test_idempotency_key_only_when_the_receiver_promises_it(receiver, http_server, monkeypatch):
    server = http_server(receiver)
    plain = _adapter(server, monkeypatch)
    assert plain.idempotent is False and WebhookAdapter.idempotent is False
    plain.publish(plain.render(article()), key="d0")
    assert server.requests[0].header("Idempotency-Key") is None

    promised = _adapter(server, monkeypatch, options={"idempotent": True})
    assert promised.idempotent is True
    post = promised.render(article(url="https://news.example.edu.cn/2.htm"))
    first = promised.publish(post, key="delivery-42")
    again = promised.publish(post, key="delivery-42")
    assert server.requests[-1].header("Idempotency-Key") == "delivery-42"
    assert first.remote_id == again.remote_id and len(receiver.events) == 2


def test_the_text_field_is_fitted_with_the_link(receiver, http_server, monkeypatch):
    adapter = _adapter(http_server(receiver), monkeypatch)
    url = "https://news.example.edu.cn/c/2024/c_9.htm"
    post = adapter.render(article(url=url, text=LONG_PARAGRAPH * 3))
    assert post.length <= post.limit and url in post.extra["body"]["text"]


@pytest.mark.parametrize(
    ("status", "headers", "kind"),
    [(429, {"Retry-After": "120"}, RateLimited), (503, {}, Transient), (422, {}, Rejected)],
)
def test_error_statuses_map_to_their_kind(
    receiver, http_server, monkeypatch, status, headers, kind
):
    receiver.answer = (status, headers, {"error": f"status {status}"})
    adapter = _adapter(http_server(receiver), monkeypatch)
    before = datetime.now(UTC)
    with pytest.raises(kind, match=f"status {status}") as caught:
        adapter.publish(adapter.render(article()), key="d1")
    if kind is RateLimited:
        assert before + timedelta(seconds=120) <= caught.value.retry_at


def test_verify_is_not_available(monkeypatch):
    with pytest.raises(NotImplementedError):
        make_target(WebhookAdapter, monkeypatch, options={}).verify()
