"""Compare how groups of articles (outlets, dates, any manifest column) use the four frames.

The pure part, :func:`compare_passages`, takes classified passages (``PassageResult`` objects
or their ``to_dict()`` records) and returns a :class:`ComparisonResult`: per group and frame
the share of passages tagged with an interval, the same per article, omnibus and pairwise
tests, Jensen-Shannon divergences, distinctive terms, typifying quotes, and (given a baseline
report) what moved. :func:`compare` loads a corpus, classifies it, and calls it.

Every number comes from :mod:`framing.comparison.stats`; every random draw from a generator seeded by
``seed`` and the name of what is drawn, so the same input gives the same result.
"""

from __future__ import annotations

import heapq
import itertools
import json
import math
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from framing.io.corpus import MAX_LISTED_PROBLEMS, canonical_by, group_value, load_corpus, parse_by
from framing.errors import InputError, UsageError
from framing.frames import FRAMES, METHODS

SCHEMA_VERSION = "1.0"
DEFAULT_SEED = 20250602
DEFAULT_RESAMPLES = 2000
DEFAULT_CONFIDENCE = 0.95
DEFAULT_TOP_TERMS = 10
DEFAULT_TOP_QUOTES = 3
#: Multiplier on the corpus term counts that form the Dirichlet prior of the log-odds.
DEFAULT_PRIOR_SCALE = 1.0
#: Expected cell counts below this send an omnibus test to its permutation version.
MIN_EXPECTED = 5.0
#: A z-score at or above this marks a distinctive term as clearly over-used (two-sided 5%).
Z_NOTABLE = 1.96
#: Significant digits kept for floats in reports, so that results are stable and diffable.
SIGNIFICANT_DIGITS = 6

TABLES = ("shares", "articles", "omnibus", "pairwise", "divergences", "distinctive_terms",
          "quotes", "shifts")

ASSUMPTIONS = {
    "share": (
        "share = passages tagged with the frame / passages of the group, pooled over its "
        "articles. A passage can carry several frames, so shares of one group need not sum to 1."),
    "interval": (
        "interval: Wilson score interval on the effective number of passages (passages divided "
        "by the design effect, estimated from how much the share varies between the group's "
        "articles; Kish 1965, Korn & Graubard 1998). Assumes articles are independent of one "
        "another; passages of one article may be correlated. With one article per group, or no "
        "variation between articles, it is the plain Wilson interval, which treats passages as "
        "independent and is then too narrow."),
    "wilson_interval": (
        "wilson_interval: plain Wilson score interval; assumes passages are independent."),
    "bootstrap_interval": (
        "bootstrap_interval: percentile interval from resampling whole articles with "
        "replacement (cluster bootstrap, fixed seed). Assumes articles are independent and "
        "representative; unreliable with few articles and absent with fewer than two."),
    "article_interval": (
        "article_share / article_interval: share of the group's articles with at least one "
        "passage tagged, with a Wilson interval; assumes articles are independent."),
    "omnibus_chi_square": (
        "omnibus chi-square (per frame: group x tagged/untagged passages; mix: group x frame "
        "tag counts): Pearson's test without continuity correction. Assumes every passage "
        "(every tag, for the mix) is an independent observation and expected counts of at "
        "least 5; clustering of passages within articles, and of several tags within one "
        "passage, make its p-value too small."),
    "omnibus_permutation": (
        "omnibus permutation test: the same statistic, with its null distribution from "
        "shuffling group labels among whole articles (exactly, over every relabelling, when "
        "there are few). Assumes only that articles are exchangeable between groups if the "
        "groups do not differ; valid for small counts and for clustered passages. It is the "
        "reported p_value when any expected count is below 5; p_value_permutation is always "
        "given. With one article per group it cannot tell groups from articles."),
    "cramers_v": (
        "cramers_v: effect size of the omnibus table, sqrt(chi2 / (n * (min(rows, columns) - "
        "1))), 0 (no association) to 1; descriptive, no independence assumption needed."),
    "pairwise": (
        "pairwise: Fisher's exact test (two-sided) of each frame's share between every pair of "
        "groups; exact for small counts, but assumes passages are independent, so with "
        "clustered passages its p-values are too small. p_holm (family-wise error) and p_bh "
        "(false discovery rate) adjust over all pairwise tests of the report together. "
        "difference_interval is Newcombe's hybrid score interval built from the two shares' "
        "intervals."),
    "divergence": (
        "divergence: Jensen-Shannon divergence (bits, 0 = same mix, 1 = no frame in common) "
        "between two groups' frame mixes, each mix being the group's tag counts over the four "
        "frames normalised to sum to 1; passages with no frame do not enter it. Descriptive; "
        "small groups inflate it."),
    "distinctive_terms": (
        "distinctive_terms: for each frame, words and two-word phrases over-used in one group's "
        "passages with that frame relative to the other groups' passages with that frame: "
        "log-odds ratio with an informative Dirichlet prior from the whole corpus (Monroe, "
        "Colaresi & Quinn 2008) and its z-score. Assumes words are independent draws, which "
        "they are not; read z as a ranking, with |z| >= 1.96 as a rough guide. Stop words "
        "(scikit-learn's English list) and numbers are left out."),
    "quotes": (
        "quotes: the passages of a group with the highest score for a frame among those tagged "
        "with it; they show what the classifier saw, not a random sample."),
    "shift": (
        "shift (with a baseline): change in a group's share of a frame since the baseline "
        "report; outside_interval says whether the baseline share lies outside this report's "
        "interval."),
}


