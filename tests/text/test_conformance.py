"""The platforms' own test data, read at test time from ../shared/conformance/ (see
``tests/conformance_data.py``; skipped where a clone has no such folder).

twitter-text asks implementers to load validate.yml/extract.yml rather than copy
cases into code; Mastodon's and Bluesky's vectors are stored as JSON beside them.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from syndicator.text import bluesky_facets, detect_facets, measure
from syndicator.text.measure import mastodon_length, weighted_length
from syndicator.text.rules import X_V2, X_V3
from syndicator.text.urls import extract_urls
from tests.conformance_data import conformance_dir

TT = conformance_dir("twitter-text")


def _yaml(name: str) -> dict[str, Any]:
    return yaml.safe_load((TT / name).read_text(encoding="utf-8"))["tests"]


def _cases(name: str, *sections: str) -> list[Any]:
    tests = _yaml(name)
    return [
        pytest.param(section, case, id=f"{section}: {case['description']}")
        for section in sections
        for case in tests[section]
    ]


def test_rule_configs_match_twitter_texts_published_configs() -> None:
    for config, path in ((X_V2, "config_v2.json"), (X_V3, "config_v3.json")):
        published = json.loads((TT / path).read_text())
        assert config.scale == published["scale"]
        assert config.default_weight == published["defaultWeight"]
        assert config.url_length == published["transformedURLLength"]
        assert config.max_length == published["maxWeightedTweetLength"]
        assert config.emoji_parsing == published.get("emojiParsingEnabled", False)
        assert [list(r) for r in config.ranges] == [
            [r["start"], r["end"], r["weight"]] for r in published["ranges"]
        ]


@pytest.mark.parametrize(
    ("section", "case"),
    _cases(
        "conformance_validate.yml",
        "WeightedTweetsCounterTest",
        "WeightedTweetsWithDiscountedEmojiCounterTest",
        "UnicodeDirectionalMarkerCounterTest",
    ),
)
def test_weighted_length_equals_twitter_text(section: str, case: dict[str, Any]) -> None:
    config = X_V2 if section == "WeightedTweetsCounterTest" else X_V3
    expected = case["expected"]["weightedLength"]
    assert weighted_length(case["text"], config) == expected
    if config is X_V3:
        assert measure(case["text"], "x") == expected


@pytest.mark.parametrize(
    ("section", "case"),
    _cases(
        "conformance_extract.yml",
        "urls",
        "urls_with_indices",
        "urls_with_directional_markers",
        "tco_urls_with_params",
    ),
)
def test_url_detection_equals_twitter_text_extractor(section: str, case: dict[str, Any]) -> None:
    text = case["text"]
    found = extract_urls(text)
    if section in ("urls_with_indices", "urls_with_directional_markers"):
        got = [{"url": text[u.start : u.end], "indices": [u.start, u.end]} for u in found]
        assert got == case["expected"]
    else:
        assert [u.url for u in found] == case["expected"]


def _build(value: Any) -> str:
    if isinstance(value, str):
        return value
    if "repeat" in value:
        return value["repeat"] * value["times"]
    return "".join(_build(part) for part in value["concat"])


_MASTODON = json.loads((conformance_dir("mastodon") / "status_length.cases.json").read_text())


@pytest.mark.parametrize("case", _MASTODON["cases"], ids=lambda c: c["name"])
def test_mastodon_status_length_validity(case: dict[str, Any]) -> None:
    length = mastodon_length(_build(case["text"]), _build(case["spoiler_text"]))
    assert (length <= _MASTODON["max_chars"]) is case["valid"]
    if not case["spoiler_text"]:
        assert measure(_build(case["text"]), "mastodon") == length


_BSKY = json.loads(
    (conformance_dir("bluesky-atproto") / "rich-text-detection.cases.json").read_text()
)


def _segments(text: str, facets: list[dict[str, Any]]) -> list[list[str]]:
    """Re-cut the text at facet byte offsets, like RichText.segments() upstream."""
    data = text.encode("utf-8")
    out: list[list[str]] = []
    pos = 0
    for facet in sorted(facets, key=lambda f: f["index"]["byteStart"]):
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        if start > pos:
            out.append([data[pos:start].decode()])
        feature = facet["features"][0]
        out.append([data[start:end].decode(), feature.get("uri") or feature.get("did")])
        pos = end
    if pos < len(data) or not out:
        out.append([data[pos:].decode()])
    return out


@pytest.mark.parametrize("case", _BSKY["detect_segments"]["cases"], ids=lambda c: c["text"])
def test_bluesky_link_and_mention_detection(case: dict[str, Any]) -> None:
    # Upstream resolves handles with a mock that answers did:fake:<handle>; so do we.
    facets = detect_facets(case["text"], resolve_handle=lambda h: f"did:fake:{h}")
    facets = [f for f in facets if not f["features"][0]["$type"].endswith("#tag")]
    assert _segments(case["text"], facets) == case["segments"]


@pytest.mark.parametrize("case", _BSKY["detect_tags"]["cases"], ids=lambda c: c["text"])
def test_bluesky_tag_detection(case: dict[str, Any]) -> None:
    tags = [f for f in bluesky_facets(case["text"]) if f["features"][0]["$type"].endswith("#tag")]
    assert [f["features"][0]["tag"] for f in tags] == case["tags"]
    assert [f["index"] for f in tags] == case["byteSlices"]


def test_bluesky_facets_leave_mentions_out_without_a_resolver() -> None:
    facets = bluesky_facets("hi @handle.com see https://example.com #news")
    kinds = [f["features"][0]["$type"] for f in facets]
    assert kinds == ["app.bsky.richtext.facet#link", "app.bsky.richtext.facet#tag"]
