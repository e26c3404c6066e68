"""Arrays that give their memory back: anonymous memory maps, and the C heap trimmed.

What must stay in memory and grows with the corpus (the passages' digests, the ids' hashes
of the check) lives in arrays of their own anonymous memory maps (:func:`mapped_empty`,
:class:`MappedInts`): a page costs memory once written, and all of it goes back to the
system when the array is freed, where a freed block of the C heap can stay in the process
(and add to every later peak).
"""

from __future__ import annotations

import functools
import mmap
import sys

import numpy as np


def release_free_heap() -> None:
    """Give the free pages of the C heap back to the system (glibc's ``malloc_trim``; nothing
    where there is no such call). The heap keeps blocks freed in the middle of it: after a
    long phase (a million articles counted) a later one (the report) would otherwise peak on
    top of them."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None


def anonymous_map(size: int) -> mmap.mmap:
    """``size`` bytes (zeros) of an anonymous memory map of its own: a page costs memory once
    written, and goes back to the system when the map is freed."""
    private = getattr(mmap, "MAP_PRIVATE", None)
    return mmap.mmap(-1, max(1, size), flags=private | mmap.MAP_ANONYMOUS) if private else \
        mmap.mmap(-1, max(1, size))


def mapped_empty(count: int, dtype) -> np.ndarray:
    """An array of ``count`` elements (zeros) in an :func:`anonymous_map` of its own."""
    dtype = np.dtype(dtype)
    return np.frombuffer(anonymous_map(count * dtype.itemsize), dtype=dtype, count=count)


class MappedInts:
    """A growing array of 64-bit integers in a memory map (doubled when full)."""

    def __init__(self, capacity: int = 1 << 16) -> None:
        self.buffer = mapped_empty(capacity, np.int64)
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def append(self, value: int) -> None:
        if self.size == len(self.buffer):
            bigger = mapped_empty(2 * len(self.buffer), np.int64)
            bigger[:self.size] = self.buffer
            self.buffer = bigger
        self.buffer[self.size] = value
        self.size += 1

    @property
    def values(self) -> np.ndarray:
        return self.buffer[:self.size]