# -- the result --------------------------------------------------------------------------

@dataclass
class ComparisonResult:
    """Everything ``framing compare`` reports, as plain data.

    Attributes
    ----------
    settings : options the comparison ran with (by, method, unit, model, seed, ...).
    frames : the frame names, in report order.
    groups : group names in report order (sorted; chronological for dates).
    group_totals : per group, ``{"articles": m, "passages": n}``.
    shares : one row per (group, frame): counts, share, interval and the alternatives.
    distributions : per group, each frame's share of the group's tags (sums to 1).
    articles : one row per article with passages and tagged counts per frame.
    omnibus : ``{"frames": {frame: test}, "mix": test}``.
    pairwise : one row per (frame, pair of groups).
    divergences : one row per pair of groups.
    distinctive_terms : one row per (frame, group, term).
    quotes : one row per (frame, group, passage).
    baseline : what moved since a baseline report, or None.
    gates : the CI gates asked for, each with ``passed``.
    warnings : caveats about this corpus (single-article groups, frames never tagged, ...).
    assumptions : what each statistic assumes, keyed by name.
    """

    settings: dict
    frames: tuple[str, ...]
    groups: list[str]
    group_totals: dict
    shares: list[dict]
    distributions: dict
    articles: list[dict]
    omnibus: dict
    pairwise: list[dict]
    divergences: list[dict]
    distinctive_terms: list[dict]
    quotes: list[dict]
    baseline: dict | None = None
    gates: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    assumptions: dict = field(default_factory=lambda: dict(ASSUMPTIONS))

    # -- access ------------------------------------------------------------------------
    def share(self, group: str, frame: str) -> dict:
        """The shares row of one group and frame."""
        for row in self.shares:
            if row["group"] == group and row["frame"] == frame:
                return row
        raise KeyError((group, frame))

    @property
    def failed_gates(self) -> list[dict]:
        return [gate for gate in self.gates if not gate["passed"]]

    def tables(self) -> dict[str, list[dict]]:
        """Every table as a list of flat-ish rows (plain data)."""
        omnibus_rows = [{"table": frame, **test} for frame, test in self.omnibus["frames"].items()]
        omnibus_rows.append({"table": "mix", **self.omnibus["mix"]})
        return {
            "shares": self.shares,
            "articles": self.articles,
            "omnibus": omnibus_rows,
            "pairwise": self.pairwise,
            "divergences": self.divergences,
            "distinctive_terms": self.distinctive_terms,
            "quotes": self.quotes,
            "shifts": (self.baseline or {}).get("shifts", []),
        }

    def to_dataframe(self, table: str = "shares"):
        """One table as a pandas DataFrame (needs pandas; interval columns split in low/high)."""
        if table not in TABLES:
            raise UsageError(f"unknown table {table!r}; expected one of {', '.join(TABLES)}")
        try:
            import pandas as pd
        except ImportError:
            raise UsageError("pandas is not installed; pip install pandas, or use "
                             "result.tables() for plain rows") from None
        return pd.DataFrame([_flatten(row) for row in self.tables()[table]])

    def to_dict(self) -> dict:
        """The JSON report (schema ``SCHEMA_VERSION``; see docs/compare.md), floats rounded."""
        from framing import __version__ as version

        cells: dict[str, dict] = {group: {} for group in self.groups}
        for row in self.shares:
            cells[row["group"]][row["frame"]] = {k: v for k, v in row.items()
                                                 if k not in ("group", "frame")}
        groups = {
            group: {
                **self.group_totals[group],
                "distribution": self.distributions[group],
                "frames": cells[group],
            }
            for group in self.groups
        }
        terms: dict = {frame: {group: [] for group in self.groups} for frame in self.frames}
        for row in self.distinctive_terms:
            terms[row["frame"]][row["group"]].append(
                {k: v for k, v in row.items() if k not in ("frame", "group")})
        quotes: dict = {frame: {group: [] for group in self.groups} for frame in self.frames}
        for row in self.quotes:
            quotes[row["frame"]][row["group"]].append(
                {k: v for k, v in row.items() if k not in ("frame", "group")})
        document = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "framing", "command": "compare", "version": version},
            "settings": self.settings,
            "summary": {
                "groups": len(self.groups),
                "articles": sum(t["articles"] for t in self.group_totals.values()),
                "passages": sum(t["passages"] for t in self.group_totals.values()),
            },
            "frames": list(self.frames),
            "group_order": list(self.groups),
            "groups": groups,
            "articles": self.articles,
            "omnibus": self.omnibus,
            "pairwise": self.pairwise,
            "divergences": self.divergences,
            "distinctive_terms": terms,
            "quotes": quotes,
            "baseline": self.baseline,
            "gates": self.gates,
            "warnings": self.warnings,
            "assumptions": self.assumptions,
        }
        return round_floats(document)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False,
                          allow_nan=False) + "\n"


