"""The statistics behind ``framing compare``: edge cases and arguments the rest of the suite
left open (found by mutation testing: these mutants survived it). Expected values are by
hand or from scipy."""

from __future__ import annotations

import importlib
import math
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest
from scipy.stats import chi2


def _statistics():
    """The statistics functions, wherever they live: ``framing.comparison.stats``, or after the
    split also ``permutation`` (relabellings) and ``terms`` (distinctive terms)."""
    found = {}
    for name in ("terms", "permutation", "stats"):  # stats last: it wins for shared names
        try:
            module = importlib.import_module(f"framing.comparison.{name}")
        except ImportError:
            continue
        found.update({k: v for k, v in vars(module).items() if callable(v)})
    return SimpleNamespace(**found)


stats = _statistics()


# -- intervals ---------------------------------------------------------------------------

@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5, -0.2])
def test_impossible_confidence_levels_are_refused(confidence):
    with pytest.raises(ValueError, match="confidence"):
        stats.z_value(confidence)
    with pytest.raises(ValueError, match="confidence"):
        stats.wilson_interval(3, 10, confidence)


def test_design_effect_of_no_passages_is_one():
    assert stats.design_effect([0, 0], [0, 0]) == 1.0
    assert stats.design_effect([], []) == 1.0


def test_clustered_interval_of_no_passages_is_none():
    assert stats.clustered_wilson_interval([], []) == (None, 1.0)
    assert stats.clustered_wilson_interval([0, 0], [0, 0]) == (None, 1.0)


def test_clustered_interval_of_one_passage_is_wilsons():
    assert stats.clustered_wilson_interval([1], [1]) == (stats.wilson_interval(1, 1), 1.0)
    assert stats.clustered_wilson_interval([0], [1]) == (stats.wilson_interval(0, 1), 1.0)


def test_clustered_interval_uses_the_confidence_asked_for():
    tagged, passages = [3, 0, 5, 1], [6, 4, 7, 5]
    deff = stats.design_effect(tagged, passages)
    effective = sum(passages) / deff
    share = sum(tagged) / sum(passages)
    for confidence in (0.8, 0.99):
        interval, got_deff = stats.clustered_wilson_interval(tagged, passages, confidence)
        assert got_deff == pytest.approx(deff)
        assert interval == pytest.approx(stats.wilson_interval(share * effective, effective,
                                                               confidence))
    narrow = stats.clustered_wilson_interval(tagged, passages, 0.8)[0]
    wide = stats.clustered_wilson_interval(tagged, passages, 0.99)[0]
    assert wide[0] < narrow[0] and narrow[1] < wide[1]


# -- contingency tables ------------------------------------------------------------------

def test_chi_square_of_a_table_with_an_empty_row_is_that_of_the_table_without_it():
    """The empty row is dropped before counting degrees of freedom, so the p-value is the
    one of the reduced table (scipy's on it)."""
    with_empty = stats.chi_square_test(np.array([[5, 7, 1], [0, 0, 0], [9, 2, 4]]))
    reduced = stats.chi_square_test(np.array([[5, 7, 1], [9, 2, 4]]))
    assert with_empty == pytest.approx(reduced)
    assert with_empty["df"] == 2
    assert with_empty["p_value"] == pytest.approx(chi2.sf(with_empty["statistic"], 2))


def test_cramers_v_of_the_reduced_table():
    table = np.array([[12, 3, 0], [0, 0, 0], [4, 9, 0]])
    result = stats.chi_square_test(table)
    assert result["n"] == 28.0
    assert result["cramers_v"] == pytest.approx(math.sqrt(result["statistic"] / (28 * 1)))
    assert stats.chi_square_test(np.array([[3, 4], [0, 0]])) is None  # one live row: no test


def test_relabellings_counted_exactly_up_to_the_limit():
    labels = [0, 0, 1, 1]  # 4! / (2! 2!) = 6 orderings
    assert stats.count_relabellings(labels) == 6
    assert stats.count_relabellings(labels, limit=6) == 6
    assert stats.count_relabellings(labels, limit=5) == 6  # limit + 1: more than the limit
    assert stats.count_relabellings([0, 1, 2], limit=6) == 6


