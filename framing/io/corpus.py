"""Load a corpus for comparison: articles plus what is known about each (outlet, date, ...).

A corpus is one of

- a folder holding ``manifest.csv`` or ``manifest.jsonl`` that lists its articles, one row
  each, with the columns ``file`` (relative to the manifest's folder), ``outlet``, ``date``,
  ``title``, ``url`` and any others (every column becomes metadata that ``--by`` can group on);
- such a manifest file itself;
- one JSONL file of records with ``text`` and ``outlet`` (and optionally ``id``, ``date``,
  ``title``, ``url`` or any other scalar field); a record with ``file`` instead of ``text``
  is a manifest row.

The whole corpus is checked before anything is classified: every problem (a missing or
malformed manifest, a path that leaves the corpus folder, an absent, duplicate or unreadable
file, an article without the field the comparison groups on, an unreadable date) is collected
and raised as one :class:`~framing.errors.InputError` whose first line says what failed and
whose following lines list each problem. Articles are read with
:func:`framing.io.documents.read_documents`, so text rules (UTF-8, BOM, line ends, size limits)
are the same as for ``framing classify``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from framing.io.documents import (META_FIELDS, Document, decode_text, jsonl_lines, missing_reason,
                        open_input, parse_json_line, read_input, read_documents, record_document)
from framing.io.tagged import looks_tagged
from framing.errors import InputError, UsageError

MANIFEST_NAMES = ("manifest.csv", "manifest.jsonl")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
#: Fields of a manifest row or record that are not metadata.
RESERVED_FIELDS = ("file", "text", "id")
#: Periods a date column can be grouped by (``--by date:month``); plain ``date`` is by day.
PERIODS = ("day", "week", "month", "year")
#: Problems listed in one error message at most (the count of the rest is given).
MAX_LISTED_PROBLEMS = 50
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


@dataclass(frozen=True)
class Corpus:
    """The articles of a corpus, in manifest (or file) order, each with its metadata."""

    path: str
    documents: tuple[Document, ...]
    manifest: str | None     # the manifest or JSONL file read
    fields: tuple[str, ...]  # metadata fields present on at least one article, sorted

    def __len__(self) -> int:
        return len(self.documents)

    def read(self):
        """The documents, in order (as :meth:`StreamedCorpus.read` reads them)."""
        return iter(self.documents)

    @property
    def sources(self) -> list[str]:
        """The files the documents come from, each once."""
        return list(dict.fromkeys(d.source for d in self.documents))


# -- grouping ----------------------------------------------------------------------------

def parse_by(by: str) -> tuple[str, str | None]:
    """Split a ``--by`` value into (field, period): ``outlet`` -> (outlet, None),
    ``date`` -> (date, day), ``date:month`` or ``published:week`` -> (field, period)."""
    text = (by or "").strip().lower()
    field_name, _, period = text.partition(":")
    field_name = field_name.strip()
    period = period.strip() or ("day" if field_name == "date" else "")
    if not field_name or field_name in ("file", "text"):
        raise UsageError(f"--by {by!r}: expected a metadata field such as outlet or date "
                         "(optionally date:week, date:month or date:year)")
    if period and period not in PERIODS:
        raise UsageError(f"--by {by!r}: unknown period {period!r}; expected one of "
                         f"{', '.join(PERIODS)}")
    return field_name, (period or None)


def canonical_by(by: str) -> str:
    """One spelling per grouping: ``Date`` and ``date:day`` are both ``date``."""
    field_name, period = parse_by(by)
    if period is None or (field_name == "date" and period == "day"):
        return field_name
    return f"{field_name}:{period}"


def parse_date(value: str) -> dt.date:
    """An ISO 8601 date or date-time (``2025-06-02``, ``2025-06-02T09:30:00Z``); ValueError if not.

    A date-time's own calendar day is kept (no conversion to UTC)."""
    text = value.strip()
    try:
        if len(text) <= 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(f"date {value!r} is not an ISO 8601 date such as 2025-06-02") from None


def _is_date(value: str) -> bool:
    try:
        parse_date(value)
    except ValueError:
        return False
    return True


