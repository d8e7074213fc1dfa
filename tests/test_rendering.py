"""The media folder: each medium stored once, under the name its adapter gave it."""

from __future__ import annotations

from pathlib import Path

from syndicator.models import Media
from syndicator.rendering import save_media


def test_a_medium_is_stored_once_under_its_own_name(tmp_path: Path) -> None:
    card = Media("2020-02-09-lab-opens-poster.png", "image/png", b"\x89PNG one")
    first = save_media(card, tmp_path)
    assert first.path == tmp_path / "posts" / "2020-02-09-lab-opens-poster.png"
    again = save_media(card, tmp_path)
    assert again.path == first.path and len(list((tmp_path / "posts").iterdir())) == 1


def test_new_bytes_under_a_name_already_taken_never_change_the_stored_file(tmp_path: Path) -> None:
    """An edited article's new card gets its own file: the post log's path for the old
    card still opens the old card."""
    old = save_media(Media("2020-02-09-lab-opens-poster.png", "image/png", b"old"), tmp_path)
    new = save_media(Media("2020-02-09-lab-opens-poster.png", "image/png", b"new"), tmp_path)
    assert new.path != old.path and new.path.name.startswith("2020-02-09-lab-opens-poster-")
    assert old.path.read_bytes() == b"old" and new.path.read_bytes() == b"new"


def test_a_name_with_folders_or_odd_characters_stays_inside_the_media_folder(
    tmp_path: Path,
) -> None:
    saved = save_media(Media("../../etc/pass wd?.png", "image/png", b"x"), tmp_path)
    assert saved.path.parent == tmp_path / "posts" and saved.path.name == "pass-wd.png"
