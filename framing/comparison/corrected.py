"""Shares corrected for the tagger's error: prediction-powered inference on a coded sample.

A raw share counts the tagger's tags, so its interval covers sampling error only. Given a
random sample of the corpus's passages coded by people, :func:`ppi_share` estimates the
share a careful coder would give the whole group, with an interval that includes the
tagger's error:

    estimate = lam * raw_share + mean_w(coded - lam * tag)        (over the coded sample)

the PPI++ mean estimator (Angelopoulos, Duchi and Zrnic 2023; ``ppi_py.ppi_mean_ci``), with
``lam`` chosen to minimise the variance and clipped to [0, 1] (``lam = 0`` is the coded
sample alone, ``lam = 1`` classic PPI). Two changes respect how a corpus is built:

- passages of one article are alike, so both variance terms are cluster-robust over
  articles (CR1: sums of residuals per article, times C/(C-1)); with one passage per
  article and equal weights they are ppi_py's variances times n/(n-1);
- a sample may oversample some passages (``framing sample --near-threshold``), so each coded
  passage carries the inverse of its inclusion probability as a weight (Hajek means).

When the coded residuals do not vary at all (every coded passage agrees with its tag, e.g.
15 passages and no error), the variance of the correction would be 0 and the interval would
claim the tagger is perfect; the correction's variance is then floored at that of half an
error among the coded passages: ``p0 (1 - p0) / n`` with ``p0 = 0.5 / (n + 1)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2, norm

from framing.comparison.stats import z_value

METHOD = "ppi++ (cluster-robust by article)"


@dataclass(frozen=True)
class Coded:
    """The coded passages of one group and frame: coded truth, the tagger's tag, the weight
    (inverse inclusion probability) and the article each belongs to."""

    truth: np.ndarray      # 0/1
    tag: np.ndarray        # 0/1
    weight: np.ndarray     # > 0
    article: np.ndarray    # article keys (any hashable, as integers)

    def __len__(self) -> int:
        return len(self.truth)


def cluster_variance_of_mean(values: np.ndarray, weights: np.ndarray,
                             clusters: np.ndarray) -> float:
    """Cluster-robust (CR1) variance of the weighted mean of ``values``; clusters of one
    element give the usual variance of a mean (times n/(n-1))."""
    total = float(weights.sum())
    if total <= 0 or len(values) < 2:
        return 0.0
    mean = float((weights * values).sum() / total)
    _, index = np.unique(clusters, return_inverse=True)
    sums = np.bincount(index, weights=weights * (values - mean))
    count = len(sums)
    if count < 2:  # one article: fall back on passages as if independent
        sums, count = weights * (values - mean), len(values)
    return float(count / (count - 1) * (sums ** 2).sum() / total ** 2)


def raw_share_variance(tagged: np.ndarray, passages: np.ndarray) -> float:
    """Cluster-robust variance of a group's raw share (passages tagged / passages) over its
    articles; one article: the binomial variance of its passages."""
    n = float(passages.sum())
    if n <= 0:
        return 0.0
    share = float(tagged.sum()) / n
    if len(passages) < 2:
        return share * (1 - share) / n
    residual = tagged - share * passages
    return float(len(passages) / (len(passages) - 1) * (residual ** 2).sum() / n ** 2)


def _floor(variance: float, coded: int) -> float:
    p0 = 0.5 / (coded + 1)
    return max(variance, p0 * (1 - p0) / coded)


def power_tuning(coded: Coded, raw_share: float, passages: int) -> float:
    """PPI++'s variance-minimising ``lam`` for a mean, clipped to [0, 1]: the covariance of
    coded truth and tag over (1 + n/N) times the tag's variance over the corpus."""
    w = coded.weight / coded.weight.sum()
    truth_mean, tag_mean = float(w @ coded.truth), float(w @ coded.tag)
    covariance = float(w @ ((coded.truth - truth_mean) * (coded.tag - tag_mean)))
    tag_variance = raw_share * (1 - raw_share)
    if tag_variance <= 0:
        return 0.0
    lam = covariance / ((1 + len(coded) / passages) * tag_variance)
    return min(1.0, max(0.0, lam))