def _flatten(row: dict) -> dict:
    flat = {}
    for key, value in row.items():
        if isinstance(value, (list, tuple)) and len(value) == 2 and key.endswith("interval"):
            flat[f"{key}_low"], flat[f"{key}_high"] = value
        elif isinstance(value, dict):
            for inner, inner_value in value.items():
                flat[f"{key}.{inner}"] = inner_value
        else:
            flat[key] = value
    return flat


def round_floats(value: Any, digits: int = SIGNIFICANT_DIGITS):
    """Round every float in a nested structure to ``digits`` significant digits; NaN -> None."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(f"{value:.{digits}g}") if value else 0.0
    if isinstance(value, dict):
        return {key: round_floats(item, digits) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [round_floats(item, digits) for item in value]
    return value


# -- reading passages --------------------------------------------------------------------

def _get(passage, name: str, default=None):
    if isinstance(passage, dict):
        return passage.get(name, default)
    return getattr(passage, name, default)


@dataclass
class _Article:
    index: int
    group: str | None  # None: the article has no value to group by (reported, then skipped)
    source: str
    document_id: str
    meta: dict
    tagged: list       # passages tagged, per frame
    passages: int = 0


@dataclass
class _Accumulator:
    """What compare_passages keeps while streaming through passages (no passage texts)."""

    frames: tuple[str, ...]
    field_name: str
    period: str | None
    top_quotes: int
    tokenise: Callable[[str], list[str]]
    articles: dict = field(default_factory=dict)          # (source, id) -> _Article
    score_sums: dict = field(default_factory=lambda: defaultdict(float))  # (group, frame)
    background: Counter = field(default_factory=Counter)  # terms of every passage
    frame_terms: dict = field(default_factory=lambda: defaultdict(Counter))  # (frame, group)
    quote_heaps: dict = field(default_factory=lambda: defaultdict(list))    # (frame, group)
    problems: list = field(default_factory=list)
    sequence: int = 0

    def add(self, passage) -> None:
        source = str(_get(passage, "source", ""))
        document_id = str(_get(passage, "document_id", ""))
        meta = _get(passage, "meta", None) or {}
        key = (source, document_id)
        article = self.articles.get(key)
        if article is None:
            try:
                group = group_value(meta, self.field_name, self.period)
            except ValueError as exc:
                self.problems.append(f"{source} ({document_id}): {exc}")
                group = None
            article = _Article(len(self.articles), group, source, document_id, dict(meta),
                               [0] * len(self.frames))
            self.articles[key] = article
        if article.group is None:
            return
        frames = set(_get(passage, "frames", ()) or ())
        unknown = frames - set(self.frames)
        if unknown:
            raise InputError(f"{source} ({document_id}): unknown frame(s) "
                             f"{', '.join(sorted(unknown))}")
        scores = _get(passage, "scores", None) or {}
        text = str(_get(passage, "text", "") or "")
        article.passages += 1
        words = self.tokenise(text)
        self.background.update(words)
        for k, frame in enumerate(self.frames):
            self.score_sums[(article.group, frame)] += float(scores.get(frame, 0.0) or 0.0)
            if frame not in frames:
                continue
            article.tagged[k] += 1
            self.frame_terms[(frame, article.group)].update(words)
            if self.top_quotes > 0:
                self._offer_quote(frame, article, passage, float(scores.get(frame, 0.0) or 0.0),
                                  text)

    def _offer_quote(self, frame, article, passage, score, text) -> None:
        self.sequence += 1
        heap = self.quote_heaps[(frame, article.group)]
        # Highest score first; ties go to the passage met first (corpus order).
        item = (score, -self.sequence, {
            "source": article.source, "document_id": article.document_id,
            "passage_index": int(_get(passage, "passage_index", 0) or 0),
            "start": int(_get(passage, "start", 0) or 0), "end": int(_get(passage, "end", 0) or 0),
            "score": score, "text": text,
            "title": article.meta.get("title"), "url": article.meta.get("url"),
        })
        if len(heap) < self.top_quotes:
            heapq.heappush(heap, item)
        elif item[:2] > heap[0][:2]:
            heapq.heapreplace(heap, item)


def _group_order(groups: Iterable[str]) -> list[str]:
    return sorted(set(groups), key=lambda g: (g.casefold(), g))


# -- the comparison ----------------------------------------------------------------------

def compare_passages(passages: Iterable, *, by: str = "outlet",
                     confidence: float = DEFAULT_CONFIDENCE,
                     bootstrap: int = DEFAULT_RESAMPLES, permutations: int = DEFAULT_RESAMPLES,
                     seed: int = DEFAULT_SEED, top_terms: int = DEFAULT_TOP_TERMS,
                     top_quotes: int = DEFAULT_TOP_QUOTES,
                     prior_scale: float = DEFAULT_PRIOR_SCALE,
                     baseline: dict | str | os.PathLike | None = None,
                     fail_on_shift: float | None = None,
                     fail_on_divergence: float | None = None,
                     settings: dict | None = None) -> ComparisonResult:
    """Compare classified passages across groups.

    Parameters
    ----------
    passages : iterable of ``PassageResult`` (or dicts with the same keys: source,
        document_id, passage_index, start, end, text, frames, scores, meta), streamed once.
    by : metadata field to group articles by; ``date`` groups by day, ``date:week``,
        ``date:month``, ``date:year`` by period.
    confidence : level of every interval.
    bootstrap, permutations : resamples for the cluster bootstrap and the permutation tests.
    seed : seeds every random draw (each draw also keyed by what it is for).
    top_terms, top_quotes : how many distinctive terms and quotes per group and frame.
    prior_scale : strength of the Dirichlet prior (multiplier on corpus term counts).
    baseline : a previous JSON report (dict or path) to report shifts against.
    fail_on_shift, fail_on_divergence : CI gate thresholds (see :func:`evaluate_gates`).
    settings : extra settings to record in the report (method, unit, model, corpus).

    Returns
    -------
    ComparisonResult
    """
    check_options(confidence=confidence, bootstrap=bootstrap, permutations=permutations,
                  top_terms=top_terms, top_quotes=top_quotes, prior_scale=prior_scale,
                  baseline=baseline, fail_on_shift=fail_on_shift,
                  fail_on_divergence=fail_on_divergence)
    field_name, period = parse_by(by)
    baseline_report = load_baseline(baseline) if isinstance(baseline, (str, os.PathLike)) \
        else baseline
    from framing.comparison.stats import stop_words, terms

    stop = stop_words()
    acc = _Accumulator(FRAMES, field_name, period, top_quotes,
                       tokenise=lambda text: terms(text, stop))
    for passage in passages:
        acc.add(passage)
    if acc.problems:
        listed = acc.problems[:MAX_LISTED_PROBLEMS]
        raise InputError(f"{len(acc.problems)} article(s) cannot be grouped by {by}, nothing "
                         "was compared:\n" + "\n".join(f"  {p}" for p in listed))
    if not acc.articles:
        raise InputError("no passages to compare: the corpus is empty")
    recorded = {"by": canonical_by(by), "confidence": confidence, "bootstrap": bootstrap,
                "permutations": permutations, "seed": seed, "top_terms": top_terms,
                "top_quotes": top_quotes, "prior_scale": prior_scale,
                "min_expected": MIN_EXPECTED, **(settings or {})}
    return _analyse(acc, recorded, baseline_report, fail_on_shift, fail_on_divergence)


def check_options(*, confidence, bootstrap, permutations, top_terms, top_quotes, prior_scale,
                  baseline, fail_on_shift, fail_on_divergence) -> None:
    """Refuse option values that make no sense, with the option's name."""
    if not 0.5 <= confidence < 1.0:
        raise UsageError(f"confidence must be at least 0.5 and below 1, got {confidence}")
    for name, value in (("--bootstrap", bootstrap), ("--permutations", permutations),
                        ("top_terms", top_terms), ("top_quotes", top_quotes)):
        if not isinstance(value, int) or value < 0:
            raise UsageError(f"{name} must be a whole number >= 0, got {value!r}")
    if prior_scale <= 0:
        raise UsageError(f"prior_scale must be positive, got {prior_scale}")
    for name, value in (("--fail-on-shift", fail_on_shift),
                        ("--fail-on-divergence", fail_on_divergence)):
        if value is not None and not 0.0 <= value <= 1.0:
            raise UsageError(f"{name} must be between 0 and 1, got {value}")
    if fail_on_shift is not None and baseline is None:
        raise UsageError("--fail-on-shift needs --baseline: a shift is measured against a "
                         "previous JSON report (framing compare ... --format json)")


