"""Reading the post log for people: ``log``, ``why``, and the operator's actions on
single deliveries (retry, approve, reject, resolve)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from syndicator.engine import Engine
from syndicator.models import DeliveryState
from syndicator.store import articles as article_store
from syndicator.store import deliveries as store
from syndicator.store.deliveries import DeliveryRow

if TYPE_CHECKING:
    from syndicator.operator import Outcome

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def print_why(engine: Engine, url: str, *, as_json: bool = False) -> int:
    """Per target: what happened to the article and why, from the post log alone."""
    with engine.store.begin() as connection:
        article_id = article_store.find_article_id(connection, url)
        if article_id is None:
            print(f"{url}: not in the post log (never seen by a poll or a 'post')")
            return EXIT_FAILURE
        article = article_store.load_article(connection, article_id)
        rows = store.for_article(connection, article_id)
        history = {row.id: store.events_for(connection, row.id) for row in rows}
    report: list[dict[str, object]] = []
    for name in sorted({*engine.targets, *(r.target for r in rows)}):
        mine = [r for r in rows if r.target == name]
        if not mine:
            bound = engine.targets.get(name)
            # The same rule planning uses (Config.targets_for): None means every source.
            chosen = bound.config.sources if bound is not None else []
            wanted = article is not None and (chosen is None or article.source in chosen)
            why = (
                "no delivery: the target was added after this article was recorded"
                if wanted
                else "no delivery: the target does not take this article's source"
            )
            report.append({"target": name, "state": None, "why": why, "events": []})
            continue
        for row in mine:
            why = explanation(row)
            events = [
                {"at": at.isoformat(), "kind": kind, "detail": detail}
                for at, kind, detail in history[row.id]
            ]
            report.append(
                {
                    "target": name,
                    "delivery": row.id,
                    "state": row.state.value,
                    "why": why,
                    "events": events,
                }
            )
    if as_json:
        print(
            json.dumps(
                {"article": url, "title": article.title if article else "", "targets": report},
                ensure_ascii=False,
                indent=2,
            )
        )
        return EXIT_OK
    print(f"{article.title if article else url}\n{url}")
    for item in report:
        state = item["state"] or "-"
        label = f"#{item['delivery']}" if "delivery" in item else ""
        print(f"  {item['target']:<16} {state:<8} {label:<6} {item['why']}")
    return EXIT_OK


def explanation(row: DeliveryRow) -> str:
    """One line a person can act on; the reasons themselves are written by the
    pipeline (skips, holds) and the delivery loop (waits, errors) when they decide."""
    if row.state is DeliveryState.SENT:
        return f"sent {row.sent_at:%Y-%m-%d %H:%M} UTC: {row.remote_url or row.remote_id}"
    if row.state is DeliveryState.FAILED:
        return f"failed after {row.attempts} attempt(s): {row.error}; {row.reason}"
    if row.state in (DeliveryState.PENDING, DeliveryState.RETRY):
        due = f"due {row.due_at:%Y-%m-%d %H:%M:%S} UTC" if row.due_at else "due"
        extra = f"; last error: {row.error}" if row.error else ""
        return f"{row.reason or due}{extra}"
    if row.state is DeliveryState.SENDING:
        return f"being sent (attempt {row.attempts})"
    return row.reason or row.error or row.state.value


def operator_action(engine: Engine, ids: list[int], action: str) -> int:
    """``retry``, ``approve`` or ``reject`` from the command line: ``syndicator.operator``
    decides, this prints what it did (and that nothing sends it if no service runs)."""
    from syndicator.operator import act

    try:
        outcomes = [act(engine, delivery_id, action, by="operator") for delivery_id in ids]
        running = engine.store.run_lock().holder()[0]
    finally:
        engine.close()
    for outcome in outcomes:
        print(outcome.message)
    if any(o.released for o in outcomes) and not running:
        print("no service is running on this store: 'syndicator run' or 'syndicator poll' sends it")
    return _status(outcomes)


def resolve_unknown(engine: Engine, delivery_id: int, *, sent_url: str | None) -> int:
    """The operator checked the platform: mark an ``unknown`` delivery sent or resend it."""
    from syndicator.operator import resolve

    try:
        outcome = resolve(engine, delivery_id, sent_url=sent_url, by="operator")
    finally:
        engine.close()
    print(outcome.message)
    return _status([outcome])


def _status(outcomes: list[Outcome]) -> int:
    if any(not o.found for o in outcomes):
        return EXIT_USAGE
    return EXIT_OK if all(o.ok for o in outcomes) else EXIT_FAILURE
