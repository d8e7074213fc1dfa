"""A small university news site served on 127.0.0.1, for the demo and the tests.

It looks like the reference user's site: a news list page with no feed links in it,
article pages with a "release date :" line, an editor line and share buttons, plus an
RSS feed of the same articles. It answers conditional GETs with 304. ``publish`` adds
an article while it runs, as a news office would.
"""

from __future__ import annotations

import hashlib
import html
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class SampleArticle:
    number: int
    title: str
    paragraphs: tuple[str, ...]
    released: datetime
    language: str = "en"
    category: str = "News"

    @property
    def path(self) -> str:
        return f"/{self.released:%Y-%m}/{self.released:%d}/c_{self.number}.htm"


_BASE = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)

ARTICLES: tuple[SampleArticle, ...] = (
    SampleArticle(
        100101,
        "Students Build a Solar Car That Crosses the Gobi in Four Days",
        (
            "A team of 24 undergraduates drove their solar-powered car 1,200 km across the Gobi Desert, "
            "finishing in four days without a single breakdown.",
            "The car weighs 180 kg and stores energy in a battery pack the students designed themselves. "
            "Dr. Li Wei, who advised the team, said the hardest part was keeping the cells cool at noon.",
            "The team will publish its design notes so that other universities can build on them.",
        ),
        _BASE,
        category="Campus",
    ),
    SampleArticle(
        100102,
        "学校举办2026年国际研究生学术论坛",
        (
            "11月21日，2026年国际研究生学术论坛在中关村校区开幕，来自18个国家的300余名研究生参加。",
            "论坛设置人工智能、新能源、先进材料等6个分论坛，共有120篇论文在会上交流。",
            "研究生院负责人表示，学校将继续扩大研究生国际交流规模，提升培养质量。",
        ),
        _BASE + timedelta(days=1),
        language="zh",
        category="国际交流",
    ),
    SampleArticle(
        100103,
        "New Library Wing Opens With 1,500 Seats for Late-Night Study",
        (
            "The new wing of the main library opened on Monday with 1,500 seats, 40 group rooms and "
            "opening hours until 1 a.m. during examination weeks.",
            "Students had asked for more late-night study space in last year's campus survey.",
        ),
        _BASE + timedelta(days=2),
        category="Campus",
    ),
)

NEW_ARTICLE = SampleArticle(
    100104,
    "我校科研团队在高效钙钛矿太阳能电池研究中取得新进展",
    (
        "近日，我校材料学院科研团队在高效稳定钙钛矿太阳能电池研究方面取得重要进展，"
        "相关成果发表在国际期刊上。",
        "团队提出了一种新的界面钝化方法，使电池的光电转换效率达到26.1%，"
        "并在1000小时连续光照后保持初始效率的95%以上。",
        "该研究得到国家自然科学基金等项目的支持。",
    ),
    _BASE + timedelta(days=3),
    language="zh",
    category="科学研究",
)


def render_article(article: SampleArticle) -> str:
    body = "\n".join(f"<p>&nbsp;&nbsp;{html.escape(p)}</p>" for p in article.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{article.language}"><head><meta charset="utf-8">
<title>{html.escape(article.title)} - BIT News</title>
<meta property="og:title" content="{html.escape(article.title)}">
<meta property="og:site_name" content="Sample University News">
</head><body>
<div class="crumbs">Your present position: HOME &gt; News &amp; Events &gt; BIT News</div>
<div class="article">
<h1 class="title">{html.escape(article.title)}</h1>
<div class="info">release date :{article.released:%Y-%m-%d %H:%M:%S} &nbsp;|&nbsp; [ close window ] ViewCount:</div>
<div class="content">
{body}
<p class="editor">Editor: News Agency</p>
</div>
<div class="share">Sina Microblog Tencent Microblog Share: WeChat
(Remark:Need to be shared through mobile phones and other mobile devices)</div>
</div></body></html>"""


def render_list(articles: list[SampleArticle]) -> str:
    items = "\n".join(
        f'<li><a href="{a.path}">{html.escape(a.title)}</a><span>{a.released:%Y-%m-%d}</span></li>'
        for a in sorted(articles, key=lambda a: a.released, reverse=True)
    )
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>BIT News</title></head>
<body><div class="nav"><a href="/">Home</a> <a href="/about/">About</a></div>
<ul class="news-list">
{items}
</ul></body></html>"""


def render_rss(articles: list[SampleArticle], base: str) -> str:
    items = "\n".join(
        f"""<item><title>{html.escape(a.title)}</title><link>{base}{a.path}</link>
<guid isPermaLink="true">{base}{a.path}</guid><category>{html.escape(a.category)}</category>
<pubDate>{format_datetime(a.released)}</pubDate>
<description>{html.escape(a.paragraphs[0])}</description></item>"""
        for a in sorted(articles, key=lambda a: a.released, reverse=True)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Sample University News</title><link>{base}/news/</link>
<description>News of a sample university</description>
{items}
</channel></rss>"""


class SampleSite:
    """The site and its server. ``url`` is its base URL once started."""

    def __init__(self, articles: tuple[SampleArticle, ...] = ARTICLES) -> None:
        self.articles = list(articles)
        self.requests: list[tuple[str, int]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the site first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def pages(self) -> dict[str, tuple[str, str]]:
        with self._lock:
            articles = list(self.articles)
        pages = {
            "/news/": ("text/html; charset=utf-8", render_list(articles)),
            "/rss.xml": ("application/rss+xml; charset=utf-8", render_rss(articles, self.url)),
        }
        for article in articles:
            pages[article.path] = ("text/html; charset=utf-8", render_article(article))
        return pages

    def publish(self, article: SampleArticle = NEW_ARTICLE) -> None:
        with self._lock:
            self.articles.append(article)

    def start(self) -> SampleSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            """Serves the pages, with ETags and 304s."""

            def do_GET(self) -> None:
                found = site.pages().get(self.path.split("?")[0])
                if found is None:
                    self._answer(404, "text/plain", b"not found")
                    return
                content_type, text = found
                body = text.encode("utf-8")
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self._answer(304, content_type, b"", etag)
                    return
                self._answer(200, content_type, body, etag)

            def _answer(self, status: int, content_type: str, body: bytes, etag: str = "") -> None:
                site.requests.append((self.path, status))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if etag:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        Handler.protocol_version = "HTTP/1.1"
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # a quick shutdown() for tests and the demo
            name="sample-site",
            daemon=True,
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SampleSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
