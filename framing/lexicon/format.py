"""The frame lexicon's file format: a versioned TSV of cue terms, read, validated and written.

The file (``framing/lexicon/data/lexicon.tsv``) has ``#`` comment lines, one of them
``# version: X.Y.Z``, then a header ``frame, term, weight, note`` and one row a term. How the cues are found in text:
:mod:`framing.lexicon.matcher`.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import stat
from dataclasses import dataclass
from importlib import resources
from typing import Iterable

from framing.errors import ModelError
from framing.frames import FRAMES
from framing.lexicon.matcher import LexiconTables, Match, MatchTable, match_table
from framing.text.tokens import tokens

_VERSION_LINE = re.compile(r"#\s*version:\s*(\S+)")
#: Largest weight of one cue, either sign: a hundred times the shipped ones, and small enough
#: that no sum of cue weights over a text can overflow (1e308 weights are refused at load).
MAX_WEIGHT = 100.0


@dataclass(frozen=True)
class Term:
    frame: str
    text: str
    weight: float
    note: str
    stems: tuple[str, ...]


def default_lexicon_path():
    return resources.files("framing.lexicon").joinpath("data", "lexicon.tsv")


class Lexicon:
    """Frame cue terms with weights; :meth:`match` finds them in a text with their spans."""

    def __init__(self, terms: Iterable[Term], version: str = "unversioned", source: str = ""):
        self.terms: tuple[Term, ...] = tuple(terms)
        self.version = version
        self.source = source

    # -- reading -----------------------------------------------------------------------
    @classmethod
    def from_text(cls, content: str, source: str = "<string>") -> "Lexicon":
        """Parse lexicon TSV content; any malformed row is a ModelError naming its line."""
        version = "unversioned"
        terms: list[Term] = []
        seen: set[tuple[str, tuple[str, ...]]] = set()
        header_seen = False
        for line_no, raw in enumerate(content.splitlines(), start=1):
            line = raw.rstrip("\r")
            if not line.strip():
                continue
            if line.startswith("#"):
                found = _VERSION_LINE.match(line)
                if found:
                    version = found.group(1)
                continue
            cells = line.split("\t")
            if not header_seen:
                header_seen = True
                if [c.strip().lower() for c in cells[:3]] == ["frame", "term", "weight"]:
                    continue
            where = f"{source}:{line_no}"
            if len(cells) < 3:
                raise ModelError(f"{where}: expected frame<TAB>term<TAB>weight[<TAB>note]")
            frame, text, weight_text = (c.strip() for c in cells[:3])
            if frame not in FRAMES:
                raise ModelError(f"{where}: unknown frame {frame!r}")
            try:
                weight = float(weight_text)
            except ValueError:
                raise ModelError(f"{where}: weight {weight_text!r} is not a number") from None
            if not math.isfinite(weight) or abs(weight) > MAX_WEIGHT:
                raise ModelError(f"{where}: weight {weight_text!r} is out of range; a cue "
                                 f"weighs from -{MAX_WEIGHT:g} to {MAX_WEIGHT:g} (the shipped "
                                 "cues weigh -1 to 1)")
            stems = tuple(token.stem for token in tokens(text))
            if not stems:
                raise ModelError(f"{where}: term {text!r} has no words")
            if (frame, stems) in seen:
                continue  # an inflectional variant of a term already listed
            seen.add((frame, stems))
            note = cells[3].strip() if len(cells) > 3 else ""
            terms.append(Term(frame, text.lower(), weight, note, stems))
        if not terms:
            raise ModelError(f"{source}: the lexicon has no terms")
        return cls(terms, version=version, source=source)

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> "Lexicon":
        """Load a lexicon file; the shipped one when ``path`` is None.

        A lexicon must be a regular file (a device such as /dev/zero or a FIFO is refused
        without being read, so it can neither fill memory nor hang) of at most the size
        limit of every other input file (:data:`framing.io.documents.MAX_FILE_BYTES`)."""
        target = default_lexicon_path() if path is None else path
        try:
            data = target.read_bytes() if path is None else _read_lexicon_file(path)
            content = data.decode("utf-8-sig")
        except OSError as exc:
            raise ModelError(f"{target}: cannot read lexicon ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise ModelError(f"{target}: lexicon is not UTF-8 text") from None
        return cls.from_text(content, source=str(path or "framing/lexicon/data/lexicon.tsv"))

    def to_text(self) -> str:
        """Serialise back to TSV (used to embed the lexicon in a model file)."""
        lines = ["# framing frame lexicon", f"# version: {self.version}", "frame\tterm\tweight\tnote"]
        lines += [f"{t.frame}\t{t.text}\t{t.weight:g}\t{t.note}" for t in self.terms]
        return "\n".join(lines) + "\n"

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.to_text().encode("utf-8")).hexdigest()

    # -- matching ----------------------------------------------------------------------
    def match(self, text: str) -> list[Match]:
        """All term occurrences in ``text``, in text order (see
        :mod:`framing.lexicon.matcher` for the rules)."""
        return self.match_batch([text])[0]

    def match_batch(self, texts: list[str], stem_lists: list[list[str]] | None = None,
                    parts_lists: list[list[str]] | None = None) -> list[list[Match]]:
        """The matches of every text, as lists of :class:`Match`."""
        return self.match_table(texts, stem_lists, parts_lists).rows()

    def match_table(self, texts: list[str], stem_lists: list[list[str]] | None = None,
                    parts_lists: list[list[str]] | None = None) -> MatchTable:
        """Every match of every text as arrays (:func:`framing.lexicon.matcher.match_table`)."""
        return match_table(self._tables(), texts, stem_lists, parts_lists)

    def __getstate__(self):
        """Pickles without the match tables (rebuilt on first use), so a model pickles the
        same before and after it has scored: workers key their copy by its bytes."""
        state = dict(self.__dict__)
        state.pop("_cached_tables", None)
        return state

    def _tables(self) -> LexiconTables:
        tables = self.__dict__.get("_cached_tables")
        if tables is None:
            tables = self._cached_tables = LexiconTables(self.terms)
        return tables

    @staticmethod
    def frame_scores(matches: Iterable[Match]) -> dict[str, float]:
        """Sum of the weights of the non-negated matches, per frame."""
        totals = dict.fromkeys(FRAMES, 0.0)
        for m in matches:
            if not m.negated:
                totals[m.frame] += m.weight
        return totals


def _read_lexicon_file(path: str | os.PathLike) -> bytes:
    """The bytes of a lexicon file: opened without blocking (a FIFO with no writer does not
    hang), refused unless a regular file (/dev/zero cannot fill memory), and read up to the
    size limit of every input file."""
    from framing.io.documents import MAX_FILE_BYTES

    def without_blocking(name, flags):
        return os.open(name, flags | getattr(os, "O_NONBLOCK", 0))

    try:
        handle = open(path, "rb", opener=without_blocking)
    except ValueError:
        raise ModelError(f"{path!r}: not a valid file name") from None
    with handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ModelError(f"{path}: cannot read lexicon (not a regular file but a device, "
                             "pipe or socket)")
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ModelError(f"{path}: over the {MAX_FILE_BYTES:,}-byte limit for a lexicon")
    return data
