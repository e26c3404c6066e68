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

import math
import re
import zlib
from collections import Counter
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np

#: Relative tolerance when comparing a permuted statistic with the observed one, so that
#: relabellings giving the same table count as "at least as extreme" despite rounding.
TIE_TOLERANCE = 1e-9

#: Most elements of one block of resamples the bootstrap and the permutation tests build at
#: once (resamples x articles, times frames for the bootstrap): about 32 MB of float64. They
#: work a block of resamples at a time, so memory stays bounded whatever the number of
#: articles (one resample per block at most, i.e. the size of the counts themselves). The
#: draws are the same, in the same order, as drawing every resample at once, so the results
#: do not depend on it.
BLOCK_ELEMENTS = 4_000_000


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


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile for ``confidence`` (1.959964 for 0.95)."""
    from scipy.stats import norm

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
    shares = np.empty((resamples, frames))
    for start in range(0, resamples, rows):
        size = min(rows, resamples - start)
        picks = rng.integers(0, m, size=(size, m))
        tagged_sums = tagged[picks].sum(axis=1)              # (size, frames)
        passage_sums = passages[picks].sum(axis=1)[:, None]  # (size, 1); every article has >= 1
        shares[start:start + size] = tagged_sums / passage_sums
    alpha = (1.0 - confidence) / 2.0
    lows = np.quantile(shares, alpha, axis=0)
    highs = np.quantile(shares, 1.0 - alpha, axis=0)
    return [(float(lo), float(hi)) for lo, hi in zip(lows, highs)]


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

def expected_counts(table: np.ndarray) -> np.ndarray:
    """Expected counts under independence of rows and columns (works on stacks of tables)."""
    table = np.asarray(table, dtype=float)
    rows = table.sum(axis=-1, keepdims=True)
    columns = table.sum(axis=-2, keepdims=True)
    total = table.sum(axis=(-2, -1), keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, rows * columns / np.where(total > 0, total, 1.0), 0.0)


def pearson_statistic(table: np.ndarray) -> np.ndarray:
    """Pearson's chi-square statistic (no continuity correction) of a table or stack of tables.

    Cells with zero expected count contribute nothing, which is what dropping an all-zero row
    or column would give.
    """
    table = np.asarray(table, dtype=float)
    expected = expected_counts(table)
    with np.errstate(invalid="ignore", divide="ignore"):
        cells = np.where(expected > 0, (table - expected) ** 2 / np.where(expected > 0, expected, 1.0),
                         0.0)
    return cells.sum(axis=(-2, -1))


def drop_empty(table: np.ndarray) -> np.ndarray:
    """The table without all-zero rows and columns."""
    table = np.asarray(table, dtype=float)
    table = table[table.sum(axis=1) > 0]
    return table[:, table.sum(axis=0) > 0] if table.size else table.reshape(0, 0)


def chi_square_test(table: np.ndarray) -> dict | None:
    """Pearson chi-square test of independence, after dropping empty rows and columns.

    Returns ``statistic``, ``df``, ``p_value``, ``min_expected``, ``cramers_v`` and the
    ``n`` counted; ``None`` when fewer than two non-empty rows or columns remain (nothing to
    test). Matches ``scipy.stats.chi2_contingency(table, correction=False)``.
    """
    from scipy.stats import chi2

    reduced = drop_empty(table)
    if reduced.ndim != 2 or min(reduced.shape) < 2:
        return None
    statistic = float(pearson_statistic(reduced))
    df = (reduced.shape[0] - 1) * (reduced.shape[1] - 1)
    n = float(reduced.sum())
    return {
        "statistic": statistic,
        "df": int(df),
        "p_value": float(chi2.sf(statistic, df)),
        "min_expected": float(expected_counts(reduced).min()),
        "cramers_v": cramers_v(statistic, n, reduced.shape),
        "n": n,
    }


def cramers_v(statistic: float, n: float, shape: tuple[int, int]) -> float | None:
    """Cramér's V = sqrt(chi2 / (n * (min(rows, columns) - 1))): 0 none, 1 complete association."""
    smaller = min(shape) - 1
    if n <= 0 or smaller < 1:
        return None
    return float(min(1.0, math.sqrt(statistic / (n * smaller))))


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
    most ``block_elements`` (default :data:`BLOCK_ELEMENTS`) in the relabellings x articles
    block, so memory stays bounded for any number of articles. Shuffles come in order from
    ``rng``, so the p-value is the same for any block size.

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


def fisher_exact_test(tagged_a: int, total_a: int, tagged_b: int, total_b: int) -> dict:
    """Fisher's exact test (two-sided) of two shares; returns ``p_value`` and ``odds_ratio``.

    The odds ratio is the sample one (a*d)/(b*c), ``None`` when it is 0/0, and infinite odds
    are reported as ``None`` too so that JSON stays valid.
    """
    from scipy.stats import fisher_exact

    table = [[tagged_a, total_a - tagged_a], [tagged_b, total_b - tagged_b]]
    odds, p_value = fisher_exact(table, alternative="two-sided")
    odds = float(odds)
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
    """Benjamini-Hochberg step-up adjustment (controls the false discovery rate)."""
    ordered = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    m = len(ordered)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 1.0
    for rank in range(m - 1, -1, -1):
        p, i = ordered[rank]
        running = min(running, m * p / (rank + 1))
        adjusted[i] = running
    return adjusted


