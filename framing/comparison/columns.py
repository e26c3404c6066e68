"""Compact storage for the accumulator: per-article rows off the heap, keys in sorted buckets.

:class:`ArticleTable` holds a row per article: its passages and tagged passages per frame,
the numbers of its group and source, and its place in the corpus (fixed-width rows of a
:class:`~framing.io.spill.RowStore`), and one JSON string of its id, title, url and date (a
:class:`~framing.io.spill.RecordStore`). Both keep only their latest block in memory and
write full blocks to a temporary file, so the rows of a million articles cost the heap
nothing. The counts of the article being read wait in :attr:`ArticleTable.pending` and are
written to its row once, when the next article starts. For the analysis,
:meth:`ArticleTable.partitioned` lays the rows out by group (on disk too), to be read back
one group at a time.

To find an article met before, the table keeps an index by id (:class:`HashIndex`, 12 bytes
an article), unless its articles come whole and once (``articles_once``: each article's
passages one after another, and no article again later, as classifying a corpus gives them,
whose ids were checked to be unique): then the article being read is the only one it can be.

:class:`DigestSet` holds the 8-byte digests of passages' normal forms, each mixed with its
group's: 8 bytes a passage, in 256 sorted arrays by the digest's first byte, each in an
anonymous memory map of its own (a merge of the latest ones rewrites one small array at a
time, never the whole set, and freeing the set gives the memory back to the system), against
about 70 bytes in a Python set.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np
import orjson

from framing.io.mapped import mapped_empty
from framing.io.spill import Partitioned, RecordStore, RowStore

#: Meta fields an article row keeps (those the report shows).
KEPT_META = ("title", "url", "date")
#: Keys held in the dict of latest ones before they are merged into the sorted buckets.
RECENT = 1 << 14
#: Keys are spread over 256 buckets by their top byte.
BUCKET_SHIFT = 56
BUCKETS = 256


def row_dtype(frames: int) -> np.dtype:
    """An article's row: passages, tagged per frame, group and source numbers (-1: no
    group), place in the corpus."""
    return np.dtype([("passages", np.int32), ("tagged", np.int32, (frames,)),
                     ("group", np.int32), ("source", np.int32), ("order", np.int64)])


class ArticleTable:
    """A row per article: counts, group, source, corpus order, and id, title, url, date."""

    def __init__(self, frames: int, articles_once: bool = False) -> None:
        self.frames = frames
        self.articles_once = articles_once
        self.rows = RowStore(row_dtype(frames))
        self.identities = RecordStore()
        self.explicit_order = False
        self.groups: list[str] = []
        self.group_index: dict[str, int] = {}
        self.sources: list[str] = []
        self.source_index: dict[str, int] = {}
        self.keys = None if articles_once else HashIndex()  # hash of (source, id) -> row
        self.collided: dict[tuple, int] = {}           # (source, id) -> row, hash taken
        # the current article (the one last found or added) and its counts not yet written
        self.current = -1
        self.current_key: tuple = (None, None)
        self.current_group: str | None = None
        self.current_order = 0
        self.pending = [0] * (frames + 1)              # passages, then tagged per frame
        self._fresh: tuple | None = None               # group, source, order of a new row
        self._identity: tuple | None = None

    def __len__(self) -> int:
        return self.rows.size

    @property
    def nbytes(self) -> int:
        """Bytes the table holds in memory: its latest block of rows and of records, and its
        index by id (the rest is on disk)."""
        return self.rows.tail.nbytes + self.identities.nbytes + \
            (self.keys.nbytes if self.keys is not None else 0)

    def find(self, source: str, document_id: str) -> int | None:
        """The row of this article, or None; a row found becomes the current one."""
        key = (source, document_id)
        if key == self.current_key:
            return self.current
        if self.keys is None:
            return None
        row = self.keys.get(hash(key))
        if row is not None and self.identity(row)[:2] != key:
            row = self.collided.get(key)
        if row is not None:
            self.select(row, key)
        return row

    def select(self, row: int, key: tuple) -> None:
        """Make ``row`` (the article ``key``) the current one."""
        if row == self.current:
            return
        self.flush()
        record = self.rows.get(row)
        self.current, self.current_key = row, key
        self.current_group = self._group_name(int(record["group"]))
        self.current_order = int(record["order"])
        self._identity = None

    def flush(self) -> None:
        """Write the current article's pending counts to its row (the whole row, for an
        article just added: its group, source and place wait with its counts)."""
        pending = self.pending
        if self._fresh is not None:
            self.rows.tail[self.current - self.rows.spilled] = \
                (pending[0], pending[1:], *self._fresh)
            self._fresh = None
        elif self.current < 0 or not any(pending):
            return
        else:
            record = self.rows.get(self.current)
            record["passages"] += pending[0]
            record["tagged"] += pending[1:]
            self.rows.put(self.current, record)
        self.pending = [0] * (self.frames + 1)

    def append(self, source: str, document_id: str, group: str | None, meta: dict,
               order: int | None = None) -> int:
        """A new row for this article, which becomes the current one."""
        record = orjson.dumps([document_id, *(meta.get(k) for k in KEPT_META)], default=str)
        return self._append(source, document_id, group, record, order)

    def _append(self, source, document_id, group, record: bytes, order) -> int:
        self.flush()
        row = self.rows.new_row()
        number = self.source_index.setdefault(source, len(self.source_index))
        if len(self.sources) < len(self.source_index):
            self.sources.append(source)
        self.explicit_order = self.explicit_order or order is not None
        order = row if order is None else order
        self._fresh = (-1 if group is None else self.group_number(group), number, order)
        self.identities.append(record)
        key = (source, document_id)
        if self.keys is not None:
            hashed = hash(key)
            if self.keys.get(hashed) is not None:
                self.collided[key] = row
            else:
                self.keys.put(hashed, row)
        self.current, self.current_key = row, key
        self.current_group, self.current_order, self._identity = group, order, None
        return row

    def group_number(self, group: str) -> int:
        number = self.group_index.get(group)
        if number is None:
            number = self.group_index[group] = len(self.groups)
            self.groups.append(group)
        return number

    def _group_name(self, number: int) -> str | None:
        return None if number < 0 else self.groups[number]

    def group_at(self, row: int) -> str | None:
        if row == self.current:
            return self.current_group
        return self._group_name(int(self.rows.get(row)["group"]))

    def identity(self, row: int) -> tuple[str, str, dict]:
        """(source, document id, {title, url, date}) of a row."""
        if row == self.current and self._identity is not None:
            return self._identity
        document_id, *values = orjson.loads(self.identities.get(row))
        source = self.current_key[0] if row == self.current else \
            self.sources[int(self.rows.get(row)["source"])]
        found = (source, document_id, dict(zip(KEPT_META, values)))
        if row == self.current:
            self._identity = found
        return found

    def article(self, row: int) -> tuple:
        """The fields of :class:`~framing.comparison.accumulate.Article` for a row."""
        self.flush()
        record = self.rows.get(row)
        source, document_id, meta = self.identity(row)
        return (int(record["order"]), self._group_name(int(record["group"])), source,
                document_id, meta, record["tagged"].tolist(), int(record["passages"]))

    def column(self, name: str, values_min: int | None = None) -> np.ndarray:
        """Field ``name`` of every row, in the narrowest integer type holding it."""
        self.flush()
        return self.rows.column(name, values_min)

    def partitioned(self, codes_of, count: int) -> Partitioned:
        """The rows laid out by ``codes_of(block)`` (see :class:`~framing.io.spill.Partitioned`)."""
        self.flush()
        return Partitioned(self.rows, codes_of, count)

    def rows_in_order(self) -> np.ndarray:
        if not self.explicit_order:
            return np.arange(len(self))
        return np.argsort(self.column("order"), kind="stable")

    def extend(self, other: "ArticleTable") -> int:
        """Append ``other``'s rows (an article already here gets its counts added); returns
        the shift added to ``other``'s corpus places (0 when they were given explicitly)."""
        self.flush()
        other.flush()
        shift = 0 if other.explicit_order else len(self)
        groups = np.array([self.group_number(g) for g in other.groups] + [-1], dtype=np.int32)
        for source in other.sources:
            if self.source_index.setdefault(source, len(self.source_index)) == len(self.sources):
                self.sources.append(source)
        sources = np.array([self.source_index[s] for s in other.sources] + [-1], dtype=np.int32)
        if self.keys is None and other.keys is None:  # whole articles, each in one table
            for block in other.rows.blocks_of_rows():
                block = block.copy()
                block["group"] = groups[block["group"]]
                block["source"] = sources[block["source"]]
                block["order"] += shift
                self.rows.extend(block)
            for record in other.identities.records():
                self.identities.append(record)
            self.explicit_order = self.explicit_order or len(other) > 0
            self.current, self.current_key, self._identity = -1, (None, None), None
            return shift
        records = other.identities.records()
        for block in other.rows.blocks_of_rows():
            for row in block:
                identity = next(records)
                source = other.sources[int(row["source"])]
                document_id = orjson.loads(identity)[0]
                mine = self.find(source, document_id)
                if mine is None:
                    self._append(source, document_id, self._group_name(int(groups[row["group"]])),
                                 identity, int(row["order"]) + shift)
                self.pending[0] += int(row["passages"])
                for k, count in enumerate(row["tagged"].tolist(), start=1):
                    self.pending[k] += count
        self.flush()
        return shift

    def drop_index(self) -> None:
        """Free the index by id (after the last passage: the analysis does not need it)."""
        self.flush()
        if self.keys is not None:
            self.keys = HashIndex()
        self.collided = {}

    def __getstate__(self) -> dict:
        self.flush()
        return dict(self.__dict__)


