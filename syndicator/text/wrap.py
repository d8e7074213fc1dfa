"""UAX #14 line-break units, for renderers that wrap CJK and Latin text themselves."""

from __future__ import annotations

__all__ = ["wrap_units"]


def wrap_units(text: str) -> list[str]:
    """Pieces between line-break opportunities: a renderer may break a line only
    between two units. Latin words stay whole, and closing CJK punctuation ("，" "。")
    stays attached to the character before it, so no line starts with it."""
    if not text:
        return []
    from uniseg.linebreak import line_break_units  # imported on first use

    return list(line_break_units(text))
