"""A fresh install can do everything a config can ask for.

A dependency that changed upstream once left extraction unable to import (jusText
asks for ``lxml[html_clean]``; lxml 6.2 spells that extra ``html-clean`` and an
older pip skipped it), while the suite passed because nothing ran extraction
without selectors. These tests run each optional path a user reaches by config,
and walk the declared requirements, extras included, so a missing package fails here.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from syndicator.adapter import available_adapters, load_adapter_class
from syndicator.sources.extract import extract_article
from syndicator.sources.feed_loose import parse_with_feedparser

PAGES = Path(__file__).parent / "data" / "pages"


def _missing(name: str, extras: frozenset[str], seen: set[tuple[str, str]]) -> list[str]:
    """Requirements of ``name`` (with ``extras``) that are not installed, recursively."""
    try:
        dist = distribution(name)
    except PackageNotFoundError:
        return [name]
    missing: list[str] = []
    for line in dist.requires or []:
        requirement = Requirement(line)
        wanted = ["", *sorted(extras)]
        marker = requirement.marker
        if marker is not None and not any(marker.evaluate({"extra": e}) for e in wanted):
            continue
        key = (canonicalize_name(requirement.name), ",".join(sorted(requirement.extras)))
        if key in seen:
            continue
        seen.add(key)
        found = _missing(requirement.name, frozenset(requirement.extras), seen)
        missing.extend(f"{name} -> {m}" for m in found)
    return missing


def test_every_requirement_of_syndicator_is_installed_extras_included() -> None:
    assert _missing("syndicator", frozenset(), set()) == []


def test_an_article_page_without_selectors_is_extracted() -> None:
    html = (PAGES / "bit-news-article.html").read_bytes()
    article = extract_article(
        html,
        url="https://english.bit.edu.cn/2020-02/09/c_123456.htm",
        source="bit",
        selectors=None,
        encoding=None,
        timezone="Asia/Shanghai",
    )
    assert "Double 100%" in article.text
    assert article.title.startswith("The International Exchange of Postgraduates")


def test_a_feed_that_is_not_well_formed_is_read_by_the_forgiving_parser() -> None:
    broken = (
        b"<rss version='2.0'><channel><title>News &nbsp; site</title>"
        b"<item><title>One & two</title><link>https://example.edu/a</link></item>"
    )
    entries, _title = parse_with_feedparser(broken, url="https://example.edu/rss.xml")
    assert [e.link for e in entries] == ["https://example.edu/a"]


@pytest.mark.parametrize("name", sorted(available_adapters()))
def test_every_registered_adapter_imports(name: str) -> None:
    assert load_adapter_class(name).__name__
