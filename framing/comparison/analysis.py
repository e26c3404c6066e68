"""The statistics of a comparison: from per-article counts to every table of the result.

:func:`analyse` takes what the :class:`~framing.comparison.accumulate.Accumulator` kept and
computes per group and frame the shares with their intervals, the omnibus and pairwise tests,
the divergences, the distinctive terms and the quotes, then the baseline shifts and the gates.
Every number comes from :mod:`framing.comparison.stats` (and its permutation test and terms);
every random draw from a generator seeded by ``seed`` and the name of what is drawn, so the
same input gives the same result.
"""

from __future__ import annotations

import functools
from collections import Counter
from typing import Iterable

import numpy as np

from framing.comparison.accumulate import Accumulator, Article
from framing.comparison.gates import compare_with_baseline, evaluate_gates
from framing.comparison.pairs import divergences as divergence_rows
from framing.comparison.pairs import flag_changes, pair_plan, versus_rest
from framing.comparison.pairs import pairwise as pair_rows
from framing.comparison.permutation import permutation_test
from framing.comparison.result import ComparisonResult
from framing.comparison.stats import (chi_square_test, cluster_bootstrap_intervals,
                                      clustered_wilson_interval, rng_for, widen_degenerate,
                                      wilson_interval)
from framing.comparison.terms import log_odds_dirichlet, top_terms
from framing.comparison.validation import apply_adjustment, apply_validation, model_card_accuracy

#: Up to this many articles the permutation test is run even where chi-square is reliable.
PERMUTATION_ALWAYS = 2_000
#: The report's per-article table is kept up to this many articles (one row each).
ARTICLE_ROWS = 10_000
#: Expected cell counts below this send an omnibus test to its permutation version.
MIN_EXPECTED = 5.0
#: A z-score at or above this marks a distinctive term as clearly over-used (two-sided 5%).
Z_NOTABLE = 1.96


def group_order(groups: Iterable[str]) -> list[str]:
    """Group names in report order: sorted ignoring case (so dates and periods run in time)."""
    return sorted(set(groups), key=lambda g: (g.casefold(), g))


class _PerGroup:
    """Group -> one field of its articles' rows (as floats, unless ``as_float`` is False),
    read when asked: one group's arrays at a time, never every group's at once."""

    def __init__(self, groups: "Groups", name: str, as_float: bool = True) -> None:
        self.groups, self.name, self.as_float = groups, name, as_float

    def __getitem__(self, group: str) -> np.ndarray:
        values = self.groups.records(group)[self.name]
        return values.astype(float) if self.as_float else values


class Groups:
    """Per-article counts arranged by group: the arrays every statistic starts from.

    ``rows[g]``, ``tagged[g]`` (articles x frames) and ``passages[g]`` give group ``g``'s
    articles in corpus order: their rows of the accumulator's table, and their counts as
    floats. The rows are laid out by group once (:meth:`ArticleTable.partitioned`, on disk
    for a large corpus), and each group's are read back when asked."""

    def __init__(self, names: list[str], parts, numbers: dict, explicit_order: bool) -> None:
        self.names = names
        self.parts, self.numbers, self.explicit_order = parts, numbers, explicit_order
        self.rows = _PerGroup(self, "row", as_float=False)
        self.tagged = _PerGroup(self, "tagged")
        self.passages = _PerGroup(self, "passages")
        self._last: tuple = (None, None)

    @classmethod
    def of(cls, acc: Accumulator) -> "Groups":
        """The articles with a group and a passage kept, in corpus order within each group
        (no object per article, and no array of every article's)."""
        table = acc.table
        count = len(table.groups)

        def codes_of(block):
            codes = block["group"].astype(np.int64)
            codes[(block["passages"] == 0) | (codes < 0)] = count  # left out
            return codes

        parts = table.partitioned(codes_of, count)
        numbers = {table.groups[n]: n for n in np.flatnonzero(parts.sizes).tolist()}
        return cls(group_order(numbers), parts, numbers, table.explicit_order)

    def records(self, group: str) -> np.ndarray:
        """Group ``group``'s rows of the table, in corpus order (the last group asked for is
        kept)."""
        if self._last[0] != group:
            found = self.parts.rows_of(self.numbers[group])
            if self.explicit_order:
                found = found[np.argsort(found["order"], kind="stable")]
            self._last = (group, found)
        return self._last[1]

    def size(self, group: str) -> int:
        """Articles in ``group``."""
        return int(self.parts.sizes[self.numbers[group]])


