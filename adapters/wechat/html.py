"""Article HTML that a WeChat Official Account draft may carry: an allow-list, nothing else.

``draft/add`` takes the article body as HTML. WeChat strips external images and much
markup on its own, but what it keeps is shown to followers under the news office's
name, so the body is rebuilt from an allow-list: paragraphs, emphasis, headings, quotes,
lists, links (http/https only) and images already uploaded to WeChat (``uploadimg``
returns ``mmbiz.qpic.cn`` URLs). Scripts, styles and ``on*`` attributes never pass,
and the contents of ``script``/``style`` are dropped, not shown as text.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

ALLOWED = frozenset(
    {"p", "br", "strong", "em", "a", "img", "h2", "h3", "h4", "blockquote", "ul", "ol", "li"}
)
VOID = frozenset({"br", "img"})
#: Elements whose content is dropped along with them.
DROP_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript"})
#: Hosts of images uploaded with ``/cgi-bin/media/uploadimg``.
WECHAT_IMAGE_HOSTS = ("mmbiz.qpic.cn", "mmbiz.qlogo.cn")
_ALIASES = {"b": "strong", "i": "em", "h1": "h2", "h5": "h4", "h6": "h4"}


def _safe_link(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def _wechat_image(url: str) -> bool:
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    return parts.scheme in {"http", "https"} and any(
        host == h or host.endswith("." + h) for h in WECHAT_IMAGE_HOSTS
    )


class _Sanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_CONTENT:
            self.dropping += 1
            return
        tag = _ALIASES.get(tag, tag)
        if self.dropping or tag not in ALLOWED:
            return
        values = {name: value or "" for name, value in attrs}
        if tag == "a":
            href = values.get("href", "")
            if not _safe_link(href):
                self.open.append("")  # keep the text, lose the link
                return
            self.out.append(f'<a href="{escape(href.strip())}">')
        elif tag == "img":
            src = values.get("src", "")
            if _wechat_image(src):
                alt = escape(values.get("alt", ""))
                self.out.append(f'<img src="{escape(src.strip())}" alt="{alt}">')
            return
        elif tag == "br":
            self.out.append("<br>")
            return
        else:
            if tag in {"li", "p"} and self.open and self.open[-1] == tag:
                self.out.append(f"</{self.open.pop()}>")  # <li>a<li>b: siblings, not nested
            self.out.append(f"<{tag}>")
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_CONTENT:
            self.dropping = max(0, self.dropping - 1)
            return
        tag = _ALIASES.get(tag, tag)
        if self.dropping or tag not in ALLOWED or tag in VOID:
            return
        if tag == "a" and "" in self.open and (tag not in self.open or self.open[-1] == ""):
            self.open.remove("")
            return
        if tag not in self.open:
            return  # a stray end tag
        while self.open:
            closing = self.open.pop()
            if closing:
                self.out.append(f"</{closing}>")
            if closing == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(escape(data, quote=False))

    def result(self) -> str:
        self.close()
        tail = [f"</{tag}>" for tag in reversed(self.open) if tag]
        return "".join(self.out + tail)


def sanitize_html(markup: str) -> str:
    """``markup`` reduced to the allowed tags and attributes, well nested."""
    parser = _Sanitizer()
    parser.feed(markup)
    return parser.result()


def paragraphs_to_html(text: str) -> str:
    """Plain article text (paragraphs separated by blank lines) as ``<p>`` elements."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(
        "<p>"
        + "<br>".join(escape(line.strip(), quote=False) for line in block.splitlines())
        + "</p>"
        for block in blocks
        if block
    )
