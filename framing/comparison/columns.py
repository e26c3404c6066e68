"""Compact storage for the accumulator: per-article counts in arrays, passage digests in one
sorted array.

:class:`ArticleTable` holds a row per article: its passages and tagged passages per frame
(int32 arrays, grown by doubling), the numbers of its group and source (int32), its place in
the corpus (int64), and one JSON string of its id, title, url and date in a single
``bytearray``. A Python object per article would cost ten times as much.

:class:`DigestSet` holds the 8-byte digests of passages' normal forms, each mixed with its
group's, in a sorted ``uint64`` array plus a small set of the latest ones: 8 bytes a passage
(16 while the array is copied on a merge), against about 70 in a Python set. The articles'
index by id (:class:`HashIndex`) is kept the same way, 16 bytes an article.
"""

from __future__ import annotations

import hashlib
from array import array
from functools import lru_cache

import numpy as np
import orjson

#: Meta fields an article row keeps (those the report shows).
KEPT_META = ("title", "url", "date")
#: Digests held in the set of latest ones before they are merged into the sorted array.
RECENT = 1 << 16


class ArticleTable:
    """A row per article: counts, group, source, corpus order, and id, title, url, date."""

    def __init__(self, frames: int) -> None:
        self.frames = frames
        self.size = 0
        self.tagged = np.zeros((16, frames), dtype=np.int32)
        self.passages = np.zeros(16, dtype=np.int32)
        self.group = np.zeros(16, dtype=np.int32)      # -1: no group
        self.source = np.zeros(16, dtype=np.int32)
        self.order = np.zeros(16, dtype=np.int64)
        self.explicit_order = False
        self.groups: list[str] = []
        self.group_index: dict[str, int] = {}
        self.sources: list[str] = []
        self.source_index: dict[str, int] = {}
        self.blob = bytearray()
        self.offsets = array("Q", [0])
        self.keys = HashIndex()                        # hash of (source, id) -> row
        self.collided: dict[tuple, int] = {}           # (source, id) -> row, hash taken
        self.last: tuple = (None, None, -1)

    def __len__(self) -> int:
        return self.size

    def _grow(self) -> None:
        capacity = 2 * len(self.passages)
        for name in ("tagged", "passages", "group", "source", "order"):
            old = getattr(self, name)
            new = np.zeros((capacity,) + old.shape[1:], dtype=old.dtype)
            new[:len(old)] = old
            setattr(self, name, new)

    def find(self, source: str, document_id: str) -> int | None:
        """The row of this article, or None."""
        last_source, last_id, last_row = self.last
        if source == last_source and document_id == last_id:
            return last_row
        row = self.keys.get(hash((source, document_id)))
        if row is not None and self.identity(row)[:2] != (source, document_id):
            row = self.collided.get((source, document_id))
        if row is not None:
            self.last = (source, document_id, row)
        return row

    def append(self, source: str, document_id: str, group: str | None, meta: dict,
               order: int | None = None) -> int:
        if self.size == len(self.passages):
            self._grow()
        row = self.size
        self.size += 1
        self.group[row] = -1 if group is None else self.group_number(group)
        self.source[row] = self.source_index.setdefault(source, len(self.source_index))
        if len(self.sources) < len(self.source_index):
            self.sources.append(source)
        self.explicit_order = self.explicit_order or order is not None
        self.order[row] = row if order is None else order
        self.blob += orjson.dumps([document_id, *(meta.get(k) for k in KEPT_META)],
                                  default=str)
        self.offsets.append(len(self.blob))
        key = hash((source, document_id))
        if self.keys.get(key) is not None:
            self.collided[(source, document_id)] = row
        else:
            self.keys.put(key, row)
        self.last = (source, document_id, row)
        return row

    def group_number(self, group: str) -> int:
        number = self.group_index.get(group)
        if number is None:
            number = self.group_index[group] = len(self.groups)
            self.groups.append(group)
        return number

    def group_at(self, row: int) -> str | None:
        number = int(self.group[row])
        return None if number < 0 else self.groups[number]

    def identity(self, row: int) -> tuple[str, str, dict]:
        """(source, document id, {title, url, date}) of a row."""
        document_id, *values = orjson.loads(bytes(self.blob[self.offsets[row]:
                                                            self.offsets[row + 1]]))
        return (self.sources[int(self.source[row])], document_id,
                dict(zip(KEPT_META, values)))

    def article(self, row: int) -> tuple:
        """The fields of :class:`~framing.comparison.accumulate.Article` for a row."""
        source, document_id, meta = self.identity(row)
        return (int(self.order[row]), self.group_at(row), source, document_id, meta,
                self.tagged[row].tolist(), int(self.passages[row]))

    def rows_in_order(self) -> np.ndarray:
        return np.argsort(self.order[:self.size], kind="stable")

    def extend(self, other: "ArticleTable") -> int:
        """Append ``other``'s rows (an article already here gets its counts added); returns
        the shift added to ``other``'s corpus places (0 when they were given explicitly)."""
        shift = 0 if other.explicit_order else self.size
        for row in range(other.size):
            source, document_id, meta = other.identity(row)
            mine = self.find(source, document_id)
            if mine is None:
                mine = self.append(source, document_id, other.group_at(row), meta,
                                   int(other.order[row]) + shift)
            self.passages[mine] += other.passages[row]
            self.tagged[mine] += other.tagged[row]
        return shift


class HashIndex:
    """64-bit keys to rows: a dict of the latest :data:`RECENT`, merged into two arrays
    sorted by key (16 bytes an entry, against about 100 in a dict)."""

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.int64)
        self.rows = np.zeros(0, dtype=np.int64)
        self.recent: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.keys) + len(self.recent)

    def get(self, key: int) -> int | None:
        row = self.recent.get(key)
        if row is None and len(self.keys):
            at = int(np.searchsorted(self.keys, key))
            if at < len(self.keys) and int(self.keys[at]) == key:
                row = int(self.rows[at])
        return row

    def put(self, key: int, row: int) -> None:
        """Add a key that is not there yet."""
        self.recent[key] = row
        if len(self.recent) >= RECENT:
            self.flush()

    def flush(self) -> None:
        if not self.recent:
            return
        keys = np.fromiter(self.recent, dtype=np.int64, count=len(self.recent))
        rows = np.fromiter(self.recent.values(), dtype=np.int64, count=len(self.recent))
        order = np.argsort(keys)
        at = np.searchsorted(self.keys, keys[order])
        self.keys = np.insert(self.keys, at, keys[order])
        self.rows = np.insert(self.rows, at, rows[order])
        self.recent = {}


@lru_cache(maxsize=4096)
def _group_key(group: str) -> int:
    return int.from_bytes(hashlib.blake2b(group.encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest(), "little", signed=True)


class DigestSet(HashIndex):
    """A set of (group, passage digest) pairs as 64-bit keys: :meth:`add` says if new."""

    def add(self, group: str, digest: bytes) -> bool:
        """Add the pair; True if it was not there yet."""
        key = int.from_bytes(digest, "little", signed=True) ^ _group_key(group)
        if self.get(key) is not None:
            return False
        self.put(key, 0)
        return True

    def update(self, other: "DigestSet") -> None:
        """Add every key of ``other``."""
        self.flush()
        other.flush()
        self.keys = np.union1d(self.keys, other.keys)
        self.rows = np.zeros(len(self.keys), dtype=np.int64)
