"""Planning's promises beyond the first poll (tests/test_polling.py has those): a
changed article is not posted again unless the target asks, a feed that re-dates its
items or gives one a new guid posts nothing, a second article with the same title is
recorded as a duplicate, approval holds, and a crash between recording and planning
loses nothing. Feeds are stub servers on 127.0.0.1; posts go to the local platform."""

from __future__ import annotations

from pathlib import Path

import pytest

from syndicator.cli import main
from syndicator.delivery import drain
from syndicator.models import DeliveryState
from syndicator.pipeline import plan_updates
from syndicator.poll import poll
from syndicator.recovery import plan_interrupted
from syndicator.store import articles as article_store
from syndicator.store import deliveries as delivery_store
from tests.platform import fixtures
from tests.platform.scenario import advance, article, open_clocked, queue, rows, target

platform = fixtures.platform
platform_adapters = fixtures.platform_adapters


def _rss(items: list[dict[str, str]]) -> str:
    body = "".join(
        "<item>"
        + "".join(f"<{k}>{v}</{k}>" for k, v in item.items())
        + "<description>A short teaser.</description></item>"
        for item in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'
    )


def _item(
    n: int,
    *,
    title: str | None = None,
    guid: str | None = None,
    date: str = "Fri, 20 Nov 2026 01:00:00 GMT",
) -> dict[str, str]:
    return {
        "title": title or f"Research team number {n} reports results",
        "link": f"https://news.example.edu/2026-11/20/c_{n}.htm",
        "guid": guid or f"tag:news,2026:{n}",
        "pubDate": date,
    }


@pytest.fixture
def feed(http_server):  # type: ignore[no-untyped-def]
    """A feed whose items the test changes between polls (``feed["items"]``)."""
    state: dict[str, list[dict[str, str]]] = {"items": []}
    stub = http_server(
        lambda request: (200, {"Content-Type": "application/rss+xml"}, _rss(state["items"]))
    )
    state["url"] = stub.url + "/feed.xml"  # type: ignore[assignment]
    return state


def _feed_engine(tmp_path: Path, feed, platform, **keys: object):  # type: ignore[no-untyped-def]
    source = (
        f'[[sources]]\nname = "news"\nurl = "{feed["url"]}"\nkind = "feed"\nfull_text = "never"\n'
    )
    return open_clocked(tmp_path, target("t", platform.url, **keys), source=source)


def test_a_feed_that_redates_every_item_posts_nothing_again(tmp_path: Path, feed, platform) -> None:  # type: ignore[no-untyped-def]
    engine = _feed_engine(tmp_path, feed, platform)
    feed["items"] = [_item(1)]
    poll(engine, force=True)  # baseline
    feed["items"] = [_item(2), _item(1)]
    poll(engine, force=True)
    drain(engine)
    feed["items"] = [_item(n, date="Sat, 28 Nov 2026 09:00:00 GMT") for n in (2, 1)]
    summary = poll(engine, force=True)
    drain(engine)
    assert summary.new_articles == 0 and summary.deliveries == 0
    assert platform.links("t") == ["https://news.example.edu/2026-11/20/c_2.htm"]


def _reappear(engine, item):  # type: ignore[no-untyped-def]
    """What polling does with an item it meets again: record it (noticing an edit or
    a new key) and plan the updates. These planning tests drive the store directly;
    tests/test_polling.py shows the same through a real feed."""
    with engine.store.begin() as connection:
        recorded = article_store.record_articles(connection, [item], now=engine.clock.now())
    plan_updates(engine, engine.config.source("news"), [r for r in recorded if r.changed])
    return recorded[0]


def test_a_new_guid_for_the_same_link_is_the_same_article(tmp_path: Path, platform) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url))
    original = article(1, guid="tag:news,2026:1")
    [article_id] = queue(engine, [original])
    drain(engine)
    again = _reappear(engine, original.with_changes(guid="https://news.example.edu/?p=4411"))
    drain(engine)
    assert again.id == article_id and not again.is_new and not again.changed
    assert len(rows(engine)) == 1
    assert platform.links("t") == [original.url]
    with engine.store.begin() as connection:  # the store knows it under both guids now
        assert (
            article_store.find_article_id(connection, "https://news.example.edu/?p=4411")
            == article_id
        )


