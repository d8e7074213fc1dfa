"""Recording articles once, under every identity they are known by.

An article arrives with candidate keys (``guid:…``, ``url:…``). If any of them is
already in ``article_keys`` it is the same article: the new keys become aliases and
nothing new is recorded. Lookups and inserts are batched so a round over thousands of
feed items costs a handful of queries, not one per item.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from syndicator.clock import to_naive_utc
from syndicator.models import Article
from syndicator.store import schema
from syndicator.store.codec import article_from_json, article_to_json

_CHUNK = 500


@dataclass(frozen=True)
class Recorded:
    """An article as the store now knows it. ``is_new`` is true the first time any of
    its keys is seen; ``changed`` when a known article comes back with other content."""

    id: int
    article: Article
    is_new: bool
    changed: bool = False


def candidate_keys(article: Article) -> list[str]:
    """Every key an article may already be recorded under, its own key first."""
    keys = [article.key]
    if article.guid:
        keys.append(f"guid:{article.guid}")
    if article.url:
        from syndicator.sources.keys import canonical_url

        keys.append(f"url:{canonical_url(article.url)}")
    return list(dict.fromkeys(keys))


def known_keys(connection: Connection, keys: Iterable[str]) -> dict[str, int]:
    """Map each key already recorded to its article id."""
    found: dict[str, int] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        rows = connection.execute(
            select(schema.article_keys.c.key, schema.article_keys.c.article_id).where(
                schema.article_keys.c.key.in_(chunk)
            )
        )
        found.update({key: article_id for key, article_id in rows})
    return found


def record_articles(
    connection: Connection,
    articles: Sequence[Article],
    *,
    now: datetime,
    encoded: Sequence[str | None] | None = None,
    plans: Sequence[str | None] | None = None,
) -> list[Recorded]:
    """Record what is new, alias what is known; return one ``Recorded`` per input
    article (duplicates inside the batch collapse onto the first). ``encoded`` may
    hold each article's ``article_to_json`` already made elsewhere (a parse worker),
    so the single writer does not spend its time encoding. ``plans`` marks each new
    article as still to be planned (see ``schema.articles.c.plan``)."""
    keys_of = [candidate_keys(a) for a in articles]
    known = known_keys(connection, (k for keys in keys_of for k in keys))
    naive_now = to_naive_utc(now)
    results: list[Recorded | None] = [None] * len(articles)
    new_rows: list[dict[str, object]] = []
    new_index: list[int] = []
    batch_keys: dict[str, int] = {}  # key -> index in `articles` of its first holder
    aliases: list[dict[str, object]] = []
    existing_ids: dict[int, int] = {}  # index -> article id

    for index, (article, keys) in enumerate(zip(articles, keys_of, strict=True)):
        hit = next((known[k] for k in keys if k in known), None)
        if hit is not None:
            existing_ids[index] = hit
            aliases.extend({"key": k, "article_id": hit} for k in keys if k not in known)
            for k in keys:
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
            {
                "key": article.key,
                "url": article.url,
                "guid": article.guid,
                "title": article.title,
                "source": article.source,
                "published": to_naive_utc(article.published),
                "first_seen": naive_now,
                "content_hash": article.content_hash,
                "data": (encoded[index] if encoded else None) or article_to_json(article),
                "plan": plans[index] if plans else None,
            }
        )

    if new_rows:
        # One executemany, then the ids by key: RETURNING with a guaranteed row order
        # makes SQLAlchemy send one statement per row on SQLite.
        connection.execute(insert(schema.articles), new_rows)
        id_of = _ids_by_key(connection, [str(row["key"]) for row in new_rows])
        ids = [id_of[str(row["key"])] for row in new_rows]
        for index, article_id in zip(new_index, ids, strict=True):
            results[index] = Recorded(id=article_id, article=articles[index], is_new=True)
            aliases.extend({"key": k, "article_id": article_id} for k in keys_of[index])

    if existing_ids:
        results_existing = _compare_existing(connection, articles, existing_ids, naive_now)
        for index, recorded in results_existing.items():
            results[index] = recorded

    if aliases:
        unique_aliases = list({a["key"]: a for a in aliases}.values())
        connection.execute(insert(schema.article_keys), unique_aliases)

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


def _ids_by_key(connection: Connection, keys: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(keys), _CHUNK):
        rows = connection.execute(
            select(schema.articles.c.key, schema.articles.c.id).where(
                schema.articles.c.key.in_(keys[start : start + _CHUNK])
            )
        )
        found.update({key: article_id for key, article_id in rows})
    return found


def _compare_existing(
    connection: Connection,
    articles: Sequence[Article],
    existing_ids: dict[int, int],
    naive_now: datetime | None,
) -> dict[int, Recorded]:
    """Known articles: notice edits (a new title or text) and record the new revision."""
    ids = sorted(set(existing_ids.values()))
    stored: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = connection.execute(
            select(
                schema.articles.c.id, schema.articles.c.content_hash, schema.articles.c.data
            ).where(schema.articles.c.id.in_(ids[start : start + _CHUNK]))
        )
        stored.update({row[0]: (row[1], row[2]) for row in rows})
    out: dict[int, Recorded] = {}
    for index, article_id in existing_ids.items():
        content_hash, data = stored[article_id]
        article = articles[index]
        changed = bool(article.title) and article.content_hash != content_hash
        if changed:
            connection.execute(
                update(schema.articles)
                .where(schema.articles.c.id == article_id)
                .values(
                    title=article.title,
                    content_hash=article.content_hash,
                    data=article_to_json(article),
                    updated_at=naive_now,
                    revision=schema.articles.c.revision + 1,
                )
            )
            out[index] = Recorded(id=article_id, article=article, is_new=False, changed=True)
        else:
            out[index] = Recorded(id=article_id, article=article_from_json(data), is_new=False)
    return out


def load_article(connection: Connection, article_id: int) -> Article | None:
    data = connection.execute(
        select(schema.articles.c.data).where(schema.articles.c.id == article_id)
    ).scalar()
    return article_from_json(data) if data else None


def find_article_id(connection: Connection, url_or_key: str) -> int | None:
    """Find an article by its URL (canonicalised), guid or stored key."""
    from syndicator.sources.keys import canonical_url

    keys = [url_or_key, f"guid:{url_or_key}"]
    if url_or_key.startswith(("http://", "https://")):
        keys.append(f"url:{canonical_url(url_or_key)}")
    found = known_keys(connection, keys)
    return next((found[k] for k in keys if k in found), None)


def mark_planned(connection: Connection, article_ids: Sequence[int]) -> None:
    """The articles' deliveries exist now: clear their ``plan`` marks."""
    ids = list(article_ids)
    for start in range(0, len(ids), _CHUNK):
        connection.execute(
            update(schema.articles)
            .where(schema.articles.c.id.in_(ids[start : start + _CHUNK]))
            .values(plan=None)
        )


def titles(connection: Connection, article_ids: Iterable[int]) -> dict[int, str]:
    """The stored titles of these articles."""
    ids = list(article_ids)
    out: dict[int, str] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = connection.execute(
            select(schema.articles.c.id, schema.articles.c.title).where(
                schema.articles.c.id.in_(ids[start : start + _CHUNK])
            )
        )
        out.update({row[0]: row[1] for row in rows})
    return out
