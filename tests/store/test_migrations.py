"""Schema migrations: a store is brought to the newest revision when it opens, a store
made before Alembic keeps everything in it, and the revisions build exactly the
schema the code uses. On SQLite and on a real PostgreSQL."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from datetime import UTC
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, inspect, select, text, update

from syndicator.errors import ConfigError
from syndicator.models import DeliveryState
from syndicator.store import Store, pauses, polls, schema
from syndicator.store import articles as article_store
from syndicator.store import deliveries as delivery_store
from syndicator.store.migrate import ALEMBIC_ERA, MIGRATIONS, current_revision
from syndicator.store.migrations import HEAD
from tests.store.legacy_v3 import ARTICLE_URL, WHEN, make_v3_store


def _differences(connection: Connection) -> list[object]:
    return list(compare_metadata(MigrationContext.configure(connection), schema.metadata))


def _infos(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]


def test_head_names_the_newest_revision() -> None:
    script = ScriptDirectory(str(MIGRATIONS))
    assert script.get_heads() == [HEAD]


def test_a_new_store_is_created_at_the_newest_revision_without_news(
    store_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    Store(store_url).close()
    assert _infos(caplog) == []
    assert any(r.getMessage().startswith("created the post log") for r in caplog.records)
    caplog.clear()
    opened = Store(store_url)
    with opened.read() as connection:
        assert current_revision(connection) == HEAD
    opened.close()
    assert _infos(caplog) == []
    assert any("is at revision" in r.getMessage() for r in caplog.records)


def test_the_revisions_build_exactly_the_schema_the_code_uses(store: Store) -> None:
    with store.read() as connection:
        assert _differences(connection) == []


def test_a_store_made_by_schema_version_3_is_upgraded_and_keeps_everything(
    store_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    make_v3_store(store_url)
    caplog.set_level(logging.INFO)
    opened = Store(store_url)
    [line] = _infos(caplog)
    assert "from schema version 3 (before Alembic)" in line
    with opened.read() as connection:
        assert current_revision(connection) == HEAD
        assert _differences(connection) == []
        state = polls.load(connection, "news")
        assert state is not None and state.etag == '"v1"'
        assert state.last_polled_at == WHEN.replace(tzinfo=UTC)
        article_id = article_store.find_article_id(connection, "g-1")
        assert article_id == article_store.find_article_id(connection, ARTICLE_URL) == 1
        [sent] = delivery_store.for_article(connection, 1)
        assert (sent.state, sent.remote_url) == (DeliveryState.SENT, "file:///x")
        assert [kind for _, kind, _ in delivery_store.events_for(connection, 1)] == [
            "pending",
            "sent",
        ]
        assert pauses.paused(connection, "mastodon", now=WHEN.replace(year=2025, tzinfo=UTC))
        era = connection.execute(select(schema.meta.c.value)).scalar()
    assert era == ALEMBIC_ERA
    assert opened.cache().get("k") == "v"
    with opened.begin() as connection:  # and the upgraded store takes new work
        [recorded] = article_store.record_articles(
            connection,
            [article_store.load_article(connection, 1).with_changes(key="url:x")],  # type: ignore[union-attr]
            now=WHEN.replace(tzinfo=UTC),
        )
    assert recorded.id == 1 and not recorded.is_new
    opened.close()


def test_a_version_2_store_gains_the_plan_mark(store_url: str) -> None:
    make_v3_store(store_url, version=2)
    engine = create_engine(store_url)
    with engine.begin() as connection:  # what version 2 lacked
        connection.execute(text("ALTER TABLE articles DROP COLUMN plan"))
    engine.dispose()
    opened = Store(store_url)
    with opened.begin() as connection:
        assert "plan" in {c["name"] for c in inspect(connection).get_columns("articles")}
        assert _differences(connection) == []
    opened.close()


def test_a_version_1_store_gains_target_pauses_and_the_plan_mark(store_url: str) -> None:
    make_v3_store(store_url, version=1)
    engine = create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE articles DROP COLUMN plan"))
        connection.execute(text("DROP TABLE target_pauses"))
    engine.dispose()
    opened = Store(store_url)
    with opened.read() as connection:
        assert _differences(connection) == []
    opened.close()


def test_a_store_at_a_revision_this_syndicator_does_not_know_is_refused(store_url: str) -> None:
    Store(store_url).close()
    engine = create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(ConfigError, match="revision 9999 is newer than this syndicator"):
        Store(store_url)


def test_a_pre_alembic_store_newer_than_version_3_is_refused(store_url: str) -> None:
    make_v3_store(store_url)
    engine = create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(update(schema.meta).values(value="7"))
    engine.dispose()
    with pytest.raises(ConfigError, match="schema version 7 is newer"):
        Store(store_url)


def test_two_processes_opening_a_new_store_at_once_both_succeed(store_url: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_it() -> None:
        start.wait()
        try:
            Store(store_url).close()
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=open_it) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    opened = Store(store_url)
    with opened.read() as connection:
        assert current_revision(connection) == HEAD
    opened.close()


def test_opening_an_up_to_date_store_does_not_load_alembic(tmp_path: Path) -> None:
    """A one-shot command on a current store pays for no migration machinery."""
    url = f"sqlite:///{tmp_path / 'log.db'}"
    Store(url).close()
    probe = (
        "import sys\nfrom syndicator.store import Store\n"
        f"Store({url!r}).close()\nprint('alembic' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"


def _store_at(url: str, revision: str) -> None:
    """The store at ``url`` as the revision ``revision`` of syndicator left it."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    make_v3_store(url)
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.stamp(config, "0003")
        command.upgrade(config, revision)
    engine.dispose()


def test_a_store_made_by_revision_0004_gains_the_workers_tables_and_keeps_its_claims(
    store_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    _store_at(store_url, "0004")
    engine = create_engine(store_url)
    with engine.begin() as connection:  # a single service crashed mid-send
        connection.execute(
            update(schema.deliveries)
            .where(schema.deliveries.c.id == 1)
            .values(state="sending", claimed_by="old-host:42", claimed_at=WHEN)
        )
    engine.dispose()
    caplog.set_level(logging.INFO)
    opened = Store(store_url)
    [line] = _infos(caplog)
    assert "from 0004 to revision 0005" in line
    with opened.read() as connection:
        assert current_revision(connection) == HEAD == "0005"
        assert _differences(connection) == []
        tables = set(inspect(connection).get_table_names())
        assert {"workers", "target_locks"} <= tables
        state = polls.load(connection, "news")
        assert state is not None and state.etag == '"v1"'
        [row] = delivery_store.in_state(connection, [DeliveryState.SENDING])
        lease = connection.execute(select(schema.deliveries.c.lease_until)).scalar()
    assert row.id == 1 and lease is None  # from before leases: any worker may settle it
    opened.close()
