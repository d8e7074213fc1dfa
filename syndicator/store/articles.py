"""Recording articles once, under every identity they are known by.

An article arrives with candidate keys (``guid:…``, ``url:…``). If any of them is
already in ``article_keys`` it is the same article: the new keys become aliases and
nothing new is recorded. Lookups and inserts are batched so a round over thousands of
feed items costs a handful of statements, not one per item.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from syndicator.clock import to_naive_utc
from syndicator.models import Article
from syndicator.store import schema
from syndicator.store.batches import chunks
from syndicator.store.codec import article_from_json, article_to_json

a = schema.articles
k = schema.article_keys


@dataclass(frozen=True)
class Recorded:
    """An article as the store now knows it. ``is_new`` is true the first time any of
    its keys is seen; ``changed`` when a known article comes back with other content."""

    id: int
    article: Article
    is_new: bool
    changed: bool = False


# What recording needs of an article beyond its fields: its candidate keys, its
# content hash, its stored JSON and its ``published`` as the store keeps it (naive
# UTC). A parse worker may compute it, so the process that writes the store spends
# its time writing.
Prepared = tuple[tuple[str, ...], str, str, datetime | None]


def prepare(article: Article) -> Prepared:
    return (
        tuple(candidate_keys(article)),
        article.content_hash,
        article_to_json(article),
        to_naive_utc(article.published),
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


def known_keys(connection: Connection, keys: Iterable[str]) -> dict[str, int]:
    """Map each key already recorded to its article id."""
    found: dict[str, int] = {}
    for chunk in chunks(list(dict.fromkeys(keys))):
        rows = connection.execute(select(k.c.key, k.c.article_id).where(k.c.key.in_(chunk)))
        found.update((row[0], row[1]) for row in rows)
    return found


@dataclass
class _Sorted:
    """A batch sorted against the store: which articles are new, which known (by id),
    which repeat an earlier one of the same batch, and the keys still to be aliased."""

    new: list[int] = field(default_factory=list)
    known: dict[int, int] = field(default_factory=dict)  # index -> article id
    repeats: dict[int, int] = field(default_factory=dict)  # index -> index of its first
    aliases: dict[str, int] = field(default_factory=dict)  # key -> article id


def _sort(keys_of: Sequence[tuple[str, ...]], known: dict[str, int]) -> _Sorted:
    out = _Sorted()
    first_holder: dict[str, int] = {}  # key -> index of the batch's first article with it
    for index, keys in enumerate(keys_of):
        hit = next((known[key] for key in keys if key in known), None)
        if hit is not None:
            out.known[index] = hit
            for key in keys:
                if key not in known:
                    out.aliases.setdefault(key, hit)
                    known[key] = hit
            continue
        first = next((first_holder[key] for key in keys if key in first_holder), None)
        if first is not None:
            out.repeats[index] = first
            continue
        for key in keys:
            first_holder[key] = index
        out.new.append(index)
    return out


def record_articles(
    connection: Connection,
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
    ready = [(prepared[i] if prepared else None) or prepare(x) for i, x in enumerate(articles)]
    keys_of = [item[0] for item in ready]
    batch = _sort(keys_of, known_keys(connection, (key for keys in keys_of for key in keys)))
    results: dict[int, Recorded] = {}
    if batch.new:
        results.update(_insert_new(connection, articles, ready, batch.new, now, plans))
        for index in batch.new:
            for key in keys_of[index]:
                batch.aliases.setdefault(key, results[index].id)
    if batch.known:
        results.update(_compare_existing(connection, articles, ready, batch.known, now))
    if batch.aliases:
        rows = [{"key": key, "article_id": id_} for key, id_ in batch.aliases.items()]
        connection.execute(insert(k), rows)
    for index, first in batch.repeats.items():
        holder = results[first]
        results[index] = Recorded(id=holder.id, article=holder.article, is_new=False)
    return [results[index] for index in range(len(articles))]


def _insert_new(
    connection: Connection,
    articles: Sequence[Article],
    ready: Sequence[Prepared],
    new: Sequence[int],
    now: datetime,
    plans: Sequence[str | None] | None,
) -> dict[int, Recorded]:
    """Insert the new articles (one executemany), then read their ids by key."""
    stamp_now = to_naive_utc(now)
    rows = []
    for index in new:
        article, (_, content_hash, data, published) = articles[index], ready[index]
        rows.append(
            {
                "key": article.key,
                "url": article.url,
                "guid": article.guid,
                "title": article.title,
                "source": article.source,
                "published": published,
                "first_seen": stamp_now,
                "content_hash": content_hash,
                "plan": plans[index] if plans else None,
                "data": data,
                "revision": 0,
            }
        )
    connection.execute(insert(a), rows)
    id_of: dict[str, int] = {}
    for chunk in chunks([str(row["key"]) for row in rows]):
        found = connection.execute(select(a.c.key, a.c.id).where(a.c.key.in_(chunk)))
        id_of.update((row[0], row[1]) for row in found)
    return {
        index: Recorded(id=id_of[articles[index].key], article=articles[index], is_new=True)
        for index in new
    }


def _compare_existing(
    connection: Connection,
    articles: Sequence[Article],
    ready: Sequence[Prepared],
    existing: dict[int, int],
    now: datetime,
) -> dict[int, Recorded]:
    """Known articles: notice edits (a new title or text) and record the new revision."""
    stored: dict[int, tuple[str, str]] = {}
    for chunk in chunks(sorted(set(existing.values()))):
        rows = connection.execute(
            select(a.c.id, a.c.content_hash, a.c.data).where(a.c.id.in_(chunk))
        )
        stored.update((row[0], (row[1], row[2])) for row in rows)
    out: dict[int, Recorded] = {}
    for index, article_id in existing.items():
        content_hash, data = stored[article_id]
        article = articles[index]
        _, new_hash, new_data, _ = ready[index]
        if article.title and new_hash != content_hash:
            connection.execute(
                update(a)
                .where(a.c.id == article_id)
                .values(
                    title=article.title,
                    content_hash=new_hash,
                    data=new_data,
                    updated_at=to_naive_utc(now),
                    revision=a.c.revision + 1,
                )
            )
            out[index] = Recorded(id=article_id, article=article, is_new=False, changed=True)
        else:
            out[index] = Recorded(id=article_id, article=article_from_json(data), is_new=False)
    return out


def load_article(connection: Connection, article_id: int) -> Article | None:
    data = connection.execute(select(a.c.data).where(a.c.id == article_id)).scalar()
    return article_from_json(data) if data else None


def find_article_id(connection: Connection, url_or_key: str) -> int | None:
    """Find an article by its URL (canonicalised), guid or stored key."""
    from syndicator.sources.keys import canonical_url

    keys = [url_or_key, f"guid:{url_or_key}"]
    if url_or_key.startswith(("http://", "https://")):
        keys.append(f"url:{canonical_url(url_or_key)}")
    found = known_keys(connection, keys)
    return next((found[key] for key in keys if key in found), None)


def mark_planned(connection: Connection, article_ids: Sequence[int]) -> None:
    """The articles' deliveries exist now: clear their ``plan`` marks."""
    for chunk in chunks(list(article_ids)):
        connection.execute(update(a).where(a.c.id.in_(chunk)).values(plan=None))


def marked(connection: Connection) -> list[tuple[int, str, str]]:
    """``(id, source, mark)`` of every article still to be planned, in recording order."""
    rows = connection.execute(
        select(a.c.id, a.c.source, a.c.plan).where(a.c.plan.is_not(None)).order_by(a.c.id)
    )
    return [(row[0], row[1], row[2]) for row in rows]


def titles(connection: Connection, article_ids: Iterable[int]) -> dict[int, str]:
    """The stored titles of these articles."""
    found: dict[int, str] = {}
    for chunk in chunks(list(article_ids)):
        rows = connection.execute(select(a.c.id, a.c.title).where(a.c.id.in_(chunk)))
        found.update((row[0], row[1]) for row in rows)
    return found
