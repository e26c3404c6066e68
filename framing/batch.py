"""Batched inference without scikit-learn: TF-IDF rows and lexicon matches for many passages.

:class:`CompactTfidf` builds, from a model's vocabulary and IDF weights alone, exactly the
rows scikit-learn's ``TfidfVectorizer(sublinear_tf=True, norm="l2")`` makes (same values to
the last bit, same column order: tested against scikit-learn), with a handful of numpy calls
per batch instead of a Python call per token. It imports numpy and scipy.sparse only, so
``framing classify`` never pays for importing scikit-learn.

:func:`tokenize_batch` normalises each passage once; the TF-IDF rows and the lexicon
(:meth:`framing.lexicon.Lexicon.match_batch`) share the result.
"""

from __future__ import annotations

from itertools import chain, repeat

import numpy as np

from .text import normalise_word, stems


def tokenize_batch(texts: list[str]) -> list[list[str]]:
    """The normalised tokens of each text (what :func:`framing.text.stems` returns)."""
    return [stems(text) for text in texts]


def split_batch(texts: list[str]) -> tuple[list[list[str]], list[list[str]]]:
    """Each text split into ``[gap, token, gap, ..., token, gap]``, and its normalised
    tokens: one regex pass serves the TF-IDF, the lexicon and its spans."""
    from .lexicon import _TOKEN_SPLIT

    parts_lists = [_TOKEN_SPLIT.split(text) for text in texts]
    return parts_lists, [list(map(normalise_word, parts[1::2])) for parts in parts_lists]


def lookup(index: dict, keys: list, count: int) -> np.ndarray:
    """``index[key]`` for every key as an int64 array, -1 where absent (no Python loop)."""
    return np.fromiter(map(index.get, keys, repeat(-1)), dtype=np.int64, count=count)


def row_sums_in_order(values: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Per-row sums added left to right, as a plain C loop does (numpy's own reductions
    use pairwise summation, whose last bits can differ)."""
    n_rows = len(indptr) - 1
    lengths = np.diff(indptr)
    sums = np.zeros(n_rows, dtype=np.float64)
    starts = indptr[:-1]
    for position in range(int(lengths.max(initial=0))):
        live = lengths > position
        sums[live] += values[starts[live] + position]
    return sums


class CompactTfidf:
    """Sublinear, l2-normalised TF-IDF rows over a fixed vocabulary of word 1..n-grams."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray, ngram_max: int = 1):
        self.index = {term: i for i, term in enumerate(vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.ngram_max = int(ngram_max)

    def transform_stems(self, stem_lists: list[list[str]]):
        """CSR rows (scipy ``csr_matrix``, sorted column indices) for token lists."""
        from scipy import sparse

        n_rows, width = len(stem_lists), len(self.idf)
        lengths = np.fromiter(map(len, stem_lists), dtype=np.int64, count=n_rows)
        flat = list(chain.from_iterable(stem_lists))
        row_of = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
        ids = lookup(self.index, flat, len(flat))
        keep = ids >= 0
        rows, cols = [row_of[keep]], [ids[keep]]
        for n in range(2, self.ngram_max + 1):
            count = len(flat) - n + 1
            if count <= 0:
                break
            grams = map(" ".join, zip(*(flat[k:] for k in range(n))))
            gram_ids = lookup(self.index, grams, count)
            same_row = row_of[:count] == row_of[n - 1:]
            keep = (gram_ids >= 0) & same_row
            rows.append(row_of[:count][keep])
            cols.append(gram_ids[keep])
        keys, counts = np.unique(np.concatenate(rows) * width + np.concatenate(cols),
                                 return_counts=True)
        row, col = np.divmod(keys, width)
        data = counts.astype(np.float64)
        np.log(data, data)          # sublinear tf: 1 + log(count)
        data += 1.0
        data *= self.idf[col]
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=n_rows), out=indptr[1:])
        norms = np.sqrt(row_sums_in_order(data * data, indptr))
        norms[norms == 0.0] = 1.0
        data /= norms[row]
        return sparse.csr_matrix((data, col.astype(np.int32), indptr.astype(np.int32)),
                                 shape=(n_rows, width))

    def transform(self, texts: list[str]):
        return self.transform_stems(tokenize_batch(list(texts)))