def analyse(acc: Accumulator, settings: dict, baseline_report: dict | None,
            fail_on_shift: float | None, fail_on_divergence: float | None, *,
            card: dict | None = None, adjust: str | None = None) -> ComparisonResult:
    """Every table of the comparison from the accumulated counts, the baseline's shifts
    (given a baseline report) and the gates; ``settings`` as recorded in the report.

    With a coded sample in the accumulator, corrected shares and per-group accuracy (see
    :mod:`framing.comparison.validation`); ``card`` (the model card) says how accurate the
    tags were measured to be, and ``adjust="model-card"`` adds adjusted shares from it."""
    groups = Groups.of(acc)
    shares, group_totals, distributions = _shares(groups, acc, settings)
    share_of = {(row["group"], row["frame"]): row for row in shares}
    omnibus = _omnibus_tests(groups, acc, settings)
    plan = pair_plan(groups.names, settings)
    eligible = {g for g in groups.names
                if group_totals[g]["passages"] >= settings.get("min_group_size", 0)}
    pairwise = pair_rows(groups.names, acc.frames, share_of, plan, eligible)
    mixes = {g: groups.tagged[g].sum(axis=0) for g in groups.names}
    divergences = divergence_rows(groups.names, mixes, plan, eligible)
    plan["tested"] = len(pairwise)
    plan["changes"] = flag_changes(pairwise) if plan["mode"] == "adjacent" else None
    plan["versus_rest"] = versus_rest(groups.names, acc.frames, share_of) \
        if plan["mode"] == "top" else None
    distinctive, quotes = _terms_and_quotes(groups.names, acc, settings)
    warnings = _warnings(groups, acc.frames, shares)
    articles = _article_rows(groups, acc) if acc.article_count <= ARTICLE_ROWS else []
    if acc.article_count > ARTICLE_ROWS:
        warnings.append(f"{acc.article_count:,} articles: the per-article table is left out of "
                        f"the report (it is kept up to {ARTICLE_ROWS:,} articles); framing "
                        "classify --format jsonl gives every passage's tags")
    validation = None
    if acc.coded_sample is not None:
        validation, extra = apply_validation(acc.coded_sample, groups, acc.frames, shares,
                                             pairwise, settings["confidence"])
        warnings += extra
    if adjust:
        warnings += apply_adjustment(shares, card, settings.get("method", "hybrid"))
    baseline = compare_with_baseline(baseline_report, settings, groups.names, acc.frames,
                                     share_of, divergences, warnings) if baseline_report else None
    result = ComparisonResult(
        settings=settings, frames=tuple(acc.frames), groups=groups.names,
        group_totals=group_totals, shares=shares, distributions=distributions,
        articles=articles, omnibus=omnibus, pairwise=pairwise,
        divergences=divergences, distinctive_terms=distinctive, quotes=quotes,
        baseline=baseline, warnings=warnings, validation=validation, pairs=plan,
        accuracy=model_card_accuracy(card, settings.get("method", "hybrid")))
    result.gates = evaluate_gates(result, fail_on_shift, fail_on_divergence)
    return result


def _shares(groups: Groups, acc: Accumulator, settings: dict):
    """Rows of (group, frame) shares with every interval; totals and frame mix per group."""
    confidence = settings["confidence"]
    shares, totals, distributions = [], {}, {}
    for g in groups.names:
        K, N = groups.tagged[g], groups.passages[g]
        m, n = len(N), float(N.sum())
        totals[g] = {"articles": m, "passages": int(n)}
        boot = cluster_bootstrap_intervals(K, N, settings["bootstrap"],
                                           rng_for(settings["seed"], "bootstrap", g), confidence)
        tags = K.sum(axis=0)
        distributions[g] = {f: (float(tags[k] / tags.sum()) if tags.sum() else None)
                            for k, f in enumerate(acc.frames)}
        for k, f in enumerate(acc.frames):
            tagged = float(K[:, k].sum())
            interval, deff = clustered_wilson_interval(K[:, k], N, confidence)
            articles_tagged = int(np.count_nonzero(K[:, k]))
            shares.append({
                "group": g, "frame": f,
                "share": tagged / n,
                "interval": _as_list(interval),
                "counts": {"tagged": int(tagged), "passages": int(n), "articles": m,
                           "articles_tagged": articles_tagged},
                "design_effect": deff,
                "wilson_interval": _as_list(wilson_interval(tagged, n, confidence)),
                "bootstrap_interval": _as_list(widen_degenerate(boot[k], interval)),
                "article_share": articles_tagged / m,
                "article_interval": _as_list(wilson_interval(articles_tagged, m, confidence)),
                "mean_score": acc.score_sums[(g, f)] / n,
            })
    return shares, totals, distributions


def _article_rows(groups: Groups, acc: Accumulator) -> list[dict]:
    frames = acc.frames
    rows = []
    for g in groups.names:
        for row in groups.rows[g]:
            article = Article(*acc.table.article(int(row)))
            rows.append({
                "group": g, "source": article.source, "document_id": article.document_id,
                "title": article.meta.get("title"), "url": article.meta.get("url"),
                "date": article.meta.get("date"), "passages": article.passages,
                "tagged": {f: article.tagged[k] for k, f in enumerate(frames)},
                "share": {f: article.tagged[k] / article.passages for k, f in enumerate(frames)},
            })
    return rows


