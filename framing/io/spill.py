"""Per-article storage that stays off the heap: rows and records spilled to temporary files.

A comparison keeps a few numbers per article (its counts, group, source and place in the
corpus) and one short record (its id, title, url and date), however large the corpus. Held in
memory they grow with the corpus (a million articles: tens of megabytes); here only the
latest block of them is in memory, and full blocks go to an anonymous temporary file (deleted
when closed, never named in the file system), written once and read back in blocks:

- :class:`RowStore`: fixed-width rows of a numpy structured dtype. The latest
  :data:`CHUNK_ROWS` rows are an array in memory; a row already written out is read and
  written in place (rare: an article met again later). :meth:`RowStore.column` reads one
  field of every row back, block by block, in the narrowest integer type that holds it.
- :class:`RecordStore`: byte strings of any length; the latest :data:`SPILL_BYTES` in
  memory, the rest in one file, found through a second file of their offsets.
- :class:`Partitioned`: a RowStore's rows laid out by a small code (a group's number), each
  code's rows read back together.

A store that never fills its first block never opens a file, so small corpora stay in
memory. Where no temporary file can be made, blocks stay in memory (as before). Both pickle
as their contents (a partition's accumulator sent back from a Dask worker).

What must stay in memory and grows with the corpus lives in anonymous memory maps
(:mod:`framing.io.mapped`).
"""

from __future__ import annotations

import mmap
import tempfile

import numpy as np

from framing.io.mapped import anonymous_map, mapped_empty

#: Rows of a :class:`RowStore` held in memory before they are written out as one block.
CHUNK_ROWS = 1 << 14
#: Bytes of :class:`RecordStore` records held in memory before they are written out.
SPILL_BYTES = 1 << 20


class _Blocks:
    """Bytes written at the end and read back: an anonymous temporary file, or memory if
    asked (or if no file can be made)."""

    def __init__(self, in_memory: bool = False) -> None:
        self.size = 0
        self.file, self.memory = None, None
        if not in_memory:
            try:
                self.file = tempfile.TemporaryFile()
            except OSError:
                pass
        if self.file is None:
            self.memory = bytearray()

    def append(self, data) -> int:
        """Write ``data`` (bytes, or any buffer: an array, a memory view) at the end; returns
        where it starts."""
        data = memoryview(data).cast("B")
        start = self.size
        if self.file is None:
            self.memory += data
        else:
            self.file.seek(start)
            self.file.write(data)
        self.size += len(data)
        return start

    def read(self, start: int, length: int) -> bytes:
        if self.file is None:
            return bytes(self.memory[start:start + length])
        self.file.seek(start)
        return self.file.read(length)

    def write(self, start: int, data) -> None:
        """Write ``data`` at ``start`` (over bytes written, or past the end: zeros between)."""
        end = start + len(data)
        if self.file is None:
            if end > len(self.memory):
                self.memory += bytes(end - len(self.memory))
            self.memory[start:end] = data
        else:
            self.file.seek(start)
            self.file.write(data)
        self.size = max(self.size, end)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def narrow(values_max: int, values_min: int = 0) -> np.dtype:
    """The narrowest integer dtype holding every value in [values_min, values_max]."""
    kinds = (np.uint8, np.uint16, np.uint32, np.uint64) if values_min >= 0 else \
        (np.int8, np.int16, np.int32, np.int64)
    for kind in kinds:
        info = np.iinfo(kind)
        if info.min <= values_min and values_max <= info.max:
            return np.dtype(kind)
    return np.dtype(np.int64)


