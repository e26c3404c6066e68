"""The accumulator of a comparison: one pass over classified passages, kept as counts.

Passages stream through :meth:`Accumulator.add` once and are not kept. What stays:

- per article, a row (:mod:`framing.comparison.columns`): its passages and tagged passages
  per frame, its group's and source's numbers, its place in the corpus, and one short JSON
  string of its id, title, url and date (what the report's article rows show), never its
  metadata dict or its text. Rows and strings are written to a temporary file a block at a
  time (:mod:`framing.comparison.spill`), so they cost the heap nothing however many
  articles there are; finding an article met before takes an index by id (12 bytes an
  article), unless the articles come whole and once (``articles_once``, as
  :func:`~framing.comparison.api.compare` classifies a corpus);
- per passage, only an 8-byte digest of its normal form (:mod:`framing.text.dedupe`) in
  sorted arrays for the whole corpus (:class:`~framing.comparison.columns.DigestSet`, 8
  bytes a passage), to count exact duplicates (and, with ``dedupe``, drop them), freed by
  :meth:`Accumulator.finish` before the analysis;
- per group and frame the score sums, the best quotes (a heap of ``top_quotes``), and term
  counts, whose number of entries is bounded (:data:`TERM_BUDGET`, see :meth:`_prune`).

:meth:`Accumulator.merge` adds another accumulator's counts to this one's, as if its passages
had come after these: the way partitions of a corpus accumulated on a cluster are combined
(:mod:`framing.comparison.cluster`).
"""

from __future__ import annotations

import functools
import heapq
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable

from framing.comparison.columns import ArticleTable, DigestSet
from framing.errors import InputError
from framing.io.corpus import group_value
from framing.text.dedupe import digest

#: Entries (distinct terms) at most in all the term counts together: the background's and
#: every (frame, group)'s. Past it, :meth:`Accumulator._prune` drops the rarest (lossy
#: counting). An entry costs about 35 bytes in its Counter, plus its term's string (shared by
#: every Counter that has it, interned): at most about 250 MB whatever the corpus (measured
#: with distinct 9-letter terms). The shipped corpus needs about 5,400 entries.
TERM_BUDGET = 2_000_000


def _get(passage, name: str, default=None):
    if isinstance(passage, dict):
        return passage.get(name, default)
    return getattr(passage, name, default)


@dataclass(slots=True)
class Article:
    """One article's counts: passages, and passages tagged per frame (a view of a row of the
    accumulator's table, made by :meth:`Accumulator.kept_articles`)."""

    index: int
    group: str | None  # None: the article has no value to group by (reported, then skipped)
    source: str
    document_id: str
    meta: dict         # title, url and date (those the article has)
    tagged: list       # passages tagged, per frame
    passages: int = 0


