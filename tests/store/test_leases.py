"""Claims with leases on a real PostgreSQL: two workers never take the same source or
delivery, a dead worker's claims come free when its lease ends, pacing sees a post in
flight on another worker, and a delivery becoming due is announced on commit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from syndicator.models import DeliveryState
from syndicator.store import Store, leases, paced, polls
from syndicator.store import articles as article_store
from syndicator.store import deliveries as delivery_store
from tests.store.test_articles import _article

NOW = datetime(2026, 12, 10, 8, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
EVERY = timedelta(minutes=10)
SOURCES = [(f"s{n}", f"https://news.example.edu/{n}.xml", EVERY) for n in range(6)]


@pytest.fixture
def store(fresh_postgres_url: str) -> Iterator[Store]:
    opened = Store(fresh_postgres_url)
    yield opened
    opened.close()


def _claim(store: Store, holder: str, now: datetime, limit: int | None = None) -> list[str]:
    with store.begin() as connection:
        return leases.claim_sources(
            connection, SOURCES, holder=holder, now=now, lease=LEASE, limit=limit
        )


def _delivery(store: Store, state: DeliveryState = DeliveryState.PENDING) -> int:
    with store.begin() as connection:
        [recorded] = article_store.record_articles(connection, [_article(1)], now=NOW)
        return delivery_store.create(
            connection, article_id=recorded.id, target="t", state=state, now=NOW, due_at=NOW
        )


def test_two_workers_claiming_at_once_split_the_due_sources(store: Store) -> None:
    with store.begin() as connection:  # known sources, never polled
        polls.save_many(connection, [polls.SourceState(name, url) for name, url, _ in SOURCES])
    with store.begin() as first:
        mine = leases.claim_sources(first, SOURCES, holder="a", now=NOW, lease=LEASE, limit=3)
        theirs = _claim(store, "b", NOW)  # while a's claim is not yet committed
    assert len(mine) == 3 and len(theirs) == 3
    assert set(mine).isdisjoint(theirs)
    assert _claim(store, "c", NOW) == []  # nothing left to take


def test_a_claimed_source_is_not_polled_again_within_its_interval_even_if_its_worker_dies(
    store: Store,
) -> None:
    assert len(_claim(store, "a", NOW)) == len(SOURCES)
    after_the_lease = NOW + LEASE + timedelta(seconds=1)
    assert _claim(store, "b", after_the_lease) == []
    assert len(_claim(store, "b", NOW + EVERY)) == len(SOURCES)


def test_a_live_lease_holds_a_source_that_is_due_again(store: Store) -> None:
    _claim(store, "a", NOW)
    with store.begin() as connection:  # a's round recorded a short next poll
        connection.execute(
            leases.s.update().values(next_poll_at=(NOW + timedelta(seconds=1)).replace(tzinfo=None))
        )
        leases.renew(connection, holder="a", now=NOW + timedelta(seconds=20), lease=LEASE)
    assert _claim(store, "b", NOW + timedelta(seconds=40)) == []  # a's renewed lease holds
    with store.begin() as connection:
        leases.release_sources(connection, ["s0", "s1"], holder="a")
    assert _claim(store, "b", NOW + timedelta(seconds=40)) == ["s0", "s1"]


def test_a_sending_delivery_is_taken_over_only_after_its_lease(store: Store) -> None:
    delivery = _delivery(store)
    with store.begin() as connection:
        assert delivery_store.claim(connection, delivery, holder="a", now=NOW, lease=LEASE)
    with store.begin() as connection:
        assert leases.take_over_expired(connection, holder="b", now=NOW, lease=LEASE) == []
    later = NOW + LEASE + timedelta(seconds=1)
    with store.begin() as connection:
        assert leases.take_over_expired(connection, holder="b", now=later, lease=LEASE) == [
            delivery
        ]
        assert leases.holdings(connection, now=later)["b"] == ([], [delivery])


def test_pacing_sees_a_post_in_flight_and_counts_it_against_the_day(store: Store) -> None:
    delivery = _delivery(store)
    with store.begin() as connection:
        delivery_store.claim(connection, delivery, holder="a", now=NOW, lease=LEASE)
    later = NOW + timedelta(minutes=5)
    with store.read() as connection:
        assert paced.last_post_at(connection, "t", now=later) == later
        assert paced.posted_since(connection, "t", NOW - timedelta(hours=1)) == 1


def test_the_target_lock_lets_one_worker_at_a_time_check_pacing(store: Store) -> None:
    order: list[str] = []
    first_holds = threading.Event()

    def second() -> None:
        first_holds.wait()
        with store.begin() as connection:
            leases.lock_target(connection, "t")
            order.append("second has the lock")

    thread = threading.Thread(target=second)
    thread.start()
    with store.begin() as connection:
        leases.lock_target(connection, "t")
        first_holds.set()
        thread.join(timeout=0.5)  # the second waits on the row lock...
        order.append("first commits")
    thread.join(timeout=10)
    assert order == ["first commits", "second has the lock"]


def test_a_delivery_becoming_due_is_announced_when_its_transaction_commits(
    store: Store, postgres_server
) -> None:  # type: ignore[no-untyped-def]
    held = _delivery(store, DeliveryState.HELD)
    dbname = store.engine.url.database
    with psycopg.connect(postgres_server.conninfo(dbname), autocommit=True) as listener:
        listener.execute(f"LISTEN {leases.CHANNEL}")
        with store.begin() as connection:
            delivery_store.transition(
                connection, held, to=DeliveryState.PENDING, now=NOW, due_at=NOW
            )
            assert list(listener.notifies(timeout=0.2)) == []  # not before the commit
        [note] = list(listener.notifies(timeout=5, stop_after=1))
    assert note.channel == leases.CHANNEL
