"""The frame lexicon: a versioned TSV of cue terms, exact matching with negation, and a
scikit-learn transformer whose columns are the named cues.

The file (``framing/data/lexicon.tsv``) has ``#`` comment lines, one of them
``# version: X.Y.Z``, then a header ``frame, term, weight, note`` and one row a term. Terms are
matched on normalised tokens (:mod:`framing.text`), phrases as consecutive tokens. A match
preceded within :data:`NEGATION_WINDOW` tokens, in the same clause, by a negation cue is kept
as evidence but marked ``negated`` and does not count, except for ``diplomacy``: "no
ceasefire was agreed" and "refused to negotiate" still put the search for a settlement in the
foreground.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from dataclasses import dataclass
from importlib import resources
from itertools import accumulate as _accumulate, chain as _chain
from typing import Iterable

from .errors import ModelError
from .frames import FRAMES
from .text import _TOKEN, normalise_word, tokens

NEGATION_WINDOW = 4
#: Frames whose cues a negation cancels (see the module docstring for diplomacy).
NEGATABLE_FRAMES = frozenset({"military_success", "escalation", "civilian_harm"})
#: Normalised tokens that negate a following cue ("did not destroy", "no civilians were hurt",
#: "denied shooting down", "failed to capture"). Contractions ending in n't count too.
NEGATION_CUES = frozenset(normalise_word(word) for word in """
not no never without nor neither none nobody cannot denied denies deny failed fail
""".split())
#: What ends a clause (punctuation, or a blank line between paragraphs): a negation does not
#: reach across it, and a phrase does not span it ("made gains. Ground forces ..." is not
#: "gain ground"), so text added after (or before) a break never changes a match beyond it.
_CLAUSE_BREAK = re.compile(r"[.;:!?,()\[\]\"“”—–]|\n[ \t\r\f\v]*\n")
_PHRASE_BREAK = _CLAUSE_BREAK
_VERSION_LINE = re.compile(r"#\s*version:\s*(\S+)")
#: The token pattern with its match captured, so ``split`` returns gaps and tokens in turn.
_TOKEN_SPLIT = re.compile(f"({_TOKEN.pattern})")


@dataclass(frozen=True)
class Term:
    frame: str
    text: str
    weight: float
    note: str
    stems: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    """One occurrence of a lexicon term in a text."""

    frame: str
    term: str
    weight: float
    start: int
    end: int
    negated: bool = False

    def to_dict(self) -> dict:
        return {"term": self.term, "weight": self.weight, "start": self.start,
                "end": self.end, "negated": self.negated}


def default_lexicon_path():
    return resources.files("framing").joinpath("data", "lexicon.tsv")


def _is_negation(stem: str) -> bool:
    return stem in NEGATION_CUES or stem.endswith("n't")


_FRAME_ORDER = {frame: k for k, frame in enumerate(FRAMES)}


def _match_order(m: "Match"):
    return (m.start, m.end, _FRAME_ORDER[m.frame], m.term)


def _negated_in(parts: list[str], stems: list[str], index: int) -> bool:
    """:meth:`Lexicon._negated` on split text (see :meth:`Lexicon._match_at`)."""
    for back in range(index - 1, max(-1, index - 1 - NEGATION_WINDOW), -1):
        gap = parts[2 * back + 2]
        if gap != " " and _CLAUSE_BREAK.search(gap):
            return False
        stem = stems[back]
        if stem in NEGATION_CUES or stem.endswith("n't"):
            return True
    return False


class Lexicon:
    """Frame cue terms with weights; :meth:`match` finds them in a text with their spans."""

    def __init__(self, terms: Iterable[Term], version: str = "unversioned", source: str = ""):
        self.terms: tuple[Term, ...] = tuple(terms)
        self.version = version
        self.source = source
        self._by_first_stem: dict[str, list[Term]] = {}
        for term in self.terms:
            self._by_first_stem.setdefault(term.stems[0], []).append(term)
        for candidates in self._by_first_stem.values():
            candidates.sort(key=lambda t: -len(t.stems))

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
            if not math.isfinite(weight):
                raise ModelError(f"{where}: weight must be finite")
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
        """Load a lexicon file; the shipped one when ``path`` is None."""
        target = default_lexicon_path() if path is None else path
        try:
            data = target.read_bytes() if hasattr(target, "read_bytes") else open(target, "rb").read()
            content = data.decode("utf-8-sig")
        except OSError as exc:
            raise ModelError(f"{target}: cannot read lexicon ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise ModelError(f"{target}: lexicon is not UTF-8 text") from None
        return cls.from_text(content, source=str(path or "framing/data/lexicon.tsv"))

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
        """All term occurrences in ``text``, in text order.

        Within one frame, a term contained in a longer matching term of that frame is dropped
        (so "prisoner swap" does not also count as "swap"). A phrase does not match across a
        clause break or a blank line.
        """
        toks = tokens(text)
        stems = [t.stem for t in toks]
        found: list[tuple[int, int, Term]] = []
        for i, stem in enumerate(stems):
            for term in self._by_first_stem.get(stem, ()):
                n = len(term.stems)
                if tuple(stems[i:i + n]) == term.stems and \
                        not _PHRASE_BREAK.search(text, toks[i].end, toks[i + n - 1].start):
                    found.append((i, i + n, term))
        kept = [
            (i, j, term) for (i, j, term) in found
            if not any(other.frame == term.frame and oi <= i and j <= oj and (oj - oi) > (j - i)
                       for (oi, oj, other) in found)
        ]
        matches = []
        for i, j, term in kept:
            matches.append(Match(term.frame, term.text, term.weight, toks[i].start,
                                 toks[j - 1].end,
                                 term.frame in NEGATABLE_FRAMES and self._negated(text, toks, i)))
        matches.sort(key=lambda m: (m.start, m.end, FRAMES.index(m.frame), m.term))
        return matches

    def match_batch(self, texts: list[str], stem_lists: list[list[str]] | None = None,
                    parts_lists: list[list[str]] | None = None) -> list[list[Match]]:
        """:meth:`match` of every text (the same matches, spans and order: tested), batched.

        The tokens of the whole batch are looked up at once (numpy), so Python code runs per
        cue candidate, not per token; token spans are computed only for texts with a
        candidate. ``stem_lists`` (:func:`framing.batch.tokenize_batch`) saves tokenizing
        again when the caller already did.
        """
        import numpy as np

        from .batch import lookup
        from .text import stems as text_stems

        texts = list(texts)
        if stem_lists is None:
            stem_lists = [text_stems(text) for text in texts]
        if not hasattr(self, "_first_index"):
            self._first_index = {stem: 0 for stem in self._by_first_stem}
        lengths = np.fromiter(map(len, stem_lists), dtype=np.int64, count=len(stem_lists))
        offsets = np.concatenate(([0], np.cumsum(lengths)))
        flat = list(_chain.from_iterable(stem_lists))
        hits = np.flatnonzero(lookup(self._first_index, flat, len(flat)) >= 0)
        owners = np.searchsorted(offsets, hits, side="right") - 1
        results: list[list[Match]] = [[] for _ in texts]
        bounds = np.flatnonzero(np.diff(owners)) + 1
        for group in np.split(np.arange(len(hits)), bounds) if len(hits) else ():
            row = int(owners[group[0]])
            positions = (hits[group] - offsets[row]).tolist()
            results[row] = self._match_at(texts[row], stem_lists[row], positions,
                                          parts_lists[row] if parts_lists else None)
        return results

    def _split_terms(self) -> dict:
        """first stem -> (phrases as (length, stems, term), one-word terms), each in the
        order of ``_by_first_stem``."""
        table = self.__dict__.get("_split_table")
        if table is None:
            table = self._split_table = {
                stem: (tuple((len(t.stems), t.stems, t) for t in terms if len(t.stems) > 1),
                       tuple(t for t in terms if len(t.stems) == 1))
                for stem, terms in self._by_first_stem.items()}
        return table

    def _match_at(self, text: str, stems: list[str], positions: list[int],
                  parts: list[str] | None = None) -> list[Match]:
        """The rules of :meth:`match`, from the token positions where a term may start."""
        # parts = [gap, token, gap, token, ..., gap]: token k is parts[2k + 1], the text
        # between tokens k and k + 1 is parts[2k + 2]; offsets are running sums of lengths
        if parts is None:
            parts = _TOKEN_SPLIT.split(text)
        found: list[tuple[int, int, Term]] = []
        phrases = False
        table = self._split_terms()
        for i in positions:
            longer, single = table[stems[i]]  # the order of _by_first_stem: longest first
            for n, term_stems, term in longer:
                if tuple(stems[i:i + n]) == term_stems and not any(
                        _PHRASE_BREAK.search(parts[g]) for g in range(2 * i + 2, 2 * (i + n), 2)):
                    found.append((i, i + n, term))
                    phrases = True
            if single:  # the first stem is the whole term
                found.extend([(i, i + 1, term) for term in single])
        if not found:
            return []
        if phrases:  # only a phrase can contain another match
            longer = [(oi, oj, other) for (oi, oj, other) in found if oj - oi > 1]
            found = [
                (i, j, term) for (i, j, term) in found
                if not any(other.frame == term.frame and oi <= i and j <= oj
                           and (oj - oi) > (j - i) for (oi, oj, other) in longer)
            ]
        ends = list(_accumulate(map(len, parts)))
        matches = [Match(term.frame, term.text, term.weight, ends[2 * i], ends[2 * j - 1],
                         term.frame in NEGATABLE_FRAMES and _negated_in(parts, stems, i))
                   for i, j, term in found]
        if len(matches) > 1:
            matches.sort(key=_match_order)
        return matches

    @staticmethod
    def _negated(text: str, toks, index: int) -> bool:
        for back in range(index - 1, max(-1, index - 1 - NEGATION_WINDOW), -1):
            if _CLAUSE_BREAK.search(text, toks[back].end, toks[back + 1].start):
                return False
            if _is_negation(toks[back].stem):
                return True
        return False

    @staticmethod
    def frame_scores(matches: Iterable[Match]) -> dict[str, float]:
        """Sum of the weights of the non-negated matches, per frame."""
        totals = dict.fromkeys(FRAMES, 0.0)
        for m in matches:
            if not m.negated:
                totals[m.frame] += m.weight
        return totals
