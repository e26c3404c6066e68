"""Proof of validity, quick version: with known truth and group-dependent tagger error,
corrected 95% intervals cover the truth about 95% of the time and raw intervals do not.

The full run (500 repetitions, five sample sizes) is benchmarks/validation_coverage.py; this
one uses the same simulation with fewer repetitions, seeded, so its result is fixed."""

from __future__ import annotations

import importlib.util

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def simulation():
    spec = importlib.util.spec_from_file_location(
        "validation_coverage", REPO / "benchmarks" / "validation_coverage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("coded_per_group", [30, 150])
def test_corrected_intervals_cover_the_truth_and_raw_ones_do_not(simulation, coded_per_group):
    result = simulation.coverage(coded_per_group, repetitions=150, seed=21)
    # 600 cells: a true 95% coverage lands in 0.93-0.97 with probability > 0.98
    assert 0.925 <= result["corrected_coverage"] <= 0.975, result
    assert result["raw_coverage"] < 0.5, result
    assert result["corrected_mae"] < result["raw_mae"], result
