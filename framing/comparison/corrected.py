"""Shares corrected for the tagger's error: prediction-powered inference on a coded sample.

A raw share counts the tagger's tags, so its interval covers sampling error only. Given a
random sample of a group's passages coded by people, :func:`ppi_share` estimates the share of
the group's passages a careful coder would tag, with an interval that includes the tagger's
error:

    estimate = lam * raw_share + mean_w(coded - lam * tag)        (over the coded sample)

the PPI++ mean estimator (Angelopoulos, Duchi and Zrnic 2023; ``ppi_py.ppi_mean_ci``), with
``lam`` tuned to minimise the variance and clipped to [0, 1] (``lam = 0`` is the coded sample
alone, ``lam = 1`` classic PPI). What it changes, and why:

- The estimand is this corpus's share (what the coded truth of every passage would give), so
  the variance is that of the correction term with a finite-population correction
  ``1 - n/N``, as in survey sampling's difference estimator (design-based: valid whatever the
  tagger, given a random sample); a fully coded group gets its coded share exactly.
- Passages of one article are alike, so the correction's variance is cluster-robust over the
  articles of the coded passages (CR1); with one passage per article and equal weights it is
  ppi_py's variance times n/(n-1).
- A sample may oversample some passages (``framing sample --near-threshold``): each coded
  passage carries the inverse of its inclusion probability as a weight (Hajek means).
- Small samples: the tuned ``lam`` is pulled towards 1 by :data:`LAMBDA_PRIOR`
  pseudo-passages, the interval uses Student's t with n - 1 degrees of freedom, and when the
  coded residuals do not vary at all (15 passages, no error) the variance is floored at that
  of half an error among them, ``p0 (1 - p0) / n`` with ``p0 = 0.5 / (n + 1)``. Together they
  keep coverage at 0.94-0.96 from 15 to 400 coded passages per group in
  benchmarks/validation_coverage.py (group-dependent recall and false-positive rates).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2, norm
from scipy.stats import t as t_dist

from framing.comparison.stats import z_value

METHOD = "ppi++ (cluster-robust by article)"
#: Pseudo-passages pulling the tuned ``lam`` towards 1; chosen by simulation (the benchmark).
LAMBDA_PRIOR = 50


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


def quantile(confidence: float, coded: int) -> float:
    """Student's t with ``coded - 1`` degrees of freedom: the variance of the correction is
    estimated from the coded passages alone, so few of them call for wider intervals."""
    return float(t_dist.ppf(0.5 + confidence / 2, max(coded - 1, 1)))


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


def _unit(value: float) -> float:
    """Clipped to [0, 1]: a share (an estimate can leave it when the sample and tags disagree)."""
    return min(1.0, max(0.0, value))


def shrunk_lambda(lam: float, coded: int) -> float:
    """PPI++'s ``lam`` pulled towards 1 (classic PPI) by :data:`LAMBDA_PRIOR` pseudo-passages:
    estimated from few coded passages, the tuned ``lam`` follows their noise and the interval
    under-covers (0.90 at 30-50 coded in benchmarks/validation_coverage.py; 0.94-0.96 with
    the pull)."""
    return (coded * lam + LAMBDA_PRIOR) / (coded + LAMBDA_PRIOR)


def ppi_share(coded: Coded, tagged: np.ndarray, passages: np.ndarray,
              confidence: float) -> dict:
    """The corrected share of one group and frame, its interval and standard error.

    ``tagged`` and ``passages`` are the group's per-article counts (every article, coded or
    not); ``coded`` its coded passages, a random sample of the group's passages. The
    estimand is the share of the group's passages a coder would tag; the interval covers the
    error of coding a sample only, so it shrinks to the point when every passage is coded
    (finite-population correction ``1 - n/N``). Returns ``{"share", "interval", "method",
    "standard_error", "lambda", "estimate"}`` (``estimate`` unclipped, for tests)."""
    total = int(passages.sum())
    raw = float(tagged.sum()) / total
    lam = shrunk_lambda(power_tuning(coded, raw, total), len(coded))
    residual = coded.truth - lam * coded.tag
    w = coded.weight
    estimate = lam * raw + float((w * residual).sum() / w.sum())
    finite = max(0.0, 1.0 - len(coded) / total)
    variance = finite * _floor(cluster_variance_of_mean(residual, w, coded.article),
                               len(coded))
    se = math.sqrt(variance)
    half = quantile(confidence, len(coded)) * se
    return {"share": _unit(estimate),
            "interval": [_unit(estimate - half), _unit(estimate + half)],
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
        return _unit((value - fpr) / (tpr - fpr))

    return {"share": adjust(raw),
            "interval": [adjust(interval[0]), adjust(interval[1])] if interval else None,
            "method": "adjusted classify-and-count (model card)",
            "true_positive_rate": tpr, "false_positive_rate": fpr}


def passages_to_code(half_width: float, disagreement: float,
                     confidence: float = 0.95) -> int:
    """Coded passages per group that bring a corrected share's interval to within
    ``half_width`` either side, when coders and tagger disagree on that share of passages.

    Conservative: it takes ``lam = 1`` and no finite-population gain, where the variance of
    the correction is at most the disagreement rate; PPI++'s tuning only narrows it."""
    if not 0 < half_width < 1 or not 0 <= disagreement <= 1:
        raise ValueError("half_width must be in (0, 1) and disagreement in [0, 1]")
    variance = max(disagreement, 1e-9)
    n = 2
    while quantile(confidence, n) * math.sqrt(variance / n) > half_width:
        n += 1
    return n
