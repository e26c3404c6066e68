"""The statistics now taken from scipy against the hand-written versions they replaced.

``chi_square_test`` (with ``cramers_v``), ``bh_adjust`` and ``jensen_shannon_divergence`` call
scipy; the references below are the functions as they were before (verbatim but for names),
so every case, edge cases included, must give what it gave then: the same number up to
rounding in the last bits (which the reports' six significant digits do not show), and
``None`` where it gave ``None``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency

from framing.comparison import permutation, stats


# -- the functions as they were ----------------------------------------------------------------

def old_expected_counts(table):
    table = np.asarray(table, dtype=float)
    rows = table.sum(axis=-1, keepdims=True)
    columns = table.sum(axis=-2, keepdims=True)
    total = table.sum(axis=(-2, -1), keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, rows * columns / np.where(total > 0, total, 1.0), 0.0)


def old_pearson_statistic(table):
    table = np.asarray(table, dtype=float)
    expected = old_expected_counts(table)
    with np.errstate(invalid="ignore", divide="ignore"):
        cells = np.where(expected > 0,
                         (table - expected) ** 2 / np.where(expected > 0, expected, 1.0), 0.0)
    return cells.sum(axis=(-2, -1))


def old_drop_empty(table):
    table = np.asarray(table, dtype=float)
    table = table[table.sum(axis=1) > 0]
    return table[:, table.sum(axis=0) > 0] if table.size else table.reshape(0, 0)


def old_cramers_v(statistic, n, shape):
    smaller = min(shape) - 1
    if n <= 0 or smaller < 1:
        return None
    return float(min(1.0, math.sqrt(statistic / (n * smaller))))


def old_chi_square_test(table):
    from scipy.stats import chi2

    reduced = old_drop_empty(table)
    if reduced.ndim != 2 or min(reduced.shape) < 2:
        return None
    statistic = float(old_pearson_statistic(reduced))
    df = (reduced.shape[0] - 1) * (reduced.shape[1] - 1)
    n = float(reduced.sum())
    return {
        "statistic": statistic,
        "df": int(df),
        "p_value": float(chi2.sf(statistic, df)),
        "min_expected": float(old_expected_counts(reduced).min()),
        "cramers_v": old_cramers_v(statistic, n, reduced.shape),
        "n": n,
    }


def old_bh_adjust(p_values):
    ordered = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    m = len(ordered)
    adjusted = [None] * len(p_values)
    running = 1.0
    for rank in range(m - 1, -1, -1):
        p, i = ordered[rank]
        running = min(running, m * p / (rank + 1))
        adjusted[i] = running
    return adjusted


def old_jensen_shannon_divergence(p, q):
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


def same_test(new, old):
    if old is None:
        assert new is None
        return
    assert new.keys() == old.keys()
    assert new["df"] == old["df"] and new["n"] == old["n"]
    for key in ("statistic", "p_value", "min_expected", "cramers_v"):
        assert new[key] == pytest.approx(old[key], rel=1e-12, abs=1e-300), key


# -- chi-square and Cramér's V ---------------------------------------------------------------

tables = st.integers(1, 8).flatmap(lambda rows: st.integers(1, 5).flatmap(
    lambda columns: st.lists(st.lists(st.sampled_from([0, 0, 1, 2, 3, 7, 40, 500, 12_345]),
                                      min_size=columns, max_size=columns),
                             min_size=rows, max_size=rows)))


@given(tables)
@settings(deadline=None, max_examples=300)
def test_chi_square_is_the_old_one(rows):
    table = np.array(rows, dtype=float)
    same_test(stats.chi_square_test(table), old_chi_square_test(table))


@pytest.mark.parametrize("rows", [
    [[0, 0], [0, 0]],                    # all zero: nothing to test
    [[5, 0], [7, 0]],                    # one live column
    [[5, 7], [0, 0]],                    # one live row
    [[5, 0, 7], [0, 0, 0], [9, 0, 2]],   # empty row and column dropped, 2 x 2 left
    [[3]],                               # a single cell
    [[10, 0], [0, 10]],                  # complete association: V = 1 exactly
    [[4, 4], [4, 4]],                    # no association: statistic 0, p 1
    [[1, 2, 3, 4]],                      # a single row
])
def test_chi_square_edge_cases_are_the_old_ones(rows):
    table = np.array(rows, dtype=float)
    same_test(stats.chi_square_test(table), old_chi_square_test(table))


def test_chi_square_of_an_empty_table():
    assert stats.chi_square_test(np.zeros((0, 2))) is None
    assert stats.chi_square_test(np.zeros((3, 0))) is None


def test_cramers_v_is_capped_at_one_and_none_without_two_live_rows_and_columns():
    assert stats.cramers_v(np.array([[10, 0], [0, 10]])) == 1.0
    assert stats.cramers_v(np.array([[7, 0, 0], [0, 9, 0], [0, 0, 4]])) == 1.0
    assert stats.cramers_v(np.array([[5, 0], [7, 0]])) is None
    assert stats.cramers_v(np.zeros((2, 2))) is None
    # empty rows and columns do not count in min(rows, columns) - 1, as before
    with_empty = stats.cramers_v(np.array([[5, 0, 7], [0, 0, 0], [9, 0, 2]]))
    assert with_empty == pytest.approx(stats.cramers_v(np.array([[5, 7], [9, 2]])), rel=1e-15)


@given(st.lists(tables, min_size=1, max_size=6))
@settings(deadline=None, max_examples=100)
def test_the_permutation_statistic_is_the_reported_one(stack):
    """The permutation test scores tables with its own stacked Pearson statistic; on the
    observed table it must be the chi-square statistic the report gives."""
    for rows in stack:
        table = np.array(rows, dtype=float)
        assert permutation.pearson_statistic(table) == pytest.approx(
            old_pearson_statistic(table), rel=1e-12, abs=1e-12)
        test = stats.chi_square_test(table)
        if test is not None:
            assert float(permutation.pearson_statistic(table)) == pytest.approx(
                test["statistic"], rel=1e-12, abs=1e-12)
            reduced = stats.drop_empty(table)
            assert test["statistic"] == chi2_contingency(reduced, correction=False).statistic


# -- Benjamini-Hochberg ----------------------------------------------------------------------

p_values = st.lists(st.one_of(st.none(), st.floats(0.0, 1.0), st.sampled_from([0.0, 0.01, 0.05,
                                                                              0.5, 1.0])),
                    max_size=50)


@given(p_values)
@settings(deadline=None, max_examples=300)
def test_bh_is_the_old_one(values):
    new, old = stats.bh_adjust(values), old_bh_adjust(values)
    assert [v is None for v in new] == [v is None for v in old]
    assert [v for v in new if v is not None] == pytest.approx(
        [v for v in old if v is not None], rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("values", [
    [], [None], [None, None], [0.3], [None, 0.3, None],
    [0.02, 0.02, 0.02], [0.01, 0.04, 0.04, 0.2], [0.0, 0.0, 1.0], [1.0, 1.0],
])
def test_bh_edge_cases_are_the_old_ones(values):
    new, old = stats.bh_adjust(values), old_bh_adjust(values)
    assert [v is None for v in new] == [v is None for v in old]
    assert [v for v in new if v is not None] == pytest.approx(
        [v for v in old if v is not None], rel=1e-15)
    assert all(isinstance(v, float) for v in new if v is not None)


def test_bh_ties_share_one_value():
    adjusted = stats.bh_adjust([0.04, 0.01, 0.04, 0.04])
    assert adjusted[0] == adjusted[2] == adjusted[3]


def test_bh_refuses_what_is_not_a_p_value():
    with pytest.raises(ValueError):
        stats.bh_adjust([0.5, 1.5])


# -- Jensen-Shannon --------------------------------------------------------------------------

mixes = st.lists(st.integers(0, 5_000), min_size=4, max_size=4)


@given(mixes, mixes)
@settings(deadline=None, max_examples=300)
def test_jsd_is_the_old_one(p, q):
    new, old = stats.jensen_shannon_divergence(p, q), old_jensen_shannon_divergence(p, q)
    if old is None:
        assert new is None
        return
    assert new == pytest.approx(old, rel=1e-9, abs=1e-12)
    assert 0.0 <= new <= 1.0


@pytest.mark.parametrize("p, q", [
    ([0, 0, 0, 0], [1, 2, 3, 4]),        # all zero: undefined
    ([1, 2, 3, 4], [0, 0, 0, 0]),
    ([0, 0], [0, 0]),
    ([1, 0, 0, 0], [0, 1, 0, 0]),        # disjoint: exactly 1
    ([3, 0, 5, 0], [0, 7, 0, 2]),
    ([1, 2, 3, 4], [1, 2, 3, 4]),        # identical: exactly 0
    ([1, 2, 3, 4], [3, 6, 9, 12]),       # proportional: exactly 0
    ([5, 0, 0, 0], [9, 0, 0, 0]),        # one frame each, the same one
])
def test_jsd_edge_cases_are_the_old_ones(p, q):
    assert stats.jensen_shannon_divergence(p, q) == old_jensen_shannon_divergence(p, q)


def test_jsd_of_mixes_a_rounding_error_apart_is_zero_not_nan(monkeypatch):
    """scipy takes the square root of a divergence that rounding can make a hair negative
    for nearly identical mixes, giving NaN (scipy 1.17 does for these two); the old code
    clipped it at 0."""
    p = [249228636, 311831452, 869025247, 423326449]
    q = [249228636, 311831453, 869025247, 423326449]
    new = stats.jensen_shannon_divergence(p, q)
    assert new is not None and not math.isnan(new)
    assert new == pytest.approx(old_jensen_shannon_divergence(p, q), abs=1e-15)
    monkeypatch.setattr(stats, "jensenshannon", lambda p, q, base: np.float64("nan"))
    assert stats.jensen_shannon_divergence(p, q) == 0.0
