"""Coding sheets: passages drawn for people to code, as JSONL or CSV, read back once coded.

A sheet has one record per passage: where it comes from (``document_id``,
``passage_index``, ``group``, ``unit``), how it was drawn (``stratum`` and
``inclusion_probability``, so estimates can weight it), its ``text``, and ``frames``: null
until coded, then the list of frames the coder saw (``[]``: coded, no frame). Tags and
scores are never on a sheet: coders must not see them.

In CSV each frame is a column, blank until coded, so a spreadsheet works as a coding tool:
a row is coded once any frame cell is filled; ``1``, ``x``, ``yes``, ``y`` or ``true`` mark the
frame, ``0``, ``no``, ``n``, ``false`` or a blank in a coded row do not. JSONL -> CSV -> JSONL
gives the same records.
"""

from __future__ import annotations

import csv
import io
import os
from typing import Iterable

from framing.errors import InputError, UsageError
from framing.frames import FRAMES
from framing.io.atomic import write_files_atomic
from framing.io.documents import decode_text, parse_json_line, read_input
from framing.io.writers import csv_safe, dump_bytes

SHEET_FORMATS = ("jsonl", "csv")
#: Fields of a sheet record before the coded frames, in file order.
SHEET_FIELDS = ("document_id", "passage_index", "group", "unit", "stratum",
                "inclusion_probability", "text")
_YES = {"1", "x", "yes", "y", "true"}
_NO = {"0", "no", "n", "false", ""}
#: A coding sheet is read whole; this is far beyond any sample people code.
MAX_SHEET_BYTES = 200 * 1024 * 1024


def sheet_format(path: str | os.PathLike | None, fmt: str | None) -> str:
    """The sheet's format: ``fmt`` if given, else from the suffix (.csv), else JSONL."""
    if fmt:
        if fmt not in SHEET_FORMATS:
            raise UsageError(f"unknown sheet format {fmt!r}; expected jsonl or csv")
        return fmt
    return "csv" if path and os.fspath(path).lower().endswith(".csv") else "jsonl"


def render_sheet(records: Iterable[dict], fmt: str) -> str:
    """The sheet as text: one JSON object a line, or CSV with one column per frame."""
    if fmt == "jsonl":
        return "".join(dump_bytes({**{k: r[k] for k in SHEET_FIELDS}, "frames": r["frames"]})
                       .decode("utf-8") + "\n" for r in records)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*SHEET_FIELDS, *FRAMES])
    for r in records:
        cells = [r[k] for k in SHEET_FIELDS]
        coded = r["frames"]
        marks = [""] * len(FRAMES) if coded is None else \
            ["1" if f in coded else "0" for f in FRAMES]
        writer.writerow([csv_safe(str(c)) if isinstance(c, str) else c for c in cells] + marks)
    return buffer.getvalue()


def write_sheet(path: str | os.PathLike, records: list[dict], fmt: str | None = None) -> None:
    """Write the sheet atomically: a reader (or an interrupted save) never sees half of it."""
    write_files_atomic([(path, render_sheet(records, sheet_format(path, fmt)))])


