"""``syndicator log`` as a person reads it: times in the service's zone, sorted by
the time shown, lines that fit the terminal, and a precise reason for an empty list."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from syndicator.cli import build_parser
from syndicator.engine import Engine
from syndicator.log_view import columns, fit, print_log
from syndicator.models import DeliveryState
from syndicator.store import deliveries as delivery_store
from tests.engine_helpers import OUTBOX_TARGETS
from tests.platform.scenario import advance, article, open_clocked, queue, rows

SHANGHAI = 'timezone = "Asia/Shanghai"'


def show(engine: Engine, capsys: pytest.CaptureFixture[str], *words: str) -> str:
    args = build_parser(only="log").parse_args(["log", *words])
    assert print_log(engine, args) == 0
    return capsys.readouterr().out


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    opened = open_clocked(tmp_path, OUTBOX_TARGETS, service=SHANGHAI)
    yield opened
    opened.close()


def touch(engine: Engine, delivery_id: int, reason: str) -> None:
    """Change a delivery now (its shown time becomes the clock's)."""
    with engine.store.begin() as connection:
        assert delivery_store.transition(
            connection, delivery_id, to=DeliveryState.HELD, now=engine.clock.now(), reason=reason
        )


def test_times_are_shown_in_the_service_zone_and_the_header_names_it(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    queue(engine, [article(1)])
    out = show(engine, capsys)
    assert out.splitlines()[0].split()[1:3] == ["time", "(Asia/Shanghai)"]
    assert "2026-11-20 10:00" in out  # START is 02:00 UTC
    assert "02:00" not in out


def test_rows_are_sorted_by_the_time_they_show_not_by_id(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    queue(engine, [article(1), article(2)])
    first = rows(engine, "box-a")[0]
    advance(engine, hours=1)
    touch(engine, first.id, "changed an hour later")
    listed = [line.split()[0] for line in show(engine, capsys).splitlines()[1:] if line[0] == "#"]
    assert listed[0] == f"#{first.id}"  # the latest change first, though not the newest id
    assert "2026-11-20 11:00" in show(engine, capsys).splitlines()[1]


def test_every_line_fits_the_terminal_and_a_cut_ends_with_an_ellipsis(
    engine: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    queue(
        engine,
        [article(1, title="A very long headline " * 5), article(2, title="北京理工大学" * 6)],
    )
    lines = show(engine, capsys).splitlines()
    assert all(columns(line) <= 60 for line in lines)
    cut = [line for line in lines if line[:2] != "# " and line.startswith("#")]
    assert cut and all(line.endswith("…") for line in cut)
    assert any("北京" in line and columns(line) in (59, 60) for line in cut)


def test_fit_counts_wide_characters_twice_and_leaves_short_text_alone() -> None:
    assert fit("short", 10) == "short"
    assert fit("北京理工大学", 7) == "北京理…"
    assert columns(fit("北京理工大学", 7)) == 7
    assert fit("abcdefghij", 5) == "abcd…"


def test_an_empty_post_log_says_so(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert show(engine, capsys).startswith("no deliveries yet: the post log is empty")


def test_an_empty_list_says_which_filter_left_nothing(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    queue(engine, [article(1)])
    assert show(engine, capsys, "--target", "nosuch").strip() == (
        "no deliveries for target 'nosuch' (no target has that name; known: box-a, box-b)"
    )
    assert show(engine, capsys, "--held").strip() == "no deliveries held for approval"
    assert show(engine, capsys, "--state", "failed").strip() == "no deliveries in state failed"
    held = show(engine, capsys, "--held", "--target", "box-a").strip()
    assert held == "no deliveries held for approval for target 'box-a'"


def test_a_configured_target_without_deliveries_says_it_has_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    idle = '\n[[targets]]\nname = "idle"\nadapter = "outbox"\npath = "idle"\nenabled = false\n'
    engine = open_clocked(tmp_path, OUTBOX_TARGETS + idle)
    queue(engine, [article(1)])
    assert show(engine, capsys, "--target", "idle").strip() == (
        "no deliveries for target 'idle' (it has none at all)"
    )
    engine.close()


def test_since_and_until_bound_the_time_shown(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    queue(engine, [article(1)])
    advance(engine, hours=3)
    queue(engine, [article(2)])
    recent = show(engine, capsys, "--since", "1h")
    assert "13:00" in recent and "10:00" not in recent
    early = show(engine, capsys, "--until", "2026-11-20 11:00")  # Shanghai time
    assert "10:00" in early and "13:00" not in early
    whole_day = show(engine, capsys, "--until", "2026-11-20")
    assert "10:00" in whole_day and "13:00" in whole_day  # a date: up to its end
    none = show(engine, capsys, "--since", "2026-11-21").strip()
    assert none == "no deliveries since 2026-11-21 00:00 CST"


def test_csv_has_a_header_and_times_with_their_offset(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    queue(engine, [article(1, title='Title, with "quotes"')])
    table = list(csv.DictReader(io.StringIO(show(engine, capsys, "--csv"))))
    assert len(table) == 2
    assert table[0]["time"] == "2026-11-20T10:00:00+08:00"
    assert table[0]["title"] == 'Title, with "quotes"'
    assert {r["target"] for r in table} == {"box-a", "box-b"}
