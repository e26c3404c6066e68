"""Whole batches of passages split and normalised once, and the array lookup both the lexicon
matcher and the TF-IDF use.

:func:`split_batch` gives each passage's gaps and tokens (for spans and clause breaks) and its
normalised tokens; the lexicon (:mod:`framing.lexicon.matcher`) and the TF-IDF rows
(:mod:`framing.model.tfidf`) share the result, so a passage is tokenized once however it is
scored.
"""

from __future__ import annotations

from itertools import repeat

import numpy as np

from framing.text.tokens import TOKEN_SPLIT, normalise_word, stems


def tokenize_batch(texts: list[str]) -> list[list[str]]:
    """The normalised tokens of each text (what :func:`framing.text.tokens.stems` returns)."""
    return [stems(text) for text in texts]


def split_batch(texts: list[str]) -> tuple[list[list[str]], list[list[str]]]:
    """Each text split into ``[gap, token, gap, ..., token, gap]``, and its normalised
    tokens: one regex pass serves the TF-IDF, the lexicon and its spans."""
    parts_lists = [TOKEN_SPLIT.split(text) for text in texts]
    return parts_lists, [list(map(normalise_word, parts[1::2])) for parts in parts_lists]


def lookup(index: dict, keys: list, count: int) -> np.ndarray:
    """``index[key]`` for every key as an int64 array, -1 where absent (no Python loop)."""
    return np.fromiter(map(index.get, keys, repeat(-1)), dtype=np.int64, count=count)
