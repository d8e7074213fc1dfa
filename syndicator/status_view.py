"""``syndicator status``: printing what ``outlook.status`` found. Times are shown in
the service's time zone, named in the headings; ``--json`` gives them in UTC."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

from syndicator.log_view import DEFAULT_WIDTH, fit
from syndicator.outlook import SourceStatus, Status, TargetStatus, WorkerStatus

EXIT_OK = 0


def print_status(report: Status, *, as_json: bool) -> int:
    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    zone = ZoneInfo(report.timezone)
    service = report.service
    if report.workers:
        print(f"service: {len(report.workers)} worker(s) running on this store")
    elif service.running:
        pid = f" (pid {service.pid})" if service.pid else ""
        print(f"service: running on this store{pid}")
    else:
        print("service: not running on this store ('syndicator run' starts it)")
    if report.workers:
        print(f"\nworkers ({len(report.workers)}; times in {report.timezone}):")
        for worker in report.workers:
            for line in _worker_lines(worker, zone):
                print(fit(line, width))
    print(f"\nsources ({len(report.sources)}; times in {report.timezone}):")
    for source in report.sources:
        for line in _source_lines(source, report.now, zone):
            print(fit(line, width))
    print(f"\ntargets ({len(report.targets)}):")
    for target in report.targets:
        for line in _target_lines(target, report.now, zone):
            print(fit(line, width))
    return EXIT_OK


def _worker_lines(worker: WorkerStatus, zone: ZoneInfo) -> list[str]:
    def shown(items: list[str]) -> str:
        return ", ".join(items[:5]) + (f" and {len(items) - 5} more" if len(items) > 5 else "")

    lines = [
        f"  {worker.host} pid {worker.pid}: started "
        f"{worker.started.astimezone(zone):%Y-%m-%d %H:%M:%S}, heartbeat "
        f"{worker.heartbeat.astimezone(zone):%H:%M:%S}"
    ]
    if worker.sources:
        lines.append(f"      polling {len(worker.sources)}: {shown(worker.sources)}")
    if worker.deliveries:
        lines.append(
            f"      sending {len(worker.deliveries)}: "
            + shown([f"#{n}" for n in worker.deliveries])
        )
    return lines


def _when(moment: datetime | None, now: datetime, zone: ZoneInfo, *, never: str) -> str:
    if moment is None:
        return never
    if moment <= now:
        return "now"
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M:%S}"


def _source_lines(source: SourceStatus, now: datetime, zone: ZoneInfo) -> list[str]:
    if not source.enabled:
        return [f"  {source.name}: disabled"]
    last = "never"
    if source.last_poll is not None:
        last = f"{source.last_poll.astimezone(zone):%Y-%m-%d %H:%M:%S}"
    lines = [
        f"  {source.name}: last poll {last}, next "
        f"{_when(source.next_poll, now, zone, never='now (never polled)')}"
        + (f", {source.failures} failure(s) in a row" if source.failures else "")
    ]
    lines.append(f"      {source.url}")
    if source.last_error and source.failures:
        lines.append(f"      last error: {source.last_error}")
    return lines


def _target_lines(target: TargetStatus, now: datetime, zone: ZoneInfo) -> list[str]:
    if not target.enabled:
        return [f"  {target.name}: disabled"]
    counts = (
        f"{target.pending} pending, {target.held} held, {target.retrying} retrying, "
        f"{target.unknown} unknown"
    )
    if target.next_send is None:
        nxt = "nothing queued"
    else:
        nxt = f"next send {_when(target.next_send, now, zone, never='-')}"
    lines = [f"  {target.name}: {counts}; {nxt}"]
    if target.paused_until is not None:
        lines.append(
            f"      paused until {target.paused_until.astimezone(zone):%Y-%m-%d %H:%M:%S}: "
            f"{target.paused_why}"
        )
    lines.extend(f"      waits: {why}" for why in target.waits_for)
    if target.unknown:
        lines.append("      'syndicator log --state unknown' lists what to settle with 'resolve'")
    return lines
