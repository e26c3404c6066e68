"""The permutation test of ``framing compare``: group labels shuffled among whole articles.

Its null distribution comes from relabelling articles, not passages, so it stays valid for
small counts and for passages of one article that are alike. Every relabelled table is scored
with a Pearson statistic vectorised over stacks of tables; memory is bounded by
:data:`framing.comparison.stats.BLOCK_ELEMENTS`, as for the bootstrap.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Sequence

import numpy as np

from framing.comparison.stats import block_rows

#: Relative tolerance when comparing a permuted statistic with the observed one, so that
#: relabellings giving the same table count as "at least as extreme" despite rounding.
TIE_TOLERANCE = 1e-9


def pearson_statistic(table: np.ndarray) -> np.ndarray:
    """Pearson's chi-square statistic (no continuity correction) of a table or stack of tables.

    Cells with zero expected count contribute nothing, which is what dropping an all-zero row
    or column would give. Vectorised over stacks, for the thousands of relabelled tables of a
    permutation test (:func:`framing.comparison.stats.chi_square_test` uses scipy on the
    one observed table).
    """
    table = np.asarray(table, dtype=float)
    rows = table.sum(axis=-1, keepdims=True)
    columns = table.sum(axis=-2, keepdims=True)
    total = table.sum(axis=(-2, -1), keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.where(total > 0, rows * columns / np.where(total > 0, total, 1.0), 0.0)
        cells = np.where(expected > 0, (table - expected) ** 2 / np.where(expected > 0, expected, 1.0),
                         0.0)
    return cells.sum(axis=(-2, -1))


def multiset_permutations(labels: Sequence[int]):
    """Every distinct ordering of ``labels`` (with repeats), in lexicographic order."""
    current = sorted(labels)
    size = len(current)
    while True:
        yield list(current)
        i = size - 2
        while i >= 0 and current[i] >= current[i + 1]:
            i -= 1
        if i < 0:
            return
        j = size - 1
        while current[j] <= current[i]:
            j -= 1
        current[i], current[j] = current[j], current[i]
        current[i + 1:] = reversed(current[i + 1:])


def count_relabellings(labels: Sequence[int], limit: int | None = None) -> int:
    """Number of distinct orderings of ``labels`` (the multinomial coefficient).

    With ``limit``, counting stops early and returns ``limit + 1`` once the count is known to
    exceed it (so a corpus of many articles never computes a huge factorial)."""
    counts = sorted(Counter(labels).values())
    total = 1
    remaining = len(labels)
    if limit is not None and len(counts) > 1 and remaining > limit:
        return limit + 1  # at least `remaining` orderings: move one article of any group
    for count in counts:
        total *= math.comb(remaining, count)
        remaining -= count
        if limit is not None and total > limit:
            return limit + 1
    return total


def _group_tables(assignments: np.ndarray, counts: np.ndarray, groups: int) -> np.ndarray:
    """Stack of (groups x columns) tables: sums of article ``counts`` rows per assigned group."""
    resamples, m = assignments.shape
    columns = counts.shape[1]
    offset = assignments + groups * np.arange(resamples)[:, None]
    tables = np.empty((resamples, groups, columns))
    for c in range(columns):
        tables[:, :, c] = np.bincount(offset.ravel(), weights=np.tile(counts[:, c], resamples),
                                      minlength=resamples * groups).reshape(resamples, groups)
    return tables


def permutation_test(labels: Sequence[int], counts: np.ndarray, resamples: int,
                     rng: np.random.Generator, chunk: int = 4096,
                     block_elements: int | None = None) -> dict | None:
    """Permutation test of group x column independence that keeps articles whole.

    ``labels[i]`` is article ``i``'s group (0..G-1) and ``counts[i]`` its row of counts (for
    example [tagged, untagged] passages). The statistic is Pearson's chi-square of the summed
    table; its null distribution comes from shuffling the group labels among articles, which
    is valid for any counts, small or clustered, as long as articles are exchangeable under
    the null hypothesis. When the number of distinct relabellings is at most ``resamples``
    every one is enumerated and the p-value is exact; otherwise ``resamples`` random shuffles
    give ``p = (1 + extreme) / (1 + resamples)``.

    Relabellings are built and scored a block at a time: at most ``chunk`` of them, and at
    most ``block_elements`` (default :data:`framing.comparison.stats.BLOCK_ELEMENTS`) in the
    relabellings x articles block, so memory stays bounded for any number of articles.
    Shuffles come in order from ``rng``, so the p-value is the same for any block size.

    Returns ``statistic``, ``p_value``, ``resamples`` (relabellings used) and ``exact``;
    ``None`` when there is nothing to test (fewer than two groups or ``resamples`` is 0).
    """
    labels = np.asarray(labels, dtype=np.int64)
    counts = np.asarray(counts, dtype=float)
    if labels.size == 0 or resamples <= 0:
        return None
    chunk = min(int(chunk), block_rows(labels.size, block_elements))
    groups = int(labels.max()) + 1
    if len(set(labels.tolist())) < 2:
        return None
    observed = float(pearson_statistic(_group_tables(labels[None, :], counts, groups))[0])
    threshold = observed - TIE_TOLERANCE * max(1.0, abs(observed))
    distinct = count_relabellings(labels.tolist(), limit=resamples)
    if distinct <= resamples:
        extreme = 0
        batch: list[list[int]] = []

        def consume(rows):
            stats = pearson_statistic(_group_tables(np.asarray(rows, dtype=np.int64), counts, groups))
            return int(np.count_nonzero(stats >= threshold))

        for ordering in multiset_permutations(labels.tolist()):
            batch.append(ordering)
            if len(batch) >= chunk:
                extreme += consume(batch)
                batch = []
        if batch:
            extreme += consume(batch)
        return {"statistic": observed, "p_value": extreme / distinct, "resamples": distinct,
                "exact": True}
    extreme = 0
    done = 0
    while done < resamples:
        size = min(chunk, resamples - done)
        shuffled = rng.permuted(np.broadcast_to(labels, (size, labels.size)), axis=1)
        extreme += int(np.count_nonzero(
            pearson_statistic(_group_tables(shuffled, counts, groups)) >= threshold))
        done += size
    return {"statistic": observed, "p_value": (1 + extreme) / (1 + resamples),
            "resamples": int(resamples), "exact": False}
