"""``syndicator preview --json`` and ``syndicator check`` for the Facebook, Instagram,
LinkedIn and Threads targets, run as a user runs them, on the seed article page
(tests/data/pages/bit-news-article.html, in the style of tests/data/seed) served with its
lead image from 127.0.0.1. Fake secrets: preview and check need none."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from syndicator.text import fits
from tests.engine_helpers import write_config
from tests.servers.http import Request, Response
from tests.test_cli import run

PAGE = Path(__file__).parent / "data" / "pages" / "bit-news-article.html"
ARTICLE_PATH = "/News/BITNews/2020-02/09/c_123456.htm"
IMAGE_PATH = "/images/2020-02/09/exchange.jpg"
LIMITS = {"facebook": 1000, "instagram": 2200, "linkedin": 3000, "threads": 500}
FAKE = {"FB_TOKEN": "fake-fb", "IG_TOKEN": "fake-ig", "LI_TOKEN": "fake-li", "TH_TOKEN": "fake-th"}


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (600, 400), (30, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def site(http_server):  # type: ignore[no-untyped-def]
    image = _jpeg()

    def handler(request: Request) -> Response:
        if request.path == ARTICLE_PATH:
            return 200, {"Content-Type": "text/html; charset=utf-8"}, PAGE.read_bytes()
        if request.path == IMAGE_PATH:
            return 200, {"Content-Type": "image/jpeg"}, image
        return 404, {}, "not found"

    return http_server(handler)


def config(site_url: str, media: str = "") -> str:
    return f"""{media}
[[sources]]
name = "bit-news"
url = "{site_url}/News/BITNews/"
kind = "html"
items = "ul.news-list li a"
[sources.selectors]
title = "div.article-title"
date = "div.article-info"
body = "div.article-content"
remove = ["div.article-info", "p.editor", "p.related", "div.share"]

[[targets]]
name = "page"
adapter = "facebook"
page_id = "1234"
[targets.secrets]
access_token = "env:FB_TOKEN"

[[targets]]
name = "insta"
adapter = "instagram"
user_id = "17841400000000001"
hashtags = ["BIT", "StudyInChina"]
[targets.secrets]
access_token = "env:IG_TOKEN"

[[targets]]
name = "org"
adapter = "linkedin"
author = "urn:li:organization:5515715"
[targets.secrets]
access_token = "env:LI_TOKEN"

[[targets]]
name = "thr"
adapter = "threads"
user_id = "26000000000000001"
[targets.secrets]
access_token = "env:TH_TOKEN"
"""


MEDIA = '[media]\npublic_url = "https://news.example.edu/syndicator-media/"\n'


def test_preview_json_of_the_seed_article_fits_each_platforms_limit(tmp_path, site):  # type: ignore[no-untyped-def]
    path = write_config(tmp_path, config(site.url, MEDIA))
    url = site.url + ARTICLE_PATH
    out = tmp_path / "preview"
    result = run("preview", url, "--json", "--out", str(out), "-c", str(path), env=FAKE)
    assert result.returncode == 0, result.stderr
    items = {item["adapter"]: item for item in json.loads(result.stdout)}
    assert set(items) == set(LIMITS)
    for adapter, item in items.items():
        assert "error" not in item, item
        assert item["limit"] == LIMITS[adapter] and 0 < item["length"] <= item["limit"]
        assert fits(item["text"], item["rule"], item["limit"]), adapter
        assert item["text"].startswith("The International Exchange of Postgraduates")
        assert "Editor:" not in item["text"]
    for adapter in ("facebook", "linkedin", "threads"):
        assert url in items[adapter]["text"]
    assert "#StudyInChina" in items["instagram"]["text"]
    [picture] = items["instagram"]["media"]  # the lead image, as a JPEG
    assert Path(picture).read_bytes().startswith(b"\xff\xd8\xff")
    assert any(r.path == IMAGE_PATH for r in site.requests)
    for secret in FAKE.values():
        assert secret not in result.stdout + result.stderr


def test_check_says_instagram_and_threads_need_a_public_media_url(tmp_path, site):  # type: ignore[no-untyped-def]
    without = write_config(tmp_path, config(site.url))
    result = run("check", "-c", str(without), env=FAKE)
    assert result.returncode == 2
    assert "instagram fetches the image from a public URL" in result.stderr
    assert "threads fetches images from a public URL" in result.stderr
    with_media = tmp_path / "with-media"
    with_media.mkdir()
    result = run("check", "-c", str(write_config(with_media, config(site.url, MEDIA))), env=FAKE)
    assert result.returncode == 0, result.stderr
