"""Workers: one service on SQLite, any number of leased workers on PostgreSQL.

What the service asks of its coordinator (which due sources to poll, a wake-up when
another process makes a delivery due, a heartbeat) and what ``syndicator status``
says about the workers. The exactly-once behaviour under SIGKILL is
``tests/test_workers_fault.py``."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from syndicator.config import load_config
from syndicator.engine import Engine
from syndicator.models import DeliveryState
from syndicator.outlook import status
from syndicator.status_view import print_status
from syndicator.store import articles as article_store
from syndicator.store import deliveries as delivery_store
from syndicator.workers import SingleService, Workers, coordinator_for
from tests.store.test_articles import _article

SOURCES = "".join(
    f'\n[[sources]]\nname = "s{n}"\nurl = "http://127.0.0.1:9/{n}.xml"\nevery = "10m"\n'
    for n in range(5)
)
TARGET = '\n[[targets]]\nname = "box"\nadapter = "outbox"\npath = "out"\n'


def _engine(folder: Path, url: str) -> Engine:
    path = folder / "syndicator.toml"
    path.write_text(f'[store]\nurl = "{url}"\n{SOURCES}{TARGET}', encoding="utf-8")
    return Engine.open(load_config(path))


def _delivery(engine: Engine, number: int, state: DeliveryState) -> int:
    now = engine.clock.now()
    with engine.store.begin() as connection:
        [recorded] = article_store.record_articles(connection, [_article(number)], now=now)
        return delivery_store.create(
            connection, article_id=recorded.id, target="box", state=state, now=now, due_at=now
        )


@pytest.fixture
def engines(tmp_path: Path, fresh_postgres_url: str) -> Iterator[list[Engine]]:
    """Two engines on one PostgreSQL store, as two ``syndicator run`` would have."""
    opened = [_engine(tmp_path, fresh_postgres_url) for _ in range(2)]
    yield opened
    for engine in opened:
        engine.close()


def test_on_sqlite_the_one_service_polls_every_due_source(tmp_path: Path) -> None:
    engine = _engine(tmp_path, f"sqlite:///{tmp_path / 'log.db'}")
    try:
        coordinator = coordinator_for(engine)
        assert isinstance(coordinator, SingleService)
        sources = list(engine.config.sources)
        assert coordinator.claim_sources(sources) == sources
        assert coordinator.heartbeat_every is None
    finally:
        engine.close()


def test_two_workers_split_a_round_and_never_take_the_same_source(engines: list[Engine]) -> None:
    first, second = (coordinator_for(engine) for engine in engines)
    assert isinstance(first, Workers) and isinstance(second, Workers)
    first.start()
    second.start()
    try:
        sources = list(engines[0].config.sources)
        mine = first.claim_sources(sources)
        theirs = second.claim_sources(sources)
        assert len(mine) == 3  # a fair share: 5 sources, 2 workers
        assert {s.name for s in mine}.isdisjoint(s.name for s in theirs)
        first.release_sources(mine)  # polled; their next poll is an interval away
        assert second.claim_sources(sources) == []
    finally:
        first.stop()
        second.stop()


def test_status_lists_each_live_worker_with_what_it_holds(
    engines: list[Engine], capsys: pytest.CaptureFixture[str]
) -> None:
    worker = coordinator_for(engines[0])
    worker.start()
    held = worker.claim_sources(list(engines[0].config.sources)[:2])
    delivery = _delivery(engines[0], 1, DeliveryState.PENDING)
    with engines[0].store.begin() as connection:
        delivery_store.claim(
            connection, delivery, holder=engines[0].holder, now=engines[0].clock.now()
        )
    report = status(engines[1])
    [shown] = json.loads(json.dumps(report.as_dict()))["workers"]
    assert {"host", "pid", "started", "heartbeat", "sources", "deliveries"} <= set(shown)
    assert shown["sources"] == [s.name for s in held]
    assert shown["deliveries"] == [delivery]
    print_status(report, as_json=False)
    text = capsys.readouterr().out
    assert "1 worker(s) running on this store" in text
    assert f"pid {shown['pid']}" in text and "polling 2: s0, s1" in text
    worker.stop()
    assert status(engines[1]).as_dict()["workers"] == []


def test_a_worker_is_woken_when_another_process_makes_a_delivery_due(
    engines: list[Engine],
) -> None:
    listening = coordinator_for(engines[0])
    woken = threading.Event()
    listening.listen(woken.set)
    try:
        delivery = _delivery(engines[1], 2, DeliveryState.HELD)
        assert not woken.wait(1.5)  # held: nothing became due
        with engines[1].store.begin() as connection:  # approve
            delivery_store.transition(
                connection,
                delivery,
                to=DeliveryState.PENDING,
                now=engines[1].clock.now(),
                due_at=engines[1].clock.now(),
            )
        assert woken.wait(10)
    finally:
        listening.stop()
