"""The summary line of a ``syndicator poll`` round. Kept apart from the other views:
a poll with nothing to post must not import SQLAlchemy or the adapters to print it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from syndicator.delivery import DrainSummary
    from syndicator.poll import PollSummary
    from syndicator.store.queue import Planned


def poll_summary_line(
    summary: PollSummary, planned: Planned | None, sent: DrainSummary | None
) -> str:
    """``polled 2 source(s): 1 unchanged, 0 failed; recorded 36 new article(s): 35
    baselined (recorded, not posted), 1 to send; sent 1``: each number says what
    became of the articles, so a baseline never reads as 36 posts planned."""
    line = (
        f"polled {summary.polled + summary.failed} source(s): {summary.not_modified} unchanged, "
        f"{summary.failed} failed; recorded {summary.new_articles} new article(s)"
    )
    if planned is not None:
        parts = [
            f"{planned.baselined} baselined (recorded, not posted)" if planned.baselined else "",
            f"{planned.to_send} delivery(ies) to send" if planned.to_send else "",
            f"{planned.held} held for approval" if planned.held else "",
            f"{planned.skipped} skipped (filters, age, duplicates)" if planned.skipped else "",
        ]
        shown = [part for part in parts if part]
        line += ": " + ", ".join(shown) if shown else ": nothing to post"
    if sent is not None:
        line += f"; sent {sent.sent}, retrying {sent.retried}, failed {sent.failed}"
    else:
        line += "; nothing sent"
    return line
