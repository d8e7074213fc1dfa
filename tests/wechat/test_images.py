"""Lead images: read defensively, cropped where the detail is."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw
from syndicator_adapters.wechat.images import load_image, smart_crop

from .conftest import make_photo


def test_photo_loads_as_rgb(tmp_path: Path):
    image = load_image(make_photo(tmp_path / "p.jpg"))
    assert image is not None and image.mode == "RGB" and image.size == (1600, 1000)


def test_pixel_cap_is_checked_before_decoding(tmp_path: Path):
    path = tmp_path / "wide.png"
    Image.new("1", (5000, 5000)).save(path)
    assert load_image(path, max_pixels=30_000_000) is not None
    assert load_image(path, max_pixels=1_000_000) is None


def test_missing_or_broken_file_gives_none(tmp_path: Path):
    assert load_image(tmp_path / "absent.jpg") is None
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(make_photo(tmp_path / "p.jpg").read_bytes()[:1500])
    assert load_image(broken) is None


def test_smart_crop_keeps_the_detailed_part():
    image = Image.new("RGB", (1200, 400), (200, 200, 200))
    pen = ImageDraw.Draw(image)
    for x in range(900, 1180, 10):  # stripes near the right edge: the "subject"
        pen.line([(x, 0), (x, 400)], fill=(0, 0, 0), width=4)
    cropped = smart_crop(image, 400, 400)
    assert cropped.size == (400, 400)
    dark = sum(1 for x in range(400) if cropped.getpixel((x, 200))[0] < 50)
    assert dark > 40  # the stripes are in the crop, not the flat grey centre


def test_smart_crop_of_flat_image_is_centred():
    image = Image.new("RGB", (1000, 200), (10, 10, 10))
    ImageDraw.Draw(image).rectangle((450, 0, 549, 199), fill=(250, 250, 250))
    cropped = smart_crop(image, 200, 200)
    assert cropped.getpixel((100, 100))[0] > 200