@dataclass
class _Groups:
    """Per-article counts arranged by group: the arrays every statistic starts from."""

    names: list[str]
    members: dict            # group -> its _Articles
    tagged: dict             # group -> array (articles, frames) of passages tagged
    passages: dict           # group -> array (articles,) of passages

    @classmethod
    def of(cls, articles: Iterable[_Article]) -> "_Groups":
        import numpy as np

        articles = list(articles)
        names = _group_order(a.group for a in articles)
        members: dict = {g: [] for g in names}
        for article in articles:
            members[article.group].append(article)
        return cls(names, members,
                   {g: np.array([a.tagged for a in members[g]], dtype=float) for g in names},
                   {g: np.array([a.passages for a in members[g]], dtype=float) for g in names})


def _analyse(acc: _Accumulator, settings: dict, baseline_report, fail_on_shift,
             fail_on_divergence) -> ComparisonResult:
    groups = _Groups.of(acc.articles.values())
    shares, group_totals, distributions = _shares(groups, acc, settings)
    share_of = {(row["group"], row["frame"]): row for row in shares}
    omnibus = _omnibus_tests(groups, acc, settings)
    pairwise = _pairwise(groups.names, acc.frames, share_of)
    divergences = _divergences(groups)
    distinctive, quotes = _terms_and_quotes(groups.names, acc, settings)
    warnings = _warnings(groups, acc.frames, shares)
    baseline = compare_with_baseline(baseline_report, settings, groups.names, acc.frames,
                                     share_of, divergences, warnings) if baseline_report else None
    result = ComparisonResult(
        settings=settings, frames=tuple(acc.frames), groups=groups.names,
        group_totals=group_totals, shares=shares, distributions=distributions,
        articles=_article_rows(groups, acc.frames), omnibus=omnibus, pairwise=pairwise,
        divergences=divergences, distinctive_terms=distinctive, quotes=quotes,
        baseline=baseline, warnings=warnings)
    result.gates = evaluate_gates(result, fail_on_shift, fail_on_divergence)
    return result


