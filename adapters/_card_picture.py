"""A share card (the wechat_card layouts: headline, summary, date, a QR code of the
link) as the picture of a post, for platforms whose posts want an image when the
article has none (Instagram always, Facebook with ``picture = true``)."""

from __future__ import annotations

from syndicator.adapter import Target
from syndicator.models import Article


def share_card_jpeg(article: Article, target: Target, *, layout: str, max_bytes: int) -> bytes:
    """The card for ``article`` in ``layout`` as a JPEG under ``max_bytes``. Raises
    ``RenderError`` when no installed font can draw the title."""
    from .wechat.card import render_card
    from .wechat.content import card_content
    from .wechat.draw import encode_jpeg
    from .wechat.fonts import find_fonts
    from .wechat.templates import load_template

    template = load_template(layout, base_dir=target.base_dir)
    content = card_content(article, timezone=target.timezone)
    card = render_card(content, template, find_fonts())
    return encode_jpeg(card.image, max_bytes=max_bytes)