def _omnibus_tests(groups: Groups, acc: Accumulator, settings: dict) -> dict:
    """Per frame: groups x (tagged, untagged) passages; mix: groups x frames of tags. The
    per-article arrays of the permutation test are built only if one is run."""
    names = groups.names
    mix = np.array([groups.tagged[g].sum(axis=0) for g in names])
    passages = np.array([groups.passages[g].sum() for g in names])
    articles = sum(groups.size(g) for g in names)
    built: dict = {}

    def per_article():
        if not built:
            built["labels"] = np.concatenate([np.full(groups.size(g), i, dtype=np.int64)
                                              for i, g in enumerate(names)])
            built["K"] = np.concatenate([groups.tagged[g] for g in names])
            built["N"] = np.concatenate([groups.passages[g] for g in names])
        return built["labels"], built["K"], built["N"]

    def frame_counts(k):
        labels, K, N = per_article()
        return labels, np.column_stack([K[:, k], N - K[:, k]])

    def mix_counts():
        labels, K, _ = per_article()
        return labels, K

    resamples, seed = settings["permutations"], settings["seed"]
    tests = {"frames": {}, "mix": None}
    for k, f in enumerate(acc.frames):
        table = np.column_stack([mix[:, k], passages - mix[:, k]])
        tests["frames"][f] = _omnibus(table, articles, functools.partial(frame_counts, k),
                                      resamples, rng_for(seed, "omnibus", f), len(names),
                                      "the frame is tagged in no passage, or in every one")
    tests["mix"] = _omnibus(mix, articles, mix_counts, resamples,
                            rng_for(seed, "omnibus", "mix"), len(names),
                            "fewer than two groups with tags, or every tag in one frame")
    return tests


def _terms_and_quotes(names: list[str], acc: Accumulator, settings: dict):
    """Distinctive terms (each group against the rest, within a frame) and top quotes."""
    distinctive, quotes = [], []
    for f in acc.frames:
        frame_total: Counter = Counter()
        for g in names:
            frame_total.update(acc.frame_terms.get((f, g), Counter()))
        for g in names:
            mine = acc.frame_terms.get((f, g), Counter())
            if mine and len(names) > 1:
                rest = frame_total - mine
                scored = log_odds_dirichlet(mine, rest, acc.background, settings["prior_scale"])
                for row in top_terms(scored, mine, rest, settings["top_terms"]):
                    distinctive.append({"frame": f, "group": g, **row,
                                        "notable": row["z"] >= Z_NOTABLE})
            ranked = sorted(acc.quote_heaps.get((f, g), []),
                            key=lambda item: (-item[0], -item[1]))
            for rank, (_, _, quote) in enumerate(ranked, start=1):
                quotes.append({"frame": f, "group": g, "rank": rank, **quote})
    return distinctive, quotes


def _as_list(interval):
    return list(interval) if interval is not None else None


def _omnibus(table, articles: int, article_counts, permutations, rng, n_groups,
             empty: str) -> dict:
    """The chi-square test of ``table``, and the permutation test of the ``articles`` (the
    labels and counts ``article_counts()`` gives) where it is needed."""
    chi = chi_square_test(table)
    if n_groups < 2 or chi is None:
        reason = "only one group" if n_groups < 2 else f"nothing to test: {empty}"
        return {"test": None, "statistic": None, "df": None, "p_value": None,
                "p_value_chi2": None, "p_value_permutation": None, "min_expected": None,
                "cramers_v": None, "n": None, "permutation": None, "note": reason}
    small = chi["min_expected"] < MIN_EXPECTED
    # the permutation test costs resamples x articles: run where chi-square is unreliable,
    # and on small corpora (where it is cheap) as a check beside it
    needed = small or articles <= PERMUTATION_ALWAYS
    permutation = permutation_test(*article_counts(), permutations, rng) if needed else None
    use_permutation = small and permutation is not None
    return {
        "test": "permutation" if use_permutation else "chi-square",
        "statistic": chi["statistic"], "df": chi["df"],
        "p_value": permutation["p_value"] if use_permutation else chi["p_value"],
        "p_value_chi2": chi["p_value"],
        "p_value_permutation": permutation["p_value"] if permutation else None,
        "min_expected": chi["min_expected"], "cramers_v": chi["cramers_v"], "n": int(chi["n"]),
        "permutation": ({"resamples": permutation["resamples"], "exact": permutation["exact"]}
                        if permutation else None),
        "note": ("expected counts below 5: p_value from the permutation test" if use_permutation
                 else ("expected counts below 5 and no permutations asked for (--permutations 0)"
                       if small else None)),
    }


def _warnings(groups: Groups, frames, shares) -> list[str]:
    warnings = []
    names = groups.names
    if len(names) < 2:
        warnings.append("only one group: there is nothing to compare it with; shares and "
                        "intervals are still reported")
    single = [g for g in names if groups.size(g) == 1]
    if single:
        what = "every group has" if len(single) == len(names) else \
            f"{len(single)} group(s) have"
        warnings.append(
            f"{what} a single article ({', '.join(single[:10])}"
            f"{', ...' if len(single) > 10 else ''}): their intervals treat passages as "
            "independent, and a difference between such groups cannot be told apart from a "
            "difference between articles")
    for f in frames:
        if not sum(row["counts"]["tagged"] for row in shares if row["frame"] == f):
            warnings.append(f"{f} is tagged in no passage of the corpus")
    return warnings
