"""What a card says about an article: language, call to action, date, tracked link.

Kept apart from drawing so both WeChat adapters (the share card and the Official
Account cover) choose words the same way.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syndicator.errors import ConfigError
from syndicator.models import Article

from .images import load_image
from .layout import CardContent

CALL_TO_ACTION = {
    "zh": "长按识别二维码 阅读全文",
    "en": "Scan to read the full story",
}
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_SUMMARY_SOURCE_CHARS = 2000


def article_language(article: Article) -> str:
    """``zh`` or ``en``: the feed's own language when it says, else detected."""
    declared = (article.language or "").lower()
    if declared:
        return "zh" if declared.startswith("zh") else "en"
    from syndicator.text import detect_language

    detected = detect_language(f"{article.title}\n{article.summary or article.text[:500]}") or ""
    return "zh" if str(detected).lower().startswith("zh") else "en"


def format_date(published: datetime | None, timezone: str, language: str) -> str:
    """The publication date in the service's time zone: "2020年2月9日" or "9 February 2020"."""
    if published is None:
        return ""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"timezone {timezone!r} is not an IANA time zone name") from exc
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    local = published.astimezone(zone)
    if language == "zh":
        return f"{local.year}年{local.month}月{local.day}日"
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}"


def tracked_url(url: str, utm: dict[str, str]) -> str:
    """``url`` with ``utm_<name>=<value>`` parameters set (replacing any already there),
    keeping its other parameters and fragment in order."""
    if not utm:
        return url
    parts = urlsplit(url)
    names = {f"utm_{name.removeprefix('utm_')}": value for name, value in utm.items()}
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in names]
    query.extend(sorted(names.items()))
    return urlunsplit(parts._replace(query=urlencode(query)))


def source_name(article: Article, override: str | None) -> str:
    """The name a reader knows the site by: the target's ``site_name``, else what the
    page or feed calls itself (``og:site_name``, the feed's title, the ``<title>``
    suffix), else the host name. Never ``article.source``: that is the config's key
    for the source ("bit-list"), an internal identifier, not a name for a poster."""
    from .._site import site_label

    return (override or "").strip() or site_label(article)


def summary_text(article: Article) -> str:
    """The feed's teaser, else the start of the body (the text engine shortens it)."""
    return article.summary or article.text[:_SUMMARY_SOURCE_CHARS]


def card_content(
    article: Article,
    *,
    timezone: str = "UTC",
    utm: dict[str, str] | None = None,
    brand: str = "#1d4f91",
    site_name: str | None = None,
    logo: Path | None = None,
    cta: dict[str, str] | None = None,
) -> CardContent:
    """Everything the card shows for ``article``; images are read (safely) here."""
    language = article_language(article)
    actions = {**CALL_TO_ACTION, **(cta or {})}
    return CardContent(
        title=article.title,
        url=tracked_url(article.url, utm or {}),
        summary=summary_text(article),
        source=source_name(article, site_name),
        date=format_date(article.published, timezone, language),
        cta=actions.get(language, actions["en"]),
        language=language,
        brand=brand,
        cover=load_image(article.image_path),
        logo=load_image(logo),
    )


def file_stem(key: str) -> str:
    """A readable, filesystem-safe and collision-resistant name for a delivery key."""
    import hashlib

    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", key.split("://", 1)[-1]).strip("-.")[:48]
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
    return f"{readable}-{digest}" if readable else digest


_SLUG_WORDS = re.compile(r"[a-z0-9]+")
_SLUG_CHARS = 60
#: URL path pieces that say nothing about the story ("index.html", "c_123.htm" stays).
_PLAIN_PIECES = frozenset({"index", "default", "content", "article", "news", "detail", "show"})
#: Words a slug neither starts nor ends with ("the-…", "…-hits-a").
_EDGE_WORDS = frozenset({"a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "by"})


def slug(article: Article) -> str:
    """A short ASCII name for the story: the title's words when it has some ("new-lab-
    opens"), else the last meaningful piece of the URL's path ("c-654321" for a Chinese
    title; no pinyin), else a digest of the key. At most 60 characters, cut between words."""
    import unicodedata

    folded = unicodedata.normalize("NFKD", article.title).encode("ascii", "ignore").decode()
    folded = re.sub(r"(?<=\d),(?=\d{3})", "", folded)  # "1,500 seats": 1500-seats
    words = _SLUG_WORDS.findall(folded.lower())
    if len(words) < 2 or sum(map(len, words)) < 8:
        pieces = [p for p in urlsplit(article.url).path.split("/") if p]
        for piece in reversed(pieces):
            stem = piece.rsplit(".", 1)[0].lower()
            if stem and stem not in _PLAIN_PIECES:
                words = _SLUG_WORDS.findall(stem)
                break
    while words and words[0] in _EDGE_WORDS:
        words = words[1:]
    kept: list[str] = []
    for word in words:
        if sum(map(len, kept)) + len(kept) + len(word) > _SLUG_CHARS:
            break
        kept.append(word)
    while len(kept) > 1 and kept[-1] in _EDGE_WORDS:
        kept.pop()
    out = "-".join(kept)
    if not out:
        import hashlib

        out = hashlib.sha256(article.key.encode("utf-8")).hexdigest()[:10]
    return out


def card_stem(article: Article, timezone: str) -> str:
    """``YYYY-MM-DD-<slug>``: a card an editor can find by its story's date and words
    (the date in the service's time zone, the day the card shows; no date, no prefix)."""
    day = ""
    if article.published is not None:
        published = article.published
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        try:
            day = published.astimezone(ZoneInfo(timezone)).date().isoformat() + "-"
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"timezone {timezone!r} is not an IANA time zone name") from exc
    return f"{day}{slug(article)}"
