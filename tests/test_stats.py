"""framing.comparison.stats against scipy, published worked examples, hand computation and properties."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pytest
import scipy.stats
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon

from framing.comparison import permutation, stats, terms

counts = st.integers(min_value=0, max_value=400)


# -- Wilson ------------------------------------------------------------------------------

def test_wilson_hand_values():
    # 0/10: upper = z^2 / (n + z^2) = 3.8415 / 13.8415
    low, high = stats.wilson_interval(0, 10)
    z2 = 1.959963984540054 ** 2
    assert low == 0.0
    assert high == pytest.approx(z2 / (10 + z2), rel=1e-12)
    assert stats.wilson_interval(5, 10) == pytest.approx((0.236593090512564, 0.763406909487436))
    assert stats.wilson_interval(3, 0) is None


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
       st.sampled_from([0.8, 0.9, 0.95, 0.99]))
@settings(deadline=None)
def test_wilson_matches_scipy_and_brackets_the_share(kn, confidence):
    k, n = kn
    low, high = stats.wilson_interval(k, n, confidence)
    expected = scipy.stats.binomtest(k, n).proportion_ci(confidence, method="wilson")
    assert low == pytest.approx(expected.low, abs=1e-12)
    assert high == pytest.approx(expected.high, abs=1e-12)
    assert 0.0 <= low <= k / n <= high <= 1.0


@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
@settings(deadline=None)
def test_wilson_is_symmetric_and_widens_with_confidence(kn):
    k, n = kn
    low, high = stats.wilson_interval(k, n)
    mirror_low, mirror_high = stats.wilson_interval(n - k, n)
    assert low == pytest.approx(1 - mirror_high, abs=1e-12)
    assert high == pytest.approx(1 - mirror_low, abs=1e-12)
    narrow = stats.wilson_interval(k, n, 0.8)
    assert low <= narrow[0] + 1e-12 and narrow[1] <= high + 1e-12


def test_wilson_rejects_impossible_counts():
    with pytest.raises(ValueError):
        stats.wilson_interval(11, 10)


# -- clustering ------------------------------------------------------------------------

def test_design_effect_hand_computed():
    # Articles: 0/10 and 10/10 -> p = 0.5; residuals -5, +5;
    # cluster variance = 2/1 * 50 / 400 = 0.25; independent = 0.25 / 20 -> deff = 20 (= n cap)
    assert stats.design_effect([0, 10], [10, 10]) == pytest.approx(20.0)
    # 2/10, 4/10, 6/10: p = 0.4, residuals -2, 0, 2 -> 3/2 * 8 / 900; independent 0.24 / 30
    assert stats.design_effect([2, 4, 6], [10, 10, 10]) == pytest.approx(
        (1.5 * 8 / 900) / (0.24 / 30))


def test_design_effect_is_one_without_between_article_variation():
    assert stats.design_effect([3, 3, 3], [10, 10, 10]) == 1.0
    assert stats.design_effect([4], [9]) == 1.0           # one article: cannot be estimated
    assert stats.design_effect([0, 0], [5, 7]) == 1.0     # share of 0


def test_clustered_interval_is_wilson_on_effective_passages():
    interval, deff = stats.clustered_wilson_interval([2, 4, 6], [10, 10, 10])
    effective = 30 / deff
    assert interval == pytest.approx(stats.wilson_interval(0.4 * effective, effective))
    plain = stats.wilson_interval(12, 30)
    assert interval[0] < plain[0] and interval[1] > plain[1]
    single, one = stats.clustered_wilson_interval([3], [12])
    assert one == 1.0 and single == stats.wilson_interval(3, 12)


def test_cluster_bootstrap_resamples_articles():
    tagged = np.array([[1, 0], [3, 5], [2, 2], [0, 4]], dtype=float)
    passages = np.array([4, 6, 5, 8], dtype=float)
    first = stats.cluster_bootstrap_intervals(tagged, passages, 500, stats.rng_for(1, "x"))
    again = stats.cluster_bootstrap_intervals(tagged, passages, 500, stats.rng_for(1, "x"))
    assert first == again
    for k, (low, high) in enumerate(first):
        pooled = tagged[:, k].sum() / passages.sum()
        assert low <= pooled <= high
        shares = tagged[:, k] / passages
        assert low >= shares.min() - 1e-12 and high <= shares.max() + 1e-12
    assert stats.cluster_bootstrap_intervals(tagged[:1], passages[:1], 500,
                                             stats.rng_for(1)) == [None, None]


def test_cluster_bootstrap_of_identical_articles_is_a_point():
    tagged = np.array([[2.0], [2.0], [2.0]])
    passages = np.array([5.0, 5.0, 5.0])
    (low, high), = stats.cluster_bootstrap_intervals(tagged, passages, 200, stats.rng_for(3))
    assert low == pytest.approx(0.4) and high == pytest.approx(0.4)


def test_rng_for_depends_on_seed_and_names_only():
    a = stats.rng_for(7, "bootstrap", "AP").random(3)
    assert np.array_equal(a, stats.rng_for(7, "bootstrap", "AP").random(3))
    assert not np.array_equal(a, stats.rng_for(7, "bootstrap", "BBC").random(3))
    assert not np.array_equal(a, stats.rng_for(8, "bootstrap", "AP").random(3))


# -- Newcombe ----------------------------------------------------------------------------

def test_newcombe_difference_matches_the_published_example():
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 - 48/80,
    # method 10 gives 0.0524 to 0.3339.
    low, high = stats.newcombe_difference_interval(
        56 / 70, stats.wilson_interval(56, 70), 48 / 80, stats.wilson_interval(48, 80))
    assert low == pytest.approx(0.0524, abs=5e-5)
    assert high == pytest.approx(0.3339, abs=5e-5)
    assert stats.newcombe_difference_interval(0.5, None, 0.2, (0.1, 0.3)) is None


# -- contingency tables ------------------------------------------------------------------

tables = st.lists(st.lists(st.integers(0, 60), min_size=2, max_size=4), min_size=2,
                  max_size=5).filter(lambda rows: len({len(r) for r in rows}) == 1)


@given(tables)
@settings(deadline=None, max_examples=60)
def test_chi_square_matches_scipy(rows):
    table = np.array(rows, dtype=float)
    reduced = table[table.sum(axis=1) > 0]
    reduced = reduced[:, reduced.sum(axis=0) > 0] if reduced.size else reduced
    result = stats.chi_square_test(table)
    if reduced.ndim != 2 or min(reduced.shape) < 2:
        assert result is None
        return
    statistic, p_value, dof, expected = scipy.stats.chi2_contingency(reduced, correction=False)
    assert result["statistic"] == pytest.approx(statistic, rel=1e-9, abs=1e-9)
    assert result["p_value"] == pytest.approx(p_value, rel=1e-9, abs=1e-12)
    assert result["df"] == dof
    assert result["min_expected"] == pytest.approx(expected.min())
    cramer = scipy.stats.contingency.association(reduced.astype(int), method="cramer")
    assert result["cramers_v"] == pytest.approx(cramer, abs=1e-9)


def test_chi_square_hand_computed_2x2():
    # [[10, 20], [30, 40]]: expected [[12, 18], [28, 42]];
    # chi2 = 4/12 + 4/18 + 4/28 + 4/42 = 0.79365...
    result = stats.chi_square_test(np.array([[10, 20], [30, 40]]))
    assert result["statistic"] == pytest.approx(4 / 12 + 4 / 18 + 4 / 28 + 4 / 42)
    assert result["df"] == 1
    assert result["cramers_v"] == pytest.approx(math.sqrt(result["statistic"] / 100))


def test_chi_square_ignores_empty_rows_and_columns():
    full = stats.chi_square_test(np.array([[5, 0, 7], [0, 0, 0], [9, 0, 2]]))
    small = stats.chi_square_test(np.array([[5, 7], [9, 2]]))
    assert full["statistic"] == pytest.approx(small["statistic"])
    assert stats.chi_square_test(np.array([[5, 0], [7, 0]])) is None  # one live column


def test_multiset_permutations_are_the_distinct_orderings():
    labels = [0, 1, 1, 2, 2]
    produced = list(permutation.multiset_permutations(labels))
    assert len(produced) == len({tuple(p) for p in produced})
    assert {tuple(p) for p in produced} == set(itertools.permutations(labels))
    assert len(produced) == permutation.count_relabellings(labels) == 30
    assert permutation.count_relabellings(list(range(10)) * 3, limit=100) == 101


def _brute_force_p(labels, article_counts):
    groups = max(labels) + 1

    def statistic(assignment):
        table = np.zeros((groups, article_counts.shape[1]))
        for g, row in zip(assignment, article_counts):
            table[g] += row
        return permutation.pearson_statistic(table)

    observed = statistic(labels)
    orderings = set(itertools.permutations(labels))
    extreme = sum(1 for o in orderings if statistic(o) >= observed - 1e-9)
    return extreme / len(orderings)


def test_exact_permutation_test_matches_brute_force():
    labels = [0, 0, 0, 1, 1, 2]
    article_counts = np.array([[3, 7], [5, 5], [4, 6], [9, 1], [8, 2], [1, 9]], dtype=float)
    result = permutation.permutation_test(labels, article_counts, 1000, stats.rng_for(0))
    assert result["exact"] and result["resamples"] == 60
    assert result["p_value"] == pytest.approx(_brute_force_p(labels, article_counts))


def test_permutation_test_with_one_article_per_group_cannot_reject():
    article_counts = np.array([[1, 9], [9, 1], [5, 5]], dtype=float)
    result = permutation.permutation_test([0, 1, 2], article_counts, 100, stats.rng_for(0))
    assert result["p_value"] == 1.0


def test_monte_carlo_permutation_agrees_with_chi_square_on_large_independent_data():
    rng = np.random.default_rng(5)
    labels = np.repeat([0, 1, 2], 60)
    tagged = rng.binomial(1, np.where(labels == 0, 0.2, 0.45))  # one passage per article
    article_counts = np.column_stack([tagged, 1 - tagged]).astype(float)
    table = np.array([[article_counts[labels == g, 0].sum(), article_counts[labels == g, 1].sum()]
                      for g in range(3)])
    chi = stats.chi_square_test(table)
    permuted = permutation.permutation_test(labels, article_counts, 4000, stats.rng_for(1))
    assert not permuted["exact"]
    assert permuted["p_value"] == pytest.approx(chi["p_value"], abs=0.02)
    again = permutation.permutation_test(labels, article_counts, 4000, stats.rng_for(1))
    assert again == permuted


def test_fisher_matches_scipy():
    result = stats.fisher_exact_test(3, 12, 9, 11)
    odds, p_value = scipy.stats.fisher_exact([[3, 9], [9, 2]])
    assert result["p_value"] == pytest.approx(p_value)
    assert result["odds_ratio"] == pytest.approx(odds)
    assert stats.fisher_exact_test(0, 5, 3, 5)["odds_ratio"] == 0.0
    assert stats.fisher_exact_test(5, 5, 0, 5)["odds_ratio"] is None  # infinite


# -- multiple testing --------------------------------------------------------------------

def test_holm_hand_computed():
    # sorted 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, max(0.06, 0.04*1) = 0.06
    assert stats.holm_adjust([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert stats.holm_adjust([0.5, None, 0.9]) == [pytest.approx(1.0), None, pytest.approx(1.0)]


p_lists = st.lists(st.floats(min_value=0.0, max_value=1.0, allow_nan=False), min_size=1,
                   max_size=40)


@given(p_lists)
@settings(deadline=None)
def test_bh_matches_scipy(p_values):
    expected = scipy.stats.false_discovery_control(p_values, method="bh")
    assert stats.bh_adjust(p_values) == pytest.approx(list(expected), abs=1e-12)


@given(p_lists)
@settings(deadline=None)
def test_adjustments_order_raw_bh_holm(p_values):
    bh = stats.bh_adjust(p_values)
    holm = stats.holm_adjust(p_values)
    for raw, b, h in zip(p_values, bh, holm):
        assert raw <= b + 1e-12 and b <= h + 1e-12 and h <= 1.0
    order = np.argsort(p_values, kind="stable")
    for adjusted in (bh, holm):
        ranked = [adjusted[i] for i in order]
        assert all(x <= y + 1e-12 for x, y in zip(ranked, ranked[1:]))


# -- divergence --------------------------------------------------------------------------

distributions = st.lists(st.integers(0, 50), min_size=4, max_size=4).filter(lambda v: sum(v) > 0)


@given(distributions, distributions)
@settings(deadline=None)
def test_jsd_matches_scipy_and_is_a_bounded_symmetric_divergence(p, q):
    jsd = stats.jensen_shannon_divergence(p, q)
    assert jsd == pytest.approx(jensenshannon(p, q, base=2) ** 2, abs=1e-9)
    assert jsd == pytest.approx(stats.jensen_shannon_divergence(q, p))
    assert 0.0 <= jsd <= 1.0
    assert stats.jensen_shannon_divergence(p, [2 * x for x in p]) == pytest.approx(0.0, abs=1e-12)


def test_jsd_hand_values():
    assert stats.jensen_shannon_divergence([1, 0], [0, 1]) == pytest.approx(1.0)
    # p = (1, 0), q = (1/2, 1/2): m = (3/4, 1/4); KL(p||m) = log2(4/3);
    # KL(q||m) = 1/2 log2(2/3) + 1/2 log2(2)
    expected = (math.log2(4 / 3) + 0.5 * math.log2(2 / 3) + 0.5) / 2
    assert stats.jensen_shannon_divergence([2, 0], [1, 1]) == pytest.approx(expected)
    assert stats.jensen_shannon_divergence([0, 0], [1, 1]) is None


# -- distinctive terms -------------------------------------------------------------------

def test_terms_tokenise_simply():
    words = terms.terms("The Kremlin's drones hit 41 bombers. Air-defence units, however, "
                        "shot down drones.")
    assert "the" not in words and "41" not in words          # stop words and numbers dropped
    assert "kremlin" in words and "kremlin drones" in words  # possessive dropped
    assert "bombers air" not in words                        # no phrase across a full stop
    assert "air defence" in words                            # hyphen joins a phrase
    assert "units however" not in words                      # nor across a comma
    assert "shot" in words and "shot drones" not in words    # "down" is a stop word


def test_log_odds_hand_computed():
    a, b = Counter({"x": 3, "y": 1}), Counter({"x": 1, "y": 3})
    prior = Counter({"x": 4, "y": 4})
    scored = terms.log_odds_dirichlet(a, b, prior)
    # alpha_x = 4, alpha_0 = 8, n_a = n_b = 4
    delta = math.log(7 / (4 + 8 - 3 - 4)) - math.log(5 / (4 + 8 - 1 - 4))
    z = delta / math.sqrt(1 / 7 + 1 / 5)
    assert scored["x"] == pytest.approx((delta, z))
    assert scored["y"] == pytest.approx((-delta, -z))


vocab = st.sampled_from(["drone", "talks", "civilians", "strike", "truce", "shelling"])


@given(st.dictionaries(vocab, st.integers(1, 30), min_size=1),
       st.dictionaries(vocab, st.integers(1, 30), min_size=1),
       st.floats(min_value=0.05, max_value=5.0))
@settings(deadline=None)
def test_log_odds_is_antisymmetric(a, b, scale):
    a, b = Counter(a), Counter(b)
    prior = a + b
    forward = terms.log_odds_dirichlet(a, b, prior, scale)
    backward = terms.log_odds_dirichlet(b, a, prior, scale)
    # A term that is the whole vocabulary has no odds: skipped both ways, never half-scored.
    assert set(forward) & set(b) == set(backward) & set(a)
    for term in set(forward) & set(backward):
        assert forward[term][0] == pytest.approx(-backward[term][0], abs=1e-9)
        assert forward[term][1] == pytest.approx(-backward[term][1], abs=1e-9)
    for delta, z in forward.values():
        assert math.copysign(1, delta) == math.copysign(1, z) or delta == 0


@given(st.dictionaries(vocab, st.integers(1, 30), min_size=2),
       st.dictionaries(vocab, st.integers(1, 30), min_size=1), vocab)
@settings(deadline=None)
def test_log_odds_grows_with_more_use(a, b, term):
    a, b = Counter(a), Counter(b)
    assume(term in a)
    prior = a + b
    before = terms.log_odds_dirichlet(a, b, prior)[term]
    more = a + Counter({term: 5})
    after = terms.log_odds_dirichlet(more, b, prior)[term]
    assert after[0] > before[0]


@given(st.dictionaries(vocab, st.integers(1, 30), min_size=1))
@settings(deadline=None)
def test_log_odds_of_identical_use_is_zero(a):
    a = Counter(a)
    scored = terms.log_odds_dirichlet(a, Counter(a), a + a)
    assert all(abs(delta) < 1e-12 and abs(z) < 1e-12 for delta, z in scored.values())


def test_prior_shrinks_rare_terms():
    a = Counter({"rare": 2, "common": 40, "other": 58})
    b = Counter({"rare": 0, "common": 10, "other": 90})
    prior = a + b
    scored = terms.log_odds_dirichlet(a, b, prior)
    top = terms.top_terms(scored, a, b, limit=5)
    assert [row["term"] for row in top][0] == "common"
    assert top[0]["count"] == 40 and top[0]["count_rest"] == 10
    weak = terms.log_odds_dirichlet(a, b, prior, prior_scale=0.01)
    assert weak["rare"][0] > scored["rare"][0]  # a weaker prior shrinks less


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 80), st.integers(0, 80), st.integers(0, 5000), st.integers(0, 5000),
       st.data())
def test_fisher_exact_equals_scipy(total_a, total_b, big_a, big_b, data):
    """The vectorised Fisher test gives scipy.stats.fisher_exact's p-value and odds ratio,
    on small tables and on a small group against a large rest."""
    import scipy.stats

    from framing.comparison.stats import fisher_exact_test

    for n_a, n_b in ((total_a, total_b), (total_a, big_b), (big_a, big_b)):
        a = data.draw(st.integers(0, n_a))
        b = data.draw(st.integers(0, n_b))
        ours = fisher_exact_test(a, n_a, b, n_b)
        odds, p_value = scipy.stats.fisher_exact([[a, n_a - a], [b, n_b - b]])
        assert ours["p_value"] == pytest.approx(min(1.0, p_value), rel=1e-6, abs=1e-12)
        if ours["odds_ratio"] is None:
            assert not math.isfinite(odds)
        else:
            assert ours["odds_ratio"] == pytest.approx(odds)
