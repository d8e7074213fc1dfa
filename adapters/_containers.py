"""The two-step container flow of Instagram and Threads: create a container from a
public media URL, wait (bounded) until it leaves IN_PROGRESS, publish it, and keep its
id per delivery so that a retry or a recovery after a crash never publishes twice.

Sources: the IG Container reference (``status_code`` EXPIRED, ERROR, FINISHED,
IN_PROGRESS, PUBLISHED; an unpublished container expires after 24 hours), Threads'
container ``status`` with the same values, and the publishing-limit endpoints
(``content_publishing_limit``, ``threads_publishing_limit``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from syndicator.adapter import SharedCache
from syndicator.errors import Rejected, Transient
from syndicator.secrets import redact


def wait_for_container(
    read_status: Callable[[], tuple[str, str]],
    *,
    platform: str,
    attempts: int,
    first_delay: float,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Poll a container until it leaves IN_PROGRESS, doubling the delay from
    ``first_delay`` (at most ``attempts`` reads). Returns FINISHED, EXPIRED or
    PUBLISHED; raises ``Rejected`` for ERROR and ``Transient`` when still in progress
    after the last read (the next attempt picks the same container up)."""
    delay = first_delay
    for attempt in range(attempts):
        status, message = read_status()
        if status in ("FINISHED", "EXPIRED", "PUBLISHED"):
            return status
        if status == "ERROR":
            raise Rejected(
                f"{platform}: the media container failed: {redact(message) or 'no reason given'}"
            )
        if attempt < attempts - 1:
            sleep(delay)
            delay = min(delay * 2, 60.0)
    raise Transient(
        f"{platform}: the media container was still in progress after {attempts} checks"
    )


def container_key(platform: str, key: str) -> str:
    """The shared-cache key under which a delivery's container id is kept, so that a
    retry reuses the container (and sees it PUBLISHED) rather than creating another."""
    return f"{platform}-container:{key}"


#: How long a delivery's container id is remembered. The platform lets an unpublished
#: container expire after 24 hours; the record is kept a week so that a recovery after
#: a long outage still knows whether the delivery got as far as a container.
CONTAINER_TTL = 7 * 24 * 3600.0


def run_container_flow(
    *,
    cache: SharedCache,
    key: str,
    platform: str,
    status: Callable[[str], str],
    check_quota: Callable[[], None],
    create: Callable[[], str],
    wait: Callable[[str], str],
    publish: Callable[[str], str],
) -> tuple[str, bool]:
    """Create (or reuse), wait for and publish one delivery's container; return the
    published id and whether an earlier attempt had already published it.

    The container id is kept under the delivery's key, so a retry after a lost
    answer or a crash asks the same container: PUBLISHED means sent, IN_PROGRESS or
    FINISHED is waited for and published, EXPIRED (or a failed one) is made anew."""
    cached = container_key(platform, key)
    container = cache.get(cached)
    state = status(container) if container else None
    if container and state == "PUBLISHED":
        return container, True
    check_quota()
    for _ in range(2):  # a container that expires while waiting is made once more
        if container is None or state in (None, "EXPIRED", "ERROR"):
            container = create()
            cache.put(cached, container, ttl_seconds=CONTAINER_TTL)
        state = wait(container)
        if state != "EXPIRED":
            break
    assert container is not None
    if state == "PUBLISHED":
        return container, True
    if state != "FINISHED":
        raise Transient(f"{platform}: the media container expired twice; trying again later")
    try:
        return publish(container), False
    except Transient:
        if status(container) == "PUBLISHED":  # the answer was lost, not the post
            return container, True
        raise


def published_container(
    cache: SharedCache, key: str, *, platform: str, status: Callable[[str], str]
) -> str | None:
    """For ``find_existing``: the delivery's container id when the platform says it is
    PUBLISHED, else ``None``. Every publish goes through a container recorded under the
    delivery's key before it is published, so no record (or one not published) means
    no post: a resend reuses or remakes the container and publishes it once."""
    container = cache.get(container_key(platform, key))
    if container is None:
        return None
    return container if status(container) == "PUBLISHED" else None


def publishing_quota(answer: Mapping[str, Any]) -> tuple[int, int] | None:
    """``(used, total)`` from a ``content_publishing_limit`` or
    ``threads_publishing_limit`` answer, or ``None`` when it does not say."""
    rows = answer.get("data")
    row = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else {}
    config = row.get("config")
    used = row.get("quota_usage")
    total = config.get("quota_total") if isinstance(config, dict) else None
    if isinstance(used, int) and isinstance(total, int):
        return used, total
    return None
