"""The frame model in memory, and the decision it makes.

Three methods share one :class:`FrameModel`:

``lexicon``  per-frame sum of cue weights, squashed to 0..1, against a threshold chosen by CV;
``model``    TF-IDF over stemmed words into calibrated one-vs-rest logistic regression;
``hybrid``   the two fused, ``w * model + (1 - w) * lexicon`` per frame (the default).

Every method has its own per-frame thresholds, chosen by cross-validation at training time.
:meth:`FrameModel.scores` is the one scoring path: training, cross-validation, ``evaluate``
and ``classify`` all call it. Files: :mod:`framing.model.storage`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from framing.frames import FRAMES, METHODS
from framing.lexicon import Lexicon
from framing.model.tfidf import CompactTfidf
from framing.text.batch import split_batch

#: How many of a model's strongest features are reported as evidence for each tag.
EVIDENCE_FEATURES = 5
#: Decimal places of the scores and contributions in the output.
DECIMALS = 4


def rounded(values) -> list:
    """Scores and contributions as reported: :data:`DECIMALS` places, as Python floats."""
    return np.round(np.asarray(values, dtype=np.float64), DECIMALS).tolist()


def lexicon_probability(score: float) -> float:
    """Map a summed cue weight (any real) to 0..1: no cues is 0, strong cues approach 1."""
    return 1.0 - math.exp(-score) if score > 0 else 0.0


def lexicon_part(table) -> np.ndarray:
    """:func:`lexicon_probability` of each text's per-frame cue totals (a match table's)."""
    totals = table.frame_totals()
    return np.array([lexicon_probability(v) for v in totals.ravel().tolist()],
                    dtype=np.float64).reshape(totals.shape)


def lexicon_scores(lexicon, texts: list[str]) -> np.ndarray:
    """The ``lexicon`` method's (texts, frames) scores: what a model with this lexicon
    gives, for the lexicon method, without a trained model."""
    texts = list(texts)
    if not texts:
        return np.zeros((0, len(FRAMES)))
    parts_lists, stem_lists = split_batch(texts)
    return lexicon_part(lexicon.match_table(texts, stem_lists, parts_lists))


@dataclass
class LinearHead:
    """Calibrated one-vs-rest logistic regression as arrays (one row per frame)."""

    coef: np.ndarray          # (4, n_features)
    intercept: np.ndarray     # (4,)
    calibration_a: np.ndarray  # (4,) Platt scaling: p = 1 / (1 + exp(a * d + b))
    calibration_b: np.ndarray  # (4,)

    def probabilities(self, X) -> np.ndarray:
        """Calibrated probabilities of TF-IDF rows: scipy CSR, or
        :class:`framing.model.tfidf.SparseRows` (the same numbers, without scipy)."""
        product = X.dot_transposed(self.coef) if hasattr(X, "dot_transposed") else X @ self.coef.T
        decision = np.asarray(product) + self.intercept
        return 1.0 / (1.0 + np.exp(self.calibration_a * decision + self.calibration_b))


@dataclass
class Prediction:
    frames: list[str]
    scores: dict[str, float]
    evidence: dict


@dataclass
class FrameModel:
    lexicon: Lexicon
    vocabulary: list[str]
    idf: np.ndarray
    head: LinearHead                    # the model method's classifier
    fusion_weight: float                # hybrid = w * model + (1 - w) * lexicon
    thresholds: dict[str, list[float]]  # per method, one per frame
    ngram_max: int = 1                  # word n-grams of the vocabulary: 1..ngram_max
    card: dict = field(default_factory=dict)

    # -- features ------------------------------------------------------------------------
    def _tfidf(self):
        if not hasattr(self, "_cached_tfidf"):
            self._cached_tfidf = CompactTfidf(self.vocabulary, self.idf, self.ngram_max)
        return self._cached_tfidf

    def features(self, texts: list[str]):
        """TF-IDF rows (sparse) of the model's vocabulary.

        Built with numpy from the vocabulary and IDF (:class:`framing.model.tfidf.CompactTfidf`),
        equal to what scikit-learn's vectorizer gives (tested), without importing
        scikit-learn.
        """
        return self._tfidf().transform(list(texts))

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_cached_tfidf", None)
        return state

    # -- decisions -----------------------------------------------------------------------
    def scores(self, texts: list[str], method: str = "hybrid") -> np.ndarray:
        """The (texts, frames) score matrix of ``method``: exactly the numbers
        :meth:`predict` thresholds, and the only scoring code training, cross-validation,
        evaluation and classification use."""
        return self._score(list(texts), method)[0]

    def _score(self, texts: list[str], method: str):
        """Scores, the lexicon's match table (None for ``model``) and the TF-IDF rows (None
        for ``lexicon``) of a batch, each passage split and normalised once."""
        check_method(method)
        if not texts:
            return np.zeros((0, len(FRAMES))), None, None
        parts_lists, stem_lists = split_batch(texts)  # once, for the lexicon and the TF-IDF
        table = (self.lexicon.match_table(texts, stem_lists, parts_lists)
                 if method != "model" else None)
        del parts_lists
        X = self._tfidf().transform_stems(stem_lists) if method != "lexicon" else None
        if method == "lexicon":
            return lexicon_part(table), table, X
        scores = self.head.probabilities(X)
        if method == "hybrid":
            w = self.fusion_weight
            scores = w * scores + (1.0 - w) * lexicon_part(table)
        return scores, table, X

    def predict(self, texts: list[str], method: str = "hybrid") -> list[Prediction]:
        """Frames, scores (0..1, all four frames) and evidence for each text."""
        texts = list(texts)
        scores, table, X = self._score(texts, method)
        if not texts:
            return []
        thresholds = np.asarray(self.thresholds[method])
        tagged_mask = scores >= thresholds
        tags = tagged_mask.tolist()
        values = rounded(scores)
        cues = table.evidence(tagged_mask) if table is not None else None
        features = (self._strongest_features(X, tagged_mask) if X is not None
                    else [{} for _ in texts])
        predictions = []
        for row in range(len(texts)):
            tagged = [f for f, tag in zip(FRAMES, tags[row]) if tag]
            evidence = {}
            for frame in tagged:
                entry = {}
                if cues is not None:
                    entry["lexicon"] = cues[row].get(frame, [])
                if X is not None:
                    entry["features"] = features[row].get(frame, [])
                evidence[frame] = entry
            predictions.append(Prediction(frames=tagged, scores=dict(zip(FRAMES, values[row])),
                                          evidence=evidence))
        return predictions

    def _strongest_features(self, X, tagged_mask: np.ndarray) -> list[dict]:
        """For every row and each frame tagged in it, the model's strongest positive
        contributions (TF-IDF value x coefficient) to that frame, strongest first, ties in
        column order: one stable sort per frame for the whole batch (tested equal to a
        per-row sort, ``tests/oracles.py``)."""
        n_rows = X.shape[0]
        row_of_all = X.row_of_entries()
        found: list[dict] = [{} for _ in range(n_rows)]
        for k, frame in enumerate(FRAMES):
            in_tagged = tagged_mask[row_of_all, k]  # only the rows tagged with this frame
            if not in_tagged.any():
                continue
            row_of, columns = row_of_all[in_tagged], X.indices[in_tagged]
            contributions = X.data[in_tagged] * self.head.coef[k][columns]
            order = np.lexsort((-contributions, row_of))  # by row, strongest first, stable
            starts = np.flatnonzero(np.r_[True, row_of[1:] != row_of[:-1]])
            rank = np.arange(len(row_of)) - np.repeat(starts, np.diff(np.r_[starts, len(row_of)]))
            keep = order[(rank < EVIDENCE_FEATURES) & (contributions[order] > 0)]
            if not len(keep):
                continue
            kept_rows = row_of[keep]
            names = [self.vocabulary[c] for c in columns[keep].tolist()]
            values = rounded(contributions[keep])
            bounds = np.flatnonzero(np.diff(kept_rows)) + 1
            for lo, hi in zip([0, *bounds.tolist()], [*bounds.tolist(), len(keep)]):
                found[int(kept_rows[lo])][frame] = [
                    {"feature": name, "contribution": value}
                    for name, value in zip(names[lo:hi], values[lo:hi])]
        return found


def check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
