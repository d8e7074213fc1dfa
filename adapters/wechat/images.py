"""Reading the lead image defensively, and cropping it to a box without losing its subject.

The engine downloads and checks ``Article.image_path`` already, but a card renderer is
the one place that fully decodes it, so it guards again: a file cap, a pixel cap checked
from the header before decoding, Pillow's ``verify`` pass, and any decoding error. Each
of these makes ``load_image`` return ``None``, and the card shows the branded colour
block instead: a broken image never breaks a card.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
#: 40 megapixels: more than any news photo, far less than a decompression bomb.
MAX_PIXELS = 40_000_000


def load_image(path: Path | None, *, max_pixels: int = MAX_PIXELS) -> Image | None:
    """The image as RGB (or RGBA for a logo with transparency), or ``None`` if it is
    missing, too large, or broken."""
    if path is None:
        return None
    from PIL import Image, ImageOps

    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            log.warning("image %s skipped: %d bytes is over the %d cap", path, size, MAX_FILE_BYTES)
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as probe:
                width, height = probe.size
                if width * height > max_pixels:
                    log.warning(
                        "image %s skipped: %dx%d is over %d pixels", path, width, height, max_pixels
                    )
                    return None
                probe.verify()
            with Image.open(path) as opened:
                opened.draft("RGB", (2400, 2400))  # JPEG: decode at a reduced scale, faster
                opened.load()
                image = ImageOps.exif_transpose(opened)
                if image.mode in {"RGBA", "LA", "P", "PA"}:
                    return image.convert("RGBA")
                return image.convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning) as exc:
        log.warning("image %s skipped: cannot be decoded safely (%s)", path, exc)
        return None


def smart_crop(image: Image, width: int, height: int) -> Image:
    """``image`` scaled and cropped to exactly ``width`` x ``height``, the crop window
    placed where the picture has the most detail (edge energy), with a slight pull to
    the centre: faces and text in a news photo are rarely at the extreme edges."""
    from PIL import Image as PILImage
    from PIL import ImageFilter

    source_w, source_h = image.size
    target_ratio = width / height
    if abs(source_w / source_h - target_ratio) < 0.01:
        return image.resize((width, height), PILImage.Resampling.BICUBIC, reducing_gap=2.0)
    crop_horizontally = source_w / source_h > target_ratio
    scale_down = min(1.0, 256 / max(source_w, source_h))
    small = (max(1, round(source_w * scale_down)), max(1, round(source_h * scale_down)))
    energy = (
        image.resize(small, PILImage.Resampling.BOX).convert("L").filter(ImageFilter.FIND_EDGES)
    )
    pw, ph = energy.size
    # Squashing the edge map to one row (or column) sums its energy per column in C.
    if crop_horizontally:
        line = energy.resize((pw, 1), PILImage.Resampling.BOX)
        window = max(1, round(ph * target_ratio))
    else:
        line = energy.resize((1, ph), PILImage.Resampling.BOX)
        window = max(1, round(pw / target_ratio))
    profile = list(line.tobytes())
    start = _best_window(profile, min(window, len(profile)))
    scale = (source_w / pw) if crop_horizontally else (source_h / ph)
    if crop_horizontally:
        crop_w = source_h * target_ratio
        left = min(max(0.0, start * scale), source_w - crop_w)
        box = (left, 0.0, left + crop_w, float(source_h))
    else:
        crop_h = source_w / target_ratio
        top = min(max(0.0, start * scale), source_h - crop_h)
        box = (0.0, top, float(source_w), top + crop_h)
    return image.resize((width, height), PILImage.Resampling.BICUBIC, box=box, reducing_gap=2.0)


def _best_window(profile: list[int], window: int) -> int:
    """Start of the window with the most energy; a window far from the centre must be
    clearly better (by 15% of the best window's energy) to win, and ties go to the
    centre, so a flat picture is cropped in the middle."""
    count = len(profile)
    if window >= count:
        return 0
    totals = [sum(profile[:window])]
    for start in range(1, count - window + 1):
        totals.append(totals[-1] + profile[start + window - 1] - profile[start - 1])
    centre = (count - window) / 2
    best = max(totals)

    def score(start: int) -> tuple[float, float]:
        distance = abs(start - centre)
        return totals[start] - 0.15 * best * distance / max(centre, 1), -distance

    return max(range(len(totals)), key=score)


def contain(image: Image, width: int, height: int) -> Image:
    """``image`` scaled to fit inside the box, keeping its proportions (for logos)."""
    from PIL import Image as PILImage

    scale = min(width / image.width, height / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, PILImage.Resampling.LANCZOS)