def _shares(groups: _Groups, acc: _Accumulator, settings: dict):
    """Rows of (group, frame) shares with every interval; totals and frame mix per group."""
    import numpy as np

    from framing.comparison import stats

    confidence = settings["confidence"]
    shares, totals, distributions = [], {}, {}
    for g in groups.names:
        K, N = groups.tagged[g], groups.passages[g]
        m, n = len(N), float(N.sum())
        totals[g] = {"articles": m, "passages": int(n)}
        boot = stats.cluster_bootstrap_intervals(
            K, N, settings["bootstrap"], stats.rng_for(settings["seed"], "bootstrap", g),
            confidence)
        tags = K.sum(axis=0)
        distributions[g] = {f: (float(tags[k] / tags.sum()) if tags.sum() else None)
                            for k, f in enumerate(acc.frames)}
        for k, f in enumerate(acc.frames):
            tagged = float(K[:, k].sum())
            interval, deff = stats.clustered_wilson_interval(K[:, k], N, confidence)
            articles_tagged = int(np.count_nonzero(K[:, k]))
            shares.append({
                "group": g, "frame": f,
                "share": tagged / n,
                "interval": _as_list(interval),
                "counts": {"tagged": int(tagged), "passages": int(n), "articles": m,
                           "articles_tagged": articles_tagged},
                "design_effect": deff,
                "wilson_interval": _as_list(stats.wilson_interval(tagged, n, confidence)),
                "bootstrap_interval": _as_list(boot[k]),
                "article_share": articles_tagged / m,
                "article_interval": _as_list(stats.wilson_interval(articles_tagged, m, confidence)),
                "mean_score": acc.score_sums[(g, f)] / n,
            })
    return shares, totals, distributions


def _article_rows(groups: _Groups, frames) -> list[dict]:
    rows = []
    for g in groups.names:
        for article in groups.members[g]:
            rows.append({
                "group": g, "source": article.source, "document_id": article.document_id,
                "title": article.meta.get("title"), "url": article.meta.get("url"),
                "date": article.meta.get("date"), "passages": article.passages,
                "tagged": {f: article.tagged[k] for k, f in enumerate(frames)},
                "share": {f: article.tagged[k] / article.passages for k, f in enumerate(frames)},
            })
    return rows


