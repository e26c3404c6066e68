"""Finding lexicon cues in a batch of texts, with their spans and negation, as arrays.

The rules: terms are matched on normalised tokens (:mod:`framing.text.tokens`), phrases as
consecutive tokens that no clause break separates. Within one frame, a term contained in a
longer matching term of that frame is dropped (so "prisoner swap" does not also count as
"swap"). A match preceded within :data:`NEGATION_WINDOW` tokens, in the same clause, by a
negation cue is kept as evidence but marked ``negated`` and does not count, except for
``diplomacy``: "no ceasefire was agreed" and "refused to negotiate" still put the search for
a settlement in the foreground. Matches are ordered by start, end, frame and term.

A per-text implementation of the same rules lives in ``tests/oracles.py``; the tests hold
this module to it.
"""

from __future__ import annotations

import re
from itertools import chain as _chain
from typing import NamedTuple

import numpy as np

from framing.frames import FRAMES
from framing.text.batch import lookup
from framing.text.tokens import TOKEN_SPLIT, normalise_word

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



def _is_negation(stem: str) -> bool:
    return stem in NEGATION_CUES or stem.endswith("n't")


_FRAME_ORDER = {frame: k for k, frame in enumerate(FRAMES)}


def _negated_in(parts: list[str], stems: list[str], index: int) -> bool:
    """Is the cue at token ``index`` negated: a negation cue among the
    :data:`NEGATION_WINDOW` tokens before it, with no clause break in between."""
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


def match_table(tables: "LexiconTables", texts: list[str],
                stem_lists: list[list[str]] | None = None,
                parts_lists: list[list[str]] | None = None) -> "MatchTable":
    """Every match of every text as arrays (:class:`MatchTable`), the matching rules (module
    docstring) applied to a whole batch at once.

    One-word cues, their spans, the containment rule and the order are numpy operations
    over the batch's tokens; Python code runs only where a phrase may start and where a
    cue has a negation word within reach. ``parts_lists`` and ``stem_lists``
    (:func:`framing.text.batch.split_batch`) save splitting the texts again.
    """
    texts = list(texts)
    if parts_lists is None:
        parts_lists = [TOKEN_SPLIT.split(text) for text in texts]
    if stem_lists is None:
        stem_lists = [list(map(normalise_word, parts[1::2])) for parts in parts_lists]
    n_rows = len(texts)
    offsets = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, stem_lists), dtype=np.int64, count=n_rows),
              out=offsets[1:])
    flat = list(_chain.from_iterable(stem_lists))
    kind = lookup(tables.first_index, flat, len(flat))  # which first stem, or -1
    hits = np.flatnonzero(kind >= 0)
    if not len(hits):
        return MatchTable.empty(tables, n_rows)
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
    return MatchTable(tables, n_rows, row[order], start[order], end[order], term[order],
                      negated[order])


def _phrases(tables, flat, offsets, hits, kind, stem_lists, parts_lists) -> list:
    """``(flat position, length, term id)`` of every phrase of the batch: consecutive stems
    with no clause break in the gaps between them. A start whose next token is no phrase's
    second stem is ruled out with numpy before any Python runs."""
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
    frame (the rule of the matching rules), as arrays."""
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


class LexiconTables:
    """A lexicon's terms as arrays for :func:`match_table` (built once per lexicon).

    ``terms`` are objects with ``frame``, ``text``, ``weight`` and ``stems`` (the lexicon's
    :class:`framing.lexicon.format.Term` records), in the lexicon's order."""

    def __init__(self, terms):
        self.terms = terms = tuple(terms)
        by_first_stem: dict[str, list] = {}
        for term in terms:
            by_first_stem.setdefault(term.stems[0], []).append(term)
        for candidates in by_first_stem.values():
            candidates.sort(key=lambda t: -len(t.stems))
        term_id = {id(term): k for k, term in enumerate(terms)}
        self.first_index = {stem: k for k, stem in enumerate(by_first_stem)}
        singles = [[term_id[id(t)] for t in candidates if len(t.stems) == 1]
                   for candidates in by_first_stem.values()]
        self.single_count = np.array([len(s) for s in singles], dtype=np.int64)
        self.single_start = np.concatenate(([0], np.cumsum(self.single_count)[:-1])) \
            .astype(np.int64)
        self.single_terms = np.array([k for s in singles for k in s], dtype=np.int64)
        #: first stem -> phrases starting with it, longest first: (length, stems, id)
        self.phrases = {
            stem: tuple((len(t.stems), t.stems, term_id[id(t)])
                        for t in candidates if len(t.stems) > 1)
            for stem, candidates in by_first_stem.items()}
        self.has_phrase = np.array([bool(self.phrases[stem]) for stem in by_first_stem],
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
    (``row``), character span, lexicon term (index into ``tables.terms``) and negation;
    rows ascending, and within a row the order of the matching rules."""

    def __init__(self, tables: LexiconTables, n_rows: int, row, start, end, term, negated):
        self.tables, self.n_rows = tables, n_rows
        self.row, self.start, self.end, self.term, self.negated = row, start, end, term, negated

    @classmethod
    def empty(cls, tables: LexiconTables, n_rows: int) -> "MatchTable":
        none = np.zeros(0, dtype=np.int64)
        return cls(tables, n_rows, none, none, none, none, np.zeros(0, dtype=bool))

    def frame_totals(self):
        """(rows, frames) sums of the weights of the non-negated matches: what
        :meth:`framing.lexicon.Lexicon.frame_scores` gives each row, added in the same order."""
        tables = self.tables
        totals = np.zeros((self.n_rows, len(FRAMES)), dtype=np.float64)
        counted = ~self.negated
        term = self.term[counted]
        np.add.at(totals, (self.row[counted], tables.term_frame[term]),
                  tables.term_weight[term])  # unbuffered: in match order, as a loop adds
        return totals

    def rows(self) -> list[list[Match]]:
        """A list of :class:`Match` per text."""
        terms = self.tables.terms
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
        tables = self.tables
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
