"""Fitting: the scikit-learn pipeline behind ``model``, the fusion that makes ``hybrid``,
CV splits, and thresholds chosen from out-of-fold scores.

Both evaluation (:mod:`framing.evaluate`) and training (:mod:`framing.train`) fit through
:func:`fit_methods`, so cross-validated figures describe exactly the procedure that trains
the shipped model.

The hybrid is a late fusion: ``fusion_weight * p_model + (1 - fusion_weight) * p_lexicon``
per frame, with its own thresholds. The model learns the phrasing of the gold passages; the
lexicon carries codebook knowledge that holds on outlets the gold set never saw. Feeding the
lexicon's columns into the classifier instead (``make_union(LexiconFeatures(), tfidf)``) was
measured and lost to both the fusion and the model alone in cross-validation (see the CHANGELOG).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline

from .features import text_vectorizer
from .frames import FRAMES
from .lexicon import Lexicon
from .model import LinearHead, lexicon_probability


@dataclass(frozen=True)
class Settings:
    """Every choice that shapes a trained model; recorded in the model card."""

    C: float = 4.0                 # inverse regularisation of the logistic regressions
    ngram_max: int = 1             # word n-grams up to this length (bigrams overfit the gold phrasing)
    min_df: int = 2                # n-grams seen in fewer passages are dropped
    fusion_weight: float = 0.5     # the model's share of the hybrid score; the lexicon has the rest
    folds: int = 5                 # outer CV folds (evaluation and the card)
    threshold_folds: int = 5       # inner CV folds that choose thresholds
    calibration_folds: int = 3     # folds of the Platt calibration
    seed: int = 13


def build_pipeline(settings: Settings) -> Pipeline:
    """TF-IDF over stemmed words → calibrated one-vs-rest logistic regression."""
    base = LogisticRegression(C=settings.C, class_weight="balanced", max_iter=5000)
    classifier = OneVsRestClassifier(CalibratedClassifierCV(
        base, method="sigmoid", cv=settings.calibration_folds, ensemble=False))
    return Pipeline([("features", text_vectorizer(settings.min_df, settings.ngram_max)),
                     ("classifier", classifier)])


def cv_splits(Y: np.ndarray, groups: list[str], n_splits: int, seed: int):
    """Stratified (on the label combination) group k-fold splits as a list of index pairs."""
    combination = Y @ (1 << np.arange(Y.shape[1]))
    n_splits = max(2, min(n_splits, len(set(groups))))
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # rare label combinations
        return list(splitter.split(np.zeros(len(Y)), combination, groups))


def best_thresholds(Y: np.ndarray, scores: np.ndarray) -> list[float]:
    """Per frame, the cut that maximises F1 on these scores: midway between the lowest
    score kept and the next score below it, so that the cut generalises."""
    thresholds = []
    for k in range(Y.shape[1]):
        y, s = Y[:, k], scores[:, k]
        order = np.argsort(-s, kind="stable")
        s_sorted, y_sorted = s[order], y[order]
        true_pos = np.cumsum(y_sorted)
        predicted = np.arange(1, len(s) + 1)
        f1 = 2 * true_pos / (predicted + y.sum()) if y.sum() else np.zeros(len(s))
        distinct = np.append(s_sorted[1:] < s_sorted[:-1], True)  # only cut between distinct scores
        f1 = np.where(distinct, f1, -1)
        best = int(np.argmax(f1))
        below = s_sorted[best + 1] if best + 1 < len(s) else 0.0
        cut = (s_sorted[best] + below) / 2
        thresholds.append(float(round(min(max(cut, 1e-6), 0.99), 6)))
    return thresholds


def lexicon_scores(lexicon: Lexicon, texts: list[str]) -> np.ndarray:
    """Per-frame lexicon probabilities, shape (n_texts, 4)."""
    rows = [Lexicon.frame_scores(lexicon.match(t)) for t in texts]
    return np.array([[lexicon_probability(r[f]) for f in FRAMES] for r in rows]).reshape(len(texts), len(FRAMES))


def fuse(model_scores: np.ndarray, lexicon_part: np.ndarray, weight: float) -> np.ndarray:
    return weight * model_scores + (1.0 - weight) * lexicon_part


def out_of_fold_model_scores(texts, Y, groups, settings: Settings, n_splits: int) -> np.ndarray:
    """Model scores each passage gets from a pipeline that did not see its group."""
    scores = np.zeros(Y.shape, dtype=float)
    for train, test in cv_splits(Y, groups, n_splits, settings.seed):
        pipeline = build_pipeline(settings).fit([texts[i] for i in train], Y[train])
        scores[test] = pipeline.predict_proba([texts[i] for i in test])
    return scores


@dataclass
class FittedMethod:
    method: str
    pipeline: Pipeline | None      # None for the lexicon method
    thresholds: list[float]
    fusion_weight: float = 0.5

    def scores(self, lexicon: Lexicon, texts: list[str]) -> np.ndarray:
        if self.method == "lexicon":
            return lexicon_scores(lexicon, texts)
        model = self.pipeline.predict_proba(texts)
        if self.method == "model":
            return model
        return fuse(model, lexicon_scores(lexicon, texts), self.fusion_weight)

    def predict(self, lexicon: Lexicon, texts: list[str]) -> np.ndarray:
        return (self.scores(lexicon, texts) >= np.asarray(self.thresholds)).astype(int)


def fit_methods(methods, lexicon: Lexicon, texts: list[str], Y: np.ndarray, groups: list[str],
                settings: Settings) -> dict[str, FittedMethod]:
    """Fit the requested methods on these passages; every threshold comes from inner
    cross-validation (out-of-fold scores), the model is fitted once and shared."""
    fitted = {}
    lexical = lexicon_scores(lexicon, texts)
    if "lexicon" in methods:
        fitted["lexicon"] = FittedMethod("lexicon", None, best_thresholds(Y, lexical))
    if {"model", "hybrid"} & set(methods):
        oof = out_of_fold_model_scores(texts, Y, groups, settings, settings.threshold_folds)
        pipeline = build_pipeline(settings).fit(texts, Y)
        if "model" in methods:
            fitted["model"] = FittedMethod("model", pipeline, best_thresholds(Y, oof))
        if "hybrid" in methods:
            w = settings.fusion_weight
            fitted["hybrid"] = FittedMethod("hybrid", pipeline,
                                            best_thresholds(Y, fuse(oof, lexical, w)), w)
    return fitted


def export_head(pipeline: Pipeline) -> LinearHead:
    """The fitted classifier of a pipeline as arrays (see :class:`framing.model.LinearHead`)."""
    coef, intercept, a, b = [], [], [], []
    for calibrated in pipeline.named_steps["classifier"].estimators_:
        inner = calibrated.calibrated_classifiers_[0]
        coef.append(inner.estimator.coef_[0])
        intercept.append(inner.estimator.intercept_[0])
        a.append(inner.calibrators[0].a_)
        b.append(inner.calibrators[0].b_)
    return LinearHead(np.vstack(coef), np.asarray(intercept, dtype=float),
                      np.asarray(a, dtype=float), np.asarray(b, dtype=float))


def text_vocabulary(pipeline: Pipeline) -> tuple[list[str], np.ndarray]:
    vectorizer = pipeline.named_steps["features"]
    return [str(n) for n in vectorizer.get_feature_names_out()], vectorizer.idf_.copy()