# -- divergence --------------------------------------------------------------------------

def jensen_shannon_divergence(p: Sequence[float], q: Sequence[float]) -> float | None:
    """Jensen-Shannon divergence in bits (0 identical .. 1 disjoint) of two count vectors.

    The inputs are normalised to distributions first; ``None`` if either sums to zero. This
    is the square of :func:`scipy.spatial.distance.jensenshannon` with ``base=2``.
    """
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.sum() <= 0 or q.sum() <= 0:
        return None
    p = p / p.sum()
    q = q / q.sum()
    mixture = (p + q) / 2.0

    def kl(a):
        mask = a > 0
        return float(np.sum(a[mask] * np.log2(a[mask] / mixture[mask])))

    return float(min(1.0, max(0.0, (kl(p) + kl(q)) / 2.0)))


# -- distinctive terms -------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"'s$")


@lru_cache(maxsize=1)
def stop_words() -> frozenset:
    """scikit-learn's English stop words."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def terms(text: str, stop: frozenset | None = None, bigrams: bool = True) -> list[str]:
    """Lower-cased words (no digits, no stop words, at least 2 letters) and two-word phrases.

    Words keep their surface form (no stemming), so the terms read as written. A phrase is two
    kept words that stand next to each other in the text, with only spaces or a hyphen between
    them (no stop word, no punctuation, no line break).
    """
    stop = stop_words() if stop is None else stop
    out: list[str] = []
    previous: str | None = None
    previous_end = 0
    for match in _WORD.finditer(text):
        word = _POSSESSIVE.sub("", match.group().lower().replace("’", "'"))
        adjacent = not text[previous_end:match.start()].strip(" -")
        previous_end = match.end()
        if len(word) < 2 or word in stop:
            previous = None
            continue
        out.append(word)
        if bigrams and previous is not None and adjacent:
            out.append(f"{previous} {word}")
        previous = word
    return out


def log_odds_dirichlet(counts_a: Counter, counts_b: Counter, prior: Counter,
                       prior_scale: float = 1.0) -> dict[str, tuple[float, float]]:
    """Log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

    For each term ``w`` used in ``counts_a``: with prior pseudo-counts
    ``alpha_w = prior_scale * prior[w]`` and ``alpha_0 = sum(alpha)``,

        delta_w = log((y_aw + alpha_w) / (n_a + alpha_0 - y_aw - alpha_w))
                - log((y_bw + alpha_w) / (n_b + alpha_0 - y_bw - alpha_w))
        var_w  ~= 1 / (y_aw + alpha_w) + 1 / (y_bw + alpha_w)

    and ``z_w = delta_w / sqrt(var_w)``. The prior (the whole corpus's term counts) shrinks
    the estimates of rare terms towards zero, so a word used twice does not outrank a word
    used forty times. Returns ``{term: (delta, z)}``. Terms missing from ``prior`` get the
    smallest prior count present (at least 1).
    """
    if prior_scale <= 0:
        raise ValueError("prior_scale must be positive")
    n_a = float(sum(counts_a.values()))
    n_b = float(sum(counts_b.values()))
    alpha_0 = prior_scale * float(sum(prior.values()))
    floor = prior_scale * float(min(prior.values())) if prior else prior_scale
    result: dict[str, tuple[float, float]] = {}
    for term, y_a in counts_a.items():
        alpha = prior_scale * prior[term] if prior.get(term) else floor
        y_b = counts_b.get(term, 0)
        rest_a = n_a + alpha_0 - y_a - alpha
        rest_b = n_b + alpha_0 - y_b - alpha
        if rest_a <= 0 or rest_b <= 0:  # the term is the whole vocabulary: no odds to compare
            continue
        delta = math.log((y_a + alpha) / rest_a) - math.log((y_b + alpha) / rest_b)
        variance = 1.0 / (y_a + alpha) + 1.0 / (y_b + alpha)
        result[term] = (delta, delta / math.sqrt(variance))
    return result


def top_terms(scored: dict[str, tuple[float, float]], counts_a: Counter, counts_b: Counter,
              limit: int, min_count: int = 2) -> list[dict]:
    """The ``limit`` terms with the highest positive z among those used ``min_count``+ times."""
    rows = [{"term": term, "log_odds": delta, "z": z, "count": int(counts_a[term]),
             "count_rest": int(counts_b.get(term, 0))}
            for term, (delta, z) in scored.items() if z > 0 and counts_a[term] >= min_count]
    rows.sort(key=lambda row: (-row["z"], row["term"]))
    return rows[:limit]


def count_terms(texts: Iterable[str], stop: frozenset | None = None) -> Counter:
    """Term counts (see :func:`terms`) over ``texts``."""
    stop = stop_words() if stop is None else stop
    counter: Counter = Counter()
    for text in texts:
        counter.update(terms(text, stop))
    return counter
