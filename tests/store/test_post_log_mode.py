"""The post log holds every post's text, errors and remote URLs: it is created
readable by its owner only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from syndicator.models import Article
from syndicator.store import Store
from syndicator.store import articles as article_store

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_the_post_log_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "post-log.db"
    store = Store(f"sqlite:///{path}")
    article = Article(key="url:https://example.edu/a", url="https://example.edu/a", title="A")
    try:
        with store.begin() as connection:
            article_store.record_articles(connection, [article], now=NOW)
        files = [p for p in path.parent.iterdir() if p.name.startswith("post-log.db")]
        assert path in files
        for file in files:  # the database and its -wal and -shm files
            assert file.stat().st_mode & 0o777 == 0o600, file
        assert path.parent.stat().st_mode & 0o777 == 0o700
    finally:
        store.close()
