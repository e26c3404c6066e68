"""The frame lexicon: a versioned TSV of cue terms, exact matching with negation, and a
scikit-learn transformer whose columns are the named cues.

The file (``framing/lexicon/data/lexicon.tsv``) has ``#`` comment lines, one of them
``# version: X.Y.Z``, then a header ``frame, term, weight, note`` and one row a term. Terms are
matched on normalised tokens (:mod:`framing.text.tokens`), phrases as consecutive tokens. A match
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
from itertools import chain as _chain
from typing import Iterable, NamedTuple

from framing.errors import ModelError
from framing.frames import FRAMES
from framing.text.batch import lookup
from framing.text.tokens import TOKEN_SPLIT, normalise_word, tokens

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


@dataclass(frozen=True)
class Term:
    frame: str
    text: str
    weight: float
    note: str
    stems: tuple[str, ...]


class Match(NamedTuple):
    """One occurrence of a lexicon term in a text (a named tuple: cheap to make by the
    hundred thousand)."""

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
    return resources.files("framing.lexicon").joinpath("data", "lexicon.tsv")


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


class _NegationWords(dict):
    """normalised token -> is it a negation cue (:func:`_is_negation`), cached."""

    def __missing__(self, stem: str) -> bool:
        if len(self) >= 262_144:
            self.clear()
        negation = self[stem] = _is_negation(stem)
        return negation


_NEGATION_WORDS = _NegationWords()


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
        """:meth:`match` of every text (the same matches, spans and order: tested), batched
        through :meth:`match_table`."""
        return self.match_table(texts, stem_lists, parts_lists).rows()

    def match_table(self, texts: list[str], stem_lists: list[list[str]] | None = None,
                    parts_lists: list[list[str]] | None = None) -> "MatchTable":
        """Every match of every text as arrays (:class:`MatchTable`), the rules of
        :meth:`match` applied to a whole batch at once.

        One-word cues, their spans, the containment rule and the order are numpy operations
        over the batch's tokens; Python code runs only where a phrase may start and where a
        cue has a negation word within reach. ``parts_lists`` and ``stem_lists``
        (:func:`framing.text.batch.split_batch`) save splitting the texts again.
        """
        import numpy as np

        texts = list(texts)
        if parts_lists is None:
            parts_lists = [TOKEN_SPLIT.split(text) for text in texts]
        if stem_lists is None:
            stem_lists = [list(map(normalise_word, parts[1::2])) for parts in parts_lists]
        tables = self._tables()
        n_rows = len(texts)
        offsets = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, stem_lists), dtype=np.int64, count=n_rows),
                  out=offsets[1:])
        flat = list(_chain.from_iterable(stem_lists))
        kind = lookup(tables.first_index, flat, len(flat))  # which first stem, or -1
        hits = np.flatnonzero(kind >= 0)
        if not len(hits):
            return MatchTable.empty(self, n_rows)
        kind = kind[hits]

        # one-word terms: each term whose only stem is the token at a hit
        counts = tables.single_count[kind]
        position = np.repeat(hits, counts)
        first_of_hit = np.cumsum(counts) - counts
        term = tables.single_terms[np.repeat(tables.single_start[kind], counts)
                                   + np.arange(len(position))
                                   - np.repeat(first_of_hit, counts)]
        length = np.ones(len(position), dtype=np.int64)

        found = _phrases(tables, flat, offsets, hits, kind, stem_lists, parts_lists)
        if found:
            position, length, term = _drop_contained(
                position, length, term,
                *(np.array(column, dtype=np.int64) for column in zip(*found)),
                tables.term_frame, len(flat))
        position = position.astype(np.int64)
        term = term.astype(np.int64)
        row = np.searchsorted(offsets, position, side="right") - 1
        negated = _negations(tables, flat, offsets, row, position, term, stem_lists,
                             parts_lists)
        start, end = _spans(parts_lists, len(flat), offsets, row, position, length)
        frame = tables.term_frame[term]
        order = np.lexsort((tables.term_rank[term], frame, end, start, row))
        return MatchTable(self, n_rows, row[order], start[order], end[order], term[order],
                          negated[order])

    def _tables(self) -> "_LexiconTables":
        tables = self.__dict__.get("_cached_tables")
        if tables is None:
            tables = self._cached_tables = _LexiconTables(self)
        return tables

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


def _phrases(tables, flat, offsets, hits, kind, stem_lists, parts_lists) -> list:
    """``(flat position, length, term id)`` of every phrase of the batch: consecutive stems
    with no clause break in the gaps between them. A start whose next token is no phrase's
    second stem is ruled out with numpy before any Python runs."""
    import numpy as np

    phrase_hits = np.flatnonzero(tables.has_phrase[kind])
    candidates, candidate_kind = hits[phrase_hits], kind[phrase_hits]
    within_row = candidates + 1 < offsets[np.searchsorted(offsets, candidates, "right")]
    candidates, candidate_kind = candidates[within_row], candidate_kind[within_row]
    second = lookup(tables.second_index,
                    map(flat.__getitem__, (candidates + 1).tolist()), len(candidates))
    plausible = (second >= 0) & np.isin(candidate_kind * len(tables.second_index) + second,
                                        tables.phrase_pairs)
    candidates = candidates[plausible]
    found = []
    row_starts = offsets.tolist()
    owners = (np.searchsorted(offsets, candidates, side="right") - 1).tolist()
    for h, row in zip(candidates.tolist(), owners):
        i, stems, parts = h - row_starts[row], stem_lists[row], parts_lists[row]
        for n, term_stems, term_id in tables.phrases[flat[h]]:
            # the gaps inside the phrase, joined by a character no break contains
            if tuple(stems[i:i + n]) == term_stems and not _PHRASE_BREAK.search(
                    "\0".join(parts[2 * i + 2:2 * (i + n):2])):
                found.append((h, n, term_id))
    return found


def _negations(tables, flat, offsets, row, position, term, stem_lists, parts_lists):
    """Which matches are negated. The clause-aware rule (:func:`_negated_in`) runs only for
    a negatable cue with a negation word among the NEGATION_WINDOW tokens before it, in its
    own text."""
    import numpy as np

    negated = np.zeros(len(position), dtype=bool)
    is_negation = np.fromiter(map(_NEGATION_WORDS.__getitem__, flat), dtype=bool,
                              count=len(flat))
    negations = np.flatnonzero(is_negation)
    if not len(negations):
        return negated
    in_reach = np.zeros(len(flat) + NEGATION_WINDOW + 1, dtype=bool)
    row_end = offsets[np.searchsorted(offsets, negations, side="right")]
    for step in range(1, NEGATION_WINDOW + 1):
        in_reach[(negations + step)[negations + step < row_end]] = True
    row_starts = offsets.tolist()
    for k in np.flatnonzero(tables.term_negatable[term] & in_reach[position]).tolist():
        r = int(row[k])
        negated[k] = _negated_in(parts_lists[r], stem_lists[r], int(position[k]) - row_starts[r])
    return negated


def _spans(parts_lists, n_tokens: int, offsets, row, position, length):
    """Character ``(start, end)`` of each match in its text: running sums of the lengths of
    ``[gap, token, gap, ...]``; the parts of text r begin at index ``2 * offsets[r] + r`` of
    the batch's parts."""
    import numpy as np

    n_parts = 2 * n_tokens + len(parts_lists)
    part_ends = np.zeros(n_parts + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, _chain.from_iterable(parts_lists)), dtype=np.int64,
                          count=n_parts), out=part_ends[1:])
    base = part_ends[2 * offsets[row] + row]
    return (part_ends[2 * position + row + 1] - base,
            part_ends[2 * (position + length - 1) + row + 2] - base)


