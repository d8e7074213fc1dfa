"""The {source} placeholder of public posts: the site's own name, never the config's key."""

from __future__ import annotations

from pathlib import Path

from syndicator_adapters._site import site_label
from syndicator_adapters.outbox import OutboxAdapter, OutboxOptions

from syndicator.adapter import Target
from syndicator.models import Article

ARTICLE = Article(
    key="k",
    url="https://www.news.example.edu/2024/lab.html",
    title="Lab opens",
    source="bit-list",
    text="The new laboratory opened on Monday.",
)


def test_site_label_is_the_site_name_else_the_host_never_the_source_key() -> None:
    assert site_label(ARTICLE) == "news.example.edu"
    assert site_label(ARTICLE.with_changes(site_name="BIT News")) == "BIT News"


def test_outbox_template_source_placeholder_never_shows_the_source_key(tmp_path: Path) -> None:
    target = Target(
        name="box",
        adapter="outbox",
        options=OutboxOptions(),
        base_dir=tmp_path,
        template="{title} ({source}) {url}",
    )
    text = OutboxAdapter(target).render(ARTICLE).text
    assert "bit-list" not in text and "(news.example.edu)" in text