@dataclass
class Accumulator:
    """What :func:`~framing.comparison.api.compare_passages` keeps while streaming through
    passages (no passage texts)."""

    frames: tuple[str, ...]
    field_name: str
    period: str | None
    top_quotes: int
    tokenise: Callable[[str], list[str]]
    score_sums: dict = field(default_factory=lambda: defaultdict(float))  # (group, frame)
    background: Counter = field(default_factory=Counter)  # terms of every passage
    frame_terms: dict = field(default_factory=lambda: defaultdict(Counter))  # (frame, group)
    quote_heaps: dict = field(default_factory=lambda: defaultdict(list))    # (frame, group)
    problems: list = field(default_factory=list)
    sequence: int = 0
    coded_sample: object = None  # a validation.CodedSample: told the tags of coded passages
    #: Drop a passage whose normal form was already seen in its group (first one kept).
    dedupe: bool = False
    duplicates: Counter = field(default_factory=Counter)  # group -> passages seen before
    dropped: Counter = field(default_factory=Counter)     # group -> passages dropped
    #: Term counts at or below this were dropped to stay within TERM_BUDGET (0: none was).
    term_cutoff: int = 0
    table: ArticleTable = None
    seen: DigestSet = field(default_factory=DigestSet)  # (group, normal form) digests
    term_entries: int = 0
    #: Each article's passages come one after another, and no article comes again later
    #: (no index by id is kept: see :mod:`framing.comparison.columns`).
    articles_once: bool = False

    def __post_init__(self):
        if self.table is None:
            self.table = ArticleTable(len(self.frames), self.articles_once)
        self._frame_set = frozenset(self.frames)
        self._score_keys: dict = {}  # group -> its (group, frame) keys of score_sums

    def spawn(self) -> "Accumulator":
        """An empty accumulator with these settings (for a partition of the corpus)."""
        coded = self.coded_sample.spawn() if self.coded_sample is not None else None
        return Accumulator(self.frames, self.field_name, self.period, self.top_quotes,
                           self.tokenise, dedupe=self.dedupe, coded_sample=coded,
                           articles_once=self.articles_once)

    def finish(self) -> None:
        """After the last passage: write the last article's counts, and free what only
        accumulating needs (the passages' digests and the index by id)."""
        self.table.drop_index()
        self.seen = DigestSet()

    @property
    def article_count(self) -> int:
        """Articles met (those without a group included)."""
        return len(self.table)

    def add(self, passage, order: int | None = None) -> None:
        """Count one passage; ``order`` places its article in the corpus (default: the
        order articles are met in)."""
        get = passage.get if isinstance(passage, dict) else functools.partial(getattr, passage)
        source = str(get("source", ""))
        document_id = str(get("document_id", ""))
        table = self.table
        if (source, document_id) != table.current_key \
                and table.find(source, document_id) is None:
            meta = get("meta", None) or {}
            try:
                group = group_value(meta, self.field_name, self.period)
            except ValueError as exc:
                self.problems.append(f"{source} ({document_id}): {exc}")
                group = None
            table.append(source, document_id, group, meta, order)
        group = table.current_group
        if group is None:
            return
        frames = set(get("frames", ()) or ())
        if not frames <= self._frame_set:
            raise InputError(f"{source} ({document_id}): unknown frame(s) "
                             f"{', '.join(sorted(frames - self._frame_set))}")
        scores = get("scores", None) or {}
        text = str(get("text", "") or "")
        if self._repeated(group, text) and self.dedupe:
            self.dropped[group] += 1
            return
        pending = table.pending  # the current article's counts
        pending[0] += 1
        if self.coded_sample is not None:
            self.coded_sample.match(document_id, int(get("passage_index", 0) or 0),
                                    text, group, table.current_order, frames)
        words = [sys.intern(word) for word in self.tokenise(text)]
        self._count(self.background, words)
        keys = self._score_keys.get(group)
        if keys is None:
            keys = self._score_keys[group] = [(group, frame) for frame in self.frames]
        score_sums = self.score_sums
        for k, frame in enumerate(self.frames, start=1):
            score = float(scores.get(frame, 0.0) or 0.0)
            score_sums[keys[k - 1]] += score
            if frame not in frames:
                continue
            pending[k] += 1
            self._count(self.frame_terms[(frame, group)], words)
            if self.top_quotes > 0:
                self._offer_quote(frame, group, table.current, passage, score, text)
        if self.term_entries > TERM_BUDGET:
            self._prune()

    def _count(self, counter: Counter, words: list) -> None:
        before = len(counter)
        counter.update(words)
        self.term_entries += len(counter) - before

    def _prune(self) -> None:
        """Lossy counting: raise the cutoff by one and drop every term count at or below it,
        until the entries are at most half of TERM_BUDGET. A term kept is short by at most
        the cutoff for each time it was dropped before; a term whose count in a (frame,
        group) never passes the cutoff is missing from it. Distinctive terms need counts far
        above any cutoff reached (the budget is 370 times the shipped corpus's entries), so
        on corpora that fit the budget nothing changes; on larger ones the rarest terms of
        each group go first, and with them only terms too rare to be distinctive."""
        counters = [self.background, *self.frame_terms.values()]
        while self.term_entries > TERM_BUDGET // 2:
            self.term_cutoff += 1
            cutoff = self.term_cutoff
            for counter in counters:
                rare = [term for term, count in counter.items() if count <= cutoff]
                for term in rare:
                    del counter[term]
                self.term_entries -= len(rare)

    def _repeated(self, group: str, text: str) -> bool:
        """Whether the group had a passage with this normal form already (counted)."""
        if self.seen.add(group, digest(text)):
            return False
        self.duplicates[group] += 1
        return True

    def kept_articles(self) -> list[Article]:
        """The articles with at least one passage kept (``dedupe`` can drop them all), in
        corpus order."""
        fields = (self.table.article(int(row)) for row in self.table.rows_in_order())
        return [Article(*article) for article in fields if article[-1]]

    def _offer_quote(self, frame, group, row, passage, score, text) -> None:
        self.sequence += 1
        heap = self.quote_heaps[(frame, group)]
        # Highest score first; ties go to the passage met first (corpus order).
        key = (score, -self.sequence)
        if len(heap) >= self.top_quotes and not key > heap[0][:2]:
            return
        source, document_id, meta = self.table.identity(row)
        item = (score, -self.sequence, {
            "source": source, "document_id": document_id,
            "passage_index": int(_get(passage, "passage_index", 0) or 0),
            "start": int(_get(passage, "start", 0) or 0), "end": int(_get(passage, "end", 0) or 0),
            "score": score, "text": text,
            "title": meta.get("title"), "url": meta.get("url"),
        })
        if len(heap) < self.top_quotes:
            heapq.heappush(heap, item)
        else:
            heapq.heapreplace(heap, item)

    def merge(self, other: "Accumulator") -> "Accumulator":
        """Add ``other``'s counts to these, as if its passages came after these (returns
        self). Exact when no group has passages in both (each partition of a cluster run
        holds whole groups): then duplicates, ``dedupe`` and the ties between quotes are
        decided as in one pass. An article in both is counted once, with both's passages."""
        shift = self.table.extend(other.table)
        for key, value in other.score_sums.items():
            self.score_sums[key] += value
        self.background.update(other.background)
        for key, counter in other.frame_terms.items():
            self.frame_terms[key].update(counter)
        self.term_entries = len(self.background) + sum(map(len, self.frame_terms.values()))
        self.term_cutoff = max(self.term_cutoff, other.term_cutoff)
        for key, heap in other.quote_heaps.items():
            mine = self.quote_heaps[key]
            for score, sequence, quote in heap:
                mine.append((score, sequence - self.sequence, quote))
            mine[:] = heapq.nlargest(self.top_quotes, mine, key=lambda item: item[:2])
            heapq.heapify(mine)
        self.sequence += other.sequence
        self.problems += other.problems
        self.duplicates.update(other.duplicates)
        self.dropped.update(other.dropped)
        self.seen.update(other.seen)
        if self.coded_sample is not None and other.coded_sample is not None:
            self.coded_sample.absorb(other.coded_sample, shift)
        if self.term_entries > TERM_BUDGET:
            self._prune()
        return self