def test_permutation_test_is_exact_when_the_relabellings_just_fit():
    labels = [0, 0, 1, 1]
    counts = np.array([[3, 1], [4, 0], [0, 4], [1, 3]])
    exact = stats.permutation_test(labels, counts, resamples=6, rng=np.random.default_rng(1))
    assert exact["exact"] is True and exact["resamples"] == 6
    # the observed split is the most extreme one, and so is its mirror image: 2 of 6
    assert exact["p_value"] == pytest.approx(2 / 6)
    sampled = stats.permutation_test(labels, counts, resamples=5, rng=np.random.default_rng(1))
    assert sampled["exact"] is False and sampled["resamples"] == 5


# -- distinctive terms -------------------------------------------------------------------

def test_terms_of_the_first_words_and_two_letter_words():
    assert stats.terms("Peace talks") == ["peace", "talks", "peace talks"]
    assert stats.terms("EU aid") == ["eu", "aid", "eu aid"]
    assert stats.terms("A truce") == ["truce"]  # one letter: not a term


def test_terms_treat_curly_and_straight_apostrophes_alike():
    assert stats.terms("Russia’s army") == stats.terms("Russia's army") == [
        "russia", "army", "russia army"]


def test_terms_honour_a_given_stop_list():
    assert stats.terms("the war", stop=frozenset()) == ["the", "war", "the war"]
    assert stats.terms("the war", stop=frozenset({"war"})) == ["the"]
    assert stats.terms("The talks resumed.") == ["talks", "resumed", "talks resumed"]
    assert stats.terms("The talks resumed.", stop=frozenset({"talks"})) == ["the", "resumed"]


def test_log_odds_uses_each_terms_own_prior_and_the_smallest_for_unseen_terms():
    a, b = Counter({"x": 3, "y": 1, "new": 2}), Counter({"x": 1, "y": 3})
    prior = Counter({"x": 6, "y": 2})
    scored = stats.log_odds_dirichlet(a, b, prior, prior_scale=0.5)
    n_a, n_b, alpha_0 = 6.0, 4.0, 4.0

    def expected(y_a, y_b, alpha):
        delta = (math.log((y_a + alpha) / (n_a + alpha_0 - y_a - alpha))
                 - math.log((y_b + alpha) / (n_b + alpha_0 - y_b - alpha)))
        return delta, delta / math.sqrt(1 / (y_a + alpha) + 1 / (y_b + alpha))

    assert scored["x"] == pytest.approx(expected(3, 1, 3.0))
    assert scored["y"] == pytest.approx(expected(1, 3, 1.0))
    assert scored["new"] == pytest.approx(expected(2, 0, 1.0))  # smallest prior present


def test_top_terms_keep_positive_z_terms_used_at_least_twice():
    scored = {"twice": (0.5, 0.4), "thrice": (0.9, 1.5), "once": (2.0, 3.0),
              "zero": (0.0, 0.0), "negative": (-1.0, -2.0)}
    counts_a = Counter({"twice": 2, "thrice": 3, "once": 1, "zero": 5, "negative": 4})
    counts_b = Counter({"thrice": 1, "negative": 9})
    rows = stats.top_terms(scored, counts_a, counts_b, limit=10)
    assert rows == [
        {"term": "thrice", "log_odds": 0.9, "z": 1.5, "count": 3, "count_rest": 1},
        {"term": "twice", "log_odds": 0.5, "z": 0.4, "count": 2, "count_rest": 0}]
    assert [r["term"] for r in stats.top_terms(scored, counts_a, counts_b, limit=1)] == ["thrice"]
    assert [r["term"] for r in stats.top_terms(scored, counts_a, counts_b, limit=10,
                                               min_count=1)] == ["once", "thrice", "twice"]
