"""Running one poll round of a tool as a child process and measuring it.

Wall time is the monotonic clock around the process; CPU time and peak memory
come from ``os.wait4``'s rusage, which covers the process and every child it
waited for (a tool's worker pool counts). Peak RSS is ``ru_maxrss``: the largest
single process, not a sum over a pool.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    rss_mb: float
    returncode: int
    timed_out: bool


def run_round(
    command: str, state: str, label: str, timeout: float, env: dict[str, str] | None = None
) -> Run:
    """Run ``command`` (a shell line) with cwd = HOME = ``state``; stdout and stderr go
    to ``state/<label>.out`` and ``.err``."""
    child_env = dict(os.environ, HOME=state, PYTHONWARNINGS="ignore", **(env or {}))
    with (
        open(os.path.join(state, f"{label}.out"), "wb") as out,
        open(os.path.join(state, f"{label}.err"), "wb") as err,
    ):
        started = time.monotonic()
        proc = subprocess.Popen(
            command,
            shell=True,
            stdout=out,
            stderr=err,
            cwd=state,
            env=child_env,
            start_new_session=True,
        )
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                os.killpg(proc.pid, signal.SIGKILL)  # the tool's own process group only
                timed_out = True
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        rss_mb=usage.ru_maxrss / 1024,
        returncode=proc.returncode,
        timed_out=timed_out,
    )


def stdout_lines(state: str, label: str, prefix: str = "") -> int:
    """New items reported: non-empty stdout lines (optionally with a prefix)."""
    with open(os.path.join(state, f"{label}.out"), errors="replace") as fh:
        return sum(1 for line in fh if line.strip() and line.startswith(prefix))