def ppi_share(coded: Coded, tagged: np.ndarray, passages: np.ndarray,
              confidence: float) -> dict:
    """The corrected share of one group and frame, its interval and standard error.

    ``tagged`` and ``passages`` are the group's per-article counts (every article, coded or
    not); ``coded`` its coded passages. Returns ``{"share", "interval", "method",
    "standard_error", "lambda", "estimate"}`` (``estimate`` unclipped, for tests)."""
    total = int(passages.sum())
    raw = float(tagged.sum()) / total
    lam = power_tuning(coded, raw, total)
    residual = coded.truth - lam * coded.tag
    w = coded.weight
    estimate = lam * raw + float((w * residual).sum() / w.sum())
    variance = (lam ** 2) * raw_share_variance(tagged, passages) + _floor(
        cluster_variance_of_mean(residual, w, coded.article), len(coded))
    se = math.sqrt(variance)
    half = z_value(confidence) * se
    return {"share": min(1.0, max(0.0, estimate)),
            "interval": [max(0.0, estimate - half), min(1.0, estimate + half)],
            "method": METHOD, "standard_error": se, "lambda": lam, "estimate": estimate}


def weighted_rate(hit: np.ndarray, of: np.ndarray, weight: np.ndarray) -> float | None:
    """Weighted share of ``hit`` among passages with ``of`` (None when there are none)."""
    denominator = float((weight * of).sum())
    return float((weight * hit * of).sum()) / denominator if denominator > 0 else None


def agreement(coded: Coded) -> dict:
    """The coded sample's precision and recall of the tag (weighted by inverse inclusion
    probability), with the counts behind them."""
    both = coded.truth * coded.tag
    return {"coded": len(coded), "coded_positive": int(coded.truth.sum()),
            "tagged_positive": int(coded.tag.sum()), "true_positive": int(both.sum()),
            "precision": weighted_rate(coded.truth, coded.tag, coded.weight),
            "recall": weighted_rate(coded.tag, coded.truth, coded.weight)}


def tagger_bias(coded: Coded) -> tuple[float, float]:
    """How far the tags run above the coded truth in one group (tag minus truth, weighted
    mean) and its standard error (cluster-robust, floored as the correction is)."""
    error = coded.tag - coded.truth
    w = coded.weight
    bias = float((w * error).sum() / w.sum())
    return bias, math.sqrt(_floor(cluster_variance_of_mean(error, w, coded.article),
                                  len(coded)))


def heterogeneity(biases: dict[str, tuple[float, float]]) -> dict | None:
    """Cochran's Q: do the groups' tagger biases differ more than their standard errors
    allow? None with fewer than two groups."""
    if len(biases) < 2:
        return None
    values = np.array([b for b, _ in biases.values()])
    weights = 1.0 / np.array([se for _, se in biases.values()]) ** 2
    pooled = float((weights * values).sum() / weights.sum())
    statistic = float((weights * (values - pooled) ** 2).sum())
    df = len(values) - 1
    return {"test": "cochran_q", "statistic": statistic, "df": df,
            "p_value": float(chi2.sf(statistic, df))}


def difference_test(a: dict, b: dict, confidence: float) -> dict:
    """Wald test of two corrected shares (independent groups): difference, interval, p."""
    difference = a["estimate"] - b["estimate"]
    se = math.sqrt(a["standard_error"] ** 2 + b["standard_error"] ** 2)
    half = z_value(confidence) * se
    p_value = float(2 * norm.sf(abs(difference) / se)) if se > 0 else \
        (1.0 if difference == 0 else 0.0)
    return {"difference": difference, "interval": [difference - half, difference + half],
            "p_value": p_value}


def adjusted_count(raw: float, interval, precision: float | None, recall: float | None,
                   support: int, passages: int) -> dict | None:
    """Adjusted classify-and-count (Forman 2008): the raw share and its interval mapped
    through ``(p - FPR) / (TPR - FPR)``, TPR and FPR from the model card's cross-validation.

    A sensitivity check, not an estimate with an honest interval: the card's error rates are
    those of its training outlets, and their own uncertainty is not carried."""
    if not precision or recall is None or passages <= support or support <= 0:
        return None
    true_positive = recall * support
    false_positive = true_positive / precision - true_positive
    tpr, fpr = recall, false_positive / (passages - support)
    if tpr - fpr <= 0.05:  # the tag barely tells the frame apart: the map explodes
        return None

    def adjust(value: float) -> float:
        return min(1.0, max(0.0, (value - fpr) / (tpr - fpr)))

    return {"share": adjust(raw),
            "interval": [adjust(interval[0]), adjust(interval[1])] if interval else None,
            "method": "adjusted classify-and-count (model card)",
            "true_positive_rate": tpr, "false_positive_rate": fpr}
