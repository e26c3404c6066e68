"""The statistics behind ``framing compare``, as small pure functions on counts.

Nothing here knows about documents or reports: each function takes counts (or per-article
count arrays) and returns numbers, so each can be checked alone against scipy or by hand.

Conventions
-----------
- Shares are passages tagged / passages. Passages of one article are not independent, so the
  functions that must respect that take *per-article* arrays (``tagged[i]``, ``passages[i]``
  for article ``i``) and resample or permute whole articles.
- Randomness always comes from a :class:`numpy.random.Generator` the caller seeds; see
  :func:`rng_for`, which derives a stable generator per (seed, name...) so that adding a group
  to a corpus does not change the random draws of another.
- An undefined quantity (a share of zero passages, a test on a table with an empty column) is
  ``None``, never NaN, so that JSON output stays valid.
"""

from __future__ import annotations

import functools
import math
import zlib
from typing import Sequence

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.special import gammaln
from scipy.stats import chi2_contingency, false_discovery_control, norm
from scipy.stats.contingency import association

#: Most elements of one block of resamples the bootstrap and the permutation tests build at
#: once (resamples x articles, times frames for the bootstrap): about 32 MB of float64. They
#: work a block of resamples at a time, so memory stays bounded whatever the number of
#: articles (one resample per block at most, i.e. the size of the counts themselves). The
#: draws are the same, in the same order, as drawing every resample at once, so the results
#: do not depend on it.
BLOCK_ELEMENTS = 1_000_000