def period_key(value: str, period: str) -> str:
    """The group a date falls in: ``2025-06-02`` (day), ``2025-W23`` (ISO week),
    ``2025-06`` (month), ``2025`` (year). Month and year also accept ``2025-06`` and ``2025``."""
    partial = _PARTIAL_DATE.match(value.strip())
    if partial and period in ("month", "year"):
        year, month = partial.group(1), partial.group(2)
        if period == "year":
            return year
        if month and 1 <= int(month) <= 12:
            return f"{year}-{month}"
    date = parse_date(value)
    if period == "day":
        return date.isoformat()
    if period == "week":
        iso = date.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    if period == "month":
        return f"{date.year:04d}-{date.month:02d}"
    return f"{date.year:04d}"


def group_value(meta: dict, field_name: str, period: str | None) -> str:
    """The group of an article with metadata ``meta``; ValueError saying why there is none."""
    raw = meta.get(field_name)
    value = raw.strip() if isinstance(raw, str) else ("" if raw is None else str(raw))
    if not value:
        raise ValueError(f"no {field_name}")
    return period_key(value, period) if period else value


# -- loading -----------------------------------------------------------------------------

class _Problems:
    """Collects every problem with a corpus; raises them together."""

    def __init__(self) -> None:
        self.items: list[tuple[int, int, str]] = []

    def add(self, message: str, line: int = 0) -> None:
        """Record a problem; ``line`` (of the manifest) orders the list, 0 comes first."""
        self.items.append((line, len(self.items), message))

    def raise_if_any(self, what: str) -> None:
        if not self.items:
            return
        count = len(self.items)
        lines = [message for _, _, message in sorted(self.items)][:MAX_LISTED_PROBLEMS]
        if count > MAX_LISTED_PROBLEMS:
            lines.append(f"... and {count - MAX_LISTED_PROBLEMS} more")
        noun = "problem" if count == 1 else "problems"
        raise InputError(f"{what}: {count} {noun}, nothing was compared:\n"
                         + "\n".join(f"  {line}" for line in lines))


def load_corpus(path: str | os.PathLike, *, by: str | None = "outlet") -> Corpus:
    """Read and check a corpus (folder, manifest file, or JSONL of records).

    Parameters
    ----------
    path : a corpus folder, a ``.csv``/``.jsonl`` manifest, or a JSONL file of records.
    by : the grouping (see :func:`parse_by`) every article must have a value for, or None.

    Raises
    ------
    InputError listing every problem found, when there is at least one.
    """
    grouping = parse_by(by) if by else None
    given = os.fspath(path)
    location = Path(given)
    if not location.exists():
        reason = missing_reason(given)
        raise InputError(f"{given}: " + ("no such corpus folder or file" if reason == "no such file"
                                          else reason))
    if location.is_dir():
        found = [location / name for name in MANIFEST_NAMES if os.path.lexists(location / name)]
        if not found:
            raise InputError(
                f"{given}: no manifest.csv or manifest.jsonl in this folder; list the articles "
                "in manifest.csv with the columns file,outlet,date,title,url (file relative to "
                "the folder), or pass a JSONL file of records with text and outlet")
        if len(found) > 1:
            raise InputError(f"{given}: both manifest.csv and manifest.jsonl are here; keep one, "
                             "or pass the one to use as CORPUS")
        manifest_given = os.path.join(given, found[0].name)
    else:
        manifest_given = given
    suffix = Path(manifest_given).suffix.lower()
    if suffix not in (".csv",) + JSONL_SUFFIXES:
        raise InputError(f"{given}: expected a corpus folder, a .csv manifest or a .jsonl file "
                         f"(got {suffix or 'a file without extension'})")
    problems = _Problems()
    try:
        if suffix == ".csv":
            text = decode_text(read_input(manifest_given, "manifest"), manifest_given)
            rows = _csv_rows(text, manifest_given, problems)
        else:  # streamed: a JSONL corpus of records may be large
            with open_input(manifest_given) as handle:
                rows = _jsonl_rows(jsonl_lines(handle, manifest_given), manifest_given,
                                   problems)
    except InputError as exc:
        reason = str(exc).removeprefix(f"{manifest_given}: ")
        raise InputError(f"{manifest_given}: cannot read the manifest: {reason}") from None
    except OSError as exc:
        raise InputError(f"{manifest_given}: cannot read ({exc.strerror or exc})") from None
    base_given = os.path.dirname(manifest_given)
    documents = _resolve(rows, base_given, manifest_given, problems)
    if not documents and not problems.items:
        problems.add(f"{manifest_given}: lists no articles")
    if grouping:
        _check_groups(documents, *grouping, problems)
    problems.raise_if_any(f"corpus {given}")
    fields = sorted({key for doc, _, _ in documents for key in doc.meta})
    return Corpus(path=given, documents=tuple(doc for doc, _, _ in documents),
                  manifest=manifest_given, fields=tuple(fields))


