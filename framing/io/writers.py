"""Output formats shared by every command: table, json, jsonl, csv (and the atomic file).

Records are plain dicts with a stable key order. ``json`` writes one array (or object),
``jsonl`` one record per line as results arrive, ``csv`` a flat table, ``table`` a readable
fixed-width view for a terminal. All output is UTF-8 and deterministic.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import stat
import sys
from typing import IO, Iterable, Iterator

from framing.io.atomic import atomic_writer

FORMATS = ("table", "json", "jsonl", "csv")


@contextlib.contextmanager
def open_output(path: str | None) -> Iterator[IO[str]]:
    """Standard output, or a file written atomically (left untouched if anything fails)."""
    if path in (None, "-"):
        yield sys.stdout
        sys.stdout.flush()
    else:
        with atomic_writer(path) as handle:
            yield handle


def default_format(path: str | None) -> str:
    """``table`` on a terminal, ``jsonl`` in a pipe or a file."""
    return "table" if path in (None, "-") and sys.stdout.isatty() else "jsonl"


def dump_bytes(record) -> bytes:
    """One compact JSON value as UTF-8 (orjson: not ASCII-escaped, several times faster
    than ``json`` on evidence-heavy records)."""
    import orjson

    return orjson.dumps(record)



def write_json(records: Iterable[dict], out: IO[str]) -> None:
    json.dump(list(records), out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_jsonl(records: Iterable[dict], out: IO[str]) -> None:
    write_lines((dump_bytes(record) + b"\n" for record in records), out)


#: Lines joined into one write when the output is a file.
LINES_PER_WRITE = 512


def _read_as_it_comes(out: IO[str]) -> bool:
    """Standard output to a pipe, terminal or socket: someone may be reading it live."""
    if out is not sys.stdout:
        return False
    try:
        return not stat.S_ISREG(os.fstat(out.fileno()).st_mode)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return True


class _TextAsBinary:
    """The two methods :func:`write_lines` needs, on a stream that only takes text."""

    def __init__(self, out: IO[str]):
        self.out = out

    def write(self, data: bytes) -> None:
        self.out.write(data.decode("utf-8"))

    def flush(self) -> None:
        self.out.flush()


def write_lines(lines: Iterable[bytes], out: IO[str]) -> None:
    """Rendered UTF-8 lines, in order, to a text stream's binary buffer. To a pipe or a
    terminal each line is flushed as it comes, so a reader sees results while the input is
    still being read; to a file they are written in blocks of :data:`LINES_PER_WRITE` (one
    call each, not one per line)."""
    out.flush()  # anything written as text before goes first
    binary = getattr(out, "buffer", None)
    if binary is None:  # a text-only stream (e.g. io.StringIO from a caller): decode
        binary = _TextAsBinary(out)
    if _read_as_it_comes(out):
        for line in lines:
            binary.write(line)
            binary.flush()
        return
    block: list[bytes] = []
    for line in lines:
        block.append(line)
        if len(block) >= LINES_PER_WRITE:
            binary.write(b"".join(block))
            block.clear()
    binary.write(b"".join(block))
    binary.flush()


def _flat(value) -> str:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ";".join(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return "" if value is None else str(value)


def flatten(record: dict) -> dict:
    """One level of nesting opened up: {"scores": {"a": 1}} -> {"scores.a": 1}."""
    flat = {}
    for key, value in record.items():
        if isinstance(value, dict) and value and all(not isinstance(v, (dict, list)) for v in value.values()):
            for inner, inner_value in value.items():
                flat[f"{key}.{inner}"] = _flat(inner_value)
        else:
            flat[key] = _flat(value)
    return flat


def write_csv(records: Iterable[dict], out: IO[str]) -> None:
    writer = None
    for record in records:
        row = flatten(record)
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row), extrasaction="ignore",
                                    lineterminator="\n")
            writer.writeheader()
        writer.writerow(row)


def write_table(rows: Iterable[dict], out: IO[str], columns: list[tuple[str, int]],
                wrap_column: str | None = None) -> None:
    """Fixed-width columns; ``wrap_column`` (usually the text) takes the remaining width and
    is shortened with an ellipsis."""
    width = shutil.get_terminal_size((120, 20)).columns
    fixed = sum(w + 2 for name, w in columns if name != wrap_column)
    rest = max(20, width - fixed)
    header = "  ".join(name.upper().ljust(w if name != wrap_column else 0)
                       for name, w in columns).rstrip()
    out.write(header + "\n")
    for row in rows:
        cells = []
        for name, w in columns:
            value = " ".join(str(row.get(name, "")).split())
            if name == wrap_column:
                cells.append(value if len(value) <= rest else value[: rest - 1] + "…")
            else:
                cells.append((value if len(value) <= w else value[: w - 1] + "…").ljust(w))
        out.write("  ".join(cells).rstrip() + "\n")


def write(records: Iterable[dict], fmt: str, out: IO[str], *, table_columns=None,
          wrap_column: str | None = None) -> None:
    if fmt == "json":
        write_json(records, out)
    elif fmt == "jsonl":
        write_jsonl(records, out)
    elif fmt == "csv":
        write_csv(records, out)
    elif fmt == "table":
        write_table(records, out, table_columns or [], wrap_column)
    else:
        raise ValueError(f"unknown format {fmt!r}")
