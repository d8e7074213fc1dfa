"""The server fixtures really serve: each test talks to the real process over loopback.

If one of these fails, every test built on that fixture would fail for reasons that have
nothing to do with syndicator, so these are the first place to look.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import requests

from tests.servers.http import Request, Response
from tests.servers.nginx import NginxSite
from tests.servers.pds import Pds
from tests.servers.synapse import Synapse

pytestmark = pytest.mark.servers


def test_synapse_message_sent_by_the_bot_reads_back_from_the_room(synapse: Synapse) -> None:
    user_id, token = synapse.bot
    room_id = synapse.new_room(token)
    event_id = synapse.send_text(room_id, token, "Headline 标题 https://example.org/a")

    messages = [e for e in synapse.messages(room_id, token) if e["type"] == "m.room.message"]

    assert [m["event_id"] for m in messages] == [event_id]
    assert messages[0]["sender"] == user_id == "@bot:localhost"
    assert messages[0]["content"]["body"] == "Headline 标题 https://example.org/a"


def test_synapse_rejects_a_wrong_token(synapse: Synapse) -> None:
    resp = requests.post(
        f"{synapse.url}/_matrix/client/v3/createRoom",
        headers={"Authorization": "Bearer not-a-token"},
        json={},
        timeout=10,
    )
    assert resp.status_code == 401
    assert resp.json()["errcode"] == "M_UNKNOWN_TOKEN"


def test_pds_record_created_by_an_account_reads_back(pds: Pds) -> None:
    did, jwt = pds.create_account("smoke", "hunter22")
    record = {
        "$type": "app.bsky.feed.post",
        "text": "Headline 标题 https://example.org/a",
        "createdAt": "2026-11-29T03:41:10.000Z",
    }
    body = {"repo": did, "collection": "app.bsky.feed.post", "record": record}
    created = pds.xrpc("POST", "com.atproto.repo.createRecord", jwt, json=body)

    assert created["uri"].startswith(f"at://{did}/app.bsky.feed.post/")
    assert pds.get_record(created["uri"])["value"]["text"] == record["text"]
    listed = pds.list_records(did, "app.bsky.feed.post")
    assert [r["uri"] for r in listed] == [created["uri"]]


def test_postgres_accepts_tables_in_a_fresh_database(postgres_url: str, fresh_postgres_url: str):
    import sqlalchemy as sa

    assert fresh_postgres_url != postgres_url
    engine = sa.create_engine(fresh_postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE posts (id serial PRIMARY KEY, url text UNIQUE)"))
            conn.execute(sa.text("INSERT INTO posts (url) VALUES ('https://example.org/a')"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT url FROM posts")).scalars().all() == [
                "https://example.org/a"
            ]
            assert conn.execute(sa.text("SHOW server_version_num")).scalar_one() >= "150000"
    finally:
        engine.dispose()


def test_nginx_answers_304_to_a_matching_etag_and_logs_both_requests(
    nginx_site, tmp_path: Path
) -> None:
    root = tmp_path / "www"
    root.mkdir()
    (root / "feed.rss").write_text("<rss version='2.0'><channel/></rss>")
    site: NginxSite = nginx_site(root)

    first = requests.get(f"{site.url}/feed.rss", timeout=10)
    assert first.status_code == 200
    assert first.headers["Last-Modified"]
    again = requests.get(
        f"{site.url}/feed.rss", headers={"If-None-Match": first.headers["ETag"]}, timeout=10
    )
    assert again.status_code == 304
    assert again.content == b""

    log = site.access_log(expect=2)
    assert [(e.method, e.path, e.status) for e in log] == [
        ("GET", "/feed.rss", 200),
        ("GET", "/feed.rss", 304),
    ]
    assert log[0].bytes == len(first.content)
    assert log[1].if_none_match == first.headers["ETag"]


def test_nginx_etag_changes_when_the_file_changes(nginx_site, tmp_path: Path) -> None:
    feed = tmp_path / "feed.rss"
    feed.write_text("<rss/>")
    site: NginxSite = nginx_site(tmp_path)
    etag = requests.head(f"{site.url}/feed.rss", timeout=10).headers["ETag"]

    later = time.time() + 5
    feed.write_text("<rss version='2.0'/>")
    os.utime(feed, (later, later))

    resp = requests.get(f"{site.url}/feed.rss", headers={"If-None-Match": etag}, timeout=10)
    assert resp.status_code == 200
    assert resp.headers["ETag"] != etag


def test_http_server_records_each_request_and_returns_the_handler_answer(http_server) -> None:
    def handler(req: Request) -> Response:
        if req.header("authorization") != "Bearer good":
            return 401, {}, {"error": "invalid token"}
        return 201, {"X-Post-Id": "42"}, {"id": "42", "text": req.json()["text"]}

    stub = http_server(handler)
    denied = requests.post(f"{stub.url}/api/post?x=1", json={"text": "a"}, timeout=10)
    made = requests.post(
        f"{stub.url}/api/post", json={"text": "标题"}, headers={"Authorization": "Bearer good"}
    )

    assert (denied.status_code, denied.json()) == (401, {"error": "invalid token"})
    assert (made.status_code, made.headers["X-Post-Id"], made.json()["text"]) == (201, "42", "标题")
    assert [(r.method, r.path, r.query) for r in stub.requests] == [
        ("POST", "/api/post", {"x": ["1"]}),
        ("POST", "/api/post", {}),
    ]
    assert stub.requests[1].json() == {"text": "标题"}
