"""The pipeline's promises: a first poll posts nothing, each new article gives exactly
one delivery per target, and nothing is posted twice, across restarts, across sources,
and across the small changes feeds make to links and guids.

The sites are real HTTP servers on 127.0.0.1 (the bundled sample site, and stub feeds).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from syndicator.delivery import drain
from syndicator.demo.site import NEW_ARTICLE, SampleSite
from syndicator.models import DeliveryState
from syndicator.poll import poll
from syndicator.store import deliveries as delivery_store
from tests.engine_helpers import OUTBOX_TARGETS, feed_source, list_source, open_engine


@pytest.fixture
def site() -> Iterator[SampleSite]:
    with SampleSite() as running:
        yield running


def _states(engine) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with engine.store.begin() as connection:
        rows = delivery_store.listing(connection, limit=1000)
    return sorted((r.article_url, r.target, r.state.value) for r in rows)


def _sent(engine) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(url, target) for url, target, state in _states(engine) if state == "sent"]


def test_first_poll_records_but_does_not_post(tmp_path: Path, site: SampleSite) -> None:
    engine = open_engine(tmp_path, list_source(site.url) + OUTBOX_TARGETS)
    summary = poll(engine)
    drain(engine)
    assert summary.new_articles == 3
    assert _sent(engine) == []
    assert {state for _, _, state in _states(engine)} == {"skipped"}
    assert not (tmp_path / "outbox").exists()


def test_new_article_gives_one_delivery_per_target_and_a_restart_posts_nothing(
    tmp_path: Path, site: SampleSite
) -> None:
    body = list_source(site.url) + OUTBOX_TARGETS
    engine = open_engine(tmp_path, body)
    poll(engine)
    site.publish(NEW_ARTICLE)
    summary = poll(engine, force=True)
    drain(engine)
    new_url = site.url + NEW_ARTICLE.path
    assert summary.new_articles == 1
    assert sorted(_sent(engine)) == [(new_url, "box-a"), (new_url, "box-b")]
    assert len(list((tmp_path / "outbox" / "a").glob("*.json"))) == 1
    engine.close()

    restarted = open_engine(tmp_path, body)  # a new process: new store connection, same file
    again = poll(restarted, force=True)
    drain(restarted)
    assert again.new_articles == 0
    assert len(_sent(restarted)) == 2
    assert len(list((tmp_path / "outbox" / "a").glob("*.json"))) == 1


def test_backfill_posts_only_the_newest_n(tmp_path: Path, site: SampleSite) -> None:
    engine = open_engine(tmp_path, list_source(site.url, first_run="backfill:1") + OUTBOX_TARGETS)
    poll(engine)
    drain(engine)
    newest = max(site.articles, key=lambda a: a.released)
    assert {url for url, _ in _sent(engine)} == {site.url + newest.path}


def test_the_same_article_through_a_feed_and_a_list_page_is_delivered_once(
    tmp_path: Path, site: SampleSite
) -> None:
    body = list_source(site.url) + feed_source(site.url + "/rss.xml") + OUTBOX_TARGETS
    engine = open_engine(tmp_path, body)
    poll(engine)
    site.publish(NEW_ARTICLE)
    poll(engine, force=True)
    drain(engine)
    assert len(_sent(engine)) == 2  # one per target, though both sources saw it


def _feed(items: list[tuple[str | None, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link>"
        + (f"<guid>{guid}</guid>" if guid else "")
        + "<description>A short teaser.</description></item>"
        for guid, link, title in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{entries}</channel></rss>'


def test_a_link_that_gains_utm_parameters_or_loses_its_guid_is_not_posted_twice(
    tmp_path: Path, http_server
) -> None:  # type: ignore[no-untyped-def]
    items = [(None, "https://news.example.edu/2026-11/20/c_1.htm", "First")]
    current = {"body": _feed(items)}
    stub = http_server(
        lambda request: (200, {"Content-Type": "application/rss+xml"}, current["body"])
    )
    engine = open_engine(tmp_path, feed_source(stub.url + "/feed.xml") + OUTBOX_TARGETS)
    poll(engine)
    current["body"] = _feed(
        [
            (
                None,
                "https://news.example.edu/2026-11/20/c_1.htm?utm_source=weibo&utm_medium=x",
                "First",
            ),
            ("tag:news,2026:1", "https://news.example.edu/2026-11/20/c_1.htm#top", "First"),
            (None, "https://news.example.edu/2026-11/21/c_2.htm", "Second"),
        ]
    )
    summary = poll(engine, force=True)
    drain(engine)
    assert summary.new_articles == 1
    assert {url for url, _ in _sent(engine)} == {"https://news.example.edu/2026-11/21/c_2.htm"}


def test_one_broken_source_does_not_stop_the_others(
    tmp_path: Path, site: SampleSite, http_server
) -> None:  # type: ignore[no-untyped-def]
    broken = http_server(
        lambda request: (200, {"Content-Type": "application/rss+xml"}, "<rss><channel><item>")
    )
    missing = http_server(lambda request: (404, {}, "gone"))
    body = (
        feed_source(broken.url + "/broken.xml", name="broken")
        + feed_source(missing.url + "/missing.xml", name="missing")
        + list_source(site.url)
        + OUTBOX_TARGETS
    )
    engine = open_engine(tmp_path, body)
    poll(engine)
    site.publish(NEW_ARTICLE)
    summary = poll(engine, force=True)
    drain(engine)
    assert summary.failed >= 1
    assert any("missing" in error for error in summary.errors)
    assert len(_sent(engine)) == 2
    from syndicator.store import polls

    with engine.store.begin() as connection:
        state = polls.load(connection, "missing")
    assert state is not None and state.failures == 2 and "404" in (state.last_error or "")


def test_a_second_poll_of_an_unchanged_source_transfers_no_body(
    tmp_path: Path, site: SampleSite
) -> None:
    engine = open_engine(tmp_path, feed_source(site.url + "/rss.xml") + OUTBOX_TARGETS)
    poll(engine)
    site.requests.clear()
    summary = poll(engine, force=True)
    assert summary.not_modified == 1
    assert site.requests == [("/rss.xml", 304)]


def test_every_skipped_delivery_records_why(tmp_path: Path, site: SampleSite) -> None:
    engine = open_engine(tmp_path, list_source(site.url) + OUTBOX_TARGETS)
    poll(engine)
    with engine.store.begin() as connection:
        rows = delivery_store.in_state(connection, [DeliveryState.SKIPPED])
    assert rows and all(row.reason.startswith("baseline") for row in rows)


def _rss(titles: list[str]) -> str:
    items = "".join(
        f"<item><title>{t}</title><link>https://news.example.edu/{i}.htm</link>"
        f"<guid>news-{i}</guid><description>Teaser {i}.</description></item>"
        for i, t in reversed(list(enumerate(titles)))
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>n</title>{items}</channel></rss>'
    )


def test_nginx_answers_the_second_poll_with_304_and_no_body(tmp_path: Path, nginx_site) -> None:  # type: ignore[no-untyped-def]
    """nginx serves the feed with ETag and Last-Modified, as a real site would."""
    import os
    import time

    www = tmp_path / "www"
    www.mkdir()
    feed = www / "feed.xml"
    feed.write_text(_rss(["One", "Two"]))
    os.chmod(www, 0o755)
    os.chmod(feed, 0o644)
    server = nginx_site(www)
    engine = open_engine(tmp_path, feed_source(server.url + "/feed.xml") + OUTBOX_TARGETS)
    poll(engine)
    poll(engine, force=True)
    first, second = server.access_log(expect=2)
    assert (first.status, second.status) == (200, 304)
    assert second.bytes == 0
    assert second.if_none_match and second.if_modified_since

    feed.write_text(_rss(["One", "Two", "Three"]))
    os.utime(feed, (time.time() + 5, time.time() + 5))
    summary = poll(engine, force=True)
    drain(engine)
    assert server.access_log(expect=3)[-1].status == 200
    assert summary.new_articles == 1
    assert {url for url, _ in _sent(engine)} == {"https://news.example.edu/2.htm"}


def test_the_whole_round_works_on_postgresql(
    tmp_path: Path, site: SampleSite, fresh_postgres_url: str
) -> None:
    body = list_source(site.url) + OUTBOX_TARGETS
    from syndicator.config import load_config
    from syndicator.engine import Engine
    from tests.engine_helpers import write_config

    path = write_config(tmp_path, body)
    path.write_text(path.read_text().replace("sqlite:///var/test.db", fresh_postgres_url))
    engine = Engine.open(load_config(path))
    poll(engine)
    site.publish(NEW_ARTICLE)
    poll(engine, force=True)
    drain(engine)
    assert sorted(_sent(engine)) == [
        (site.url + NEW_ARTICLE.path, "box-a"),
        (site.url + NEW_ARTICLE.path, "box-b"),
    ]


def test_a_target_added_later_gets_only_articles_that_come_after_it(
    tmp_path: Path, site: SampleSite
) -> None:
    one_target = OUTBOX_TARGETS.split("[[targets]]")[1]
    engine = open_engine(
        tmp_path, list_source(site.url, first_run="backfill:3") + "[[targets]]" + one_target
    )
    poll(engine)
    drain(engine)
    assert len(_sent(engine)) == 3
    engine.close()

    engine = open_engine(tmp_path, list_source(site.url, first_run="backfill:3") + OUTBOX_TARGETS)
    site.publish(NEW_ARTICLE)
    poll(engine, force=True)
    drain(engine)
    sent_b = [url for url, target in _sent(engine) if target == "box-b"]
    assert sent_b == [site.url + NEW_ARTICLE.path]


UPDATE_TARGETS = """
[[targets]]
name = "box-a"
adapter = "outbox"
path = "outbox/a"

