"""What a person may do to one delivery, whoever asks: the CLI, the dashboard.

Each action is a guarded state change in the post log (``retry``: failed or retrying
-> pending now; ``approve``: held -> pending now; ``reject``: held -> rejected;
``resolve``: unknown -> sent or pending), an edit of a held delivery's text that is
measured again by the platform's rule, or a note for the team. Every change is an
event in the delivery's history that names who made it. The running service picks
the change up within ``[service] drain_every`` and sends what became due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from syndicator.engine import Engine
from syndicator.models import DeliveryState
from syndicator.store import deliveries as store
from syndicator.store import pauses
from syndicator.store.codec import post_from_json

__all__ = ["Outcome", "act", "add_note", "edit_text", "resolve"]

_MOVES: dict[str, tuple[tuple[DeliveryState, ...], DeliveryState]] = {
    "retry": ((DeliveryState.FAILED, DeliveryState.RETRY), DeliveryState.PENDING),
    "approve": ((DeliveryState.HELD,), DeliveryState.PENDING),
    "reject": ((DeliveryState.HELD,), DeliveryState.REJECTED),
}


@dataclass(frozen=True)
class Outcome:
    """What an action did to one delivery, in words a person can act on. ``found``
    is False when there is no such delivery (a usage mistake, not a refusal)."""

    delivery_id: int
    ok: bool
    message: str
    found: bool = True
    released: bool = False  # made due: the service (or a poll) will send it


def act(engine: Engine, delivery_id: int, action: str, *, by: str) -> Outcome:
    """``retry``, ``approve`` or ``reject`` one delivery, as ``by``. A released
    delivery is told when it goes out (the next moment its target's pacing allows).

    An ``unknown`` delivery is not retried: it may already be on the platform, so the
    operator settles it with ``resolve`` after looking. Retrying a delivery that failed
    on refused credentials also lifts that target's credentials pause (the operator has
    fixed them); a pause the platform asked for stays."""
    expect, to = _MOVES[action]
    now = engine.clock.now()
    with engine.store.begin() as connection:
        row = store.get(connection, delivery_id)
        if row is None:
            return Outcome(
                delivery_id,
                False,
                f"#{delivery_id}: no such delivery (see 'syndicator log')",
                False,
            )
        extra: dict[str, object] = {"due_at": now} if to is DeliveryState.PENDING else {}
        if action == "retry":
            extra["attempts"] = 0
            if row.state in expect:
                _lift_credentials_pause(connection, row.target, now)
        done = store.transition(
            connection,
            delivery_id,
            to=to,
            now=now,
            expect=expect,
            event=f"{action} by {by}",
            reason=f"{action} by {by}",
            **extra,
        )
        when = _when_sent(engine, connection, row.target, now) if done else ""
    if done:
        message = f"#{delivery_id}: {row.state.value} -> {to.value}{when}"
        return Outcome(delivery_id, True, message, released=to is DeliveryState.PENDING)
    allowed = " or ".join(s.value for s in expect)
    hint = (
        f" (settle it with 'syndicator resolve {delivery_id} --sent URL' or '--not-sent')"
        if row.state is DeliveryState.UNKNOWN
        else ""
    )
    return Outcome(
        delivery_id, False, f"#{delivery_id}: is {row.state.value}; {action} needs {allowed}{hint}"
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
    local = moment.astimezone(ZoneInfo(engine.config.service.timezone))
    return f"; goes out at {local:%Y-%m-%d %H:%M:%S %Z} ({'; then '.join(reasons)})"


def _lift_credentials_pause(connection: Connection, target: str, now: datetime) -> None:
    """Retrying after refused credentials means they were fixed: lift that pause.
    A pause the platform asked for (a rate limit) stays."""
    current = pauses.paused(connection, target, now=now)
    if current is not None and current[1].startswith("credentials refused"):
        pauses.clear(connection, target)


def resolve(engine: Engine, delivery_id: int, *, sent_url: str | None, by: str) -> Outcome:
    """The operator looked on the platform: an ``unknown`` delivery was sent (at
    ``sent_url``) or was not (it is queued again)."""
    now = engine.clock.now()
    with engine.store.begin() as connection:
        if store.get(connection, delivery_id) is None:
            return Outcome(
                delivery_id,
                False,
                f"#{delivery_id}: no such delivery (see 'syndicator log')",
                False,
            )
        if sent_url:
            done = store.transition(
                connection,
                delivery_id,
                to=DeliveryState.SENT,
                now=now,
                expect=(DeliveryState.UNKNOWN,),
                sent_at=now,
                remote_url=sent_url,
                event=f"resolved by {by}: was sent",
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
                event=f"resolved by {by}: not sent",
                reason=f"resolved by {by}: resend",
            )
    if not done:
        return Outcome(delivery_id, False, f"#{delivery_id}: not in state unknown; nothing changed")
    return Outcome(delivery_id, True, f"#{delivery_id}: {'sent' if sent_url else 'queued again'}")


def edit_text(engine: Engine, delivery_id: int, text: str, *, by: str) -> Outcome:
    """Replace a held (or not yet sent) delivery's text, measured again by its
    platform's rule: an edit that no longer fits is refused and nothing changes."""
    now = engine.clock.now()
    with engine.store.begin() as connection:
        row = store.get(connection, delivery_id)
        if row is None:
            return Outcome(delivery_id, False, f"#{delivery_id}: no such delivery")
        bound = engine.targets.get(row.target)
        if bound is None:
            return Outcome(delivery_id, False, f"#{delivery_id}: target {row.target!r} is gone")
        post = post_from_json(row.post)
        edited = bound.adapter.with_text(post, text.replace("\r\n", "\n").strip())
        if edited.length > edited.limit:
            return Outcome(
                delivery_id,
                False,
                f"#{delivery_id}: the text is {edited.length} long by rule {post.rule!r}, "
                f"over the limit of {post.limit}; nothing was changed",
            )
        event = f"text edited by {by}"
        if not store.replace_post(connection, delivery_id, edited, now=now, event=event):
            return Outcome(
                delivery_id, False, f"#{delivery_id}: is {row.state.value}; too late to edit"
            )
    return Outcome(delivery_id, True, f"#{delivery_id}: text saved ({edited.length}/{post.limit})")


def add_note(engine: Engine, delivery_id: int, note: str, *, by: str) -> Outcome:
    """A note for the team on a delivery, kept in its history (never sent anywhere)."""
    note = " ".join(note.split())
    if not note:
        return Outcome(delivery_id, False, "an empty note was not saved")
    with engine.store.begin() as connection:
        if store.get(connection, delivery_id) is None:
            return Outcome(delivery_id, False, f"#{delivery_id}: no such delivery")
        store.add_event(connection, delivery_id, "note", f"{by}: {note}", now=engine.clock.now())
    return Outcome(delivery_id, True, f"#{delivery_id}: note saved")
