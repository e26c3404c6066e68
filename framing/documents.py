"""Read input files into :class:`Document` objects, one per article.

``.txt`` (or any other extension) is one article; ``.jsonl`` is one document per record with
``text`` and optional ``id``, ``outlet``, ``date``, ``title``, ``url``. Text must be UTF-8 (a
BOM and CRLF line ends are accepted and normalised). A file that cannot be used is reported
through the ``errors`` list as an :class:`~framing.errors.InputError` naming the file, and
reading goes on with the next file, so one bad input never hides the good ones.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .errors import InputError

#: Largest article or JSONL record text accepted, in characters. Larger inputs are refused
#: with a message rather than exhausting memory; JSONL files themselves may be any size.
MAX_TEXT_CHARS = 20_000_000
#: Largest single .txt file read, in bytes.
MAX_FILE_BYTES = 64 * 1024 * 1024
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


def _check_text(text: str, where: str) -> str:
    if not text.strip():
        raise InputError(f"{where}: empty text, nothing to classify")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"{where}: text of {len(text):,} characters is over the limit of "
                         f"{MAX_TEXT_CHARS:,}; split it into smaller documents")
    return text


def _check_path(path: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: no such file")
    if p.is_dir():
        raise InputError(f"{path}: is a directory, expected a file")
    return p


def _open_binary(path: str):
    """A buffered binary stream of the file (or standard input), with peek()."""
    if path == STDIN:
        stream = sys.stdin.buffer
        if not hasattr(stream, "peek"):  # e.g. an in-memory stream under test
            stream = io.BufferedReader(stream)
        return contextlib.nullcontext(stream)
    _check_path(path)
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


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


def parse_record(line: str, where: str, default_id: str, source: str) -> Document:
    """Turn one JSONL line into a Document; every problem is an InputError naming ``where``."""
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        message = getattr(exc, "msg", "too deeply nested")
        raise InputError(f"{where}: not valid JSON ({message})") from None
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
    meta = {key: str(record[key]) for key in META_FIELDS
            if record.get(key) is not None and isinstance(record[key], (str, int, float))}
    return Document(source=source, document_id=str(raw_id), text=text, meta=meta)


def _iter_jsonl(handle, source: str, errors: list | None) -> Iterator[Document]:
    """Records one line at a time, so a JSONL file of any size streams in flat memory."""
    stem = "stdin" if source == STDIN else Path(source).stem
    for line_no, raw in enumerate(handle, start=1):
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        where = f"{source}:{line_no}"
        try:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError(f"{where}: not UTF-8 text") from None
            yield parse_record(line, where, f"{stem}:{line_no}", source)
        except InputError as exc:
            _report(exc, errors)


def _report(exc: InputError, errors: list | None) -> None:
    if errors is None:
        raise exc
    errors.append(exc)


def read_documents(paths: Iterable[str | os.PathLike], *,
                   errors: list | None = None) -> Iterator[Document]:
    """Yield the documents of every path in order (JSONL streams record by record).

    With ``errors`` given, each unusable file or record is appended to it as an InputError and
    reading continues; without it, the first problem is raised.
    """
    for raw_path in paths:
        path = os.fspath(raw_path)
        try:
            with _open_binary(path) as handle:
                head = handle.peek(8192)[:8192]
                if _looks_like_jsonl(path, head):
                    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
                        decode_text(head, path)  # raises the right message
                    yield from _iter_jsonl(handle, path, errors)
                    continue
                text = _check_text(decode_text(_read_all(handle, path), path), path)
        except InputError as exc:
            _report(exc, errors)
            continue
        except OSError as exc:
            _report(InputError(f"{path}: cannot read ({exc.strerror or exc})"), errors)
            continue
        document_id = "stdin" if path == STDIN else Path(path).stem
        yield Document(source=path, document_id=document_id, text=text, meta={})
