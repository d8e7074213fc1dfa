"""Reading the post log for people: ``log``, ``why``, and the operator's actions on
single deliveries (retry, approve, reject, resolve)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection

from syndicator.engine import Engine
from syndicator.models import DeliveryState
from syndicator.store import articles as article_store
from syndicator.store import deliveries as store
from syndicator.store.deliveries import DeliveryRow

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
            why = _explanation(row)
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


def _explanation(row: DeliveryRow) -> str:
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


_MOVES = {
    "retry": ((DeliveryState.FAILED, DeliveryState.RETRY), DeliveryState.PENDING),
    "approve": ((DeliveryState.HELD,), DeliveryState.PENDING),
    "reject": ((DeliveryState.HELD,), DeliveryState.REJECTED),
}


def operator_action(engine: Engine, ids: list[int], action: str) -> int:
    """retry: failed or retrying -> pending, due now; approve: held -> pending;
    reject: held -> rejected. A released delivery is told when it goes out (the
    next moment its target's pacing allows).

    An ``unknown`` delivery is not retried: it may already be on the platform, so the
    operator settles it with ``resolve`` after looking. Retrying a delivery that failed
    on refused credentials also lifts that target's credentials pause (the operator has
    fixed them); a pause the platform asked for stays."""
    expect, to = _MOVES[action]
    status = EXIT_OK
    released = False
    try:
        for delivery_id in ids:
            now = engine.clock.now()
            with engine.store.begin() as connection:
                row = store.get(connection, delivery_id)
                if row is None:
                    print(f"#{delivery_id}: no such delivery (see 'syndicator log')")
                    status = max(status, EXIT_USAGE)
                    continue
                done = _move(connection, row, action, to, expect, now)
                when = _when_sent(engine, connection, row.target, now) if done else ""
            if done:
                released = released or to is DeliveryState.PENDING
                print(f"#{delivery_id}: {row.state.value} -> {to.value}{when}")
            else:
                print(f"#{delivery_id}: {_refusal(row, action, expect)}")
                status = max(status, EXIT_FAILURE)
        if released and not engine.store.run_lock().holder()[0]:
            print(
                "no service is running on this store: 'syndicator run' or 'syndicator poll' sends it"
            )
        return status
    finally:
        engine.close()


def _move(
    connection: Connection,
    row: DeliveryRow,
    action: str,
    to: DeliveryState,
    expect: tuple[DeliveryState, ...],
    now: datetime,
) -> bool:
    extra: dict[str, object] = {"due_at": now} if to is DeliveryState.PENDING else {}
    if action == "retry":
        extra["attempts"] = 0
        if row.state in expect:
            _lift_credentials_pause(connection, row.target, now)
    return store.transition(
        connection,
        row.id,
        to=to,
        now=now,
        expect=expect,
        event=f"{action} by operator",
        reason=f"{action} by operator",
        **extra,
    )


def _when_sent(engine: Engine, connection: Connection, target: str, now: datetime) -> str:
    """``; goes out at T (why)`` for a delivery just made due."""
    from zoneinfo import ZoneInfo

    from syndicator.outlook import next_send_at

    bound = engine.targets.get(target)
    if bound is None or not bound.config.enabled:
        return f"; target {target!r} is not configured or disabled, so it is not sent"
    moment, reasons = next_send_at(engine, connection, bound, now, due_at=now)
    if moment is None or moment <= now:
        return "; goes out now"
    zone = engine.config.service.timezone
    local = moment.astimezone(ZoneInfo(zone))
    return f"; goes out at {local:%Y-%m-%d %H:%M:%S %Z} ({'; then '.join(reasons)})"


def _refusal(row: DeliveryRow, action: str, expect: tuple[DeliveryState, ...]) -> str:
    allowed = " or ".join(s.value for s in expect)
    hint = (
        f" (settle it with 'syndicator resolve {row.id} --sent URL' or '--not-sent')"
        if row.state is DeliveryState.UNKNOWN
        else ""
    )
    return f"is {row.state.value}; {action} needs {allowed}{hint}"


def _lift_credentials_pause(connection: Connection, target: str, now: datetime) -> None:
    from syndicator.store import pauses

    current = pauses.paused(connection, target, now=now)
    if current is not None and current[1].startswith("credentials refused"):
        pauses.clear(connection, target)


def resolve_unknown(engine: Engine, delivery_id: int, *, sent_url: str | None) -> int:
    """The operator checked the platform: mark an ``unknown`` delivery sent or resend it."""
    try:
        now = engine.clock.now()
        with engine.store.begin() as connection:
            if store.get(connection, delivery_id) is None:
                print(f"#{delivery_id}: no such delivery (see 'syndicator log')")
                return EXIT_USAGE
            if sent_url:
                done = store.transition(
                    connection,
                    delivery_id,
                    to=DeliveryState.SENT,
                    now=now,
                    expect=(DeliveryState.UNKNOWN,),
                    sent_at=now,
                    remote_url=sent_url,
                    event="resolved by operator: was sent",
                    reason="",
                )
            else:
                done = store.transition(
                    connection,
                    delivery_id,
                    to=DeliveryState.PENDING,
                    now=now,
                    expect=(DeliveryState.UNKNOWN,),
                    due_at=now,
                    event="resolved by operator: not sent",
                    reason="resolved by operator: resend",
                )
        if not done:
            print(f"#{delivery_id}: not in state unknown; nothing changed")
            return EXIT_FAILURE
        print(f"#{delivery_id}: {'sent' if sent_url else 'queued again'}")
        return EXIT_OK
    finally:
        engine.close()
