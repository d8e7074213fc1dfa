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


def test_a_medium_is_stored_once_under_its_digest_then_its_own_name(tmp_path: Path) -> None:
    card = Media("2020-02-09-lab-opens-poster.png", "image/png", b"\x89PNG one")
    first = save_media(card, tmp_path)
    again = save_media(card, tmp_path)
    assert first.path == again.path and len(list((tmp_path / "posts").iterdir())) == 1
    assert first.path is not None
    assert first.path.name == f"{card.sha256[:24]}-2020-02-09-lab-opens-poster.png"


def test_new_bytes_under_the_same_name_never_change_a_stored_file(tmp_path: Path) -> None:
    old = save_media(Media("2020-02-09-lab-opens-poster.png", "image/png", b"old"), tmp_path)
    new = save_media(Media("2020-02-09-lab-opens-poster.png", "image/png", b"new"), tmp_path)
    assert old.path != new.path
    assert old.path is not None and old.path.read_bytes() == b"old"


def test_a_name_with_folders_or_odd_characters_stays_inside_the_media_folder(
    tmp_path: Path,
) -> None:
    saved = save_media(Media("../../etc/pass wd?.p/ng", "image/png", b"x"), tmp_path)
    assert saved.path is not None and saved.path.parent == tmp_path / "posts"
