"""The Bluesky adapter against a real PDS (@atproto/dev-env, tests/servers/pds.py), read
back with com.atproto.repo.getRecord / listRecords.

The dev PDS has no rate limits, so the 429 case uses a local server answering as the
rate-limit guide on docs.bsky.app describes (HTTP 429, ``RateLimitExceeded``, a
``ratelimit-reset`` header in epoch seconds) and the XRPC error shape of the lexicons.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import secrets
from datetime import UTC, datetime
from typing import Any

import pytest
from syndicator_adapters.bluesky import COLLECTION, tid_from_key

from syndicator.adapter import MemoryCache
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
from tests.servers.http import Request

pytestmark = pytest.mark.servers

#: @atproto/dev-env signs session tokens with this constant (dev-env/src/const.ts);
#: knowing it lets a test hand the PDS a genuinely expired access token.
DEV_ENV_JWT_SECRET = b"jwt-secret"

_accounts = itertools.count(1)


@pytest.fixture
def account(pds) -> dict[str, str]:
    """A fresh account per test, so record counts start at zero."""
    handle = f"newsdesk{next(_accounts)}-{secrets.token_hex(3)}.test"
    password = secrets.token_urlsafe(12)
    did, _jwt = pds.create_account(handle, password)
    return {"handle": handle, "password": password, "did": did}


def bluesky(monkeypatch, pds, account, *, password: str | None = None, cache=None):
    return make_adapter(
        monkeypatch,
        "bluesky",
        {"handle": account["handle"], "service": pds.url},
        {"app_password": password or account["password"]},
        cache=cache,
    )


def test_post_with_link_facet_and_card_with_thumb_is_read_back(pds, account, monkeypatch, tmp_path):
    adapter = bluesky(monkeypatch, pds, account)
    news = article(title="图书馆开放 Library opens").with_changes(
        image_path=write_image(tmp_path / "lead.png", size=(700, 700), noisy=True)
    )
    assert news.image_path.stat().st_size > 1_000_000  # must be re-encoded to be a thumb

    post = adapter.render(news)
    receipt = adapter.publish(post, key=secrets.token_hex(16))

    record = pds.get_record(receipt.remote_id)["value"]
    assert record["text"] == post.text
    encoded = record["text"].encode("utf-8")
    [link] = [f for f in record["facets"] if f["features"][0]["$type"].endswith("#link")]
    index = link["index"]
    assert encoded[index["byteStart"] : index["byteEnd"]].decode() == news.url
    assert link["features"][0]["uri"] == news.url
    assert record["langs"] == ["en"]
    external = record["embed"]["external"]
    assert record["embed"]["$type"] == "app.bsky.embed.external"
    assert (external["uri"], external["title"]) == (news.url, news.title)
    assert external["description"] == news.summary
    assert external["thumb"]["mimeType"] == "image/jpeg"
    assert 0 < external["thumb"]["size"] <= 1_000_000
    rkey = receipt.remote_id.rsplit("/", 1)[1]
    assert receipt.remote_url == f"https://bsky.app/profile/{account['handle']}/post/{rkey}"


def test_a_retried_delivery_does_not_create_a_second_record(pds, account, monkeypatch):
    cache = MemoryCache()
    adapter = bluesky(monkeypatch, pds, account, cache=cache)
    post = adapter.render(article())
    key = secrets.token_hex(16)

    first = adapter.publish(post, key=key)
    # A restarted process: a new adapter, the same delivery key.
    again = bluesky(monkeypatch, pds, account, cache=cache).publish(post, key=key)

    assert again.remote_id == first.remote_id
    assert first.remote_id.endswith("/" + tid_from_key(key))
    assert len(pds.list_records(account["did"], COLLECTION)) == 1


def test_find_existing_looks_up_the_record_key_of_the_delivery(pds, account, monkeypatch):
    adapter = bluesky(monkeypatch, pds, account)
    post = adapter.render(article())
    key = secrets.token_hex(16)

    assert adapter.find_existing(post, key=key) is None
    receipt = adapter.publish(post, key=key)
    assert adapter.find_existing(post, key=key) == receipt


def test_a_too_long_article_fits_300_graphemes_and_is_accepted(pds, account, monkeypatch):
    adapter = bluesky(monkeypatch, pds, account)

    post = adapter.render(long_article())

    assert measure(post.text, "bluesky") <= 300
    assert len(post.text.encode("utf-8")) <= 3000
    assert LONG_URL in post.text
    record = pds.get_record(adapter.publish(post, key=secrets.token_hex(16)).remote_id)["value"]
    assert record["text"] == post.text
    assert record["langs"] == ["zh"]


def test_an_invalid_record_is_rejected_with_the_pds_message(pds, account, monkeypatch):
    adapter = bluesky(monkeypatch, pds, account)
    text = "长" * 400
    post = Post("t", "bluesky", text, "bluesky", 400, 10_000)

    with pytest.raises(Rejected) as caught:
        adapter.publish(post, key=secrets.token_hex(16))

    assert "InvalidRequest" in caught.value.platform_message
    assert "maximum 300" in caught.value.platform_message
    assert pds.list_records(account["did"], COLLECTION) == []


def test_a_wrong_password_is_auth_failed_and_never_shown(pds, account, monkeypatch, caplog):
    capture_everything(caplog)
    wrong = secrets.token_urlsafe(12)
    adapter = bluesky(monkeypatch, pds, account, password=wrong)

    with pytest.raises(AuthFailed) as caught:
        adapter.publish(adapter.render(article()), key=secrets.token_hex(16))
    with pytest.raises(AuthFailed) as verifying:
        adapter.verify()

    assert "Invalid identifier or password" in caught.value.platform_message
    assert_no_secret([wrong, account["password"]], caplog, caught.value, verifying.value)


def test_an_expired_access_token_is_refreshed_not_logged_in_again(
    pds, account, monkeypatch, caplog
):
    capture_everything(caplog)
    login = pds.xrpc("POST", "com.atproto.server.createSession",
                     json={"identifier": account["handle"], "password": account["password"]})  # fmt: skip
    expired = _expired_copy(login["accessJwt"])
    cache = MemoryCache()
    session = {"accessJwt": expired, "refreshJwt": login["refreshJwt"],
               "did": login["did"], "handle": login["handle"]}  # fmt: skip
    cache.put(f"bluesky-session:{account['handle']}", json.dumps(session), ttl_seconds=3600)
    # A wrong password: only the refresh token can make this publish succeed.
    adapter = bluesky(monkeypatch, pds, account, password="not-the-password", cache=cache)

    receipt = adapter.publish(adapter.render(article()), key=secrets.token_hex(16))

    assert pds.get_record(receipt.remote_id)["value"]["text"]
    renewed = json.loads(cache.get(f"bluesky-session:{account['handle']}") or "{}")
    assert renewed["accessJwt"] != expired
    assert renewed["refreshJwt"] != login["refreshJwt"]  # refreshSession rotates it
    tokens = [expired, login["accessJwt"], login["refreshJwt"], renewed["refreshJwt"]]
    assert_no_secret(tokens, caplog, receipt.remote_id, receipt.remote_url, receipt.detail)


def test_verify_creates_a_session_and_names_the_account(pds, account, monkeypatch):
    adapter = bluesky(monkeypatch, pds, account)

    assert adapter.verify().startswith(f"@{account['handle']} ({account['did']})")


def test_a_rate_limit_is_retried_at_the_reset_time_the_service_named(http_server, monkeypatch):
    reset = 1_900_000_000

    def handler(request: Request):
        if request.path.endswith("createSession"):
            return 200, {}, {"accessJwt": "a-jwt-1", "refreshJwt": "r-jwt-1",
                             "did": "did:plc:abc", "handle": "news.example.edu"}  # fmt: skip
        return 429, {"ratelimit-limit": "5000", "ratelimit-remaining": "0",
                     "ratelimit-reset": str(reset)}, {"error": "RateLimitExceeded",
                                                     "message": "Rate Limit Exceeded"}  # fmt: skip

    stub = http_server(handler)
    adapter = make_adapter(monkeypatch, "bluesky", {"handle": "news.example.edu",
                           "base_url": stub.url}, {"app_password": "app-pass-1"})  # fmt: skip

    with pytest.raises(RateLimited) as caught:
        adapter.publish(adapter.render(article()), key="k1")

    assert caught.value.retry_at == datetime.fromtimestamp(reset, UTC)
    assert "RateLimitExceeded" in caught.value.platform_message
    assert stub.requests[-1].json()["rkey"] == tid_from_key("k1")


def test_record_keys_are_valid_tids_stable_per_delivery_key():
    keys = [secrets.token_hex(16) for _ in range(200)]
    tids = [tid_from_key(k) for k in keys]
    assert tids == [tid_from_key(k) for k in keys]
    assert len(set(tids)) == len(keys)
    for tid in tids:
        assert len(tid) == 13
        assert tid[0] in "234567abcdefghij"
        assert set(tid) <= set("234567abcdefghijklmnopqrstuvwxyz")


def _expired_copy(token: str) -> str:
    """The same access token with its expiry in the past, signed as the dev PDS signs."""

    def decode(part: str) -> Any:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))

    def encode(value: Any) -> str:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header, payload, _signature = token.split(".")
    claims = decode(payload)
    claims["iat"], claims["exp"] = claims["iat"] - 7200, claims["iat"] - 3600
    signing_input = f"{header}.{encode(claims)}"
    mac = hmac.new(DEV_ENV_JWT_SECRET, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