def _omnibus_tests(groups: _Groups, acc: _Accumulator, settings: dict) -> dict:
    """Per frame: groups x (tagged, untagged) passages; mix: groups x frames of tags."""
    import numpy as np

    from framing.comparison import stats

    names = groups.names
    labels = np.concatenate([np.full(len(groups.members[g]), i, dtype=np.int64)
                             for i, g in enumerate(names)])
    K = np.concatenate([groups.tagged[g] for g in names])
    N = np.concatenate([groups.passages[g] for g in names])
    resamples, seed = settings["permutations"], settings["seed"]
    tests = {"frames": {}, "mix": None}
    for k, f in enumerate(acc.frames):
        table = np.array([[groups.tagged[g][:, k].sum(),
                           groups.passages[g].sum() - groups.tagged[g][:, k].sum()]
                          for g in names])
        tests["frames"][f] = _omnibus(table, labels, np.column_stack([K[:, k], N - K[:, k]]),
                                      resamples, stats.rng_for(seed, "omnibus", f), len(names),
                                      "the frame is tagged in no passage, or in every one")
    mix = np.array([groups.tagged[g].sum(axis=0) for g in names])
    tests["mix"] = _omnibus(mix, labels, K, resamples, stats.rng_for(seed, "omnibus", "mix"),
                            len(names), "fewer than two groups with tags, or every tag in one "
                            "frame")
    return tests


def _pairwise(names: list[str], frames, share_of: dict) -> list[dict]:
    """Fisher's exact test of every frame between every pair, adjusted over all of them."""
    from framing.comparison import stats

    rows = []
    for f in frames:
        for a, b in itertools.combinations(names, 2):
            row_a, row_b = share_of[(a, f)], share_of[(b, f)]
            ca, cb = row_a["counts"], row_b["counts"]
            fisher = stats.fisher_exact_test(ca["tagged"], ca["passages"], cb["tagged"],
                                             cb["passages"])
            rows.append({
                "frame": f, "a": a, "b": b, "share_a": row_a["share"], "share_b": row_b["share"],
                "difference": row_a["share"] - row_b["share"],
                "difference_interval": _as_list(stats.newcombe_difference_interval(
                    row_a["share"], row_a["interval"], row_b["share"], row_b["interval"])),
                "odds_ratio": fisher["odds_ratio"], "test": "fisher_exact",
                "p_value": fisher["p_value"],
            })
    raw = [row["p_value"] for row in rows]
    for row, holm, bh in zip(rows, stats.holm_adjust(raw), stats.bh_adjust(raw)):
        row["p_holm"], row["p_bh"] = holm, bh
    return rows


def _divergences(groups: _Groups) -> list[dict]:
    from framing.comparison import stats

    rows = []
    for a, b in itertools.combinations(groups.names, 2):
        jsd = stats.jensen_shannon_divergence(groups.tagged[a].sum(axis=0),
                                              groups.tagged[b].sum(axis=0))
        rows.append({"a": a, "b": b, "divergence": jsd,
                     "distance": math.sqrt(jsd) if jsd is not None else None})
    return rows


def _terms_and_quotes(names: list[str], acc: _Accumulator, settings: dict):
    """Distinctive terms (each group against the rest, within a frame) and top quotes."""
    from framing.comparison import stats

    distinctive, quotes = [], []
    for f in acc.frames:
        frame_total: Counter = Counter()
        for g in names:
            frame_total.update(acc.frame_terms.get((f, g), Counter()))
        for g in names:
            mine = acc.frame_terms.get((f, g), Counter())
            if mine and len(names) > 1:
                rest = frame_total - mine
                scored = stats.log_odds_dirichlet(mine, rest, acc.background,
                                                  settings["prior_scale"])
                for row in stats.top_terms(scored, mine, rest, settings["top_terms"]):
                    distinctive.append({"frame": f, "group": g, **row,
                                        "notable": row["z"] >= Z_NOTABLE})
            ranked = sorted(acc.quote_heaps.get((f, g), []),
                            key=lambda item: (-item[0], -item[1]))
            for rank, (_, _, quote) in enumerate(ranked, start=1):
                quotes.append({"frame": f, "group": g, "rank": rank, **quote})
    return distinctive, quotes


def _as_list(interval):
    return list(interval) if interval is not None else None


def _omnibus(table, labels, article_counts, permutations, rng, n_groups, empty: str) -> dict:
    from framing.comparison import stats

    chi = stats.chi_square_test(table)
    if n_groups < 2 or chi is None:
        reason = "only one group" if n_groups < 2 else f"nothing to test: {empty}"
        return {"test": None, "statistic": None, "df": None, "p_value": None,
                "p_value_chi2": None, "p_value_permutation": None, "min_expected": None,
                "cramers_v": None, "n": None, "permutation": None, "note": reason}
    permutation = stats.permutation_test(labels, article_counts, permutations, rng)
    small = chi["min_expected"] < MIN_EXPECTED
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


def _warnings(groups: _Groups, frames, shares) -> list[str]:
    warnings = []
    names = groups.names
    if len(names) < 2:
        warnings.append("only one group: there is nothing to compare it with; shares and "
                        "intervals are still reported")
    single = [g for g in names if len(groups.members[g]) == 1]
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


# -- baseline and gates ------------------------------------------------------------------

