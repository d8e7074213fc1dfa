"""Poll states: what a round saves is what the next round reads, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from syndicator.store import Store, polls

NOW = datetime(2026, 11, 29, 8, 0, 0, 250_000, tzinfo=UTC)


def test_a_saved_state_reads_back_exactly_with_aware_utc_times(store: Store) -> None:
    state = polls.SourceState(
        name="news",
        url="https://news.example.edu/feed",
        etag='"abc"',
        last_modified="Sat, 28 Nov 2026 09:00:00 GMT",
        baselined_at=NOW,
        next_poll_at=NOW + timedelta(minutes=10),
        failures=2,
        last_error="HTTP 503",
        articles_seen=7,
    )
    with store.begin() as connection:
        polls.save(connection, state)
    with store.read() as connection:
        assert polls.load(connection, "news") == state
        assert polls.load(connection, "missing") is None


def test_saving_many_states_updates_known_sources_and_adds_new_ones(store: Store) -> None:
    first = [polls.SourceState(name=f"s{n}", url=f"https://e.edu/{n}") for n in range(3)]
    with store.begin() as connection:
        polls.save_many(connection, first)
    later = [s.evolve(failures=1, last_polled_at=NOW) for s in first[1:]]
    later.append(polls.SourceState(name="s9", url="https://e.edu/9"))
    later.append(later[0].evolve(failures=4))  # the same source twice: the last one wins
    with store.begin() as connection:
        polls.save_many(connection, later)
    with store.read() as connection:
        states = polls.load_all(connection)
    assert sorted(states) == ["s0", "s1", "s2", "s9"]
    assert states["s0"] == first[0]
    assert (states["s1"].failures, states["s1"].last_polled_at) == (4, NOW)
    assert states["s2"].failures == 1


def test_a_secret_in_a_poll_error_is_never_stored(store: Store) -> None:
    from syndicator.secrets import remember

    remember("s3cr3t-VALUE")
    leaked = "GET https://e.edu/feed?access_token=s3cr3t-VALUE failed"
    with store.begin() as connection:
        polls.save(connection, polls.SourceState(name="news", last_error=leaked))
    with store.read() as connection:
        stored = polls.load(connection, "news")
    assert stored is not None and stored.last_error
    assert "s3cr3t-VALUE" not in stored.last_error
