"""Distinctive terms: the words and phrases of passages, and which a group over-uses.

:func:`terms` cuts a passage into words and two-word phrases as written (no stemming, so they
read well in a report); :func:`log_odds_dirichlet` scores how much more one group uses each
term than the others, and :func:`top_terms` keeps the strongest.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


@lru_cache(maxsize=1)
def stop_words() -> frozenset:
    """scikit-learn's English stop words."""
    return frozenset(ENGLISH_STOP_WORDS)


def terms(text: str, stop: frozenset | None = None, bigrams: bool = True) -> list[str]:
    """Lower-cased words (no digits, no stop words, at least 2 letters) and two-word phrases.

    Words keep their surface form (no stemming), so the terms read as written. A phrase is two
    kept words that stand next to each other in the text, with only spaces or a hyphen between
    them (no stop word, no punctuation, no line break).
    """
    stop = stop_words() if stop is None else stop
    out: list[str] = []
    append = out.append
    previous: str | None = None
    previous_end = 0
    for match in _WORD.finditer(text):  # the hot loop of a comparison: kept lean
        start, end = match.span()
        word = match.group().lower()
        if "’" in word:
            word = word.replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        gap = text[previous_end:start]
        previous_end = end
        if len(word) < 2 or word in stop:
            previous = None
            continue
        append(word)
        if bigrams and previous is not None and not gap.strip(" -"):
            append(f"{previous} {word}")
        previous = word
    return out


def log_odds_dirichlet(counts_a: Counter, counts_b: Counter, prior: Counter,
                       prior_scale: float = 1.0) -> dict[str, tuple[float, float]]:
    """Log-odds ratios with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

    For each term ``w`` used in ``counts_a``: with prior pseudo-counts
    ``alpha_w = prior_scale * prior[w]`` and ``alpha_0 = sum(alpha)``,

        delta_w = log((y_aw + alpha_w) / (n_a + alpha_0 - y_aw - alpha_w))
                - log((y_bw + alpha_w) / (n_b + alpha_0 - y_bw - alpha_w))
        var_w  ~= 1 / (y_aw + alpha_w) + 1 / (y_bw + alpha_w)

    and ``z_w = delta_w / sqrt(var_w)``. The prior (the whole corpus's term counts) shrinks
    the estimates of rare terms towards zero, so a word used twice does not outrank a word
    used forty times. Returns ``{term: (delta, z)}``. Terms missing from ``prior`` get the
    smallest prior count present (at least 1).
    """
    if prior_scale <= 0:
        raise ValueError("prior_scale must be positive")
    n_a = float(sum(counts_a.values()))
    n_b = float(sum(counts_b.values()))
    alpha_0 = prior_scale * float(sum(prior.values()))
    floor = prior_scale * float(min(prior.values())) if prior else prior_scale
    result: dict[str, tuple[float, float]] = {}
    for term, y_a in counts_a.items():
        alpha = prior_scale * prior[term] if prior.get(term) else floor
        y_b = counts_b.get(term, 0)
        rest_a = n_a + alpha_0 - y_a - alpha
        rest_b = n_b + alpha_0 - y_b - alpha
        if rest_a <= 0 or rest_b <= 0:  # the term is the whole vocabulary: no odds to compare
            continue
        delta = math.log((y_a + alpha) / rest_a) - math.log((y_b + alpha) / rest_b)
        variance = 1.0 / (y_a + alpha) + 1.0 / (y_b + alpha)
        result[term] = (delta, delta / math.sqrt(variance))
    return result


def top_terms(scored: dict[str, tuple[float, float]], counts_a: Counter, counts_b: Counter,
              limit: int, min_count: int = 2) -> list[dict]:
    """The ``limit`` terms with the highest positive z among those used ``min_count``+ times."""
    rows = [{"term": term, "log_odds": delta, "z": z, "count": int(counts_a[term]),
             "count_rest": int(counts_b.get(term, 0))}
            for term, (delta, z) in scored.items() if z > 0 and counts_a[term] >= min_count]
    rows.sort(key=lambda row: (-row["z"], row["term"]))
    return rows[:limit]