def _csv_rows(text: str, where: str, problems: _Problems) -> list[tuple[int, str, dict]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        problems.add(f"{where}:1: not valid CSV ({exc})", 1)
        return []
    if header is None or not any(cell.strip() for cell in header):
        problems.add(f"{where}: empty manifest; its first line must be a header such as "
                     "file,outlet,date,title,url")
        return []
    names = [cell.strip().lower() for cell in header]
    duplicated = sorted({name for name in names if names.count(name) > 1 and name})
    if duplicated:
        problems.add(f"{where}:1: column(s) named twice in the header: {', '.join(duplicated)}", 1)
    if "file" not in names:
        problems.add(f"{where}:1: header has no 'file' column (found: "
                     f"{', '.join(n for n in names if n) or 'none'}); expected "
                     "file,outlet,date,title,url", 1)
        return []
    rows: list[tuple[int, str, dict]] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.add(f"{where}:{reader.line_num}: not valid CSV ({exc})", reader.line_num)
            break
        line_no = reader.line_num
        line = f"{where}:{line_no}"
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(names):
            problems.add(f"{line}: {len(cells)} fields where the header has {len(names)}",
                         line_no)
            continue
        rows.append((line_no, line, {name: cell.strip() for name, cell in zip(names, cells)
                                     if name and cell.strip()}))
    return rows


def _jsonl_rows(lines, where: str, problems: _Problems) -> list[tuple[int, str, dict]]:
    """Rows of ``(line number, text or InputError)`` lines (see documents.jsonl_lines)."""
    rows: list[tuple[int, str, dict]] = []
    stem = Path(where).stem
    for line_no, line in lines:
        fields = jsonl_row(line_no, line, where, stem, problems)
        if fields is not None:
            rows.append((line_no, f"{where}:{line_no}", fields))
    return rows


def jsonl_row(line_no: int, line, where: str, stem: str, problems: _Problems) -> dict | None:
    """The fields of one JSONL corpus line (a record's under ``__document__``, parsed), or
    None after adding its problem to ``problems``."""
    location = f"{where}:{line_no}"
    try:
        if isinstance(line, InputError):
            raise line
        record = parse_json_line(line, location)
    except InputError as exc:
        problems.add(str(exc), line_no)
        return None
    if not isinstance(record, dict):
        problems.add(f"{location}: expected a JSON object, got {type(record).__name__}",
                     line_no)
        return None
    if looks_tagged(record):
        problems.add(f"{location}: a tagged passage (framing classify output) among raw "
                     "records; compare the raw records or the tagged ones, not a mix",
                     line_no)
        return None
    if ("text" in record) == ("file" in record):
        problems.add(f"{location}: a record needs either 'text' (the article) or 'file' "
                     "(a path relative to this file), not " +
                     ("both" if "text" in record else "neither"), line_no)
        return None
    fields: dict = {}
    bad = False
    for key, value in record.items():
        if key == "text" or value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            problems.add(f"{location}: field {key!r} must be a string or a number", line_no)
            bad = True
            continue
        if str(value).strip():
            fields[str(key).strip().lower()] = str(value).strip()
    if bad:
        return None
    if "text" in record:
        try:
            document = record_document(record, location, f"{stem}:{line_no}", where)
        except InputError as exc:
            problems.add(str(exc), line_no)
            return None
        fields["__document__"] = document
    return fields


def with_meta(document: Document, fields: dict) -> Document:
    """``document`` with the metadata of its manifest row or record: the row's fields (but
    file, text and id) over the document's own outlet, date, title and url, sorted."""
    meta = {key: value for key, value in fields.items()
            if key not in RESERVED_FIELDS and key != "__document__"}
    merged = {**{k: v for k, v in document.meta.items() if k in META_FIELDS}, **meta}
    return replace(document, meta=dict(sorted(merged.items())))


def _inside(base_real: str, target: str) -> bool:
    real = os.path.realpath(target)
    try:
        return os.path.commonpath([base_real, real]) == base_real
    except ValueError:  # different drives on Windows
        return False


def _resolve(rows, base_given: str, manifest: str, problems: _Problems):
    """Documents (with metadata) for the rows; each with the row's location for messages."""
    base_real = os.path.realpath(base_given or ".")
    seen_files: dict[str, str] = {}
    seen_ids: dict[tuple[str, str], str] = {}
    documents: list[tuple[Document, int, str]] = []
    for line_no, location, fields in rows:
        document = fields.pop("__document__", None)
        # An id the manifest gives (a record's, or a listed file's 'id' column) must be unique
        # in the manifest; an id taken from a file's name, unique among that file's documents.
        namespace = manifest
        if document is None:
            document = _read_listed(line_no, location, fields.get("file", ""), base_given,
                                    base_real, seen_files, problems)
            if document is None:
                continue
            if fields.get("id"):
                document = replace(document, document_id=fields["id"])
            else:
                namespace = document.source
        document = with_meta(document, fields)
        key = (namespace, document.document_id)
        if key in seen_ids:
            problems.add(f"{location}: id {document.document_id!r} is used twice "
                         f"(first at {seen_ids[key]})", line_no)
            continue
        seen_ids[key] = location
        documents.append((document, line_no, location))
    return documents


def _read_listed(line_no, location, file_value, base_given, base_real, seen_files, problems):
    def problem(message: str) -> None:
        problems.add(f"{location}: {message}", line_no)

    file_value = file_value.strip()
    if not file_value:
        problem("empty 'file'")
        return None
    if any(ord(c) < 32 or c == "\x7f" for c in file_value):
        problem(f"{file_value!r} contains control characters (a NUL byte or a line break); "
                "not a usable file name")
        return None
    if os.path.isabs(file_value) or file_value.startswith(("/", "\\")) or \
            re.match(r"^[A-Za-z]:", file_value):
        problem(f"{file_value!r} is an absolute path; give it relative to the manifest's folder")
        return None
    source = os.path.normpath(os.path.join(base_given, file_value)) if base_given \
        else os.path.normpath(file_value)
    if not _inside(base_real, os.path.join(base_real, file_value)):
        problem(f"{file_value!r} points outside the corpus folder; manifest paths must stay "
                "inside it")
        return None
    if Path(file_value).suffix.lower() in JSONL_SUFFIXES:
        problem(f"{file_value!r} is JSONL; a manifest lists article files (pass a JSONL file "
                "of records as CORPUS instead)")
        return None
    real = os.path.realpath(source)
    if real in seen_files:
        problem(f"{file_value!r} is listed twice (first at {seen_files[real]})")
        return None
    seen_files[real] = location
    if not os.path.exists(source):
        reason = missing_reason(source)
        problem(f"{file_value!r} not found (looked for {source})" if reason == "no such file"
                else f"{file_value!r}: {reason}")
        return None
    if not os.path.isfile(source) and not os.path.isdir(source):
        problem(f"{file_value!r} is not a regular file (a device, pipe or socket)")
        return None
    errors: list = []
    found = list(read_documents([source], errors=errors))
    for error in errors:
        problem(str(error))
    return found[0] if found and not errors else None


def _check_groups(documents, field_name: str, period: str | None, problems: _Problems) -> None:
    """Every article must have a group. A ``--by`` field no article has, or a period on a
    field that holds no dates, is one usage error naming the fields that exist, not one
    problem per article."""
    values = [str(d.meta.get(field_name, "")).strip() for d, _, _ in documents]
    present = [v for v in values if v]
    by = f"{field_name}:{period}" if period else field_name
    if documents and not present:
        fields = sorted({key for d, _, _ in documents for key, value in d.meta.items()
                         if str(value).strip()})
        raise UsageError(f"--by {by}: no article has the field {field_name!r}; the fields "
                         f"this corpus has are: {', '.join(fields) or 'none'}")
    if period and present and not any(_is_date(v) for v in present):
        raise UsageError(f"--by {by}: {field_name!r} holds no dates (e.g. {present[0]!r}); a "
                         f"period goes with a date field, such as date:{period}")
    for document, line_no, location in documents:
        try:
            group_value(document.meta, field_name, period)
        except ValueError as exc:
            missing = not str(document.meta.get(field_name, "")).strip()
            hint = f" (every article needs one to be grouped by {field_name})" if missing else ""
            problems.add(f"{location}: {exc}{hint}", line_no)
