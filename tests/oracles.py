"""Reference implementations the fast production code is held to.

They are the straightforward per-text (and scikit-learn) versions of what the package does in
batches with numpy. They live here, not in the package, so that production has one code
path; the tests compare the two on the gold passages and on generated text.
"""

from __future__ import annotations

import re

import numpy as np

from framing.frames import FRAMES
from framing.lexicon import Lexicon, Match
from framing.lexicon.matcher import NEGATABLE_FRAMES, NEGATION_CUES, NEGATION_WINDOW
from framing.text.tokens import tokens

_CLAUSE_BREAK = re.compile(r"[.;:!?,()\[\]\"“”—–]|\n[ \t\r\f\v]*\n")


def _negated(text: str, toks, index: int) -> bool:
    for back in range(index - 1, max(-1, index - 1 - NEGATION_WINDOW), -1):
        if _CLAUSE_BREAK.search(text, toks[back].end, toks[back + 1].start):
            return False
        stem = toks[back].stem
        if stem in NEGATION_CUES or stem.endswith("n't"):
            return True
    return False


def reference_match(lexicon: Lexicon, text: str) -> list[Match]:
    """The lexicon's matches in one text, term by term in plain Python."""
    by_first_stem: dict[str, list] = {}
    for term in lexicon.terms:
        by_first_stem.setdefault(term.stems[0], []).append(term)
    toks = tokens(text)
    stems = [t.stem for t in toks]
    found = []
    for i, stem in enumerate(stems):
        for term in by_first_stem.get(stem, ()):
            n = len(term.stems)
            if tuple(stems[i:i + n]) == term.stems and \
                    not _CLAUSE_BREAK.search(text, toks[i].end, toks[i + n - 1].start):
                found.append((i, i + n, term))
    kept = [(i, j, term) for (i, j, term) in found
            if not any(other.frame == term.frame and oi <= i and j <= oj and (oj - oi) > (j - i)
                       for (oi, oj, other) in found)]
    matches = [Match(term.frame, term.text, term.weight, toks[i].start, toks[j - 1].end,
                     term.frame in NEGATABLE_FRAMES and _negated(text, toks, i))
               for i, j, term in kept]
    matches.sort(key=lambda m: (m.start, m.end, FRAMES.index(m.frame), m.term))
    return matches


def reference_vectorizer(model):
    """scikit-learn's TfidfVectorizer carrying a trained model's vocabulary and IDF."""
    from framing.training.features import text_vectorizer

    vectorizer = text_vectorizer(ngram_max=model.ngram_max)
    vectorizer.vocabulary_ = {term: i for i, term in enumerate(model.vocabulary)}
    vectorizer.idf_ = model.idf
    return vectorizer


def reference_top_features(model, x_row, k: int, how_many: int) -> list[dict]:
    """The strongest positive contributions (TF-IDF value x coefficient) to frame ``k`` in one
    scipy CSR row."""
    from framing.model.frame_model import rounded

    indices, values = x_row.indices, x_row.data
    contributions = values * model.head.coef[k][indices]
    order = np.argsort(-contributions, kind="stable")[:how_many]
    order = order[contributions[order] > 0]
    return [{"feature": model.vocabulary[indices[i]], "contribution": value}
            for i, value in zip(order, rounded(contributions[order]))]


def reference_ppi_mean_ci(Y, Yhat, Yhat_unlabeled, alpha, lam):
    """PPI++'s mean estimate and interval for a fixed ``lam``, as ``ppi_py.ppi_mean_ci``
    computes them (ppi-python 0.2.3, ppi_py/ppi.py: ``ppi_mean_pointestimate`` and the
    imputed and rectifier standard deviations with ddof 0, a normal interval)."""
    import numpy as np
    from scipy.stats import norm

    Y, Yhat, Yhat_unlabeled = (np.asarray(a, dtype=float) for a in (Y, Yhat, Yhat_unlabeled))
    n, N = len(Y), len(Yhat_unlabeled)
    estimate = (lam * Yhat_unlabeled).mean() + (Y - lam * Yhat).mean()
    imputed_std = (lam * Yhat_unlabeled).std() / np.sqrt(N)
    rectifier_std = (Y - lam * Yhat).std() / np.sqrt(n)
    half = norm.ppf(1 - alpha / 2) * np.sqrt(imputed_std ** 2 + rectifier_std ** 2)
    return estimate, (estimate - half, estimate + half), rectifier_std


def reference_ppi_lambda(Y, Yhat, Yhat_unlabeled):
    """PPI++'s tuned ``lam`` for a mean (``ppi_py._calc_lam_glm`` with an identity Hessian):
    cov(Y, Yhat) (ddof 0) over (1 + n/N) var(Yhat on both sets, ddof 1), clipped to [0, 1]."""
    import numpy as np

    Y, Yhat, Yhat_unlabeled = (np.asarray(a, dtype=float) for a in (Y, Yhat, Yhat_unlabeled))
    n, N = len(Y), len(Yhat_unlabeled)
    covariance = ((Y - Y.mean()) * (Yhat - Yhat.mean())).mean()
    variance = np.cov(np.concatenate([Yhat, Yhat_unlabeled]))
    return float(np.clip(covariance / ((1 + n / N) * variance), 0, 1))
