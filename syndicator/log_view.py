"""``syndicator log``: the post log as a person reads it.

Times are shown in the service's time zone and the header names it; rows are sorted
by the time shown (sent, else last changed); each line fits the terminal (``COLUMNS``,
else 100 columns; a CJK character takes two) and a cut ends with an ellipsis. When
nothing is listed the reason is said precisely: an empty post log, no delivery for
that target, none held, none in that window.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from syndicator.durations import parse_duration
from syndicator.engine import Engine
from syndicator.models import DeliveryState
from syndicator.store import deliveries as store
from syndicator.store.deliveries import DeliveryRow

EXIT_OK = 0
ELLIPSIS = "…"
DEFAULT_WIDTH = 100
_INDENT = " " * 7


@dataclass(frozen=True)
class LogQuery:
    """What ``syndicator log`` was asked for, its times read in the service's zone."""

    zone: ZoneInfo
    target: str | None
    states: list[DeliveryState]
    since: datetime | None
    until: datetime | None
    limit: int

    @classmethod
    def of(cls, args: argparse.Namespace, zone: ZoneInfo, now: datetime) -> LogQuery:
        states = [DeliveryState(s) for s in (args.state or [])]
        if args.held:
            states.append(DeliveryState.HELD)
        since = parse_moment(args.since, zone, now=now) if args.since else None
        until = parse_moment(args.until, zone, now=now, end_of_day=True) if args.until else None
        return cls(zone, args.target, states, since, until, args.limit)


def print_log(engine: Engine, args: argparse.Namespace) -> int:
    zone_name = engine.config.service.timezone
    query = LogQuery.of(args, ZoneInfo(zone_name), engine.clock.now())
    with engine.store.read() as connection:
        rows = store.listing(
            connection,
            target=query.target,
            states=query.states or None,
            since=query.since,
            until=query.until,
            limit=query.limit,
        )
        empty = "" if rows else _nothing_listed(connection, engine, query)
    if args.json:
        print(json.dumps([_with_media(r) for r in rows], ensure_ascii=False, indent=2))
    elif args.csv:
        _print_csv(rows, query.zone)
    elif empty:
        print(empty)
    else:
        _print_table(rows, query.zone, zone_name, show_text=args.held)
    return EXIT_OK


def parse_moment(text: str, zone: ZoneInfo, *, now: datetime, end_of_day: bool = False) -> datetime:
    """``2h`` (that long ago), ``2026-05-01`` or ``2026-05-01 14:30`` (in ``zone``).
    A bare date as an upper bound means the end of that day."""
    try:
        return now - parse_duration(text)
    except ValueError:
        pass
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if end_of_day and len(text.strip()) == 10:
        moment += timedelta(days=1)
    return moment


def _print_table(
    rows: list[DeliveryRow], zone: ZoneInfo, zone_name: str, *, show_text: bool
) -> None:
    width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    target_width = min(20, max(6, *(columns(r.target) for r in rows)))
    time_label = f"time ({zone_name})"
    time_width = max(16, len(time_label))
    header = f"{'#':<6} {time_label:<{time_width}} {'state':<8} {'target':<{target_width}} title"
    print(fit(header, width))
    for row in rows:
        when = row.shown_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        target = pad(fit(row.target, target_width), target_width)
        line = (
            f"#{row.id:<5} {when:<{time_width}} {row.state.value:<8} {target} {row.article_title}"
        )
        print(fit(line, width))
        where = row.remote_url or row.error or row.reason
        if where:
            print(fit(_INDENT + where, width))
        for media in _media_paths(row):
            print(fit(f"{_INDENT}file: {media}", width))
        if show_text and row.text:
            for text_line in row.text.splitlines():
                print(fit(f"{_INDENT}│ {text_line}", width))


def _print_csv(rows: list[DeliveryRow], zone: ZoneInfo) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow(
        ["id", "time", "state", "target", "title", "article_url", "remote_url", "reason", "error"]
    )
    for row in rows:
        writer.writerow(
            [
                row.id,
                row.shown_at.astimezone(zone).isoformat(timespec="seconds"),
                row.state.value,
                row.target,
                row.article_title,
                row.article_url,
                row.remote_url or "",
                row.reason,
                row.error or "",
            ]
        )


def _nothing_listed(connection: Connection, engine: Engine, query: LogQuery) -> str:
    """Why the list is empty, as precisely as the filters allow."""
    if not store.exists(connection):
        return (
            "no deliveries yet: the post log is empty (a source's first poll only records "
            "what is there; 'syndicator status' shows when each source is polled next)"
        )
    parts = []
    if query.states == [DeliveryState.HELD]:
        parts.append("held for approval")
    elif query.states:
        parts.append("in state " + " or ".join(dict.fromkeys(s.value for s in query.states)))
    if query.target is not None:
        parts.append(f"for target {query.target!r}")
        if not store.exists(connection, target=query.target):
            known = ", ".join(engine.targets) or "none"
            configured = query.target in engine.targets
            parts.append(
                "(it has none at all)"
                if configured
                else f"(no target has that name; known: {known})"
            )
    if query.since is not None:
        parts.append(f"since {query.since.astimezone(query.zone):%Y-%m-%d %H:%M %Z}")
    if query.until is not None:
        parts.append(f"before {query.until.astimezone(query.zone):%Y-%m-%d %H:%M %Z}")
    return "no deliveries " + " ".join(parts)


def columns(text: str) -> int:
    """Terminal columns ``text`` takes: wide and full-width characters take two,
    combining marks none."""
    return sum(_char_columns(ch) for ch in text)


def _char_columns(ch: str) -> int:
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufe0f":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, ending with an ellipsis when cut."""
    text = " ".join(text.split()) if "\n" in text or "\t" in text else text
    if columns(text) <= width:
        return text
    kept, used = [], 0
    for ch in text:
        size = _char_columns(ch)
        if used + size > width - 1:
            break
        kept.append(ch)
        used += size
    return "".join(kept).rstrip() + ELLIPSIS


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - columns(text))


def _media_paths(row: DeliveryRow) -> list[str]:
    try:
        post = json.loads(row.post)
    except ValueError:
        return []
    return [m["path"] for m in post.get("media", []) if m.get("path")]


def _with_media(row: DeliveryRow) -> dict[str, object]:
    data = row.as_dict()
    data["media"] = _media_paths(row)
    return data
