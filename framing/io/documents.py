"""Read input files into :class:`Document` objects, one per article.

``.txt`` (or any other extension) is one article; ``.jsonl`` is one document per record with
``text`` and optional ``id``, ``outlet``, ``date``, ``title``, ``url`` and any other scalar
field (kept as metadata, see :func:`record_meta`). Text must be UTF-8 (a
BOM and CRLF line ends are accepted and normalised). A file that cannot be used is reported
through the ``errors`` list as an :class:`~framing.errors.InputError` naming the file, and
reading goes on with the next file, so one bad input never hides the good ones.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from functools import lru_cache
from typing import Iterable, Iterator, NamedTuple, Union

import orjson

from framing.errors import InputError

#: Largest article or JSONL record text accepted, in characters. Larger inputs are refused
#: with a message rather than exhausting memory; JSONL files themselves may be any size.
MAX_TEXT_CHARS = 20_000_000
#: Largest single .txt file read, in bytes (also the limit for a manifest, a labelled file,
#: a baseline report).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Longest JSONL line read, in bytes: room for a record of MAX_TEXT_CHARS even when every
#: character is \u-escaped. A longer line is reported and skipped without being held in
#: memory, so a 1 GB single line costs no more than this.
MAX_LINE_BYTES = 128 * 1024 * 1024
META_FIELDS = ("outlet", "date", "title", "url")
STDIN = "-"


@dataclass(frozen=True)
class Document:
    """One article (or one pre-cut passage) and what is known about it."""

    source: str
    document_id: str
    text: str
    meta: dict = field(default_factory=dict)


def decode_text(data: bytes, source: str) -> str:
    """Decode UTF-8 (BOM optional), normalise line ends; refuse binary or other encodings."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(f"{source}: UTF-16 text, not UTF-8; convert it, "
                         "e.g. iconv -f utf-16 -t utf-8")
    if b"\x00" in data[:8192]:
        if _utf16_without_bom(data[:8192]):
            raise InputError(f"{source}: looks like UTF-16 text without a byte-order mark, not "
                             "UTF-8; convert it, e.g. iconv -f utf-16le -t utf-8")
        raise InputError(f"{source}: looks like a binary file (contains NUL bytes), not text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); convert it, e.g. iconv -f latin1 -t utf-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _utf16_without_bom(head: bytes) -> bool:
    """Every other byte NUL (ASCII text in UTF-16LE or BE): the usual look of BOM-less UTF-16."""
    head = head[: len(head) // 2 * 2]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return odd.count(0) == len(odd) and 0 not in even or \
        even.count(0) == len(even) and 0 not in odd


def _check_text(text: str, where: str) -> str:
    if not text.strip():
        raise InputError(f"{where}: empty text, nothing to classify")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"{where}: text of {len(text):,} characters is over the limit of "
                         f"{MAX_TEXT_CHARS:,}; split it into smaller documents")
    return text


def missing_reason(path: str | os.PathLike) -> str:
    """Why ``path`` cannot be found: a broken link, a link loop, or nothing there."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop (too many levels of symbolic links)"
        if os.path.islink(path):
            with contextlib.suppress(OSError):
                return (f"broken symbolic link (points to {os.readlink(path)!r}, which does "
                        "not exist)")
            return "broken symbolic link"
        if exc.errno == errno.ENOTDIR:
            return "no such file (a part of the path is not a folder)"
        if exc.errno != errno.ENOENT:
            return f"cannot read ({exc.strerror or exc})"
    except ValueError:  # an embedded NUL byte
        return "not a valid file name (contains a NUL byte)"
    return "no such file"


def _check_path(path: str) -> Path:
    p = Path(path)
    try:
        exists = p.exists()
    except (OSError, ValueError):
        exists = False
    if not exists:
        raise InputError(f"{path}: {missing_reason(path)}")
    if p.is_dir():
        raise InputError(f"{path}: is a directory, expected a file")
    return p


def open_input(path: str):
    """A buffered binary stream of the file (or ``-``, standard input), with peek().

    A missing file, a broken link, a link loop, a folder or an unreadable file is an
    :class:`InputError` naming ``path``.
    """
    if path == STDIN:
        if sys.stdin is None:  # started with standard input closed (<&-)
            raise InputError(f"{STDIN}: standard input is closed")
        stream = sys.stdin.buffer
        if not hasattr(stream, "peek"):  # e.g. an in-memory stream under test
            stream = io.BufferedReader(stream)
        return contextlib.nullcontext(stream)
    _check_path(path)
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except ValueError:
        raise InputError(f"{path}: not a valid file name (contains a NUL byte)") from None


def read_input(path: str, what: str = "file", limit: int | None = None) -> bytes:
    """The bytes of a whole (small) input file; over ``limit`` (default MAX_FILE_BYTES) it is
    refused without being read further."""
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        with open_input(path) as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise InputError(f"{path}: over the {limit:,}-byte limit for a {what}")
    return data


def _looks_like_jsonl(path: str, head: bytes) -> bool:
    if path == STDIN:
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
    return Path(path).suffix.lower() in {".jsonl", ".ndjson"}


def _read_all(handle, path: str) -> bytes:
    data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{path}: over the {MAX_FILE_BYTES:,}-byte limit for one article; "
                         "use JSONL with one record per article")
    return data


def parse_json_line(line: str, where: str):
    """One JSON value (orjson: strict JSON, several times faster than ``json``); every
    failure (syntax, NaN, a lone UTF-16 surrogate, nesting too deep) is an InputError."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        message = "too deeply nested" if "depth limit" in exc.msg else exc.msg.removesuffix(" at")
        raise InputError(f"{where}: not valid JSON ({message} at column {exc.colno})") from None


def _check_head(head: bytes, source: str) -> None:
    """Refuse a JSONL file that is UTF-16 or binary from its first bytes, as one problem."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
        decode_text(head, source)  # raises the right message


def jsonl_lines(handle, source: str) -> Iterator[tuple[int, str | InputError]]:
    """``(line number, text)`` for each non-blank line of a binary JSONL stream, or
    ``(line number, InputError)`` for a line that is not UTF-8 or over MAX_LINE_BYTES.

    One line at a time, so a file of any size streams in flat memory; an over-long line is
    skipped in chunks, never held whole. A UTF-16 or binary file raises one InputError.
    """
    peek = getattr(handle, "peek", None)
    if peek is not None:
        _check_head(peek(8192)[:8192], source)
    limit = MAX_LINE_BYTES
    line_no = 0
    while True:
        raw = handle.readline(limit + 1)
        if not raw:
            return
        line_no += 1
        if line_no == 1:
            if peek is None:
                _check_head(raw[:8192], source)
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
        where = f"{source}:{line_no}"
        if len(raw) > limit and not raw.endswith(b"\n"):
            del raw
            while True:  # skip the rest of the line without keeping it
                chunk = handle.readline(1 << 20)
                if not chunk or chunk.endswith(b"\n"):
                    break
            yield line_no, InputError(f"{where}: line over the {limit:,}-byte limit for one "
                                      "record; split it into smaller records")
            continue
        if not raw.strip():
            continue
        try:
            yield line_no, raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            yield line_no, InputError(f"{where}: not UTF-8 text (invalid byte "
                                      f"0x{raw[exc.start]:02x} at offset {exc.start})")


def parse_record(line: str, where: str, default_id: str, source: str) -> Document:
    """Turn one JSONL line into a Document; every problem is an InputError naming ``where``."""
    return record_document(parse_json_line(line, where), where, default_id, source)


def record_document(record, where: str, default_id: str, source: str) -> Document:
    """:func:`parse_record` of a record already parsed."""
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a JSON object, got {type(record).__name__}")
    if "text" not in record:
        raise InputError(f"{where}: record has no 'text' field")
    text = record["text"]
    if not isinstance(text, str):
        raise InputError(f"{where}: 'text' must be a string, got {type(text).__name__}")
    text = _check_text(text.replace("\r\n", "\n"), where)
    raw_id = record.get("id", default_id)
    if not isinstance(raw_id, (str, int)) or isinstance(raw_id, bool):
        raise InputError(f"{where}: 'id' must be a string or an integer")
    return Document(source=source, document_id=str(raw_id), text=text, meta=record_meta(record))


def record_meta(record: dict) -> dict:
    """What a JSONL record says about its text: every scalar field but ``text`` and ``id``
    (the document's id), so that any of them can group the output. ``outlet``, ``date``,
    ``title`` and ``url`` are strings (numbers converted, null left out), as every reader of
    them expects; any other field keeps its JSON value (string, number, true/false or null).
    Objects and lists are left out."""
    meta = {}
    for key, value in record.items():
        if key in ("text", "id"):
            continue
        if key in META_FIELDS:
            if value is not None and isinstance(value, (str, int, float)):
                meta[key] = str(value)
        elif value is None or isinstance(value, (str, int, float, bool)):
            meta[key] = value
    return meta


class RawRecord(NamedTuple):
    """One JSONL line, read but not yet parsed. :func:`read_items` leaves the parsing to
    whoever classifies the record (a worker process, with ``--jobs``), so the process that
    reads the input only reads."""

    source: str
    line_no: int
    line: str

    def document(self) -> Document:
        """The record as a Document; a malformed record is an InputError naming its line."""
        return parse_record(self.line, f"{self.source}:{self.line_no}",
                            f"{_default_id_stem(self.source)}:{self.line_no}", self.source)


@lru_cache(maxsize=64)
def _default_id_stem(source: str) -> str:
    return "stdin" if source == STDIN else Path(source).stem


#: What :func:`read_items` yields, in input order.
Item = Union[Document, RawRecord, InputError]


def report(exc: InputError, errors: list | None) -> None:
    """Append ``exc`` to ``errors``, or raise it when there is no list (strict reading)."""
    if errors is None:
        raise exc
    errors.append(exc)


def read_items(paths: Iterable[str | os.PathLike]) -> Iterator[Item]:
    """Every input in order, read but not parsed: a Document per article file, a
    :class:`RawRecord` per JSONL line, and an :class:`InputError` in place of each file or
    line that cannot be used (never raised). JSONL streams line by line in flat memory.
    Standard input (``-``) is read once: a second ``-`` is an InputError."""
    stdin_read = False
    for raw_path in paths:
        path = os.fspath(raw_path)
        if path == STDIN:
            if stdin_read:
                yield InputError(f"{STDIN}: standard input is given more than once; it was "
                                 "read at the first -")
                continue
            stdin_read = True
        try:
            with open_input(path) as handle:
                head = handle.peek(8192)[:8192]
                if _looks_like_jsonl(path, head):
                    empty = True
                    for line_no, line in jsonl_lines(handle, path):
                        empty = False
                        yield line if isinstance(line, InputError) else \
                            RawRecord(path, line_no, line)
                    if empty:
                        yield InputError(f"{path}: no records (the file is empty or only "
                                         "whitespace)")
                    continue
                _check_head(head, path)  # binary (/dev/zero) is said before any size
                text = _check_text(decode_text(_read_all(handle, path), path), path)
        except InputError as exc:
            yield exc
            continue
        except OSError as exc:
            yield InputError(f"{path}: cannot read ({exc.strerror or exc})")
            continue
        yield Document(source=path, document_id=_default_id_stem(path), text=text, meta={})


def documents_of(items: Iterable[Item], errors: list | None = None) -> Iterator[Document]:
    """The Documents of :func:`read_items`' items: records parsed, and each problem appended
    to ``errors`` (or raised, without a list)."""
    for item in items:
        if isinstance(item, RawRecord):
            try:
                item = item.document()
            except InputError as exc:
                report(exc, errors)
                continue
        elif isinstance(item, InputError):
            report(item, errors)
            continue
        yield item


def read_documents(paths: Iterable[str | os.PathLike], *,
                   errors: list | None = None) -> Iterator[Document]:
    """Yield the documents of every path in order (JSONL streams record by record).

    With ``errors`` given, each unusable file or record is appended to it as an InputError and
    reading continues; without it, the first problem is raised.
    """
    return documents_of(read_items(paths), errors)