[[targets]]
name = "box-updates"
adapter = "outbox"
path = "outbox/updates"
on_update = "post"
"""


def test_an_edited_title_is_recorded_and_posted_again_only_where_asked(
    tmp_path: Path, http_server
) -> None:  # type: ignore[no-untyped-def]
    from syndicator.store import articles as article_store

    link = "https://news.example.edu/2026-11/20/c_1.htm"
    current = {"body": _feed([("tag:news,2026:1", link, "First")])}
    stub = http_server(
        lambda request: (200, {"Content-Type": "application/rss+xml"}, current["body"])
    )
    engine = open_engine(
        tmp_path, feed_source(stub.url + "/feed.xml", first_run="backfill:1") + UPDATE_TARGETS
    )
    poll(engine)
    drain(engine)
    assert sorted(_sent(engine)) == [(link, "box-a"), (link, "box-updates")]

    current["body"] = _feed([("tag:news,2026:1", link, "First, corrected")])
    poll(engine, force=True)
    drain(engine)
    sent = _sent(engine)
    assert sent.count((link, "box-updates")) == 2
    assert sent.count((link, "box-a")) == 1
    with engine.store.begin() as connection:
        article_id = article_store.find_article_id(connection, link)
        assert article_id is not None
        stored = article_store.load_article(connection, article_id)
    assert stored is not None and stored.title == "First, corrected"

    poll(engine, force=True)  # the same edit seen again is no new change
    drain(engine)
    assert _sent(engine).count((link, "box-updates")) == 2


def test_a_title_written_with_markup_is_no_edit_when_seen_again(
    tmp_path: Path, http_server
) -> None:  # type: ignore[no-untyped-def]
    """The feed's raw title ("&lt;b&gt;Solar&lt;/b&gt; car  wins") differs from the
    stored, cleaned one ("Solar car wins"); only a difference that survives
    cleaning is an edit."""
    from syndicator.store import articles as article_store

    link = "https://news.example.edu/2026-11/20/c_1.htm"
    body = _feed([("tag:news,2026:1", link, "&lt;b&gt;Solar&lt;/b&gt; car  wins")])
    stub = http_server(lambda request: (200, {"Content-Type": "application/rss+xml"}, body))
    engine = open_engine(
        tmp_path, feed_source(stub.url + "/feed.xml", first_run="backfill:1") + UPDATE_TARGETS
    )
    poll(engine)
    drain(engine)
    for _ in range(2):
        poll(engine, force=True)
        drain(engine)
    assert _sent(engine).count((link, "box-updates")) == 1
    with engine.store.begin() as connection:
        article_id = article_store.find_article_id(connection, link)
        assert article_id is not None
        stored = article_store.load_article(connection, article_id)
    assert stored is not None and stored.title == "Solar car wins"


def test_a_new_guid_for_a_known_link_is_recorded_as_an_alias_not_posted(
    tmp_path: Path, http_server
) -> None:  # type: ignore[no-untyped-def]
    from syndicator.store import articles as article_store

    link = "https://news.example.edu/2026-11/20/c_1.htm"
    current = {"body": _feed([("old-guid-1", link, "First")])}
    stub = http_server(
        lambda request: (200, {"Content-Type": "application/rss+xml"}, current["body"])
    )
    engine = open_engine(
        tmp_path, feed_source(stub.url + "/feed.xml", first_run="backfill:1") + UPDATE_TARGETS
    )
    poll(engine)
    current["body"] = _feed([("new-guid-1", link, "First")])
    poll(engine, force=True)
    drain(engine)
    assert len(_sent(engine)) == 2  # one per target, from the first poll only
    with engine.store.begin() as connection:
        assert article_store.find_article_id(
            connection, "new-guid-1"
        ) == article_store.find_article_id(connection, link)
