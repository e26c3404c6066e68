"""Fitting: the scikit-learn pipeline behind ``model``, the fusion that makes ``hybrid``,
CV splits, and thresholds chosen from out-of-fold scores.

Both evaluation (:mod:`framing.training.evaluate`) and training (:mod:`framing.training.train`)
fit through :func:`fit_methods`, so cross-validated figures describe exactly the procedure that
trains the shipped model. scikit-learn fits the vocabulary, IDF weights and classifier heads;
every score after that (out-of-fold scores for thresholds, CV predictions) comes from
:meth:`framing.model.FrameModel.scores`, the code ``framing classify`` runs.

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
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline

from threadpoolctl import threadpool_limits

from framing.errors import InputError
from framing.frames import FRAMES, METHODS
from framing.lexicon import Lexicon
from framing.model.frame_model import FrameModel, LinearHead, lexicon_scores
from framing.training.features import text_vectorizer

#: Decimal places kept of every fitted number (IDF, coefficients, calibration). The last bits
#: of a fit differ between machines (BLAS, compilers); rounding makes a retrained model the
#: same file almost everywhere (see the README, "Reproducing the model").
STORED_DECIMALS = 6


@dataclass(frozen=True)
class Settings:
    """Every choice that shapes a trained model; recorded in the model card."""

    C: float = 4.0                 # inverse regularisation of the logistic regressions
    ngram_max: int = 2             # word n-grams up to this length (bigrams: +0.03 grouped CV)
    min_df: int = 2                # n-grams seen in fewer passages are dropped
    fusion_weight: float = 0.6     # the model's share of the hybrid score; the lexicon has the rest
    real_news_weight: float = 3.0  # weight of real passages (provenance 'seed' or 'paraphrase')
    invented_weight: float = 1.0   # weight of passages invented for the gold set ('written')
    class_weight: str | None = "balanced"  # "balanced", or None: learn the real label priors
    folds: int = 5                 # outer CV folds (evaluation and the card)
    threshold_folds: int = 5       # inner CV folds that choose thresholds
    calibration_folds: int = 3     # folds of the Platt calibration
    seed: int = 13


def build_pipeline(settings: Settings) -> Pipeline:
    """TF-IDF over stemmed words → calibrated one-vs-rest logistic regression, each step
    asking for the passages' sample weights (see :func:`fit_pipeline`)."""
    with sklearn.config_context(enable_metadata_routing=True):
        base = LogisticRegression(C=settings.C, class_weight=settings.class_weight,
                                  max_iter=5000)
        calibrated = CalibratedClassifierCV(base.set_fit_request(sample_weight=True),
                                            method="sigmoid", cv=settings.calibration_folds,
                                            ensemble=False).set_fit_request(sample_weight=True)
        return Pipeline([("features", text_vectorizer(settings.min_df, settings.ngram_max)),
                         ("classifier", OneVsRestClassifier(calibrated))])


def fit_pipeline(settings: Settings, texts: list[str], Y: np.ndarray,
                 weights: np.ndarray | None = None) -> Pipeline:
    """Fit a fresh pipeline; ``weights`` reach the regression and its calibration through
    scikit-learn's metadata routing, switched on only for this call."""
    weights = np.ones(len(texts)) if weights is None else np.asarray(weights, dtype=float)
    # one BLAS thread: the fits are small, and threads oversubscribe the cores (2x slower)
    with sklearn.config_context(enable_metadata_routing=True), threadpool_limits(limits=1):
        return build_pipeline(settings).fit(texts, Y, sample_weight=weights)


