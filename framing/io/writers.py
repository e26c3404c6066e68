"""Output formats shared by every command: table, json, jsonl, csv (and the atomic file).

Records are plain dicts with a stable key order. ``json`` writes one array (or object),
``jsonl`` one record per line as results arrive, ``csv`` a flat table, ``table`` a readable
fixed-width view for a terminal. All output is UTF-8 and deterministic.

Text from the input is never trusted where a person reads it: the table (and CSV on a
terminal) shows control characters, ESC sequences and bidirectional overrides as visible
escapes (:func:`terminal_safe`), and every CSV cell that a spreadsheet would run as a formula
is neutralised (:func:`csv_safe`). A closed or full standard output is an
:class:`~framing.errors.OutputError`, one line, never a traceback.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from typing import IO, Iterable, Iterator

from framing.errors import OutputError
from framing.io.atomic import WRITE_ERRNOS, atomic_writer, check_stdout

FORMATS = ("table", "json", "jsonl", "csv")
#: errno values of a standard output that cannot take what is written (full disk or device,
#: opened read-only).
_STDOUT_ERRNOS = WRITE_ERRNOS | {errno.EBADF}


@contextlib.contextmanager
def open_output(path: str | None) -> Iterator[IO[str]]:
    """Standard output, or a file written atomically (left untouched if anything fails; a
    device or FIFO is written as a stream, see :func:`framing.io.atomic.resolve_output`).

    A closed standard output, or one that cannot be written (``>/dev/full``), is an
    OutputError; a closed pipe (BrokenPipeError) is left to the caller."""
    if path in (None, "-"):
        check_stdout()
        stream = sys.stdout
        try:
            yield stream
            stream.flush()
        except OSError as exc:
            if isinstance(exc, BrokenPipeError) or exc.errno not in _STDOUT_ERRNOS:
                raise
            _discard_stdout()
            raise OutputError(f"standard output: cannot write ({exc.strerror or exc}); the "
                              "output is incomplete") from None
    else:
        with atomic_writer(path) as handle:
            yield handle


def _discard_stdout() -> None:
    """Point standard output at the null device, so that what is still buffered cannot fail
    again when Python flushes it on exit."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def default_format(path: str | None) -> str:
    """``table`` on a terminal, ``jsonl`` in a pipe or a file."""
    return "table" if path in (None, "-") and is_terminal(sys.stdout) else "jsonl"


def is_terminal(out) -> bool:
    """Whether ``out`` is a terminal (a person reads it); False for None or a closed stream."""
    try:
        return bool(out is not None and out.isatty())
    except (AttributeError, ValueError, OSError):
        return False


#: Characters that could drive a terminal or reorder what it shows: C0 controls but tab and
#: line feed, DEL, C1 controls (U+009B is a one-character CSI), bidirectional embeddings,
#: overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())  # \u for DEL and above: still valid inside a JSON string
    return f"\\x{code:02x}" if code < 0x7f else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every control character (ESC, CR, BEL, DEL, C1, bidi overrides) shown
    as a visible escape (``\\x1b``, ``\\u009b``, ``\\u202e``), so input text cannot move the
    cursor, clear the screen or retitle the terminal. Tabs and line feeds are kept."""
    return _UNSAFE.sub(_visible, text)


#: First characters of a cell that a spreadsheet runs as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """A text cell that a spreadsheet shows as text: prefixed with ``'`` when it starts like
    a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return)."""
    return "'" + text if text.startswith(FORMULA_START) else text


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


def flatten(record: dict, cell=_flat) -> dict:
    """One level of nesting opened up: {"scores": {"a": 1}} -> {"scores.a": 1}."""
    flat = {}
    for key, value in record.items():
        if isinstance(value, dict) and value and all(not isinstance(v, (dict, list)) for v in value.values()):
            for inner, inner_value in value.items():
                flat[f"{key}.{inner}"] = cell(inner_value)
        else:
            flat[key] = cell(value)
    return flat


def _csv_cell(value) -> str:
    """A number as written; any other value as text, neutralised (:func:`csv_safe`)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return csv_safe(_flat(value))


#: Rows of a CSV kept in memory while its columns are gathered; more go to a temporary file.
CSV_SPOOL_BYTES = 16 * 1024 * 1024


def _add_column(columns: list[str], key: str) -> None:
    """Append ``key``; a dotted key (``meta.outlet``) goes after the last of its family."""
    family = key.split(".", 1)[0] + "." if "." in key else None
    if family:
        last = max((i for i, column in enumerate(columns) if column.startswith(family)),
                   default=None)
        if last is not None:
            columns.insert(last + 1, key)
            return
    columns.append(key)


def write_csv(records: Iterable[dict], out: IO[str]) -> None:
    """A flat table whose columns are the union of every record's keys (nested dicts opened
    up), in order of first appearance with a dotted key beside its family: a ``meta.outlet``
    first seen on the last record still gets its column. The rows are held (in memory, then
    a temporary file) until the last record is in, then written under the header. Text
    cells are neutralised against formulas, and on a terminal shown with control
    characters escaped."""
    import orjson

    columns: list[str] = []
    known: set[str] = set()
    with tempfile.SpooledTemporaryFile(max_size=CSV_SPOOL_BYTES, mode="w+b") as spool:
        for record in records:
            row = flatten(record, _csv_cell)
            for key in row:
                if key not in known:
                    known.add(key)
                    _add_column(columns, key)
            spool.write(orjson.dumps(row) + b"\n")
        if not columns:
            return
        clean = terminal_safe if is_terminal(out) else (lambda text: text)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([clean(csv_safe(column)) for column in columns])
        spool.seek(0)
        for line in spool:
            row = orjson.loads(line)
            writer.writerow([clean(row.get(column, "")) for column in columns])


def write_table(rows: Iterable[dict], out: IO[str], columns: list[tuple[str, int]],
                wrap_column: str | None = None) -> None:
    """Fixed-width columns; ``wrap_column`` (usually the text) takes the remaining width and
    is shortened with an ellipsis. Every cell is one line, with control characters shown as
    escapes (:func:`terminal_safe`)."""
    width = shutil.get_terminal_size((120, 20)).columns
    fixed = sum(w + 2 for name, w in columns if name != wrap_column)
    rest = max(20, width - fixed)
    header = "  ".join(name.upper().ljust(w if name != wrap_column else 0)
                       for name, w in columns).rstrip()
    out.write(header + "\n")
    for row in rows:
        cells = []
        for name, w in columns:
            value = terminal_safe(" ".join(str(row.get(name, "")).split()))
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