def load_baseline(path: str | os.PathLike) -> dict:
    """Read a previous JSON report of ``framing compare`` to compare against."""
    from framing.io.documents import MAX_FILE_BYTES

    where = os.fspath(path)
    try:
        with open(where, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{where}: baseline not found; write one with "
                         "framing compare CORPUS --format json --output FILE") from None
    except OSError as exc:
        raise InputError(f"{where}: cannot read the baseline ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{where}: over the {MAX_FILE_BYTES:,}-byte limit for a baseline; "
                         "pass a report written with --format json")
    try:
        report = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise InputError(f"{where}: baseline is not JSON; pass a report written with "
                         "--format json") from None
    if not isinstance(report, dict) or "schema_version" not in report or \
            not isinstance(report.get("groups"), dict):
        raise InputError(f"{where}: not a framing compare JSON report (no schema_version or "
                         "groups); pass a report written with --format json")
    major = str(report["schema_version"]).split(".")[0]
    if major != SCHEMA_VERSION.split(".")[0]:
        raise InputError(f"{where}: baseline has schema {report['schema_version']}, this "
                         f"framing writes {SCHEMA_VERSION}; regenerate the baseline")
    report.setdefault("_path", where)
    return report


def _baseline_share(report: dict, group: str, frame: str):
    try:
        value = report["groups"][group]["frames"][frame]["share"]
    except (KeyError, TypeError):
        return None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def compare_with_baseline(report: dict, settings: dict, groups, frames, share_of, divergences,
                          warnings: list[str]) -> dict:
    """Shifts in every share, and changes in divergences, since the baseline report."""
    base_settings = report.get("settings") or {}
    if base_settings.get("by") not in (None, settings.get("by")):
        raise InputError(f"{report.get('_path', 'baseline')}: baseline grouped by "
                         f"{base_settings.get('by')!r}, this comparison by "
                         f"{settings.get('by')!r}; compare like with like")
    for key in ("method", "unit", "model"):
        if key in base_settings and key in settings and base_settings[key] != settings[key]:
            warnings.append(f"baseline used {key} {base_settings[key]!r}, this report "
                            f"{settings[key]!r}: shifts may come from that change")
    base_groups = [g for g in report["groups"] if isinstance(g, str)]
    shifts = []
    for g in groups:
        if g not in report["groups"]:
            continue
        for f in frames:
            before = _baseline_share(report, g, f)
            row = share_of[(g, f)]
            if before is None or row["share"] is None:
                continue
            # Compare what the reports say (rounded alike), so an unchanged corpus shifts by 0.
            change = round_floats(row["share"]) - before
            interval = row["interval"]
            shifts.append({
                "group": g, "frame": f, "share": row["share"], "baseline_share": before,
                "change": change,
                "outside_interval": bool(interval and not interval[0] <= before <= interval[1]),
            })
    largest = max(shifts, key=lambda s: abs(s["change"]), default=None)
    base_divergence = {}
    for row in report.get("divergences") or []:
        if isinstance(row, dict) and isinstance(row.get("divergence"), (int, float)):
            base_divergence[(row.get("a"), row.get("b"))] = float(row["divergence"])
    divergence_changes = []
    for row in divergences:
        before = base_divergence.get((row["a"], row["b"]))
        if before is None or row["divergence"] is None:
            continue
        divergence_changes.append({"a": row["a"], "b": row["b"], "divergence": row["divergence"],
                                   "baseline_divergence": before,
                                   "change": round_floats(row["divergence"]) - before})
    return {
        "path": report.get("_path"),
        "schema_version": report.get("schema_version"),
        "shifts": shifts,
        "max_shift": ({"group": largest["group"], "frame": largest["frame"],
                       "change": largest["change"]} if largest else None),
        "added_groups": [g for g in groups if g not in report["groups"]],
        "removed_groups": sorted(g for g in base_groups if g not in set(groups)),
        "divergence_changes": divergence_changes,
    }


