"""Do corrected shares' intervals cover the truth? A simulation with known truth.

Each repetition builds a corpus of several groups (outlets), each with articles of several
passages; the true frame prevalence varies between articles (passages of one article are
alike), and the tagger's recall and false-positive rate differ by group, as they do between
real outlets. A random sample of passages per group is "coded" (their truth revealed), and
:func:`framing.comparison.corrected.ppi_share` estimates each group's share.
Reported per sample size: how often the 95% interval covers the group's true share (the
coded truth of all its passages), for the corrected and the raw (tag-counting) intervals, the
mean interval width and the mean absolute error.

    python benchmarks/validation_coverage.py                 # 500 repetitions, n = 25..400
    python benchmarks/validation_coverage.py --repetitions 100 --sizes 50 200
    python benchmarks/validation_coverage.py --plan        # passages to code, by width

The quick version runs in the test suite (tests/test_validation_simulation.py).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np

from framing.comparison.corrected import Coded, passages_to_code, ppi_share
from framing.comparison.stats import clustered_wilson_interval

#: (true prevalence, tagger recall, tagger false-positive rate) of each simulated group:
#: one tagger over-tags, one under-tags, one is good, one is poor on a rare frame.
GROUPS = ((0.30, 0.60, 0.05), (0.30, 0.90, 0.20), (0.15, 0.80, 0.03), (0.05, 0.50, 0.08))


@dataclass
class Corpus:
    truth: np.ndarray      # per passage 0/1
    tag: np.ndarray        # per passage 0/1
    article: np.ndarray    # per passage article index


def simulate_group(rng, prevalence, recall, false_positive, articles=200,
                   concentration=4.0) -> Corpus:
    """A group's passages: per-article prevalence ~ Beta around ``prevalence`` (smaller
    ``concentration``, more alike within articles), 1 + Poisson(5) passages per article."""
    a = prevalence * concentration
    article_p = rng.beta(a, concentration - a, size=articles)
    sizes = 1 + rng.poisson(5, size=articles)
    article = np.repeat(np.arange(articles), sizes)
    truth = (rng.random(len(article)) < article_p[article]).astype(float)
    tag = np.where(truth == 1, rng.random(len(article)) < recall,
                   rng.random(len(article)) < false_positive).astype(float)
    return Corpus(truth, tag, article)


def one_repetition(rng, coded_per_group: int, confidence: float = 0.95):
    """Per group: (covered corrected, covered raw, corrected width, |corrected error|,
    |raw error|)."""
    rows = []
    for prevalence, recall, false_positive in GROUPS:
        corpus = simulate_group(rng, prevalence, recall, false_positive)
        true_share = corpus.truth.mean()
        tagged = np.bincount(corpus.article, weights=corpus.tag)
        passages = np.bincount(corpus.article).astype(float)
        chosen = rng.choice(len(corpus.truth), size=min(coded_per_group, len(corpus.truth)),
                            replace=False)
        coded = Coded(corpus.truth[chosen], corpus.tag[chosen], np.ones(len(chosen)),
                      corpus.article[chosen])
        corrected = ppi_share(coded, tagged, passages, confidence)
        raw_interval, _ = clustered_wilson_interval(tagged, passages, confidence)
        raw = corpus.tag.mean()
        low, high = corrected["interval"]
        rows.append((low <= true_share <= high, raw_interval[0] <= true_share <= raw_interval[1],
                     high - low, abs(corrected["share"] - true_share), abs(raw - true_share)))
    return rows


def coverage(coded_per_group: int, repetitions: int, seed: int = 7) -> dict:
    rng = np.random.default_rng([seed, coded_per_group])
    rows = np.array([row for _ in range(repetitions)
                     for row in one_repetition(rng, coded_per_group)], dtype=float)
    return {"coded_per_group": coded_per_group, "cells": len(rows),
            "corrected_coverage": rows[:, 0].mean(), "raw_coverage": rows[:, 1].mean(),
            "corrected_width": rows[:, 2].mean(), "corrected_mae": rows[:, 3].mean(),
            "raw_mae": rows[:, 4].mean()}


def plan() -> None:
    """Passages to code per group (conservative) by disagreement rate and half-width."""
    widths = (0.03, 0.05, 0.075, 0.10)
    print("| coders and tagger disagree on | " + " | ".join(
        f"±{w * 100:g} points" for w in widths) + " |")
    print("|--:|" + "--:|" * len(widths))
    for disagreement in (0.05, 0.10, 0.15, 0.20, 0.30):
        print(f"| {disagreement:.0%} of passages | " + " | ".join(
            str(passages_to_code(w, disagreement)) for w in widths) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=500)
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 200, 400])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--plan", action="store_true",
                        help="print how many passages to code per group for a given width")
    args = parser.parse_args()
    if args.plan:
        plan()
        return
    print(f"{len(GROUPS)} groups x {args.repetitions} repetitions per sample size; 95% "
          "intervals\n")
    print("| coded per group | corrected coverage | raw coverage | corrected width | "
          "corrected MAE | raw MAE |")
    print("|--:|--:|--:|--:|--:|--:|")
    for size in args.sizes:
        r = coverage(size, args.repetitions, args.seed)
        print(f"| {size} | {r['corrected_coverage']:.3f} | {r['raw_coverage']:.3f} | "
              f"{r['corrected_width'] * 100:.1f} pts | {r['corrected_mae'] * 100:.1f} pts | "
              f"{r['raw_mae'] * 100:.1f} pts |")


if __name__ == "__main__":
    main()
