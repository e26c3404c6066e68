"""The bootstrap and the permutation test work a block of resamples at a time (bounded
memory for any number of articles) and give exactly what drawing every resample at once gave.

The references below are the functions as they were before blocks (verbatim): every result
must be equal to theirs, not close, for any block size, since a report must not change.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from framing.comparison import permutation, stats
from framing.cli.compare import compare_command

SEEDS = st.integers(0, 2**32 - 1)
BLOCKS = st.integers(1, 5_000)


# -- the functions as they were, drawing every resample at once -------------------------------

def bootstrap_at_once(tagged, passages, resamples, rng, confidence=0.95):
    tagged = np.asarray(tagged, dtype=float)
    passages = np.asarray(passages, dtype=float)
    m, frames = tagged.shape
    if m < 2 or resamples <= 0:
        return [None] * frames
    picks = rng.integers(0, m, size=(resamples, m))
    tagged_sums = tagged[picks].sum(axis=1)
    passage_sums = passages[picks].sum(axis=1)[:, None]
    shares = tagged_sums / passage_sums
    alpha = (1.0 - confidence) / 2.0
    lows = np.quantile(shares, alpha, axis=0)
    highs = np.quantile(shares, 1.0 - alpha, axis=0)
    return [(float(lo), float(hi)) for lo, hi in zip(lows, highs)]


def permutation_at_once(labels, counts, resamples, rng, chunk=4096):
    labels = np.asarray(labels, dtype=np.int64)
    counts = np.asarray(counts, dtype=float)
    if labels.size == 0 or resamples <= 0:
        return None
    groups = int(labels.max()) + 1
    if len(set(labels.tolist())) < 2:
        return None
    table = permutation._group_tables
    observed = float(permutation.pearson_statistic(table(labels[None, :], counts, groups))[0])
    threshold = observed - permutation.TIE_TOLERANCE * max(1.0, abs(observed))
    distinct = permutation.count_relabellings(labels.tolist(), limit=resamples)
    if distinct <= resamples:
        extreme = 0
        batch = []

        def consume(rows):
            scored = permutation.pearson_statistic(table(np.asarray(rows, dtype=np.int64), counts,
                                                   groups))
            return int(np.count_nonzero(scored >= threshold))

        for ordering in permutation.multiset_permutations(labels.tolist()):
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
            permutation.pearson_statistic(table(shuffled, counts, groups)) >= threshold))
        done += size
    return {"statistic": observed, "p_value": (1 + extreme) / (1 + resamples),
            "resamples": int(resamples), "exact": False}


# -- the generator draws the same values in blocks -------------------------------------------

@given(SEEDS, st.integers(1, 300), st.integers(1, 40), st.lists(st.integers(1, 17), min_size=1,
                                                                  max_size=6))
@settings(deadline=None, max_examples=60)
def test_generator_draws_the_same_values_block_by_block(seed, m, rows, blocks):
    """What the blocks rely on: integers and permuted rows come one after another from the
    generator, whatever the shape of each call (checked, not assumed)."""
    whole = stats.rng_for(seed, "x")
    picks = whole.integers(0, m, size=(rows, m))
    shuffled = whole.permuted(np.broadcast_to(np.arange(m) % 3, (rows, m)), axis=1)
    parts = stats.rng_for(seed, "x")
    got_picks, got_shuffled, done = [], [], 0
    for block in blocks * rows:
        if done >= rows:
            break
        size = min(block, rows - done)
        got_picks.append(parts.integers(0, m, size=(size, m)))
        done += size
    done = 0
    for block in blocks * rows:
        if done >= rows:
            break
        size = min(block, rows - done)
        got_shuffled.append(parts.permuted(np.broadcast_to(np.arange(m) % 3, (size, m)), axis=1))
        done += size
    assert np.array_equal(np.concatenate(got_picks), picks)
    assert np.array_equal(np.concatenate(got_shuffled), shuffled)


# -- bootstrap --------------------------------------------------------------------------------

@st.composite
def article_counts(draw, whole: bool):
    m = draw(st.integers(1, 60))
    frames = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(SEEDS))
    passages = rng.integers(1, 9, size=m).astype(float)
    if whole:
        tagged = np.floor(rng.random((m, frames)) * (passages[:, None] + 1))
    else:  # any floats: a summation in another order would show
        passages = passages + rng.random(m)
        tagged = rng.random((m, frames)) * passages[:, None]
    return tagged, passages


@given(st.one_of(article_counts(True), article_counts(False)), st.integers(0, 700), SEEDS,
       BLOCKS, st.sampled_from([0.8, 0.95, 0.99]))
@settings(deadline=None, max_examples=150)
def test_bootstrap_in_blocks_equals_all_at_once(counts, resamples, seed, block, confidence):
    tagged, passages = counts
    expected = bootstrap_at_once(tagged, passages, resamples, stats.rng_for(seed, "b"),
                                 confidence)
    got = stats.cluster_bootstrap_intervals(tagged, passages, resamples,
                                            stats.rng_for(seed, "b"), confidence,
                                            block_elements=block)
    assert got == expected
    assert stats.cluster_bootstrap_intervals(tagged, passages, resamples,
                                             stats.rng_for(seed, "b"), confidence) == expected


@pytest.mark.parametrize("m, frames, resamples, seed", [
    (2, 1, 1, 0), (3, 4, 2000, 1), (997, 4, 2000, 20250602), (5_000, 4, 300, 7),
    (20_000, 2, 120, 99)])
def test_bootstrap_sizes_in_blocks_equal_all_at_once(m, frames, resamples, seed):
    rng = np.random.default_rng(seed)
    passages = rng.integers(1, 6, size=m).astype(float)
    tagged = np.floor(rng.random((m, frames)) * (passages[:, None] + 1))
    expected = bootstrap_at_once(tagged, passages, resamples, stats.rng_for(seed, "g"))
    for block in (1, m * frames - 1, m * frames + 1, 3 * m * frames, 1_000_000, None):
        assert stats.cluster_bootstrap_intervals(tagged, passages, resamples,
                                                 stats.rng_for(seed, "g"),
                                                 block_elements=block) == expected, block


# -- permutation test ------------------------------------------------------------------------

@st.composite
def grouped_counts(draw):
    m = draw(st.integers(2, 70))
    groups = draw(st.integers(2, 4))
    labels = [i % groups for i in range(m)]  # every group present when m >= groups
    random.Random(draw(SEEDS)).shuffle(labels)
    columns = draw(st.integers(2, 4))
    rng = np.random.default_rng(draw(SEEDS))
    counts = rng.integers(0, 7, size=(m, columns)).astype(float)
    return labels, counts


@given(grouped_counts(), st.integers(0, 600), SEEDS, BLOCKS, st.integers(1, 4096))
@settings(deadline=None, max_examples=150)
def test_permutation_in_blocks_equals_all_at_once(data, resamples, seed, block, chunk):
    labels, counts = data
    expected = permutation_at_once(labels, counts, resamples, stats.rng_for(seed, "p"))
    got = permutation.permutation_test(labels, counts, resamples, stats.rng_for(seed, "p"),
                                 chunk=chunk, block_elements=block)
    assert got == expected
    assert permutation.permutation_test(labels, counts, resamples, stats.rng_for(seed, "p")) == expected


@pytest.mark.parametrize("m, groups, resamples, seed", [
    (6, 2, 2000, 0),         # exact: every relabelling
    (12, 3, 5000, 3),        # random, and more resamples than one chunk
    (3_000, 4, 2000, 20250602), (30_000, 2, 150, 5)])
def test_permutation_sizes_in_blocks_equal_all_at_once(m, groups, resamples, seed):
    rng = np.random.default_rng(seed)
    labels = np.arange(m) % groups
    counts = rng.integers(0, 5, size=(m, 2)).astype(float)
    expected = permutation_at_once(labels, counts, resamples, stats.rng_for(seed, "q"))
    for block in (1, m - 1, m + 1, 7 * m, None):
        assert permutation.permutation_test(labels, counts, resamples, stats.rng_for(seed, "q"),
                                      block_elements=block) == expected, block


# -- the blocks are bounded ------------------------------------------------------------------

class Recording:
    """A generator that notes the size of every array it is asked for."""

    def __init__(self, rng):
        self.rng, self.sizes = rng, []

    def integers(self, low, high, size):
        self.sizes.append(int(np.prod(size)))
        return self.rng.integers(low, high, size=size)

    def permuted(self, x, axis):
        self.sizes.append(int(np.size(x)))
        return self.rng.permuted(x, axis=axis)


@pytest.mark.parametrize("m", [10, 999, 20_000])
def test_blocks_stay_within_the_limit(m, monkeypatch):
    frames = 4
    monkeypatch.setattr(stats, "BLOCK_ELEMENTS", 50_000)
    passages = np.full(m, 3.0)
    tagged = np.ones((m, frames))
    rng = Recording(stats.rng_for(1))
    stats.cluster_bootstrap_intervals(tagged, passages, 500, rng)
    # picks of (rows, m) feed a (rows, m, frames) gather: that is what is bounded
    assert sum(rng.sizes) == 500 * m
    assert max(rng.sizes) * frames <= max(50_000, m * frames)
    labels = np.arange(m) % 2
    rng = Recording(stats.rng_for(2))
    result = permutation.permutation_test(labels, np.column_stack([tagged[:, 0], passages]), 500, rng)
    if result["exact"]:  # few articles: every relabelling, no draws
        assert rng.sizes == []
    else:
        assert sum(rng.sizes) == 500 * m
        assert max(rng.sizes) <= max(50_000, m)


def test_block_rows():
    assert stats.block_rows(1_000, 4_000) == 4
    assert stats.block_rows(1_000, 999) == 1      # one row at least, however long
    assert stats.block_rows(0, 10) == 10
    assert stats.block_rows(100_000) == stats.BLOCK_ELEMENTS // 100_000


# -- whole reports ---------------------------------------------------------------------------

def report(corpus, *args) -> bytes:
    result = CliRunner().invoke(compare_command, [str(corpus), "--format", "json", "-q",
                                                  "--jobs", "1", *map(str, args)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


@pytest.fixture(scope="module")
def many_articles(tmp_path_factory):
    """300 short articles in three outlets of unequal size."""
    root = tmp_path_factory.mktemp("many")
    (root / "articles").mkdir()
    texts = ["Air defences shot down {n} of 52 drones overnight.",
             "Delegations met in Istanbul for peace talks on day {n}.",
             "Russian shelling killed {n} civilians in Kherson.",
             "Markets opened {n} points higher on Monday."]
    rng = random.Random(5)
    rows = ["file,outlet"]
    for i in range(300):
        text = "\n\n".join(rng.choice(texts).format(n=rng.randrange(9)) for _ in range(3))
        (root / "articles" / f"{i}.txt").write_text(text + "\n", encoding="utf-8")
        rows.append(f"articles/{i}.txt,{'AAABBC'[i % 6]}")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("which", ["shipped", "many"])
def test_reports_are_byte_identical_for_any_block_size(which, repo, many_articles, small_model_dir,
                                                       monkeypatch):
    """The shipped corpus with the shipped model, and 300 articles: one resample per block, or
    all of them at once (as before blocks existed), give the same report byte for byte."""
    corpus, extra = ((repo / "corpus", []) if which == "shipped" else
                     (many_articles, ["--model", small_model_dir, "--bootstrap", "600",
                                      "--permutations", "600", "--seed", "11"]))
    reports = []
    for block in (10**15, 1, 997):
        monkeypatch.setattr(stats, "BLOCK_ELEMENTS", block)
        reports.append(report(corpus, *extra))
    assert reports[1] == reports[0] and reports[2] == reports[0]
    assert b'"bootstrap_interval": [' in reports[0] or which == "shipped"
