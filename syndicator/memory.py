"""Giving memory back after a round that parsed many bodies.

A cold round of a thousand feeds allocates and frees tens of megabytes in worker
threads; glibc keeps what was freed in its arenas, so a service that will poll for
months would sit at its peak forever. ``malloc_trim`` returns the free pages to the
system. Elsewhere (musl, macOS) this does nothing: their allocators return memory
on their own or have no such call."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging

__all__ = ["release_free_memory"]

log = logging.getLogger(__name__)


@functools.cache
def _trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return libc.malloc_trim if libc is not None else None
    except (OSError, AttributeError):
        return None


def release_free_memory() -> None:
    """Return the allocator's free pages to the system (blocking: a few ms)."""
    trim = _trim()
    if trim is not None:
        trim(0)
