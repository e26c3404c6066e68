"""Tagged passages read back: the output of ``framing classify --format jsonl`` as input.

``framing compare`` takes such a file as its corpus and uses its tags as they are, without
classifying again. A file is tagged when its first record has every key of
:data:`TAGGED_KEYS` (what :meth:`framing.run.serial.PassageResult.to_dict` writes); raw
records (``text`` and metadata) never have ``passage_index``, ``scores`` or ``frames`` with
``start`` and ``end``, and labelled gold records have no ``scores``, so neither is mistaken
for it. Then every record of the file must be one: a raw record among tagged ones, or a
record with a key missing or of the wrong type, is one :class:`~framing.errors.InputError`
naming its line.

Metadata is read as the corpus loader reads a JSONL record's fields (:mod:`framing.io.corpus`):
keys stripped and lower-cased, scalar values as stripped strings, empty and null values left
out, so that grouping a tagged file gives the groups of the raw records it came from.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from framing.errors import InputError, UsageError
from framing.io.documents import jsonl_lines, open_input, parse_json_line

#: The keys of a ``framing classify --format jsonl`` record that mark a file as tagged.
TAGGED_KEYS = ("source", "document_id", "passage_index", "start", "end", "text", "frames",
               "scores")
_SUFFIXES = (".jsonl", ".ndjson")
_TYPES = {"source": (str,), "document_id": (str,), "passage_index": (int,), "start": (int,),
          "end": (int,), "text": (str,), "frames": (list,), "scores": (dict,)}
#: Keys that classify writes and a raw record does not have.
_CLASSIFY_ONLY = ("document_id", "passage_index", "start", "end", "scores")
_NAMES = {str: "a string", int: "an integer", list: "a list", dict: "an object"}


def looks_tagged(record) -> bool:
    """Whether a parsed JSON record is a tagged passage (has every key of TAGGED_KEYS)."""
    return isinstance(record, dict) and all(key in record for key in TAGGED_KEYS)


def is_tagged_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a JSONL file whose first record is a tagged passage. Anything
    unreadable or malformed is not (the corpus loader then says what is wrong with it)."""
    given = os.fspath(path)
    if Path(given).suffix.lower() not in _SUFFIXES or not os.path.isfile(given):
        return False
    try:
        with open_input(given) as handle:
            for _, line in jsonl_lines(handle, given):
                if isinstance(line, InputError):
                    return False
                return looks_tagged(parse_json_line(line, given))
    except (InputError, OSError):
        return False
    return False


def _meta(value, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{where}: 'meta' must be an object, got {type(value).__name__}")
    meta = {}
    for key, item in value.items():
        if item is None or isinstance(item, (dict, list)):
            continue
        text = str(item).strip()
        if text:
            meta[str(key).strip().lower()] = text
    return meta


def tagged_passage(record, where: str) -> dict:
    """A tagged record checked, as the dict :func:`framing.comparison.api.compare_passages`
    takes; an InputError naming ``where`` if it is not one."""
    if not looks_tagged(record):
        if isinstance(record, dict) and "text" in record and \
                not any(key in record for key in _CLASSIFY_ONLY):
            raise InputError(f"{where}: a raw record (no tags) in a file of tagged passages "
                             "(framing classify output); compare the raw records or the "
                             "tagged ones, not a mix")
        missing = [key for key in TAGGED_KEYS if not isinstance(record, dict) or key not in record]
        raise InputError(f"{where}: not a tagged passage of framing classify --format jsonl "
                         f"(no {', '.join(repr(k) for k in missing)})")
    for key, types in _TYPES.items():
        value = record[key]
        if not isinstance(value, types) or isinstance(value, bool):
            raise InputError(f"{where}: {key!r} must be {_NAMES[types[0]]}, got "
                             f"{type(value).__name__}")
    if not all(isinstance(frame, str) for frame in record["frames"]):
        raise InputError(f"{where}: 'frames' must be a list of frame names")
    if not all(isinstance(score, (int, float)) and not isinstance(score, bool)
               for score in record["scores"].values()):
        raise InputError(f"{where}: 'scores' must map frame names to numbers")
    passage = {key: record[key] for key in TAGGED_KEYS}
    passage["meta"] = _meta(record.get("meta"), where)
    return passage



def read_tagged(path: str | os.PathLike, by_field: str | None = None) -> Iterator[dict]:
    """Every tagged passage of ``path``, in order, streamed (flat memory); each problem is an
    InputError naming its line. With ``by_field``, a file in which no passage has that
    metadata field is one UsageError naming the fields it has (raised at its end)."""
    given = os.fspath(path)
    fields: set = set()
    grouped = False
    with open_input(given) as handle:
        for line_no, line in jsonl_lines(handle, given):
            where = f"{given}:{line_no}"
            if isinstance(line, InputError):
                raise line
            passage = tagged_passage(parse_json_line(line, where), where)
            fields.update(passage["meta"])
            grouped = grouped or bool(by_field and by_field in passage["meta"])
            yield passage
    if by_field and not grouped:
        raise UsageError(f"--by {by_field}: no passage of {given} has the metadata field "
                         f"{by_field!r}; the fields it has are: "
                         f"{', '.join(sorted(fields)) or 'none'} (framing classify keeps "
                         "every scalar field of its input records in meta)")
