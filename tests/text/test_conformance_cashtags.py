"""Cashtags against @atproto/api's own test vectors (``detect_cashtags`` of
rich-text-detection.test.ts), read at test time from ``<repo>/../shared/conformance/``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from syndicator.text.facets import bluesky_facets
from tests.servers import REPO_ROOT

CASES_FILE = (
    REPO_ROOT.parent
    / "shared"
    / "conformance"
    / "bluesky-atproto"
    / "rich-text-detection.cases.json"
)


def _cases() -> list[dict[str, Any]]:
    if not CASES_FILE.is_file():
        return []
    cases = json.loads(CASES_FILE.read_text(encoding="utf-8")).get("detect_cashtags", {})
    return list(cases.get("cases", []))


CASES = _cases()


@pytest.mark.skipif(
    not CASES, reason=f"no cashtag cases at {CASES_FILE} (shared conformance data absent)"
)
@pytest.mark.parametrize("case", CASES or [{}], ids=lambda c: c.get("text", "none"))
def test_bluesky_cashtag_detection(case: dict[str, Any]) -> None:
    cashtags = [
        f for f in bluesky_facets(case["text"]) if f["features"][0].get("tag", "").startswith("$")
    ]
    assert [f["features"][0]["tag"] for f in cashtags] == case["tags"]
    assert [f["index"] for f in cashtags] == case["byteSlices"]