def _drop_contained(position, length, term, phrase_position, phrase_length, phrase_term,
                    term_frame, n_tokens: int):
    """One-word matches and phrases, less every match inside a longer match of the same
    frame (the rule of :meth:`Lexicon.match`), as arrays."""
    import numpy as np

    phrase_frame = term_frame[phrase_term]
    # a one-word match is inside a phrase of its frame where that frame's coverage count
    # (+1 at each phrase start, -1 past its end, summed along the text) is positive
    coverage = np.zeros((len(FRAMES), n_tokens + 1), dtype=np.int64)
    np.add.at(coverage, (phrase_frame, phrase_position), 1)
    np.add.at(coverage, (phrase_frame, phrase_position + phrase_length), -1)
    single_kept = np.cumsum(coverage, axis=1)[term_frame[term], position] == 0
    # a phrase is inside another of its frame when one starting at or before it (longer
    # first at the same start) reaches at least as far; no two differ only in their term
    phrase_kept = np.ones(len(phrase_position), dtype=bool)
    phrase_end = phrase_position + phrase_length
    for frame in np.unique(phrase_frame).tolist():
        same = np.flatnonzero(phrase_frame == frame)
        same = same[np.lexsort((-phrase_end[same], phrase_position[same]))]
        reach = np.maximum.accumulate(phrase_end[same])
        phrase_kept[same[1:][reach[:-1] >= phrase_end[same[1:]]]] = False
    return (np.concatenate([position[single_kept], phrase_position[phrase_kept]]),
            np.concatenate([length[single_kept], phrase_length[phrase_kept]]),
            np.concatenate([term[single_kept], phrase_term[phrase_kept]]))


