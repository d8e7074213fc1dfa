"""Card templates: built-ins load, user files are checked key by key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from syndicator_adapters.wechat.templates import BUILTIN, load_template

from syndicator.errors import ConfigError


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_templates_load(name):
    template = load_template(name)
    assert template.name == name
    assert {b.kind for b in template.boxes} <= {"text", "image", "rect", "qrcode"}


def test_builtin_sizes():
    assert (load_template("square").width, load_template("square").height) == (1080, 1080)
    assert (load_template("story").width, load_template("story").height) == (1080, 1920)
    assert (load_template("poster").width, load_template("poster").height) == (1080, None)
    assert (load_template("cover").width, load_template("cover").height) == (900, 383)


def test_template_mistakes_name_the_file_and_key(tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text(
        'width = 1080\ncolour = "red"\n'
        '[[box]]\nname = "t"\nkind = "text"\ntext = "{headline}"\ny = 0\nw = 500\nfont_sise = 3\n'
        '[[box]]\nname = "q"\nkind = "qrcode"\nbelow = "nothing"\nw = 200\ncolor = "blue"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as raised:
        load_template(str(path))
    problems = "\n".join(raised.value.problems)
    assert str(path) in problems
    assert "unknown key 'colour'" in problems
    assert "box[0]: unknown key 'font_sise'" in problems
    assert "unknown placeholder {headline}" in problems
    assert "refers to 'nothing'" in problems
    assert "box[1].color" in problems


def test_json_template_relative_to_the_config_folder(tmp_path: Path):
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "min.json").write_text(
        json.dumps(
            {
                "width": 400,
                "height": 400,
                "box": [{"name": "r", "kind": "rect", "y": 0, "w": 400, "h": 10}],
            }
        )
    )
    template = load_template("cards/min.json", base_dir=tmp_path)
    assert template.width == 400 and template.boxes[0].name == "r"


def test_unknown_layout_name_is_explained(tmp_path: Path):
    with pytest.raises(ConfigError, match="built-in layout"):
        load_template("landscape", base_dir=tmp_path)
    with pytest.raises(ConfigError, match="does not exist"):
        load_template("missing.toml", base_dir=tmp_path)