def _inserted(old: np.ndarray, at: np.ndarray, new: np.ndarray) -> np.ndarray:
    """``old`` with ``new`` inserted before the positions ``at``, in a memory map of its own
    (no temporary copy of ``old`` on the heap)."""
    total = len(old) + len(new)
    out = mapped_empty(total, old.dtype)
    places = at + np.arange(len(new))
    keep = np.ones(total, dtype=bool)
    keep[places] = False
    out[places] = new
    out[keep] = old
    return out


class HashIndex:
    """64-bit keys to rows: a dict of the latest :data:`RECENT`, merged into sorted arrays in
    :data:`BUCKETS` buckets by the key's top byte (12 bytes an entry, against about 100 in
    a dict). Each bucket's arrays are memory maps of their own
    (:func:`~framing.io.mapped.mapped_empty`): a merge writes one bucket at a time into a new
    map, and the memory goes back to the system when the index is freed, not to the heap."""

    def __init__(self, rows: bool = True) -> None:
        self.keys = [np.zeros(0, dtype=np.int64)] * BUCKETS  # sorted, per bucket
        self.rows = [np.zeros(0, dtype=np.uint32)] * BUCKETS if rows else None
        self.recent: dict[int, int] = {}

    def __len__(self) -> int:
        return sum(map(len, self.keys)) + len(self.recent)

    @property
    def nbytes(self) -> int:
        """Bytes of the sorted buckets."""
        return sum(a.nbytes for a in self.keys) + sum(a.nbytes for a in self.rows or ())

    def get(self, key: int) -> int | None:
        row = self.recent.get(key)
        if row is None:
            bucket = (key >> BUCKET_SHIFT) & 0xFF
            keys = self.keys[bucket]
            if len(keys):
                at = int(keys.searchsorted(key))
                if at < len(keys) and int(keys[at]) == key:
                    row = 0 if self.rows is None else int(self.rows[bucket][at])
        return row

    def put(self, key: int, row: int) -> None:
        """Add a key that is not there yet."""
        self.recent[key] = row
        if len(self.recent) >= RECENT:
            self.flush()

    def flush(self) -> None:
        if not self.recent:
            return
        count = len(self.recent)
        keys = np.fromiter(self.recent, dtype=np.int64, count=count)
        rows = np.fromiter(self.recent.values(), dtype=np.int64, count=count) \
            if self.rows is not None else None
        self.recent = {}
        if rows is not None and int(rows.max()) > np.iinfo(self.rows[0].dtype).max:
            self.rows = [r.astype(np.int64) for r in self.rows]
        order = np.argsort(keys)
        order = order[np.argsort((keys[order] >> BUCKET_SHIFT) & 0xFF, kind="stable")]
        keys = keys[order]
        bounds = np.searchsorted((keys >> BUCKET_SHIFT) & 0xFF, np.arange(BUCKETS + 1))
        for bucket in np.flatnonzero(np.diff(bounds)).tolist():
            part = slice(bounds[bucket], bounds[bucket + 1])
            at = np.searchsorted(self.keys[bucket], keys[part])
            self.keys[bucket] = _inserted(self.keys[bucket], at, keys[part])
            if rows is not None:
                mine = self.rows[bucket]
                self.rows[bucket] = _inserted(mine, at, rows[order[part]].astype(mine.dtype))


@lru_cache(maxsize=4096)
def _group_key(group: str) -> int:
    return int.from_bytes(hashlib.blake2b(group.encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest(), "little", signed=True)


class DigestSet(HashIndex):
    """A set of (group, passage digest) pairs as 64-bit keys: :meth:`add` says if new."""

    def __init__(self) -> None:
        super().__init__(rows=False)

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
        for bucket in range(BUCKETS):
            new = np.setdiff1d(other.keys[bucket], self.keys[bucket], assume_unique=True)
            if len(new):
                at = np.searchsorted(self.keys[bucket], new)
                self.keys[bucket] = _inserted(self.keys[bucket], at, new)
