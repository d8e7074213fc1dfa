"""Memory a cold round freed goes back to the system (glibc's ``malloc_trim``)."""

from __future__ import annotations

import platform

import pytest

from syndicator import memory


def _rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_freed_heap_memory_is_returned_after_a_round() -> None:
    # 60 MB in pieces below glibc's mmap threshold: freed, they stay in the heap
    # (the last piece pins its top) until trimmed.
    pieces = [bytearray(64 * 1024) for _ in range(960)]
    pin = bytearray(64 * 1024)
    held = _rss_kb()
    del pieces
    memory.release_free_memory()
    assert held - _rss_kb() > 30_000  # most of the 60 MB came back
    del pin


def test_releasing_is_harmless_where_there_is_nothing_to_trim() -> None:
    memory.release_free_memory()
    memory.release_free_memory()
