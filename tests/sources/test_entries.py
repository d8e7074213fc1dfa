"""Turning feed fields into article fields: the shortcut for joining links must
give exactly what ``urljoin`` gives."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from syndicator.sources.entries import absolute, first_image

BASES = [
    "https://news.example.edu/feed.xml",
    "https://news.example.edu:8443/en/rss/index.xml?x=1",
    "http://127.0.0.1:8932/feeds/n00001.xml",
    "https://news.example.edu",
]
LINKS = [
    "https://news.example.edu/2026/11/c_1.htm",
    "http://other.example.org/a?b=c#d",
    "/images/lead.jpg",
    "/a/../b/./c.htm",
    "//cdn.example.net/x.png",
    "relative/page.htm",
    "../up.htm",
    "?page=2",
    "#top",
    "/with space.jpg",
    "/back\\slash.jpg",
]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("link", LINKS)
def test_absolute_agrees_with_urljoin(base: str, link: str) -> None:
    assert absolute(base, link) == urljoin(base, link)


def test_the_first_image_of_a_teaser_is_made_absolute() -> None:
    markup = '<p>Text</p><img alt="" src="/uploads/2026/lead.jpg"><img src="/second.jpg">'
    assert first_image(markup, BASES[0]) == "https://news.example.edu/uploads/2026/lead.jpg"
    assert first_image('<img src="data:image/png;base64,AAAA">', BASES[0]) is None
