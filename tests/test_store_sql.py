"""The poll's plain-SQL path to the post log (``syndicator.store.sql``): a SQLite file
opened with sqlite3 alone must read and write exactly what the SQLAlchemy store does,
and a poll that has nothing to plan must never load SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from syndicator.errors import ConfigError
from syndicator.models import Article
from syndicator.store import Store, polls, schema
from syndicator.store import articles as article_store
from syndicator.store.sql import SCHEMA_VERSION, open_sqlite, schema_version
from tests.servers.http import Handler, StubServer

NOW = datetime(2026, 11, 29, 8, 0, 0, 250_000, tzinfo=UTC)


def _article(n: int, **extra: object) -> Article:
    url = f"https://news.example.edu/2026-11/{n:02d}/c_{n}.htm"
    values: dict[str, object] = {"key": f"url:{url}", "url": url, "title": f"Story {n}"}
    values.update(extra)
    return Article(source="s", **values)  # type: ignore[arg-type]


def test_a_new_file_is_created_with_the_current_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'deep' / 'log.db'}"
    plain = open_sqlite(url)
    assert plain is not None
    plain.close()
    assert (
        schema_version(str(tmp_path / "deep" / "log.db"))
        == SCHEMA_VERSION
        == len(schema.MIGRATIONS)
    )


def test_only_sqlite_files_take_the_plain_path(tmp_path: Path) -> None:
    assert open_sqlite("sqlite:///:memory:") is None
    assert open_sqlite("postgresql+psycopg://u@127.0.0.1/db") is None


def test_a_store_from_a_newer_syndicator_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    opened = Store(url)
    with opened.begin() as connection:
        connection.execute(update(schema.meta).values(value=str(SCHEMA_VERSION + 1)))
    opened.close()
    with pytest.raises(ConfigError, match="newer than this syndicator"):
        open_sqlite(url)


def test_poll_states_written_by_either_side_read_the_same(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    plain, engine_store = open_sqlite(url), Store(url)
    assert plain is not None
    state = polls.SourceState(
        name="news",
        url="https://news.example.edu/feed",
        etag='"abc"',
        baselined_at=NOW,
        next_poll_at=NOW + timedelta(minutes=10),
        failures=2,
        last_error="HTTP 503",
    )
    with plain.begin() as connection:
        polls.save_many(connection, [state])
    with engine_store.begin() as connection:
        assert polls.load(connection, "news") == state
        polls.save(connection, state.evolve(name="other", last_polled_at=NOW))
    with plain.read() as connection:
        assert polls.load_all(connection)["other"].last_polled_at == NOW
    plain.close()
    engine_store.close()


def test_articles_recorded_through_sqlite3_are_known_to_the_engine_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    plain, engine_store = open_sqlite(url), Store(url)
    assert plain is not None
    published = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    with plain.begin() as connection:
        first = article_store.record_articles(
            connection, [_article(1, guid="g-1", published=published), _article(2)], now=NOW
        )
    assert [r.is_new for r in first] == [True, True]
    with engine_store.begin() as connection:
        assert article_store.find_article_id(connection, "g-1") == first[0].id
        stored = article_store.load_article(connection, first[0].id)
        assert stored is not None and stored.published == published
        again = article_store.record_articles(
            connection, [_article(2, title="Story 2, new")], now=NOW
        )
    assert again[0].changed and again[0].id == first[1].id
    with plain.read() as connection:
        assert article_store.titles(connection, [first[1].id]) == {first[1].id: "Story 2, new"}
    plain.close()
    engine_store.close()


def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    plain = open_sqlite(f"sqlite:///{tmp_path / 'log.db'}")
    assert plain is not None
    with pytest.raises(RuntimeError), plain.begin() as connection:
        article_store.record_articles(connection, [_article(1)], now=NOW)
        raise RuntimeError("crash between recording and commit")
    with plain.read() as connection:
        assert article_store.known_keys(connection, [_article(1).key]) == {}
    plain.close()


def test_a_poll_with_nothing_to_plan_never_loads_sqlalchemy(
    tmp_path: Path, http_server: Callable[[Handler], StubServer]
) -> None:
    """``syndicator poll`` over a feed whose source no target takes: the articles are
    recorded, and the process never imported SQLAlchemy or the adapters' pydantic."""
    feed = textwrap.dedent(
        """\
        <?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
        <item><title>One</title><link>https://news.example.edu/1</link></item>
        </channel></rss>"""
    ).encode()
    server = http_server(lambda request: (200, {"Content-Type": "application/rss+xml"}, feed))
    config = tmp_path / "syndicator.toml"
    config.write_text(
        textwrap.dedent(
            f"""\
            [store]
            url = "sqlite:///{tmp_path / "log.db"}"
            [[sources]]
            name = "news"
            url = "{server.url}/feed.xml"
            full_text = "never"
            """
        )
    )
    probe = textwrap.dedent(
        f"""\
        import sys
        from syndicator.cli import main
        code = main(["poll", "-q", "-c", {str(config)!r}, "--all", "--print-new"])
        print("LOADED", sorted(m for m in ("sqlalchemy",) if m in sys.modules))
        sys.exit(code)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "https://news.example.edu/1\tOne" in done.stdout
    assert "LOADED []" in done.stdout


def _shape(url: str) -> list[tuple[str, str, str]]:
    """Every table and index with its SQL, whitespace folded."""
    import sqlite3

    raw = sqlite3.connect(url[len("sqlite:///") :])
    rows = raw.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")
    shape = sorted((kind, name, " ".join(sql.split())) for kind, name, sql in rows)
    raw.close()
    return shape


def test_a_new_store_has_exactly_the_schema_the_migrations_build(tmp_path: Path) -> None:
    plain_url = f"sqlite:///{tmp_path / 'plain.db'}"
    migrated_url = f"sqlite:///{tmp_path / 'migrated.db'}"
    plain = open_sqlite(plain_url)
    assert plain is not None
    plain.close()
    Store(migrated_url).close()
    assert _shape(plain_url) == _shape(migrated_url)
    assert len(_shape(plain_url)) > 10


def test_an_older_store_is_migrated_before_the_plain_path_uses_it(tmp_path: Path) -> None:
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'log.db'}"
    old = Store(url)
    with old.begin() as connection:  # what a store written by schema v2 looks like
        connection.execute(text("ALTER TABLE articles DROP COLUMN plan"))
        connection.execute(update(schema.meta).values(value="2"))
    old.close()
    plain = open_sqlite(url)
    assert plain is not None
    with plain.begin() as connection:
        [recorded] = article_store.record_articles(
            connection, [_article(1)], now=NOW, plans=["next"]
        )
    with plain.read() as connection:
        assert article_store.marked(connection) == [(recorded.id, "s", "next")]
    plain.close()
    assert schema_version(str(tmp_path / "log.db")) == SCHEMA_VERSION


@pytest.mark.parametrize("opener", ["sqlite3", "sqlalchemy"])
def test_the_post_log_is_created_readable_by_its_owner_only(tmp_path: Path, opener: str) -> None:
    path = tmp_path / "var" / "post-log.db"
    url = f"sqlite:///{path}"
    store = open_sqlite(url) if opener == "sqlite3" else Store(url)
    assert store is not None
    with store.begin() as connection:
        article_store.record_articles(connection, [_article(1)], now=NOW)
    try:
        files = [p for p in path.parent.iterdir() if p.name.startswith("post-log.db")]
        assert path in files
        for file in files:  # the database and its -wal and -shm files
            assert file.stat().st_mode & 0o777 == 0o600, file
        assert path.parent.stat().st_mode & 0o777 == 0o700
    finally:
        store.close()
