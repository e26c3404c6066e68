"""Split a text into passages (paragraphs, sentences, or the whole text) with exact spans.

Every passage is a ``(start, end)`` pair such that ``text[start:end]`` is the passage, with
surrounding whitespace excluded. Sentences come from nltk's Punkt tokenizer built in code with
a news abbreviation list, so no nltk data download is ever needed. Punkt reads a long
paragraph in windows of :data:`SENTENCE_WINDOW` characters, so its time per call stays bounded
(nltk stops a regular expression that runs over 5 s) whatever the text's length.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

UNITS = ("paragraph", "sentence", "whole")

#: Abbreviations that end with a period but do not end a sentence in news copy (lower case,
#: without the final period, as Punkt stores them).
NEWS_ABBREVIATIONS = frozenset("""
mr mrs ms dr prof sr jr st mt ft gen lt col maj capt cmdr adm sgt cpl pvt brig rep sen gov
pres amb rev hon messrs mme no nos vol jan feb mar apr jun jul aug sep sept oct nov dec
u.s u.k u.n u.s.a e.u a.m p.m etc vs inc ltd co corp dept est approx fig km mln bln
""".split())

_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n")
_SENTENCE_END = re.compile(r"""[.!?:;"'”’)\]]\s*$""")
#: Characters of a paragraph Punkt reads at a time. Each window's sentences but the last are
#: kept and the next window starts at that last sentence, so the sentences are those of the
#: whole paragraph; a run this long with no sentence end is cut at a space.
SENTENCE_WINDOW = 100_000

#: A block of several lines is read as one hard-wrapped paragraph when its lines are at most
#: this long and most of them do not end a sentence.
_WRAP_WIDTH = 100


class Span(NamedTuple):
    start: int
    end: int


def _strip_span(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None


def _blocks(text: str):
    position = 0
    for match in _BLANK_LINE.finditer(text):
        yield position, match.start()
        position = match.end()
    yield position, len(text)


def _is_hard_wrapped(lines: list[str]) -> bool:
    body = [line for line in lines[:-1] if line.strip()]
    if not body or any(len(line) > _WRAP_WIDTH for line in body):
        return False
    open_lines = sum(1 for line in body if not _SENTENCE_END.search(line))
    return open_lines * 2 >= len(body)


def paragraph_spans(text: str) -> list[Span]:
    """Blocks separated by blank lines; lines of a block are paragraphs of their own unless
    the block is one paragraph hard-wrapped at a fixed width."""
    spans: list[Span] = []
    for block_start, block_end in _blocks(text):
        block = text[block_start:block_end]
        lines = block.split("\n")
        if len(lines) == 1 or _is_hard_wrapped(lines):
            span = _strip_span(text, block_start, block_end)
            if span:
                spans.append(span)
            continue
        offset = block_start
        for line in lines:
            span = _strip_span(text, offset, offset + len(line))
            if span:
                spans.append(span)
            offset += len(line) + 1
    return spans


@lru_cache(maxsize=1)
def sentence_tokenizer():
    """A Punkt tokenizer with the news abbreviations; built once, no data files needed."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    parameters = PunktParameters()
    parameters.abbrev_types = set(NEWS_ABBREVIATIONS)
    return PunktSentenceTokenizer(parameters)


def sentence_spans(text: str) -> list[Span]:
    """Sentences within each paragraph (a sentence never crosses a paragraph break)."""
    spans: list[Span] = []
    for paragraph in paragraph_spans(text):
        for start, end in _sentences(text, paragraph.start, paragraph.end):
            span = _strip_span(text, start, end)
            if span:
                spans.append(span)
    return spans


def _sentences(text: str, start: int, end: int):
    """Punkt's sentences of ``text[start:end]``, window by window (:data:`SENTENCE_WINDOW`)."""
    position = start
    while end - position > SENTENCE_WINDOW:
        window_end = position + SENTENCE_WINDOW
        found = _punkt(text, position, window_end)
        if len(found) >= 2:  # keep all but the last, which the window may have cut short
            yield from found[:-1]
            position = found[-1][0]
            continue
        cut = text.rfind(" ", position + SENTENCE_WINDOW // 2, window_end)
        cut = window_end if cut < 0 else cut + 1
        yield position, cut
        position = cut
    yield from _punkt(text, position, end)


def _punkt(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]`` (at most a window long); if nltk gives up on it
    (its regular-expression time limit), the piece is one passage rather than an aborted run."""
    try:
        return [(start + s, start + e)
                for s, e in sentence_tokenizer().span_tokenize(text[start:end])]
    except TimeoutError:
        return [(start, end)]


def whole_span(text: str) -> list[Span]:
    span = _strip_span(text, 0, len(text))
    return [span] if span else []


def segment(text: str, unit: str = "paragraph") -> list[Span]:
    """Passages of ``text`` for ``unit`` (one of :data:`UNITS`)."""
    if unit == "paragraph":
        return paragraph_spans(text)
    if unit == "sentence":
        return sentence_spans(text)
    if unit == "whole":
        return whole_span(text)
    raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