def scorer_from_pipeline(pipeline: Pipeline, lexicon: Lexicon, settings: Settings,
                         thresholds: dict | None = None) -> FrameModel:
    """The fitted pipeline as the :class:`~framing.model.FrameModel` that scores with it:
    vocabulary, IDF and heads taken over (rounded to :data:`STORED_DECIMALS`), the
    scikit-learn objects left behind."""
    vocabulary, idf = text_vocabulary(pipeline)
    return FrameModel(lexicon=lexicon, vocabulary=vocabulary, idf=idf,
                      head=export_head(pipeline), fusion_weight=settings.fusion_weight,
                      thresholds=thresholds or {m: [0.5] * len(FRAMES) for m in METHODS},
                      ngram_max=settings.ngram_max)


def fit_scorer(settings: Settings, lexicon: Lexicon, texts: list[str], Y: np.ndarray,
               weights: np.ndarray) -> FrameModel:
    """Fit the pipeline on these passages and return the model that scores with it."""
    return scorer_from_pipeline(fit_pipeline(settings, texts, Y, weights), lexicon, settings)


#: Provenances of real reporting: a seed article's paragraph, or a close paraphrase of one
#: real news item. Everything else (``written``) was invented for the gold set.
REAL_PROVENANCES = frozenset({"seed", "paraphrase"})


def passage_weights(records: list[dict], settings: Settings) -> np.ndarray:
    """Training weight per passage: real passages (:data:`REAL_PROVENANCES`) count
    ``settings.real_news_weight`` times, invented ones ``settings.invented_weight``. Real
    passages carry the phrasing of the outlets the tool meets; grouped CV chose the weights
    (see the CHANGELOG)."""
    return np.array([settings.real_news_weight if str(r.get("provenance")) in REAL_PROVENANCES
                     else settings.invented_weight for r in records], dtype=float)


MIN_PER_CLASS = 6  # fewest positive and negative passages per frame the nested CV can split


