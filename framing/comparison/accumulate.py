"""The accumulator of a comparison: one pass over classified passages, kept as counts.

Passages stream through :meth:`Accumulator.add` once and are not kept: what stays is per
article the passages and tagged passages per frame, per group and frame the score sums, term
counts and best quotes, so memory grows with articles and vocabulary, not with passages.
The one thing kept per passage is an 8-byte digest of its normal form
(:mod:`framing.text.dedupe`), per group, to count exact duplicates (and, with ``dedupe``,
drop them): a few dozen bytes a passage, never its text.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable

from framing.errors import InputError
from framing.io.corpus import group_value
from framing.text.dedupe import digest


def _get(passage, name: str, default=None):
    if isinstance(passage, dict):
        return passage.get(name, default)
    return getattr(passage, name, default)


@dataclass
class Article:
    """One article's counts: passages, and passages tagged per frame."""

    index: int
    group: str | None  # None: the article has no value to group by (reported, then skipped)
    source: str
    document_id: str
    meta: dict
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
    articles: dict = field(default_factory=dict)          # (source, id) -> Article
    score_sums: dict = field(default_factory=lambda: defaultdict(float))  # (group, frame)
    background: Counter = field(default_factory=Counter)  # terms of every passage
    frame_terms: dict = field(default_factory=lambda: defaultdict(Counter))  # (frame, group)
    quote_heaps: dict = field(default_factory=lambda: defaultdict(list))    # (frame, group)
    problems: list = field(default_factory=list)
    sequence: int = 0
    coded_sample: object = None  # a validation.CodedSample: told the tags of coded passages
    #: Drop a passage whose normal form was already seen in its group (first one kept).
    dedupe: bool = False
    seen: dict = field(default_factory=lambda: defaultdict(set))  # group -> digests
    duplicates: Counter = field(default_factory=Counter)  # group -> passages seen before
    dropped: Counter = field(default_factory=Counter)     # group -> passages dropped

    def add(self, passage) -> None:
        source = str(_get(passage, "source", ""))
        document_id = str(_get(passage, "document_id", ""))
        meta = _get(passage, "meta", None) or {}
        key = (source, document_id)
        article = self.articles.get(key)
        if article is None:
            try:
                group = group_value(meta, self.field_name, self.period)
            except ValueError as exc:
                self.problems.append(f"{source} ({document_id}): {exc}")
                group = None
            article = Article(len(self.articles), group, source, document_id, dict(meta),
                              [0] * len(self.frames))
            self.articles[key] = article
        if article.group is None:
            return
        frames = set(_get(passage, "frames", ()) or ())
        unknown = frames - set(self.frames)
        if unknown:
            raise InputError(f"{source} ({document_id}): unknown frame(s) "
                             f"{', '.join(sorted(unknown))}")
        scores = _get(passage, "scores", None) or {}
        text = str(_get(passage, "text", "") or "")
        if self._repeated(article.group, text) and self.dedupe:
            self.dropped[article.group] += 1
            return
        article.passages += 1
        if self.coded_sample is not None:
            self.coded_sample.match(document_id, int(_get(passage, "passage_index", 0) or 0),
                                    text, article.group, article.index, frames)
        words = self.tokenise(text)
        self.background.update(words)
        for k, frame in enumerate(self.frames):
            self.score_sums[(article.group, frame)] += float(scores.get(frame, 0.0) or 0.0)
            if frame not in frames:
                continue
            article.tagged[k] += 1
            self.frame_terms[(frame, article.group)].update(words)
            if self.top_quotes > 0:
                self._offer_quote(frame, article, passage, float(scores.get(frame, 0.0) or 0.0),
                                  text)

    def _repeated(self, group: str, text: str) -> bool:
        """Whether the group had a passage with this normal form already (counted)."""
        key = digest(text)
        seen = self.seen[group]
        if key in seen:
            self.duplicates[group] += 1
            return True
        seen.add(key)
        return False

    def kept_articles(self) -> list[Article]:
        """The articles with at least one passage kept (``dedupe`` can drop them all)."""
        return [article for article in self.articles.values() if article.passages]

    def _offer_quote(self, frame, article, passage, score, text) -> None:
        self.sequence += 1
        heap = self.quote_heaps[(frame, article.group)]
        # Highest score first; ties go to the passage met first (corpus order).
        item = (score, -self.sequence, {
            "source": article.source, "document_id": article.document_id,
            "passage_index": int(_get(passage, "passage_index", 0) or 0),
            "start": int(_get(passage, "start", 0) or 0), "end": int(_get(passage, "end", 0) or 0),
            "score": score, "text": text,
            "title": article.meta.get("title"), "url": article.meta.get("url"),
        })
        if len(heap) < self.top_quotes:
            heapq.heappush(heap, item)
        elif item[:2] > heap[0][:2]:
            heapq.heapreplace(heap, item)
