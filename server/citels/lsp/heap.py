"""The server's heap after an index run: what the run freed goes back to the system.

An index run in the server (a save re-read by its changed entries) makes ~40 MB of short-
lived buffers and objects for a 30,000-entry .bib. glibc keeps freed memory for reuse: a
freed buffer larger than its mmap threshold raises that threshold (up to 32 MB), so the
next such buffers come from the heap and stay there, and the worker thread's arena is not
trimmed. A warm server grew by 20-30 MB a save, to 172 MB after nine (docs/performance.md).
Elsewhere than glibc (musl, macOS) both functions do nothing.
"""

from __future__ import annotations

import ctypes
from typing import Any

# mallopt's parameter, and its value: glibc's initial threshold, kept from then on.
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 128 * 1024


def _libc_function(name: str) -> Any:
    try:
        return getattr(ctypes.CDLL(None), name)
    except (AttributeError, OSError):
        return None


_MALLOPT = _libc_function("mallopt")
_MALLOC_TRIM = _libc_function("malloc_trim")
_threshold_fixed = False


def keep_large_buffers_apart() -> None:
    """Give buffers of 128 KB or more their own mappings, returned to the system when
    freed (glibc's threshold, fixed instead of rising with the largest buffer freed)."""
    global _threshold_fixed
    if _MALLOPT is not None and not _threshold_fixed:
        _threshold_fixed = bool(_MALLOPT(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))


def give_back_freed_memory() -> None:
    """Return the free pages of every heap arena to the system (glibc's `malloc_trim`)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
