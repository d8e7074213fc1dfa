"""The share card adapter: what it renders, and what publishing writes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from syndicator_adapters.wechat.card import render_card

from syndicator.models import Article
from tests.wechat.conftest import SEED_URL, ZH_URL


def decode_qr(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image) if result.valid]


def media_image(post, suffix: str) -> Image.Image:
    (media,) = [m for m in post.media if m.filename.endswith(suffix)]
    return Image.open(io.BytesIO(media.data))


@pytest.mark.parametrize("layout", ["poster", "square", "story"])
def test_qr_code_on_the_card_opens_the_article(card_adapter, seed_article, photo, layout):
    article = seed_article.with_changes(image_path=photo)
    post = card_adapter(layout=layout).render(article)
    assert decode_qr(media_image(post, f"-{layout}.png").convert("RGB")) == [SEED_URL]


def test_qr_code_survives_jpeg_quality_75_and_half_size(card_adapter, zh_article, photo):
    post = card_adapter(utm={"source": "wechat", "medium": "poster"}).render(
        zh_article.with_changes(image_path=photo)
    )
    card = media_image(post, "-poster.png").convert("RGB")
    buffer = io.BytesIO()
    card.save(buffer, "JPEG", quality=75)
    degraded = Image.open(buffer).resize(
        (card.width // 2, card.height // 2), Image.Resampling.BILINEAR
    )
    assert decode_qr(degraded) == [f"{ZH_URL}?utm_medium=poster&utm_source=wechat"]


def test_same_article_and_template_give_the_same_bytes(card_adapter, seed_article, photo):
    article = seed_article.with_changes(image_path=photo)
    first = card_adapter().render(article)
    second = card_adapter().render(article)
    assert [m.sha256 for m in first.media] == [m.sha256 for m in second.media]
    png = media_image(first, "-poster.png")
    assert not png.info.keys() & {"date", "Creation Time", "timestamp", "tIME"}


def test_post_carries_png_jpeg_under_cap_and_900x383_cover(card_adapter, seed_article, photo):
    post = card_adapter(jpeg_max_kb=120).render(seed_article.with_changes(image_path=photo))
    mimes = [m.mime for m in post.media]
    assert mimes == ["image/png", "image/jpeg", "image/jpeg"]
    assert len(post.media[1].data) <= 120 * 1024
    assert media_image(post, "-cover.jpg").size == (900, 383)
    assert media_image(post, "-poster.png").width == 1080
    assert all(m.alt for m in post.media)


def test_caption_is_title_and_link_measured_plain(card_adapter, seed_article):
    post = card_adapter().render(seed_article)
    assert post.text == f"{seed_article.title}\n{SEED_URL}"
    assert post.rule == "plain"
    assert post.length <= post.limit


def test_card_shows_date_in_the_target_timezone_and_language(
    card_adapter, seed_article, zh_article
):
    english = card_adapter().render_article(seed_article).layout
    chinese = card_adapter().render_article(zh_article).layout
    assert english.box("date").text.lines == ("9 February 2020",)
    assert chinese.box("date").text.lines == ("2020年2月9日",)
    assert chinese.box("cta").text.lines == ("长按识别二维码 阅读全文",)
    assert english.box("cta").text.lines == ("Scan to read the full story",)


@pytest.mark.parametrize("layout", ["poster", "square", "story"])
def test_without_lead_image_the_headline_is_set_large_on_the_brand_colour(
    card_adapter, seed_article, photo, layout
):
    card = card_adapter(brand_color="#aa2233", layout=layout).render_article(seed_article)
    assert card.image.getpixel((20, 20)) == (0xAA, 0x22, 0x33)
    band_title = card.layout.box("band_title")
    assert " ".join(band_title.text.lines) == seed_article.title
    assert not card.layout.has("title")
    with_photo = card_adapter(layout=layout).render_article(
        seed_article.with_changes(image_path=photo)
    )
    photo_title = with_photo.layout.box("title").text
    assert band_title.text.font_size > photo_title.font_size


@pytest.mark.parametrize("layout", ["poster", "square", "story"])
def test_without_lead_image_the_site_name_appears_once(card_adapter, seed_article, layout):
    card = card_adapter(layout=layout).render_article(seed_article)
    shown = [b.name for b in card.layout.boxes if b.text and "BIT News" in " ".join(b.text.lines)]
    assert shown == ["source"]


@pytest.mark.parametrize("kind", ["truncated", "not_an_image", "too_many_pixels"])
def test_broken_or_huge_lead_image_falls_back_to_colour_block(
    card_adapter, seed_article, photo, tmp_path, kind
):
    bad = tmp_path / "bad.png"
    if kind == "truncated":
        bad.write_bytes(photo.read_bytes()[:2000])
    elif kind == "not_an_image":
        bad.write_bytes(b"<html>not a picture</html>")
    else:  # a 1-bit PNG whose header claims 12000 x 12000 pixels, a few KB on disk
        Image.new("1", (12000, 12000)).save(bad, "PNG")
    card = card_adapter(brand_color="#123456").render_article(
        seed_article.with_changes(image_path=bad)
    )
    assert card.image.getpixel((20, 20)) == (0x12, 0x34, 0x56)


def test_lead_image_is_drawn_as_the_cover(card_adapter, seed_article, photo):
    card = card_adapter(brand_color="#123456").render_article(
        seed_article.with_changes(image_path=photo)
    )
    assert card.image.getpixel((20, 20)) != (0x12, 0x34, 0x56)
    assert not card.layout.has("band") and not card.layout.has("band_title")


def test_publish_writes_files_and_is_idempotent(card_adapter, seed_article, zh_article, tmp_path):
    adapter = card_adapter(path="out/cards")
    post = adapter.render(seed_article)
    assert adapter.find_existing(post, key="delivery-1") is None
    receipt = adapter.publish(post, key="delivery-1")
    folder = tmp_path / "out" / "cards"
    written = sorted(p.name for p in folder.iterdir())
    assert len(written) == 3
    assert receipt.remote_id in written and receipt.remote_id.endswith(".png")
    assert receipt.remote_url == (folder / receipt.remote_id).resolve().as_uri()
    assert Path(receipt.remote_url.removeprefix("file://")).read_bytes() == post.media[0].data
    again = adapter.publish(post, key="delivery-1")
    assert again == receipt
    assert sorted(p.name for p in folder.iterdir()) == written  # no temporary files left
    assert adapter.find_existing(post, key="delivery-1") == receipt
    # The files are the story's card, whichever delivery wrote them; another story's are not.
    assert adapter.find_existing(post, key="delivery-2") == receipt
    assert adapter.find_existing(adapter.render(zh_article), key="delivery-3") is None


def test_card_files_are_named_by_date_slug_and_layout(card_adapter, seed_article, zh_article):
    seed_names = [m.filename for m in card_adapter(layout="square").render(seed_article).media]
    assert seed_names == [
        "2020-02-09-international-exchange-of-postgraduates-of-bit-hits-a-record-square.png",
        "2020-02-09-international-exchange-of-postgraduates-of-bit-hits-a-record-square.jpg",
        "2020-02-09-international-exchange-of-postgraduates-of-bit-hits-a-record-cover.jpg",
    ]
    # A Chinese title has no ASCII words: the slug comes from the URL (no pinyin).
    zh_names = [m.filename for m in card_adapter().render(zh_article).media]
    assert zh_names[0] == "2020-02-09-c-654321-poster.png"


def test_a_card_stored_by_the_engine_is_linked_into_the_folder_not_written_again(
    card_adapter, seed_article, tmp_path
):
    from syndicator.rendering import save_media

    adapter = card_adapter(path="outbox/cards")
    post = adapter.render(seed_article)
    stored = [save_media(m, tmp_path / "media") for m in post.media]
    assert [m.path.name.split("-", 1)[1] for m in stored] == [m.filename for m in post.media]
    adapter.publish(post.__class__(**{**post.__dict__, "media": tuple(stored)}), key="d1")
    for medium in stored:
        placed = tmp_path / "outbox" / "cards" / medium.filename
        assert placed.samefile(medium.path)  # one file on disk, found under both names
        assert medium.path.stat().st_nlink == 2


def test_adapter_is_registered_under_its_entry_point():
    from syndicator_adapters.wechat.card import WeChatCardAdapter
    from syndicator_adapters.wechat.oa import WeChatOfficialAccountAdapter

    from syndicator.adapter import load_adapter_class

    assert load_adapter_class("wechat_card") is WeChatCardAdapter
    assert load_adapter_class("wechat_oa") is WeChatOfficialAccountAdapter
    assert WeChatCardAdapter.idempotent


def test_user_template_file_is_used(card_adapter, seed_article, tmp_path):
    (tmp_path / "mine.toml").write_text(
        'width = 600\nheight = 600\n[[box]]\nname = "qr"\nkind = "qrcode"\nx = 150\ny = 150\nw = 300\n',
        encoding="utf-8",
    )
    card = card_adapter(layout="mine.toml").render_article(seed_article)
    assert card.image.size == (600, 600)
    assert [b.name for b in card.layout.boxes] == ["qr"]
    assert decode_qr(card.image) == [SEED_URL]


def test_title_from_article_without_summary_or_date_still_renders(card_adapter):
    article = Article(key="k", url="https://example.org/a", title="Short", source="example")
    card = card_adapter().render_article(article)
    assert not card.layout.has("summary") and not card.layout.has("date")
    assert card.layout.box("source").y > card.layout.box("rule").y


@pytest.mark.parametrize("layout", ["poster", "square", "story", "cover"])
def test_footer_never_shows_the_source_key(card_adapter, seed_article, photo, layout):
    """The config's key for a source ("bit-list") is an internal name: the card shows
    the target's site_name, else the page's or feed's own name, else the host."""
    from syndicator_adapters.wechat.templates import load_template

    def shown(article, **options) -> list[str]:
        adapter = card_adapter(layout=layout, **options)
        content = adapter.content(article)
        card = render_card(content, load_template(layout), adapter.fonts())
        return [line for box in card.layout.boxes if box.text for line in box.text.lines]

    keyed = seed_article.with_changes(source="bit-list", site_name=None)
    for article in (keyed, keyed.with_changes(image_path=photo)):
        assert not any("bit-list" in line for line in shown(article))
        assert not any(
            "bit-list" in line for line in shown(article.with_changes(site_name="BIT News"))
        )
    if layout != "cover":
        assert "english.bit.edu.cn" in shown(keyed)
        assert "BIT News" in shown(keyed.with_changes(site_name="BIT News"))
        assert "Office of News" in shown(keyed, site_name="Office of News")


