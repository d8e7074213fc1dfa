"""Checks on a downloaded lead image before anything decodes its pixels.

A 20 KB PNG can declare 100,000 x 100,000 pixels and take gigabytes to decode.
``Image.open`` reads only the header, so the declared size is checked first and a
decompression bomb is refused with a message, never decoded.
"""

from __future__ import annotations

import io
import warnings

from syndicator.errors import SourceError

__all__ = ["ALLOWED_FORMATS", "image_mime"]

# What every target platform accepts; anything else is not worth carrying around.
ALLOWED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}


def image_mime(data: bytes, *, max_pixels: int, source: str, url: str) -> str:
    """The MIME type of ``data`` when it is an allowed image no larger than
    ``max_pixels``; otherwise a ``SourceError`` that says why."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                kind = image.format or ""
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise SourceError(source or url, f"image {url} is a decompression bomb: {exc}") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise SourceError(source or url, f"image {url} is not a readable image: {exc}") from exc
    if width * height > max_pixels:
        raise SourceError(
            source or url,
            f"image {url} declares {width}x{height} pixels, over the limit of {max_pixels}",
        )
    mime = ALLOWED_FORMATS.get(kind)
    if mime is None:
        raise SourceError(
            source or url,
            f"image {url} is {kind or 'of unknown format'}, "
            f"expected one of {', '.join(sorted(ALLOWED_FORMATS))}",
        )
    return mime