def check_trainable(Y: np.ndarray, groups: list[str], settings: "Settings", folds: int = 1) -> None:
    """Refuse, in one message, a labelled set too small for the nested cross-validation
    behind thresholds and calibration (inside ``folds`` outer folds, when evaluating),
    instead of letting scikit-learn fail deep inside a fit."""
    need = MIN_PER_CLASS if folds < 2 else max(10, -(-MIN_PER_CLASS * folds // (folds - 1)) + 2)
    problems = []
    for k, frame in enumerate(FRAMES):
        positives = int(Y[:, k].sum())
        negatives = len(Y) - positives
        if positives < need or negatives < need:
            problems.append(f"{frame} has {positives} positive and {negatives} negative")
    if problems:
        raise InputError(f"labelled data too small to train: {'; '.join(problems)} passages "
                         f"(each frame needs at least {need} of both; add labelled passages)")
    distinct, folds_needed = len(set(groups)), max(2, folds, settings.threshold_folds)
    if distinct < folds_needed:
        raise InputError(f"labelled data too small to train: {distinct} distinct articles, "
                         f"cross-validation needs at least {folds_needed}")


def cv_splits(Y: np.ndarray, groups: list[str], n_splits: int, seed: int):
    """Stratified (on the label combination) group k-fold splits as a list of index pairs."""
    combination = Y @ (1 << np.arange(Y.shape[1]))
    n_splits = max(2, min(n_splits, len(set(groups))))
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # rare label combinations
        return list(splitter.split(np.zeros(len(Y)), combination, groups))


def best_thresholds(Y: np.ndarray, scores: np.ndarray, weights: np.ndarray | None = None) -> list[float]:
    """Per frame, the cut that maximises (weighted) F1 on these scores: midway between the
    lowest score kept and the next score below it, so that the cut generalises."""
    weights = np.ones(len(Y)) if weights is None else np.asarray(weights, dtype=float)
    thresholds = []
    for k in range(Y.shape[1]):
        y, s = Y[:, k], scores[:, k]
        order = np.argsort(-s, kind="stable")
        s_sorted, y_sorted, w_sorted = s[order], y[order], weights[order]
        true_pos = np.cumsum(y_sorted * w_sorted)
        predicted = np.cumsum(w_sorted)
        positives = float((y * weights).sum())
        f1 = 2 * true_pos / (predicted + positives) if positives else np.zeros(len(s))
        distinct = np.append(s_sorted[1:] < s_sorted[:-1], True)  # only cut between distinct scores
        f1 = np.where(distinct, f1, -1)
        best = int(np.argmax(f1))
        below = s_sorted[best + 1] if best + 1 < len(s) else 0.0
        cut = (s_sorted[best] + below) / 2
        thresholds.append(float(round(min(max(cut, 1e-6), 0.99), 6)))
    return thresholds


def fuse(model_scores: np.ndarray, lexicon_part: np.ndarray, weight: float) -> np.ndarray:
    return weight * model_scores + (1.0 - weight) * lexicon_part


def out_of_fold_model_scores(texts, Y, groups, settings: Settings, n_splits: int,
                             weights: np.ndarray, lexicon: Lexicon) -> np.ndarray:
    """Model scores each passage gets from a model that did not see its group."""
    scores = np.zeros(Y.shape, dtype=float)
    for train, test in cv_splits(Y, groups, n_splits, settings.seed):
        scorer = fit_scorer(settings, lexicon, [texts[i] for i in train], Y[train],
                            weights[train])
        scores[test] = scorer.scores([texts[i] for i in test], "model")
    return scores


@dataclass
class FittedMethod:
    method: str
    scorer: FrameModel | None      # None for the lexicon method
    thresholds: list[float]

    def scores(self, lexicon: Lexicon, texts: list[str]) -> np.ndarray:
        if self.scorer is None:
            return lexicon_scores(lexicon, texts)
        return self.scorer.scores(texts, self.method)

    def predict(self, lexicon: Lexicon, texts: list[str]) -> np.ndarray:
        return (self.scores(lexicon, texts) >= np.asarray(self.thresholds)).astype(int)


def fit_methods(methods, lexicon: Lexicon, texts: list[str], Y: np.ndarray, groups: list[str],
                settings: Settings, weights: np.ndarray | None = None) -> dict[str, FittedMethod]:
    """Fit the requested methods on these passages (``weights``: see
    :func:`passage_weights`); every threshold comes from inner cross-validation
    (out-of-fold scores), the model is fitted once and shared."""
    check_trainable(Y, groups, settings)
    weights = np.ones(len(texts)) if weights is None else np.asarray(weights, dtype=float)
    fitted = {}
    lexical = lexicon_scores(lexicon, texts)
    if "lexicon" in methods:
        fitted["lexicon"] = FittedMethod("lexicon", None, best_thresholds(Y, lexical, weights))
    if {"model", "hybrid"} & set(methods):
        try:
            oof = out_of_fold_model_scores(texts, Y, groups, settings, settings.threshold_folds,
                                           weights, lexicon)
            scorer = fit_scorer(settings, lexicon, texts, Y, weights)
        except ValueError as exc:  # a fold left too few examples of a frame to calibrate
            raise InputError(f"labelled data too small to train: {exc}") from None
        if "model" in methods:
            fitted["model"] = FittedMethod("model", scorer, best_thresholds(Y, oof, weights))
        if "hybrid" in methods:
            w = settings.fusion_weight
            fitted["hybrid"] = FittedMethod("hybrid", scorer,
                                            best_thresholds(Y, fuse(oof, lexical, w), weights))
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
    return LinearHead(*(np.round(np.asarray(v, dtype=np.float64), STORED_DECIMALS)
                        for v in (np.vstack(coef), intercept, a, b)))


def text_vocabulary(pipeline: Pipeline) -> tuple[list[str], np.ndarray]:
    """The fitted vectorizer's terms (in column order) and IDF weights (rounded)."""
    vectorizer = pipeline.named_steps["features"]
    return ([str(n) for n in vectorizer.get_feature_names_out()],
            np.round(vectorizer.idf_, STORED_DECIMALS))
