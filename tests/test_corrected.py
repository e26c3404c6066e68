"""The corrected-share estimator (PPI++ on a coded sample) held to its published formulas,
to known truths and to its documented small-sample safeguards."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framing.comparison import corrected
from framing.comparison.corrected import (Coded, adjusted_count, agreement,
                                          cluster_variance_of_mean, difference_test,
                                          heterogeneity, power_tuning, ppi_share, tagger_bias)
from oracles import reference_ppi_lambda, reference_ppi_mean_ci


def _singletons(truth, tag, weight=None):
    """Coded passages, each from its own article."""
    truth, tag = np.asarray(truth, float), np.asarray(tag, float)
    return Coded(truth, tag, np.ones(len(truth)) if weight is None else np.asarray(weight),
                 np.arange(len(truth)))


def _group(tags):
    """A group of one-passage articles with these tags: per-article counts."""
    tags = np.asarray(tags, float)
    return tags, np.ones(len(tags))


def test_matches_ppi_python_formulas_for_a_fixed_lambda(monkeypatch):
    """One passage per article, equal weights, lam fixed: the estimate is ppi_py's exactly;
    the correction's variance is ppi_py's rectifier variance times n/(n-1) (CR1) times the
    finite-population factor (1 - n/N)."""
    rng = np.random.default_rng(3)
    N, n, lam = 5000, 80, 0.7
    truth_all = (rng.random(N) < 0.3).astype(float)
    tags_all = np.where(truth_all == 1, rng.random(N) < 0.8, rng.random(N) < 0.1).astype(float)
    chosen = rng.choice(N, n, replace=False)
    monkeypatch.setattr(corrected, "shrunk_lambda", lambda value, coded: lam)
    result = ppi_share(_singletons(truth_all[chosen], tags_all[chosen]), *_group(tags_all),
                       0.95)
    estimate, _, rectifier_std = reference_ppi_mean_ci(truth_all[chosen], tags_all[chosen],
                                                       tags_all, 0.05, lam)
    assert result["estimate"] == pytest.approx(estimate, abs=1e-12)
    expected_se = math.sqrt(rectifier_std ** 2 * n / (n - 1) * (1 - n / N))
    assert result["standard_error"] == pytest.approx(expected_se, rel=1e-9)


def test_tuned_lambda_is_ppi_pythons_up_to_the_unlabelled_variance_convention():
    rng = np.random.default_rng(5)
    N, n = 20000, 300
    truth_all = (rng.random(N) < 0.4).astype(float)
    tags_all = np.where(truth_all == 1, rng.random(N) < 0.7, rng.random(N) < 0.2).astype(float)
    chosen = rng.choice(N, n, replace=False)
    ours = power_tuning(_singletons(truth_all[chosen], tags_all[chosen]), tags_all.mean(), N)
    theirs = reference_ppi_lambda(truth_all[chosen], tags_all[chosen], tags_all)
    assert ours == pytest.approx(theirs, rel=0.01)
    assert 0 < ours < 1


def test_a_fully_coded_group_gets_its_coded_share_exactly():
    truth = [1, 0, 0, 1, 1, 0, 0, 0]
    tags = [1, 1, 0, 0, 1, 0, 1, 0]
    result = ppi_share(_singletons(truth, tags), *_group(tags), 0.95)
    assert result["share"] == pytest.approx(np.mean(truth))
    assert result["interval"] == pytest.approx([np.mean(truth)] * 2)


def test_perfect_agreement_on_a_few_passages_still_leaves_an_honest_interval():
    """15 coded passages, no error among them: the tagger is not proven perfect."""
    tags = np.r_[np.ones(30), np.zeros(170)]
    coded = _singletons(np.r_[np.ones(3), np.zeros(12)], np.r_[np.ones(3), np.zeros(12)])
    result = ppi_share(coded, *_group(tags), 0.95)
    low, high = result["interval"]
    assert high - low > 0.05
    assert low <= result["share"] <= high


def test_a_share_of_zero_gets_an_interval_above_zero():
    tags = np.zeros(300)
    result = ppi_share(_singletons(np.zeros(20), np.zeros(20)), *_group(tags), 0.95)
    assert result["share"] == 0.0
    assert result["interval"][0] == 0.0 and result["interval"][1] > 0.0


def test_weights_undo_oversampling():
    """Oversampling the passages the tagger gets wrong, with inverse-probability weights,
    still centres on the truth (averaged over many draws)."""
    rng = np.random.default_rng(11)
    N = 4000
    truth = (rng.random(N) < 0.3).astype(float)
    tags = np.where(truth == 1, rng.random(N) < 0.6, rng.random(N) < 0.1).astype(float)
    hard = np.flatnonzero(truth != tags)
    easy = np.flatnonzero(truth == tags)
    estimates, naive = [], []
    for _ in range(400):
        a = rng.choice(hard, 40, replace=False)
        b = rng.choice(easy, 40, replace=False)
        chosen = np.r_[a, b]
        weight = np.r_[np.full(40, len(hard) / 40), np.full(40, len(easy) / 40)]
        estimates.append(ppi_share(_singletons(truth[chosen], tags[chosen], weight),
                                   *_group(tags), 0.95)["estimate"])
        naive.append(ppi_share(_singletons(truth[chosen], tags[chosen]), *_group(tags),
                               0.95)["estimate"])
    assert abs(np.mean(estimates) - truth.mean()) < 0.01
    assert abs(np.mean(naive) - truth.mean()) > 0.03  # the weights are what fixes it


def test_cluster_variance_counts_articles_not_passages():
    """Passages of one article that move together: the variance of their mean is that of
    the articles, larger than treating passages as independent."""
    values = np.repeat([1.0, 0.0, 1.0, 0.0, 1.0, 1.0], 5)
    weights = np.ones(len(values))
    clustered = cluster_variance_of_mean(values, weights, np.repeat(np.arange(6), 5))
    independent = cluster_variance_of_mean(values, weights, np.arange(len(values)))
    assert clustered > 3 * independent
    assert clustered == pytest.approx(6 / 5 * np.var(values[::5]) / 6)


def test_agreement_counts_precision_and_recall():
    coded = _singletons([1, 1, 0, 0, 1], [1, 0, 1, 0, 1])
    result = agreement(coded)
    assert result["precision"] == pytest.approx(2 / 3)
    assert result["recall"] == pytest.approx(2 / 3)
    assert (result["coded"], result["true_positive"]) == (5, 2)
    assert agreement(_singletons([0, 0], [0, 0]))["precision"] is None


def test_heterogeneity_flags_groups_whose_tagger_errs_differently():
    over = _singletons(np.zeros(60), np.r_[np.ones(30), np.zeros(30)])     # tags +50 points
    fine = _singletons(np.r_[np.ones(30), np.zeros(30)], np.r_[np.ones(30), np.zeros(30)])
    same = heterogeneity({"a": tagger_bias(fine), "b": tagger_bias(fine)})
    different = heterogeneity({"a": tagger_bias(over), "b": tagger_bias(fine)})
    assert same["p_value"] > 0.5
    assert different["p_value"] < 0.001
    assert heterogeneity({"a": tagger_bias(fine)}) is None


def test_difference_test_of_equal_estimates_is_not_significant():
    a = {"estimate": 0.3, "standard_error": 0.05}
    assert difference_test(a, a, 0.95)["p_value"] == pytest.approx(1.0)
    far = difference_test(a, {"estimate": 0.6, "standard_error": 0.05}, 0.95)
    assert far["p_value"] < 0.001
    assert far["interval"][0] < far["difference"] < far["interval"][1] < 0


def test_adjusted_count_inverts_the_card_error_rates():
    # support 100 of 1000, recall 0.8 -> 80 TP; precision 0.5 -> 80 FP; FPR 80/900
    tpr, fpr = 0.8, 80 / 900
    true_share = 0.25
    observed = tpr * true_share + fpr * (1 - true_share)
    result = adjusted_count(observed, [observed - 0.02, observed + 0.02], 0.5, 0.8, 100, 1000)
    assert result["share"] == pytest.approx(true_share)
    assert result["interval"][0] < true_share < result["interval"][1]
    assert adjusted_count(0.3, None, 0.1, 0.1, 100, 1000) is None  # TPR barely above FPR


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=40),
       st.lists(st.booleans(), min_size=0, max_size=200),
       st.floats(0.5, 0.99))
def test_interval_is_ordered_inside_0_1_and_holds_the_share(coded_pairs, more_tags, level):
    truth = [float(t) for t, _ in coded_pairs]
    tags = [float(g) for _, g in coded_pairs]
    all_tags = np.array(tags + [float(x) for x in more_tags])
    result = ppi_share(_singletons(truth, tags), *_group(all_tags), level)
    low, high = result["interval"]
    assert 0.0 <= low <= result["share"] <= high <= 1.0
    assert 0.0 <= result["lambda"] <= 1.0
    if len(all_tags) > len(tags):  # not fully coded: never a zero-width claim
        assert high > low or result["share"] in (0.0, 1.0)
