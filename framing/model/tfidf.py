"""TF-IDF rows for many passages at once, without scikit-learn or scipy.

:class:`CompactTfidf` builds, from a model's vocabulary and IDF weights alone, exactly the
rows scikit-learn's ``TfidfVectorizer(sublinear_tf=True, norm="l2")`` makes (same values to
the last bit, same column order: tested against scikit-learn), with a handful of numpy calls
per batch instead of a Python call per token. The rows are :class:`SparseRows` (plain numpy
arrays; ``tocsr()`` gives scipy's matrix), so ``framing classify`` imports numpy only.

The rows are built from token lists that :func:`framing.text.batch.split_batch` made once
per batch and that the lexicon matcher shares.
"""

from __future__ import annotations

from itertools import chain
from typing import NamedTuple

import numpy as np

from framing.text.batch import lookup, tokenize_batch


def row_sums_in_order(values: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Per-row sums added left to right, as scikit-learn's and scipy's C loops add them
    (numpy's own reductions use pairwise summation, whose last bits can differ);
    ``np.bincount`` accumulates its weights in input order."""
    n_rows = len(indptr) - 1
    return np.bincount(np.repeat(np.arange(n_rows), np.diff(indptr)), weights=values,
                       minlength=n_rows).astype(np.float64, copy=False)


class SparseRows(NamedTuple):
    """CSR rows as plain numpy arrays (sorted column indices), so classifying never imports
    scipy; :meth:`tocsr` gives scipy's matrix for anyone who wants one."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    shape: tuple[int, int]

    def row_of_entries(self) -> np.ndarray:
        """The row of every stored entry."""
        return np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))

    def dot_transposed(self, matrix: np.ndarray) -> np.ndarray:
        """``self @ matrix.T`` (rows x len(matrix)), each sum added in entry order, as
        scipy's sparse product adds it (same bits: tested)."""
        rows = self.row_of_entries()
        return np.column_stack([
            np.bincount(rows, weights=self.data * line[self.indices], minlength=self.shape[0])
            for line in matrix]).reshape(self.shape[0], len(matrix))

    def tocsr(self):
        from scipy import sparse

        return sparse.csr_matrix((self.data, self.indices.astype(np.int32),
                                  self.indptr.astype(np.int32)), shape=self.shape)


class CompactTfidf:
    """Sublinear, l2-normalised TF-IDF rows over a fixed vocabulary of word 1..n-grams."""

    def __init__(self, vocabulary: list[str], idf: np.ndarray, ngram_max: int = 1):
        self.index = {term: i for i, term in enumerate(vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.ngram_max = int(ngram_max)

    def transform_stems(self, stem_lists: list[list[str]]) -> SparseRows:
        """The TF-IDF rows of token lists."""
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
        return SparseRows(data, col, indptr, (n_rows, width))

    def transform(self, texts: list[str]):
        """scipy CSR rows of texts (what scikit-learn's vectorizer returns)."""
        return self.transform_stems(tokenize_batch(list(texts))).tocsr()
