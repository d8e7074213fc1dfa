"""Languages: the browser's choice is honoured, the switch wins, and every label the
templates show has its Chinese translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from syndicator.web.i18n import ZH_CN, choose_language

TEMPLATES = Path(__file__).parents[2] / "syndicator" / "web" / "templates"


@pytest.mark.parametrize(
    ("header", "chosen", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", None, "zh-CN"),
        ("zh-Hans-CN", None, "zh-CN"),
        ("en-GB,en;q=0.9", None, "en"),
        ("fr-FR, zh;q=0.5", None, "zh-CN"),
        ("de-DE", None, "en"),
        (None, None, "en"),
        ("zh-CN", "en", "en"),
        ("en", "zh-CN", "zh-CN"),
        ("en;q=0.1, zh;q=0.9", None, "zh-CN"),
        ("zh;q=bogus, en", None, "en"),
    ],
)
def test_the_language_follows_the_switch_then_the_browser(
    header: str | None, chosen: str | None, expected: str
) -> None:
    assert choose_language(header, chosen) == expected


def test_every_label_in_the_templates_has_a_chinese_translation() -> None:
    keys = set()
    for template in TEMPLATES.glob("*.html"):
        keys |= set(
            re.findall(r"""\bt\(["']([^"']+)["']\)""", template.read_text(encoding="utf-8"))
        )
    assert keys, "no labels found"
    assert sorted(keys - set(ZH_CN)) == []


def test_messages_the_code_shows_through_the_translator_are_translated() -> None:
    from syndicator.web import actions, app

    shown = set()
    for module in (actions, app):
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        shown |= set(re.findall(r'(?:Refused\(|error=)\s*\n?\s*"([^"]+)"', source))
    assert shown
    assert sorted(shown - set(ZH_CN)) == []
