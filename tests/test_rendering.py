"""What rendering writes to the media folder is readable by its owner only: cards of
posts held for approval are not public yet."""

from __future__ import annotations

from pathlib import Path

from syndicator.models import Media
from syndicator.rendering import save_media


def test_media_files_are_written_0600_in_folders_0700(tmp_path: Path) -> None:
    media_dir = tmp_path / "media"
    saved = save_media(Media("card.png", "image/png", b"\x89PNG not really"), media_dir)
    assert saved.path is not None and saved.path.read_bytes() == b"\x89PNG not really"
    assert saved.path.stat().st_mode & 0o777 == 0o600
    assert saved.path.parent.stat().st_mode & 0o777 == 0o700