def test_an_edited_article_is_not_posted_again_but_the_change_is_recorded(
    tmp_path: Path, platform
) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url))
    original = article(1)
    queue(engine, [original])
    drain(engine)
    edited = _reappear(engine, original.with_changes(title="Campus story number 1 (updated)"))
    drain(engine)
    assert edited.changed
    assert platform.links("t") == [original.url]
    [delivery] = rows(engine)
    assert delivery.article_title == "Campus story number 1 (updated)"
    with engine.store.begin() as connection:
        events = delivery_store.events_for(connection, delivery.id)
    assert events[-1][1] == "updated"
    assert "(updated)" in events[-1][2] and "on_update = ignore" in events[-1][2]


def test_on_update_post_posts_the_edited_article_once_more(tmp_path: Path, platform) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url, on_update="post"))
    original = article(1)
    queue(engine, [original])
    drain(engine)
    edited = original.with_changes(title="Campus story number 1 has new results")
    _reappear(engine, edited)
    _reappear(engine, edited)  # the same edit seen twice is one update
    drain(engine)
    texts = [p.text for p in platform.posts["t"]]
    assert len(texts) == 2 and "new results" in texts[1]
    assert [r.seq for r in rows(engine)] == [0, 1]


def test_an_article_edited_before_it_was_sent_goes_out_once_with_the_new_title(
    tmp_path: Path, platform
) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url, quiet_hours="00:00-06:00"))
    original = article(1)
    queue(engine, [original])
    drain(engine)  # 02:00 UTC: quiet
    _reappear(engine, original.with_changes(title="Campus story number 1, corrected"))
    advance(engine, hours=4)
    drain(engine)
    assert [p.text.split(" https")[0] for p in platform.posts["t"]] == [
        "Campus story number 1, corrected"
    ]


def test_a_second_article_with_the_same_title_is_a_recorded_duplicate(
    tmp_path: Path, platform
) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url))
    original = article(1, title="Library Opens a New Wing for Late-Night Study")
    copy = article(2, title="library opens a new wing for late night study!")  # another section
    short = [article(3, title="Notice"), article(4, title="Notice")]
    ids = queue(engine, [original, copy, *short])
    drain(engine)
    by_url = {r.article_url: r for r in rows(engine)}
    assert by_url[copy.url].state is DeliveryState.SKIPPED
    assert by_url[copy.url].reason.startswith(f"duplicate of article #{ids[0]} ({original.url})")
    assert sorted(platform.links("t")) == sorted([original.url, short[0].url, short[1].url])


def test_approval_holds_until_approved_and_rejected_is_never_sent(
    tmp_path: Path, platform, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url, approve=True))
    queue(engine, [article(1), article(2)])
    drain(engine)
    first, second = rows(engine)
    assert {first.state, second.state} == {DeliveryState.HELD}
    assert platform.links("t") == []
    config = str(tmp_path / "syndicator.toml")
    assert main(["log", "-c", config, "--held"]) == 0
    listing = capsys.readouterr().out
    assert (
        f"#{first.id}" in listing and "│ Campus story number 1 https://news.example.edu" in listing
    )
    assert main(["approve", "-c", config, str(first.id)]) == 0
    assert main(["reject", "-c", config, str(second.id)]) == 0
    engine.clock.set(rows(engine)[0].due_at)  # type: ignore[attr-defined]
    drain(engine)
    assert platform.links("t") == [article(1).url]
    assert rows(engine)[1].state is DeliveryState.REJECTED


def test_articles_a_crash_left_unplanned_are_planned_at_the_next_start(
    tmp_path: Path, platform
) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url))
    with engine.store.begin() as connection:  # recorded, then killed before planning
        article_store.record_articles(
            connection, [article(1), article(2)], now=engine.clock.now(), plans=["next", None]
        )
    assert plan_interrupted(engine) == 1  # only the marked one: the other was planned
    assert plan_interrupted(engine) == 0
    drain(engine)
    assert platform.links("t") == [article(1).url]


def test_articles_a_first_poll_left_unplanned_are_baselined_at_the_next_start(
    tmp_path: Path, platform
) -> None:  # type: ignore[no-untyped-def]
    engine = open_clocked(tmp_path, target("t", platform.url))
    with engine.store.begin() as connection:
        article_store.record_articles(
            connection, [article(1), article(2)], now=engine.clock.now(), plans=["first", "first"]
        )
    assert plan_interrupted(engine) == 2
    drain(engine)
    assert platform.links("t") == []
    assert {row.state for row in rows(engine)} == {DeliveryState.SKIPPED}