def _unquote(value: str) -> str:
    """Undo :func:`csv_safe`'s formula guard (a leading ``'`` before = + - @ tab CR)."""
    if value.startswith("'") and value[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return value[1:]
    return value


def _check_record(record, where: str) -> dict:
    if not isinstance(record, dict):
        raise InputError(f"{where}: a sheet record must be a JSON object")
    missing = [k for k in ("document_id", "passage_index", "text", "frames") if k not in record]
    if missing:
        raise InputError(f"{where}: not a coding sheet record (missing {', '.join(missing)}); "
                         "make one with framing sample")
    index = record["passage_index"]
    if isinstance(index, float) and index.is_integer():
        index = int(index)  # a spreadsheet turned 3 into 3.0
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise InputError(f"{where}: passage_index must be a whole number >= 0, got {index!r}")
    frames = record["frames"]
    if frames is not None:
        if not isinstance(frames, list) or not all(isinstance(f, str) for f in frames):
            raise InputError(f"{where}: frames must be null (not coded) or a list of frame "
                             "names")
        unknown = sorted(set(frames) - set(FRAMES))
        if unknown:
            raise InputError(f"{where}: unknown frame(s) {', '.join(unknown)}; expected some "
                             f"of {', '.join(FRAMES)}")
        frames = [f for f in FRAMES if f in frames]
    probability = record.get("inclusion_probability", 1.0)
    try:
        probability = float(probability)
    except (TypeError, ValueError):
        probability = -1.0
    if not 0.0 < probability <= 1.0:
        raise InputError(f"{where}: inclusion_probability must be in (0, 1], got "
                         f"{record.get('inclusion_probability')!r}")
    return {"document_id": str(record["document_id"]), "passage_index": index,
            "group": None if record.get("group") is None else str(record["group"]),
            "unit": record.get("unit"), "stratum": record.get("stratum"),
            "inclusion_probability": probability, "text": str(record["text"]),
            "frames": frames}


def _csv_record(row: dict, where: str) -> dict:
    marks = {}
    for frame in FRAMES:
        value = (row.get(frame) or "").strip().casefold()
        if value not in _YES | _NO:
            raise InputError(f"{where}: {frame} must be 1 or 0 (or x / blank), got "
                             f"{row.get(frame)!r}")
        marks[frame] = value
    coded = any(marks.values())
    record = {k: _unquote(row.get(k) or "") for k in SHEET_FIELDS}
    try:
        record["passage_index"] = int(float(record["passage_index"]))
    except ValueError:
        raise InputError(f"{where}: passage_index must be a whole number, got "
                         f"{record['passage_index']!r}") from None
    record["inclusion_probability"] = record["inclusion_probability"] or 1.0
    record["frames"] = [f for f in FRAMES if marks[f] in _YES] if coded else None
    return record


def read_sheet(path: str | os.PathLike) -> list[dict]:
    """The records of a coding sheet (JSONL, or CSV by its suffix or header), checked.

    Raises :class:`~framing.errors.InputError` naming the file and line of the first problem,
    and on a sheet with no records or with the same passage twice."""
    return read_sheet_and_format(path)[0]


def read_sheet_and_format(path: str | os.PathLike) -> tuple[list[dict], str]:
    """:func:`read_sheet`'s records and the format the file is in (``jsonl`` or ``csv``),
    so a sheet rewritten after coding stays in its own format."""
    path = os.fspath(path)
    text = decode_text(read_input(path, "coding sheet", MAX_SHEET_BYTES), path)
    records = []
    if not text.strip():
        raise InputError(f"{path}: the coding sheet is empty (no records)")
    fmt = "jsonl" if text.lstrip().startswith("{") else "csv"
    if fmt == "jsonl":
        for line_no, line in enumerate(text.split("\n"), start=1):
            if line.strip():
                where = f"{path}:{line_no}"
                records.append(_check_record(parse_json_line(line, where), where))
    else:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = reader.fieldnames or []
        missing = [c for c in ("document_id", "passage_index", "text", *FRAMES)
                   if c not in header]
        if missing:
            raise InputError(f"{path}: not a coding sheet (no column {', '.join(missing)}); "
                             "make one with framing sample")
        for row_no, row in enumerate(reader, start=1):
            where = f"{path}: row {row_no}"
            records.append(_check_record(_csv_record(row, where), where))
    if not records:
        raise InputError(f"{path}: the coding sheet has no records")
    seen: set = set()
    for record in records:
        key = (record["document_id"], record["passage_index"])
        if key in seen:
            raise InputError(f"{path}: passage {key[1]} of {key[0]!r} is on the sheet twice")
        seen.add(key)
    return records, fmt
