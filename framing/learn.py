"""Fitting: the scikit-learn pipelines behind ``model`` and ``hybrid``, CV splits, and
thresholds chosen from out-of-fold scores.

Both evaluation (:mod:`framing.evaluate`) and training (:mod:`framing.train`) fit through the
functions here, so cross-validated figures describe exactly the procedure that trains the
shipped model.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline

from .features import LexiconFeatures, text_vectorizer
from .frames import FRAMES
from .lexicon import Lexicon
from .model import LinearHead, lexicon_probability


@dataclass(frozen=True)
class Settings:
    """Every choice that shapes a trained model; recorded in the model card."""

    C: float = 4.0                 # inverse regularisation of the logistic regressions
    lexicon_weight: float = 1.0    # scale of the lexicon block in the hybrid's features
    lexicon_terms: bool = True     # one feature per lexicon term, besides the per-frame scores
    min_df: int = 2                # n-grams seen in fewer passages are dropped
    folds: int = 5                 # outer CV folds (evaluation and the card)
    threshold_folds: int = 5       # inner CV folds that choose thresholds
    calibration_folds: int = 3     # folds of the Platt calibration
    seed: int = 13


def build_pipeline(method: str, lexicon: Lexicon, settings: Settings) -> Pipeline:
    """``model``: TF-IDF → classifier; ``hybrid``: [lexicon cues | TF-IDF] → classifier."""
    text = text_vectorizer(min_df=settings.min_df)
    if method == "model":
        features = text
    elif method == "hybrid":
        features = FeatureUnion(
            [("lexicon", LexiconFeatures(lexicon.to_text(), term_columns=settings.lexicon_terms)),
             ("text", text)],
            transformer_weights={"lexicon": settings.lexicon_weight, "text": 1.0})
    else:
        raise ValueError(f"no pipeline for method {method!r}")
    base = LogisticRegression(C=settings.C, class_weight="balanced", max_iter=5000)
    classifier = OneVsRestClassifier(CalibratedClassifierCV(
        base, method="sigmoid", cv=settings.calibration_folds, ensemble=False))
    return Pipeline([("features", features), ("classifier", classifier)])


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
        # only cut between distinct scores
        distinct = np.append(s_sorted[1:] < s_sorted[:-1], True)
        f1 = np.where(distinct, f1, -1)
        best = int(np.argmax(f1))
        below = s_sorted[best + 1] if best + 1 < len(s) else 0.0
        cut = (s_sorted[best] + below) / 2
        thresholds.append(float(round(min(max(cut, 1e-6), 0.99), 6)))
    return thresholds


def lexicon_scores(lexicon: Lexicon, texts: list[str]) -> np.ndarray:
    rows = [Lexicon.frame_scores(lexicon.match(t)) for t in texts]
    return np.array([[lexicon_probability(r[f]) for f in FRAMES] for r in rows]).reshape(len(texts), len(FRAMES))


def out_of_fold_scores(method: str, lexicon: Lexicon, texts, Y, groups, settings: Settings,
                       n_splits: int) -> np.ndarray:
    """Scores each passage gets from a pipeline that did not see its group."""
    scores = np.zeros(Y.shape, dtype=float)
    for train, test in cv_splits(Y, groups, n_splits, settings.seed):
        pipeline = build_pipeline(method, lexicon, settings)
        pipeline.fit([texts[i] for i in train], Y[train])
        scores[test] = pipeline.predict_proba([texts[i] for i in test])
    return scores


@dataclass
class FittedMethod:
    pipeline: Pipeline | None      # None for the lexicon method
    thresholds: list[float]

    def scores(self, lexicon: Lexicon, texts: list[str]) -> np.ndarray:
        if self.pipeline is None:
            return lexicon_scores(lexicon, texts)
        return self.pipeline.predict_proba(texts)

    def predict(self, lexicon: Lexicon, texts: list[str]) -> np.ndarray:
        return (self.scores(lexicon, texts) >= np.asarray(self.thresholds)).astype(int)


def fit_method(method: str, lexicon: Lexicon, texts: list[str], Y: np.ndarray,
               groups: list[str], settings: Settings) -> FittedMethod:
    """Fit one method on these passages, its thresholds chosen by inner cross-validation."""
    if method == "lexicon":
        return FittedMethod(None, best_thresholds(Y, lexicon_scores(lexicon, texts)))
    oof = out_of_fold_scores(method, lexicon, texts, Y, groups, settings, settings.threshold_folds)
    pipeline = build_pipeline(method, lexicon, settings).fit(texts, Y)
    return FittedMethod(pipeline, best_thresholds(Y, oof))


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
    features = pipeline.named_steps["features"]
    vectorizer = features if not isinstance(features, FeatureUnion) else dict(features.transformer_list)["text"]
    names = vectorizer.get_feature_names_out()
    return [str(n) for n in names], vectorizer.idf_.copy()
