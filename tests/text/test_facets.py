"""Bluesky facets as @atproto/api 0.21 detects them (pinned cases; the differential
test compares with the client itself): JavaScript's whitespace, the npm ``tlds`` list
compared case-sensitively, ASCII digits in tags, the 64-grapheme tag limit, cashtags."""

from __future__ import annotations

import pytest

from syndicator.text.facets import bluesky_facets, detect_facets


def _values(text: str) -> list[str]:
    return [
        f["features"][0].get("uri") or f["features"][0].get("tag") for f in bluesky_facets(text)
    ]


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("go\ufeffbsky.app now", ["https://bsky.app"]),  # U+FEFF is JavaScript whitespace
        ("go\u0085bsky.app now", []),  # U+0085 is not
        ("see bsky.APP", []),  # TLDs compare case-sensitively
        ("bsky.onion x.amazon y.an", ["https://x.amazon"]),  # the npm tlds list
        ("HTTP://bsky.app", []),  # the client checks for "http" case-sensitively
        ("（https://bsky.app/a)", []),  # "(" may precede a link, "（" may not
        ("(https://bsky.app/a)", ["https://bsky.app/a"]),
        ("#١٢٣ #123 #a1", ["١٢٣", "a1"]),  # only ASCII digits make a tag all-numeric
        ("#" + "e\u0301" * 64, ["e\u0301" * 64]),  # 128 UTF-16 units, 64 graphemes
        ("#" + "e\u0301" * 65, []),
        ("$AAPL $aapl. ($brk) $TOOLONG $A1B2C3", ["$AAPL", "$AAPL", "$BRK"]),
    ],
)
def test_facets_follow_the_reference_client(text: str, values: list[str]) -> None:
    assert _values(text) == values


def test_facet_offsets_are_utf8_bytes_sorted_by_start() -> None:
    text = "日本 $BIT #新闻 bsky.app"
    facets = detect_facets(text)
    starts = [f["index"]["byteStart"] for f in facets]
    assert starts == sorted(starts)
    for facet in facets:
        index = facet["index"]
        piece = text.encode("utf-8")[index["byteStart"] : index["byteEnd"]].decode("utf-8")
        assert piece in {"$BIT", "#新闻", "bsky.app"}


def test_mentions_only_with_a_resolver() -> None:
    text = "hi @alice.bsky.social and @bob.test"
    assert bluesky_facets(text) == []
    dids = [
        f["features"][0]["did"]
        for f in detect_facets(text, resolve_handle=lambda handle: "did:plc:" + handle[:3])
    ]
    assert dids == ["did:plc:ali", "did:plc:bob"]