class RowStore:
    """Rows of a structured ``dtype``: the latest :data:`CHUNK_ROWS` in memory, the rest in a
    temporary file (see the module's docstring)."""

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = np.dtype(dtype)
        self.size = 0
        self.spilled = 0                       # rows written out; the tail holds the rest
        self.tail = np.zeros(CHUNK_ROWS, dtype=self.dtype)
        self.blocks: _Blocks | None = None

    def __len__(self) -> int:
        return self.size

    def new_row(self) -> int:
        """A row of zeros at the end; returns its number."""
        if self.size - self.spilled == len(self.tail):
            self._spill()
        self.size += 1
        return self.size - 1

    def _spill(self) -> None:
        if self.blocks is None:
            self.blocks = _Blocks()
        self.blocks.append(self.tail)
        self.spilled += len(self.tail)
        self.tail[:] = 0

    def get(self, row: int) -> np.void:
        """A copy of one row."""
        if row >= self.spilled:
            return self.tail[row - self.spilled].copy()
        width = self.dtype.itemsize
        return np.frombuffer(self.blocks.read(row * width, width), dtype=self.dtype)[0].copy()

    def put(self, row: int, value: np.void) -> None:
        """Replace one row."""
        if row >= self.spilled:
            self.tail[row - self.spilled] = value
        else:
            record = np.array([value], dtype=self.dtype)
            self.blocks.write(row * self.dtype.itemsize, record.tobytes())

    def blocks_of_rows(self):
        """Every row, in order, as arrays of up to :data:`CHUNK_ROWS` rows (read-only views
        of the blocks read back, then of the tail)."""
        width, step = self.dtype.itemsize, len(self.tail)
        for start in range(0, self.spilled, step):
            data = self.blocks.read(start * width, step * width)
            yield np.frombuffer(data, dtype=self.dtype)
        yield self.tail[:self.size - self.spilled]

    def column(self, name: str, values_min: int | None = None) -> np.ndarray:
        """Field ``name`` of every row, in the narrowest integer dtype that holds its values
        (and ``values_min``, e.g. -1 for a field that may be -1), in one array."""
        low, high = 0 if values_min is None else values_min, 0
        for block in self.blocks_of_rows():
            if len(block):
                low = min(low, int(block[name].min()))
                high = max(high, int(block[name].max()))
        shape = self.dtype[name].shape
        out = np.empty((self.size,) + shape, dtype=narrow(high, low))
        at = 0
        for block in self.blocks_of_rows():
            out[at:at + len(block)] = block[name]
            at += len(block)
        return out

    def extend(self, rows: np.ndarray) -> None:
        """Append rows (an array of this dtype)."""
        at = 0
        while at < len(rows):
            if self.size - self.spilled == len(self.tail):
                self._spill()
            free = len(self.tail) - (self.size - self.spilled)
            take = rows[at:at + free]
            start = self.size - self.spilled
            self.tail[start:start + len(take)] = take
            self.size += len(take)
            at += len(take)

    def close(self) -> None:
        if self.blocks is not None:
            self.blocks.close()
            self.blocks = None

    def __getstate__(self) -> dict:
        rows = np.concatenate(list(self.blocks_of_rows())) if self.size else \
            np.zeros(0, dtype=self.dtype)
        return {"dtype": self.dtype, "rows": rows}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["dtype"])
        self.extend(state["rows"])


class Partitioned:
    """The rows of a :class:`RowStore` laid out by a small integer code (a group's number):
    each code's rows together, in their order, plus each row's number (field ``row``),
    written once in a pass over the store's blocks (a counting sort) and read back one
    code at a time. ``codes_of(block)`` gives each row's code, 0 .. ``count`` - 1, or
    ``count`` to leave the row out. In memory up to :data:`CHUNK_ROWS` rows, else in a
    temporary file."""

    def __init__(self, store: RowStore, codes_of, count: int) -> None:
        sizes = np.zeros(count + 1, dtype=np.int64)
        for block in store.blocks_of_rows():
            sizes += np.bincount(codes_of(block), minlength=count + 1)
        self.sizes = sizes[:count]
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)])
        self.dtype = np.dtype(store.dtype.descr + [("row", "<i8")])
        self.blocks = _Blocks(in_memory=int(self.starts[-1]) <= CHUNK_ROWS)
        width, first, free = self.dtype.itemsize, 0, self.starts[:-1].copy()
        for block in store.blocks_of_rows():
            codes = codes_of(block)
            by = np.argsort(codes, kind="stable")
            codes = codes[by]
            out = np.empty(len(block), dtype=self.dtype)
            for name in store.dtype.names:
                out[name] = block[name][by]
            out["row"] = by + first
            first += len(block)
            bounds = np.searchsorted(codes, np.arange(count + 1))
            for code in np.flatnonzero(np.diff(bounds)).tolist():
                run = out[bounds[code]:bounds[code + 1]]
                self.blocks.write(int(free[code]) * width, run.tobytes())
                free[code] += len(run)

    def rows_of(self, code: int) -> np.ndarray:
        """The rows of ``code``, in their order (read-only)."""
        width = self.dtype.itemsize
        data = self.blocks.read(int(self.starts[code]) * width, int(self.sizes[code]) * width)
        return np.frombuffer(data, dtype=self.dtype)


