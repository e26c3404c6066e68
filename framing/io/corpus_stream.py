"""A JSONL corpus of records read twice and never held: a check first, then the documents.

:func:`open_corpus` is what ``framing compare`` loads a corpus with. A JSONL file of records
(``text`` and metadata, one article a line) is read once to check it, keeping no text: per
article only an 8-byte hash of its id (to find an id used twice, sorted in place at the end,
then freed), so the check of a million records holds about 8 MB, and nothing per article is
left when it is done. :meth:`StreamedCorpus.read` then reads it again, one record at a time,
as the classification needs it. Any problem the first read
finds sends the corpus to :func:`~framing.io.corpus.load_corpus`, which lists every problem as
always (one :class:`~framing.errors.InputError`, before anything is classified), so the
messages are those of the loader. A folder, a CSV manifest, or a JSONL file that lists article
files (``file`` rows) is loaded by :func:`~framing.io.corpus.load_corpus` as before.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from framing.errors import InputError
from framing.io.corpus import (JSONL_SUFFIXES, MANIFEST_NAMES, Corpus, _Problems, group_value,
                               jsonl_row, load_corpus, parse_by, with_meta)
from framing.io.documents import Document, jsonl_lines, open_input
from framing.io.mapped import MappedInts


@dataclass
class StreamedCorpus:
    """A checked JSONL corpus of records: what is known of it without its texts."""

    path: str
    manifest: str
    count: int
    fields: tuple[str, ...]
    #: Group names in order of first appearance.
    groups: list = field(default_factory=list)

    def __len__(self) -> int:
        return self.count

    @property
    def sources(self) -> list[str]:
        return [self.manifest]

    def read(self) -> Iterator[Document]:
        """The articles, read again one at a time, as :func:`load_corpus` gives them."""
        problems = _Problems()
        count = 0
        with open_input(self.manifest) as handle:
            for line_no, line in jsonl_lines(handle, self.manifest):
                fields = jsonl_row(line_no, line, self.manifest, Path(self.manifest).stem,
                                   problems)
                if fields is None or "__document__" not in fields:
                    break
                count += 1
                yield with_meta(fields.pop("__document__"), fields)
        if problems.items or count != self.count:
            raise InputError(f"corpus {self.path}: the file changed while it was compared "
                             f"({self.count:,} records when checked, then "
                             + (problems.items[0][2] if problems.items else f"{count:,}")
                             + "); compare a file that is not being written")


def open_corpus(path: str | os.PathLike, *, by: str = "outlet") -> Corpus | StreamedCorpus:
    """A JSONL corpus of records, checked in one read that keeps no text
    (:class:`StreamedCorpus`); any other corpus, or one with a problem, through
    :func:`load_corpus` (a :class:`Corpus`, or the InputError listing every problem)."""
    given = os.fspath(path)
    if Path(given).suffix.lower() not in JSONL_SUFFIXES or not os.path.isfile(given) \
            or Path(given).name in MANIFEST_NAMES:
        return load_corpus(path, by=by)
    scanned = _scan(given, *parse_by(by))
    return scanned if scanned is not None else load_corpus(path, by=by)


def _scan(given: str, field_name: str, period: str | None) -> StreamedCorpus | None:
    """The corpus checked in one read; None when it is not all records or has any problem
    (then :func:`load_corpus` says what)."""
    problems = _Problems()
    hashes = MappedInts()
    fields: set = set()
    groups: dict = {}
    stem = Path(given).stem
    try:
        with open_input(given) as handle:
            for line_no, line in jsonl_lines(handle, given):
                row = jsonl_row(line_no, line, given, stem, problems)
                if row is None or "__document__" not in row:
                    return None
                document = with_meta(row.pop("__document__"), row)
                try:
                    group = group_value(document.meta, field_name, period)
                except ValueError:
                    return None
                hashes.append(hash(document.document_id))
                fields.update(document.meta)
                groups.setdefault(group, len(groups))
    except (InputError, OSError):
        return None
    if not hashes or _repeats(hashes):
        return None
    return StreamedCorpus(path=given, manifest=given, count=len(hashes),
                          fields=tuple(sorted(fields)), groups=list(groups))


def _repeats(hashes: MappedInts) -> bool:
    """Whether two ids may be the same (equal hashes; the loader then checks the ids)."""
    values = hashes.values
    values.sort()  # in place: no copy of the corpus's hashes
    step, last = 1 << 16, len(values) - 1  # compared a block at a time: no array of N flags
    return any(bool(np.any(values[at + 1:min(at + step, last) + 1]
                           == values[at:min(at + step, last)]))
               for at in range(0, last, step))