class _LexiconTables:
    """The lexicon as arrays for :meth:`Lexicon.match_table` (built once per lexicon)."""

    def __init__(self, lexicon: Lexicon):
        import numpy as np

        terms = lexicon.terms
        term_id = {id(term): k for k, term in enumerate(terms)}
        self.first_index = {stem: k for k, stem in enumerate(lexicon._by_first_stem)}
        singles = [[term_id[id(t)] for t in candidates if len(t.stems) == 1]
                   for candidates in lexicon._by_first_stem.values()]
        self.single_count = np.array([len(s) for s in singles], dtype=np.int64)
        self.single_start = np.concatenate(([0], np.cumsum(self.single_count)[:-1])) \
            .astype(np.int64)
        self.single_terms = np.array([k for s in singles for k in s], dtype=np.int64)
        #: first stem -> phrases starting with it, longest first: (length, stems, id)
        self.phrases = {
            stem: tuple((len(t.stems), t.stems, term_id[id(t)])
                        for t in candidates if len(t.stems) > 1)
            for stem, candidates in lexicon._by_first_stem.items()}
        self.has_phrase = np.array([bool(self.phrases[stem]) for stem in lexicon._by_first_stem],
                                   dtype=bool)
        #: second stems of phrases, and (first stem, second stem) of every phrase as
        #: first index * len(second_index) + second index, sorted
        self.second_index: dict[str, int] = {}
        pairs = []
        for stem, phrases in self.phrases.items():
            for _, stems, _ in phrases:
                second = self.second_index.setdefault(stems[1], len(self.second_index))
                pairs.append((self.first_index[stem], second))
        self.phrase_pairs = np.unique(np.array(
            [first * len(self.second_index) + second for first, second in pairs],
            dtype=np.int64))
        self.term_frame = np.array([_FRAME_ORDER[t.frame] for t in terms], dtype=np.int64)
        self.term_weight = np.array([t.weight for t in terms], dtype=np.float64)
        self.term_negatable = np.array([t.frame in NEGATABLE_FRAMES for t in terms], dtype=bool)
        texts = sorted({t.text for t in terms})
        rank = {text: k for k, text in enumerate(texts)}
        self.term_rank = np.array([rank[t.text] for t in terms], dtype=np.int64)
        self.term_text = [t.text for t in terms]


class MatchTable:
    """The matches of a batch of texts as parallel arrays, one entry a match: its text
    (``row``), character span, lexicon term (index into ``lexicon.terms``) and negation;
    rows ascending, and within a row the order of :meth:`Lexicon.match`."""

    def __init__(self, lexicon: Lexicon, n_rows: int, row, start, end, term, negated):
        self.lexicon, self.n_rows = lexicon, n_rows
        self.row, self.start, self.end, self.term, self.negated = row, start, end, term, negated

    @classmethod
    def empty(cls, lexicon: Lexicon, n_rows: int) -> "MatchTable":
        import numpy as np

        none = np.zeros(0, dtype=np.int64)
        return cls(lexicon, n_rows, none, none, none, none, np.zeros(0, dtype=bool))

    def frame_totals(self):
        """(rows, frames) sums of the weights of the non-negated matches: what
        :meth:`Lexicon.frame_scores` gives each row, added in the same order."""
        import numpy as np

        tables = self.lexicon._tables()
        totals = np.zeros((self.n_rows, len(FRAMES)), dtype=np.float64)
        counted = ~self.negated
        term = self.term[counted]
        np.add.at(totals, (self.row[counted], tables.term_frame[term]),
                  tables.term_weight[term])  # unbuffered: in match order, as a loop adds
        return totals

    def rows(self) -> list[list[Match]]:
        """A list of :class:`Match` per text."""
        terms = self.lexicon.terms
        result: list[list[Match]] = [[] for _ in range(self.n_rows)]
        for row, start, end, k, negated in zip(self.row.tolist(), self.start.tolist(),
                                               self.end.tolist(), self.term.tolist(),
                                               self.negated.tolist()):
            term = terms[k]
            result[row].append(Match(term.frame, term.text, term.weight, start, end, negated))
        return result

    def evidence(self, tagged) -> list[dict[str, list[dict]]]:
        """Per text, frame -> its matches as :meth:`Match.to_dict`, for the frames that
        ``tagged`` (a rows x frames boolean array) marks."""
        tables = self.lexicon._tables()
        frame = tables.term_frame[self.term]
        chosen = tagged[self.row, frame]
        result: list[dict[str, list[dict]]] = [{} for _ in range(self.n_rows)]
        texts, weights = tables.term_text, tables.term_weight.tolist()
        for row, f, start, end, k, negated in zip(
                self.row[chosen].tolist(), frame[chosen].tolist(), self.start[chosen].tolist(),
                self.end[chosen].tolist(), self.term[chosen].tolist(),
                self.negated[chosen].tolist()):
            result[row].setdefault(FRAMES[f], []).append(
                {"term": texts[k], "weight": weights[k], "start": start, "end": end,
                 "negated": negated})
        return result