class RecordStore:
    """Byte strings numbered from 0: the latest :data:`SPILL_BYTES` in memory (a map of
    their own, reused), the rest in a temporary file, with their offsets in another (see
    the module's docstring)."""

    def __init__(self) -> None:
        self.count = 0
        self.spilled = 0                 # records written out
        self.region: mmap.mmap | None = None  # the records after them, from its start
        self.ends: np.ndarray | None = None   # where each of those ends in it
        self.held = 0                    # how many there are
        self.used = 0                    # bytes of the region they take
        self.data: _Blocks | None = None
        self.starts: _Blocks | None = None  # int64 start of each record written out

    def __len__(self) -> int:
        return self.count

    @property
    def nbytes(self) -> int:
        """Bytes of the records held in memory, and of their ends."""
        return self.used + 8 * self.held

    def append(self, record: bytes) -> None:
        if self.region is None:
            self.region = anonymous_map(SPILL_BYTES)
            self.ends = mapped_empty(SPILL_BYTES // 16 + 1, np.uint64)
        size = len(record)
        if self.used + size > len(self.region) or self.held == len(self.ends):
            self._spill()
        if size > len(self.region):  # larger than the region: written out at once
            self._write_out(record, np.zeros(1, dtype=np.int64))
            self.count += 1
            return
        self.region[self.used:self.used + size] = record
        self.used += size
        self.ends[self.held] = self.used
        self.held += 1
        self.count += 1

    def _write_out(self, data, starts: np.ndarray) -> None:
        """Append ``data`` (records starting at ``starts`` in it) to the files."""
        if self.data is None:
            self.data, self.starts = _Blocks(), _Blocks()
        base = self.data.append(data)
        self.starts.append(starts + base)
        self.spilled += len(starts)

    def _spill(self) -> None:
        if not self.held:
            return
        starts = np.zeros(self.held, dtype=np.int64)
        starts[1:] = self.ends[:self.held - 1]
        self._write_out(memoryview(self.region)[:self.used], starts)
        self.held = self.used = 0

    def get(self, number: int) -> bytes:
        if number >= self.spilled:
            at = number - self.spilled
            return self.region[int(self.ends[at - 1]) if at else 0:int(self.ends[at])]
        if number + 1 < self.spilled:
            start, end = np.frombuffer(self.starts.read(number * 8, 16), dtype=np.int64)
        else:
            start, end = np.frombuffer(self.starts.read(number * 8, 8), dtype=np.int64)[0], \
                self.data.size
        return self.data.read(int(start), int(end - start))

    def records(self):
        """Every record, in order (read back a block at a time)."""
        step = 1 << 14
        for first in range(0, self.spilled, step):
            last = min(first + step, self.spilled)
            starts = np.frombuffer(self.starts.read(first * 8, (last - first) * 8),
                                   dtype=np.int64)
            end = self.data.size if last == self.spilled else \
                int(np.frombuffer(self.starts.read(last * 8, 8), dtype=np.int64)[0])
            data = self.data.read(int(starts[0]), end - int(starts[0]))
            offsets = np.append(starts - starts[0], end - starts[0]).tolist()
            for k in range(last - first):
                yield data[offsets[k]:offsets[k + 1]]
        previous = 0
        for end in (self.ends[:self.held].tolist() if self.held else ()):
            yield self.region[previous:end]
            previous = end

    def close(self) -> None:
        for blocks in (self.data, self.starts):
            if blocks is not None:
                blocks.close()
        self.data = self.starts = None

    def __getstate__(self) -> dict:
        """The records as one byte string and where each ends (no object per record)."""
        written = self.data.size if self.data is not None else 0
        ends = np.empty(self.count, dtype=np.uint64)
        if self.spilled:
            starts = np.frombuffer(self.starts.read(0, self.spilled * 8), dtype=np.int64)
            ends[:self.spilled - 1] = starts[1:]
            ends[self.spilled - 1] = written
        if self.held:
            ends[self.spilled:] = self.ends[:self.held] + np.uint64(written)
        data = (self.data.read(0, written) if written else b"") + \
            (self.region[:self.used] if self.held else b"")
        return {"data": data, "ends": ends}

    def __setstate__(self, state: dict) -> None:
        self.__init__()
        data, ends = state["data"], np.asarray(state["ends"], dtype=np.int64)
        if len(ends):
            starts = np.concatenate([[0], ends[:-1]])
            self._write_out(data, starts)
            self.count = len(ends)