def evaluate_gates(result: ComparisonResult, fail_on_shift: float | None,
                   fail_on_divergence: float | None) -> list[dict]:
    """The CI gates asked for, each ``{"gate", "threshold", "value", "where", "passed",
    "message"}``.

    ``shift``: the largest absolute change of any group's share of any frame since the
    baseline must not exceed the threshold (and the baseline must share a group with this
    report). ``divergence``: the Jensen-Shannon divergence between every pair of groups must
    not exceed the threshold.
    """
    gates = []
    if fail_on_shift is not None:
        baseline = result.baseline or {}
        largest = baseline.get("max_shift")
        if largest is None:
            gates.append({"gate": "shift", "threshold": fail_on_shift, "value": None,
                          "where": None, "passed": False,
                          "message": "no group of this report is in the baseline, so no "
                                     "shift can be measured (regenerate the baseline?)"})
        else:
            value = abs(largest["change"])
            where = f"{largest['group']} / {largest['frame']}"
            row = result.share(largest["group"], largest["frame"])
            before = row["share"] - largest["change"]
            passed = value <= fail_on_shift
            gates.append({
                "gate": "shift", "threshold": fail_on_shift, "value": value, "where": where,
                "passed": passed,
                "message": (f"largest shift since the baseline is {value:.3f} ({where}: "
                            f"{before:.3f} -> {row['share']:.3f}), "
                            f"{'within' if passed else 'over'} --fail-on-shift "
                            f"{fail_on_shift:g}"),
            })
    if fail_on_divergence is not None:
        scored = [row for row in result.divergences if row["divergence"] is not None]
        if not scored:
            gates.append({"gate": "divergence", "threshold": fail_on_divergence, "value": None,
                          "where": None, "passed": True,
                          "message": "fewer than two groups with tagged passages: no "
                                     "divergence to check"})
        else:
            top = max(scored, key=lambda row: row["divergence"])
            value = top["divergence"]
            passed = value <= fail_on_divergence
            gates.append({
                "gate": "divergence", "threshold": fail_on_divergence, "value": value,
                "where": f"{top['a']} / {top['b']}", "passed": passed,
                "message": (f"largest Jensen-Shannon divergence is {value:.3f} (between "
                            f"{top['a']} and {top['b']}), "
                            f"{'within' if passed else 'over'} --fail-on-divergence "
                            f"{fail_on_divergence:g}"),
            })
    return gates


# -- the whole command -------------------------------------------------------------------

def _tracked(documents, progress: Callable[[int, int], None]) -> Iterator:
    total = len(documents)
    for done, document in enumerate(documents):
        progress(done, total)
        yield document
    progress(total, total)


def compare(corpus: str | os.PathLike, *, model=None, method: str = "hybrid",
            unit: str = "paragraph", by: str = "outlet",
            baseline: str | os.PathLike | dict | None = None,
            fail_on_shift: float | None = None, fail_on_divergence: float | None = None,
            confidence: float = DEFAULT_CONFIDENCE, bootstrap: int = DEFAULT_RESAMPLES,
            permutations: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
            top_terms: int = DEFAULT_TOP_TERMS, top_quotes: int = DEFAULT_TOP_QUOTES,
            prior_scale: float = DEFAULT_PRIOR_SCALE,
            progress: Callable[[int, int], None] | None = None, jobs: int | None = 1,
            scheduler=None) -> ComparisonResult:
    """Load ``corpus``, classify every passage, and compare the groups.

    ``model`` is a model folder (or a loaded ``FrameModel``; None for the shipped one);
    ``method`` and ``unit`` are those of ``framing classify``. ``progress(done, total)`` is
    called as articles are classified. ``jobs`` and ``scheduler`` spread the classification
    over processes or a Dask cluster, as for ``framing classify`` (same result). The other
    parameters are those of
    :func:`compare_passages`. Problems with options, corpus, model or baseline raise a
    :class:`~framing.errors.FramingError` before any classification.

    Examples
    --------
    >>> result = compare("corpus/", by="outlet")              # doctest: +SKIP
    >>> result.share("NPR", "civilian_harm")["interval"]      # doctest: +SKIP
    """
    from framing.run.classify import classify_documents
    from framing.model.storage import load_model
    from framing.text.segment import UNITS

    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if unit not in UNITS:
        raise UsageError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    check_options(confidence=confidence, bootstrap=bootstrap, permutations=permutations,
                  top_terms=top_terms, top_quotes=top_quotes, prior_scale=prior_scale,
                  baseline=baseline, fail_on_shift=fail_on_shift,
                  fail_on_divergence=fail_on_divergence)
    parse_by(by)
    baseline_report = load_baseline(baseline) if isinstance(baseline, (str, os.PathLike)) \
        else baseline
    loaded = load_corpus(corpus, by=by)
    if isinstance(model, (str, os.PathLike)) or model is None:
        model_name = os.fspath(model) if model is not None else "default"
        model = load_model(model)
    else:
        model_name = "custom"
    documents = loaded.documents
    stream = _tracked(documents, progress) if progress else documents
    passages = classify_documents(stream, model=model, method=method, unit=unit, jobs=jobs,
                                  scheduler=scheduler)
    settings = {"corpus": loaded.path, "method": method, "unit": unit, "model": model_name}
    return compare_passages(passages, by=by, confidence=confidence, bootstrap=bootstrap,
                            permutations=permutations, seed=seed, top_terms=top_terms,
                            top_quotes=top_quotes, prior_scale=prior_scale,
                            baseline=baseline_report, fail_on_shift=fail_on_shift,
                            fail_on_divergence=fail_on_divergence, settings=settings)
