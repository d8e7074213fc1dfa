"""Recording articles once, under every identity they are known by.

An article arrives with candidate keys (``guid:…``, ``url:…``). If any of them is
already in ``article_keys`` it is the same article: the new keys become aliases and
nothing new is recorded. Lookups and inserts are batched so a round over thousands of
feed items costs a handful of queries, not one per item. Plain SQL
(``syndicator.store.sql``): this is a poll's hot path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from syndicator.models import Article
from syndicator.store.codec import article_from_json, article_to_json
from syndicator.store.sql import CHUNK, Sql, sql_of, stamp

_ARTICLE_COLUMNS = (
    "key",
    "url",
    "guid",
    "title",
    "source",
    "published",
    "first_seen",
    "content_hash",
    "plan",
    "data",
    "revision",
)


@dataclass(frozen=True)
class Recorded:
    """An article as the store now knows it. ``is_new`` is true the first time any of
    its keys is seen; ``changed`` when a known article comes back with other content."""

    id: int
    article: Article
    is_new: bool
    changed: bool = False


# What recording needs of an article beyond its fields: its candidate keys, its
# content hash, its stored JSON and its ``published`` as the store writes it. A parse
# worker computes it, so the one process that writes the store spends its time writing.
Prepared = tuple[tuple[str, ...], str, str, Any]


def prepare(article: Article, *, sqlite: bool) -> Prepared:
    return (
        tuple(candidate_keys(article)),
        article.content_hash,
        article_to_json(article),
        stamp(article.published, sqlite=sqlite),
    )


def candidate_keys(article: Article) -> list[str]:
    """Every key an article may already be recorded under, its own key first."""
    keys = [article.key]
    if article.guid:
        keys.append(f"guid:{article.guid}")
    if article.url:
        from syndicator.sources.keys import canonical_url

        keys.append(f"url:{canonical_url(article.url)}")
    return list(dict.fromkeys(keys))


def known_keys(connection: Any, keys: Iterable[str]) -> dict[str, int]:
    """Map each key already recorded to its article id."""
    rows = sql_of(connection).chunked(
        "SELECT key, article_id FROM article_keys WHERE key IN ({})", list(dict.fromkeys(keys))
    )
    return {key: article_id for key, article_id in rows}


def record_articles(
    connection: Any,
    articles: Sequence[Article],
    *,
    now: datetime,
    prepared: Sequence[Prepared | None] | None = None,
    plans: Sequence[str | None] | None = None,
) -> list[Recorded]:
    """Record what is new, alias what is known; return one ``Recorded`` per input
    article (duplicates inside the batch collapse onto the first). ``prepared`` may
    hold each article's ``prepare`` already made elsewhere (a parse worker).
    ``plans`` marks each new article as still to be planned (see
    ``schema.articles.c.plan``)."""
    sql = sql_of(connection)
    ready = [
        (prepared[i] if prepared else None) or prepare(article, sqlite=sql.sqlite)
        for i, article in enumerate(articles)
    ]
    keys_of = [keys for keys, _, _, _ in ready]
    known = known_keys(sql, (k for keys in keys_of for k in keys))
    stamp_now = sql.stamp(now)
    results: list[Recorded | None] = [None] * len(articles)
    new_rows: list[tuple[object, ...]] = []
    new_index: list[int] = []
    batch_keys: dict[str, int] = {}  # key -> index in `articles` of its first holder
    aliases: dict[str, int] = {}  # key -> article id
    existing_ids: dict[int, int] = {}  # index -> article id

    for index, (article, keys) in enumerate(zip(articles, keys_of, strict=True)):
        hit = next((known[k] for k in keys if k in known), None)
        if hit is not None:
            existing_ids[index] = hit
            for k in keys:
                if k not in known:
                    aliases.setdefault(k, hit)
                    known[k] = hit
            continue
        first = next((batch_keys[k] for k in keys if k in batch_keys), None)
        if first is not None:
            results[index] = Recorded(id=-1 - first, article=articles[first], is_new=False)
            continue
        for k in keys:
            batch_keys[k] = index
        new_index.append(index)
        new_rows.append(
            (
                article.key,
                article.url,
                article.guid,
                article.title,
                article.source,
                ready[index][3],
                stamp_now,
                ready[index][1],
                plans[index] if plans else None,
                ready[index][2],
                0,
            )
        )

    if new_rows:
        # One executemany, then the ids by key (RETURNING has no row order to rely on).
        sql.insert("articles", _ARTICLE_COLUMNS, new_rows)
        id_of = _ids_by_key(sql, [str(row[0]) for row in new_rows])
        for index, row in zip(new_index, new_rows, strict=True):
            article_id = id_of[str(row[0])]
            results[index] = Recorded(id=article_id, article=articles[index], is_new=True)
            for k in keys_of[index]:
                aliases.setdefault(k, article_id)

    if existing_ids:
        compared = _compare_existing(sql, articles, ready, existing_ids, now)
        for index, recorded in compared.items():
            results[index] = recorded

    if aliases:
        sql.insert("article_keys", ("key", "article_id"), aliases.items())

    # Batch duplicates point at the first holder; resolve them to its real id.
    final: list[Recorded] = []
    for result in results:
        assert result is not None
        if result.id < 0:
            holder = results[-1 - result.id]
            assert holder is not None
            result = Recorded(id=holder.id, article=holder.article, is_new=False)
        final.append(result)
    return final


def _ids_by_key(sql: Sql, keys: Sequence[str]) -> dict[str, int]:
    return dict(sql.chunked("SELECT key, id FROM articles WHERE key IN ({})", keys))


def _compare_existing(
    sql: Sql,
    articles: Sequence[Article],
    ready: Sequence[Prepared],
    existing_ids: dict[int, int],
    now: datetime,
) -> dict[int, Recorded]:
    """Known articles: notice edits (a new title or text) and record the new revision."""
    ids = sorted(set(existing_ids.values()))
    stored = {
        row[0]: (row[1], row[2])
        for row in sql.chunked("SELECT id, content_hash, data FROM articles WHERE id IN ({})", ids)
    }
    out: dict[int, Recorded] = {}
    for index, article_id in existing_ids.items():
        content_hash, data = stored[article_id]
        article = articles[index]
        _, new_hash, new_data, _ = ready[index]
        changed = bool(article.title) and new_hash != content_hash
        if changed:
            sql.run(
                "UPDATE articles SET title = ?, content_hash = ?, data = ?, updated_at = ?, "
                "revision = revision + 1 WHERE id = ?",
                [article.title, new_hash, new_data, sql.stamp(now), article_id],
            )
            out[index] = Recorded(id=article_id, article=article, is_new=False, changed=True)
        else:
            out[index] = Recorded(id=article_id, article=article_from_json(data), is_new=False)
    return out


def load_article(connection: Any, article_id: int) -> Article | None:
    rows = sql_of(connection).rows("SELECT data FROM articles WHERE id = ?", [article_id])
    return article_from_json(rows[0][0]) if rows and rows[0][0] else None


def find_article_id(connection: Any, url_or_key: str) -> int | None:
    """Find an article by its URL (canonicalised), guid or stored key."""
    from syndicator.sources.keys import canonical_url

    keys = [url_or_key, f"guid:{url_or_key}"]
    if url_or_key.startswith(("http://", "https://")):
        keys.append(f"url:{canonical_url(url_or_key)}")
    found = known_keys(connection, keys)
    return next((found[k] for k in keys if k in found), None)


def mark_planned(connection: Any, article_ids: Sequence[int]) -> None:
    """The articles' deliveries exist now: clear their ``plan`` marks."""
    sql = sql_of(connection)
    ids = list(article_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        sql.run(
            f"UPDATE articles SET plan = NULL WHERE id IN ({','.join('?' * len(chunk))})", chunk
        )


def marked(connection: Any) -> list[tuple[int, str, str]]:
    """``(id, source, mark)`` of every article still to be planned, in recording order."""
    rows = sql_of(connection).rows(
        "SELECT id, source, plan FROM articles WHERE plan IS NOT NULL ORDER BY id"
    )
    return [(row[0], row[1], row[2]) for row in rows]


def titles(connection: Any, article_ids: Iterable[int]) -> dict[int, str]:
    """The stored titles of these articles."""
    rows = sql_of(connection).chunked(
        "SELECT id, title FROM articles WHERE id IN ({})", list(article_ids)
    )
    return dict(rows)