def block_rows(row_elements: int, block_elements: int | None = None) -> int:
    """Rows of ``row_elements`` elements each that fit in one block (at least one)."""
    limit = BLOCK_ELEMENTS if block_elements is None else int(block_elements)
    return max(1, limit // max(1, int(row_elements)))


# -- randomness --------------------------------------------------------------------------

def rng_for(seed: int, *names: str | int) -> np.random.Generator:
    """A generator determined by ``seed`` and ``names`` only (stable across runs and Pythons)."""
    entropy = [int(seed) & 0xFFFFFFFF]
    for name in names:
        entropy.append(zlib.crc32(str(name).encode("utf-8")))
    return np.random.default_rng(entropy)


@functools.lru_cache(maxsize=64)
def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile for ``confidence`` (1.959964 for 0.95)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    return float(norm.ppf(0.5 + confidence / 2.0))


# -- intervals for one share -------------------------------------------------------------

def wilson_interval(tagged: float, total: float, confidence: float = 0.95):
    """Wilson score interval for a proportion ``tagged / total``.

    Holds its coverage far better than the normal (Wald) interval for small counts and shares
    near 0 or 1, and never leaves [0, 1]. ``tagged`` and ``total`` may be non-integer
    (effective counts). Returns ``(low, high)``, or ``None`` when ``total`` is 0.
    """
    if total <= 0:
        return None
    if tagged < 0 or tagged > total:
        raise ValueError(f"tagged ({tagged}) must be between 0 and total ({total})")
    z = z_value(confidence)
    p = tagged / total
    z2 = z * z
    denominator = 1.0 + z2 / total
    centre = (p + z2 / (2.0 * total)) / denominator
    half = z * math.sqrt(p * (1.0 - p) / total + z2 / (4.0 * total * total)) / denominator
    low = 0.0 if tagged == 0 else max(0.0, centre - half)
    high = 1.0 if tagged == total else min(1.0, centre + half)
    return low, high


def design_effect(tagged: Sequence[float], passages: Sequence[float]) -> float:
    """Kish design effect of the share ``sum(tagged) / sum(passages)`` under article clustering.

    The ratio of the share's variance estimated from between-article variation (the usual
    linearisation estimator for a ratio of cluster totals) to its variance if passages were
    independent. Returned clipped below at 1 (clustering is never credited with making a
    share *more* precise) and above at the number of passages; 1 when it cannot be estimated
    (fewer than two articles, or a share of exactly 0 or 1).
    """
    k = np.asarray(tagged, dtype=float)
    n = np.asarray(passages, dtype=float)
    m = k.size
    total = n.sum()
    if m < 2 or total <= 0:
        return 1.0
    p = k.sum() / total
    if p <= 0.0 or p >= 1.0:
        return 1.0
    residual = k - p * n
    cluster_variance = m / (m - 1) * float(np.sum(residual * residual)) / (total * total)
    independent_variance = p * (1.0 - p) / total
    return float(min(max(1.0, cluster_variance / independent_variance), total))


def clustered_wilson_interval(tagged: Sequence[float], passages: Sequence[float],
                              confidence: float = 0.95):
    """Wilson interval on the effective sample size ``n / design_effect``.

    For articles ``i`` with ``tagged[i]`` of ``passages[i]`` passages tagged: the share is
    pooled over passages, and the interval is the Wilson interval with the passage count
    deflated by the design effect (Kish 1965; the effective-sample-size approach of Korn and
    Graubard 1998). With one article, or no between-article variation, it is the plain
    Wilson interval. Returns ``(interval, design_effect)``; interval ``None`` for no passages.
    """
    k = np.asarray(tagged, dtype=float)
    n = np.asarray(passages, dtype=float)
    total = float(n.sum())
    if total <= 0:
        return None, 1.0
    deff = design_effect(k, n)
    effective_total = total / deff
    share = float(k.sum()) / total
    return wilson_interval(share * effective_total, effective_total, confidence), deff


def cluster_bootstrap_intervals(tagged: np.ndarray, passages: np.ndarray, resamples: int,
                                rng: np.random.Generator, confidence: float = 0.95,
                                block_elements: int | None = None):
    """Percentile bootstrap intervals for pooled shares, resampling whole articles.

    ``tagged`` has shape (articles, frames), ``passages`` shape (articles,). Each resample
    draws as many articles as there are, with replacement, and recomputes every frame's
    share; the interval is the central ``confidence`` range of those shares. Returns one
    ``(low, high)`` per frame, or ``None`` per frame when there are fewer than two articles
    (a bootstrap over one article only repeats it) or ``resamples`` is 0.

    Resamples are drawn and summed a block at a time (at most ``block_elements``, default
    :data:`BLOCK_ELEMENTS`, in the resamples x articles x frames block), in order from the
    same generator, so the result is the same for any block size.
    """
    tagged = np.asarray(tagged, dtype=float)
    passages = np.asarray(passages, dtype=float)
    m, frames = tagged.shape
    if m < 2 or resamples <= 0:
        return [None] * frames
    rows = block_rows(m * max(1, frames), block_elements)
    counts = np.column_stack([tagged, passages])
    whole = bool(np.all(counts == np.floor(counts))) and float(np.abs(counts).sum()) < 2 ** 50
    integer_columns = [np.ascontiguousarray(counts[:, c], dtype=np.int64)
                       for c in range(frames + 1)] if whole else []
    shares = np.empty((resamples, frames))
    for start in range(0, resamples, rows):
        size = min(rows, resamples - start)
        picks = rng.integers(0, m, size=(size, m))
        if whole:  # integer counts: summed as integers one column at a time, the same
            # exact sums as adding up the drawn rows of floats, four times as fast
            sums = np.column_stack([np.take(column, picks).sum(axis=1)
                                    for column in integer_columns]).astype(float)
        else:     # fractional counts: add the drawn rows in order, as always
            sums = np.column_stack([tagged[picks].sum(axis=1), passages[picks].sum(axis=1)])
        shares[start:start + size] = sums[:, :frames] / sums[:, frames:]  # passages >= 1
    alpha = (1.0 - confidence) / 2.0
    lows = np.quantile(shares, alpha, axis=0)
    highs = np.quantile(shares, 1.0 - alpha, axis=0)
    return [(float(lo), float(hi)) for lo, hi in zip(lows, highs)]


def widen_degenerate(interval, fallback):
    """A bootstrap interval of zero width replaced by ``fallback`` (the clustered Wilson one).

    When every resample gives the same share (a share of 0 or 1 in every article, or every
    article with the same share) the percentile interval is one point, ``[0, 0]`` for a
    frame the group never uses: the bootstrap cannot see beyond the articles it was given,
    and a point says "certain" where a few articles say little. The Wilson interval, whose
    upper bound for 0 tagged of n is about z² / (n + z²), says how little. ``None`` (no
    bootstrap) passes through.
    """
    if interval is None or fallback is None:
        return interval
    low, high = interval
    return tuple(fallback) if high <= low else interval


def newcombe_difference_interval(share_a: float, interval_a, share_b: float, interval_b):
    """Interval for ``share_a - share_b`` from the two shares' own intervals.

    Newcombe's (1998) hybrid score method (his method 10) combines two Wilson intervals; it
    keeps good coverage for small counts where the Wald difference interval fails. Returns
    ``None`` if either interval is missing.
    """
    if interval_a is None or interval_b is None:
        return None
    low_a, high_a = interval_a
    low_b, high_b = interval_b
    difference = share_a - share_b
    low = difference - math.sqrt((share_a - low_a) ** 2 + (high_b - share_b) ** 2)
    high = difference + math.sqrt((high_a - share_a) ** 2 + (share_b - low_b) ** 2)
    return max(-1.0, low), min(1.0, high)


# -- contingency tables ------------------------------------------------------------------

def drop_empty(table: np.ndarray) -> np.ndarray:
    """The table without all-zero rows and columns."""
    table = np.asarray(table, dtype=float)
    table = table[table.sum(axis=1) > 0]
    return table[:, table.sum(axis=0) > 0] if table.size else table.reshape(0, 0)


def chi_square_test(table: np.ndarray) -> dict | None:
    """Pearson chi-square test of independence, after dropping empty rows and columns.

    ``scipy.stats.chi2_contingency(table, correction=False)`` on the reduced table (which has
    no zero expected count, so scipy does not refuse it). Returns ``statistic``, ``df``,
    ``p_value``, ``min_expected``, ``cramers_v`` and the ``n`` counted; ``None`` when fewer
    than two non-empty rows or columns remain (nothing to test).
    """
    reduced = drop_empty(table)
    if reduced.ndim != 2 or min(reduced.shape) < 2:
        return None
    test = chi2_contingency(reduced, correction=False)
    return {
        "statistic": float(test.statistic),
        "df": int(test.dof),
        "p_value": float(test.pvalue),
        "min_expected": float(test.expected_freq.min()),
        "cramers_v": cramers_v(reduced),
        "n": float(reduced.sum()),
    }


def cramers_v(table: np.ndarray) -> float | None:
    """Cramér's V = sqrt(chi2 / (n * (min(rows, columns) - 1))): 0 none, 1 complete association.

    ``scipy.stats.contingency.association(method="cramer")`` on the table without its empty
    rows and columns (scipy wants integer counts, and refuses a zero expected count); ``None``
    when fewer than two non-empty rows or columns remain. Capped at 1, which rounding can
    overshoot for a complete association.
    """
    reduced = drop_empty(table)
    if min(reduced.shape) < 2:
        return None
    return float(min(1.0, association(np.rint(reduced).astype(np.int64), method="cramer")))


def _log_choose(n, k):
    return gammaln(np.asarray(n, float) + 1) - gammaln(np.asarray(k, float) + 1) \
        - gammaln(np.asarray(n, float) - k + 1)


def fisher_exact_test(tagged_a: int, total_a: int, tagged_b: int, total_b: int) -> dict:
    """Fisher's exact test (two-sided) of two shares; returns ``p_value`` and ``odds_ratio``.

    The p-value is scipy's ``fisher_exact``: the probability, under the hypergeometric
    distribution of the table with its margins, of every table no more likely than the one
    observed (relative tolerance 1e-7); here summed over the support in one vectorised call,
    since a thousand-group comparison runs thousands of these (tests hold it to scipy). The
    odds ratio is the sample one (a*d)/(b*c), ``None`` when it is 0/0, and infinite odds are
    reported as ``None`` too so that JSON stays valid.
    """
    a, b = int(tagged_a), int(total_a - tagged_a)
    c, d = int(tagged_b), int(total_b - tagged_b)
    if a * d == 0 and b * c == 0:
        odds = math.nan
    else:
        odds = math.inf if b * c == 0 else (a * d) / (b * c)
    if min(a + b, c + d, a + c, b + d) == 0:
        p_value = 1.0
    else:
        row, column, total = a + b, a + c, a + b + c + d
        support = np.arange(max(0, column - (c + d)), min(row, column) + 1)
        log_pmf = (_log_choose(row, support) + _log_choose(total - row, column - support)
                   - _log_choose(total, column))
        observed = log_pmf[a - support[0]]
        pmf = np.exp(log_pmf)
        p_value = float(pmf[log_pmf <= observed + math.log1p(1e-7)].sum())
    return {"p_value": float(min(1.0, p_value)),
            "odds_ratio": odds if math.isfinite(odds) else None}


# -- multiple testing --------------------------------------------------------------------

def holm_adjust(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjustment (controls the family-wise error rate); ``None`` passes through."""
    indexed = [(p, i) for i, p in enumerate(p_values) if p is not None]
    m = len(indexed)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(sorted(indexed)):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return adjusted


def bh_adjust(p_values: Sequence[float | None]) -> list[float | None]:
    """Benjamini-Hochberg step-up adjustment (controls the false discovery rate); ``None``
    passes through. ``scipy.stats.false_discovery_control`` on the p-values given, which must
    lie in [0, 1]."""
    present = [i for i, p in enumerate(p_values) if p is not None]
    adjusted: list[float | None] = [None] * len(p_values)
    if present:
        values = false_discovery_control([p_values[i] for i in present], method="bh")
        for i, value in zip(present, values):
            adjusted[i] = float(value)
    return adjusted


# -- divergence --------------------------------------------------------------------------

def jensen_shannon_divergence(p: Sequence[float], q: Sequence[float]) -> float | None:
    """Jensen-Shannon divergence in bits (0 identical .. 1 disjoint) of two count vectors.

    The square of ``scipy.spatial.distance.jensenshannon(p, q, base=2)``, which normalises the
    counts to distributions. ``None`` if either sums to zero (scipy would give NaN). For two
    mixes that differ by a rounding error only, scipy's divergence can come out a hair below
    0 and its square root NaN: the divergence is then 0. Capped at 1, which rounding can
    overshoot for disjoint mixes.
    """
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.sum() <= 0 or q.sum() <= 0:
        return None
    with np.errstate(invalid="ignore"):
        distance = float(jensenshannon(p, q, base=2))
    if math.isnan(distance):
        return 0.0
    return min(1.0, distance ** 2)