def test_summary_on_the_card_never_repeats_the_title(card_adapter, zh_article, seed_article):
    from syndicator.text.summarize import repeats_title

    for article in (seed_article, zh_article):
        # Pages often repeat the headline as the body's first line, or with the site's name.
        stop = "。" if article.language.startswith("zh") else "."
        repeats = f"{article.title}{stop}\n\n{article.title} - {article.site_name}{stop}"
        text = f"{repeats}\n\n{article.text}"
        card = card_adapter().render_article(article.with_changes(text=text))
        summary = "".join(card.layout.box("summary").text.lines)
        from syndicator.text import split_sentences

        for sentence in split_sentences(summary):
            assert not repeats_title(sentence.removesuffix("…"), article.title), sentence


def test_card_summary_of_the_raw_seed_page_starts_with_the_news(card_adapter, seed_article):
    """The text as copied from the page (breadcrumb, release date, view counter first):
    the card's summary starts with the lead, without its dateline (the card shows the date)."""
    raw = (Path(__file__).parents[1] / "data" / "seed" / "bit-news-article.txt").read_text(
        encoding="utf-8"
    )
    card = card_adapter().render_article(seed_article.with_changes(text=raw))
    summary = " ".join(card.layout.box("summary").text.lines)
    assert summary.startswith("In 2019, for the first time, the number of international")
    for furniture in ("present position", "release date", "ViewCount", "Editor:", "Share:"):
        assert furniture not in summary
