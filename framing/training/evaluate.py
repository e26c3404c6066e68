"""How well each method agrees with the gold labels.

:func:`cross_validate` fits every method on k-1 folds (thresholds chosen by an inner CV on
those folds only) and scores the held-out fold, so no passage is scored by a model or a
threshold that saw it. :func:`score_labelled` scores a trained model on any labelled file.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_fscore_support

from framing.errors import InputError
from framing.frames import FRAMES, METHODS
from framing.io.labelled import LabelledSet
from framing.lexicon import Lexicon
from framing.model.frame_model import FrameModel
from framing.training.fitting import (Settings, check_trainable, cv_splits, fit_methods,
                                      passage_weights)

EVALUATION_ORDER = ("lexicon", "model", "hybrid")


def metrics(Y_true: np.ndarray, Y_pred: np.ndarray) -> dict:
    """Per-frame precision, recall, F1 and support, and their macro averages."""
    precision, recall, f1, support = precision_recall_fscore_support(
        Y_true, Y_pred, average=None, zero_division=0, labels=list(range(len(FRAMES))))
    per_frame = {frame: {"precision": round(float(precision[k]), 4),
                         "recall": round(float(recall[k]), 4),
                         "f1": round(float(f1[k]), 4), "support": int(support[k])}
                 for k, frame in enumerate(FRAMES)}
    return {"per_frame": per_frame,
            "macro_precision": round(float(np.mean(precision)), 4),
            "macro_recall": round(float(np.mean(recall)), 4),
            "macro_f1": round(float(np.mean(f1)), 4)}


def cross_validate(data: LabelledSet, lexicon: Lexicon, settings=None,
                   methods=EVALUATION_ORDER) -> dict:
    """Stratified group k-fold CV of each method; out-of-fold predictions pooled."""
    settings = settings or Settings()
    check_trainable(data.Y, data.groups, settings, settings.folds)
    weights = passage_weights(data.records, settings)
    predictions = {m: np.zeros_like(data.Y) for m in methods}
    splits = cv_splits(data.Y, data.groups, settings.folds, settings.seed)
    for train, test in splits:
        train_texts = [data.texts[i] for i in train]
        test_texts = [data.texts[i] for i in test]
        train_groups = [data.groups[i] for i in train]
        fitted = fit_methods(methods, lexicon, train_texts, data.Y[train], train_groups, settings,
                             weights[train])
        for method in methods:
            predictions[method][test] = fitted[method].predict(lexicon, test_texts)
    results = {m: metrics(data.Y, predictions[m]) for m in methods}
    return {"procedure": f"stratified group {len(splits)}-fold cross-validation, seed "
                         f"{settings.seed}; thresholds by inner {settings.threshold_folds}-fold CV",
            "passages": len(data), "methods": results}


def _provenance_mask(data: LabelledSet, provenance: str, option: str) -> np.ndarray:
    test = np.array([str(r.get("provenance")) == provenance for r in data.records])
    if not test.any() or test.all():
        raise InputError(f"{option} {provenance}: need passages with and without that provenance")
    return test


def _fit_and_predict(data: LabelledSet, lexicon: Lexicon, train: np.ndarray, test: np.ndarray,
                     settings, methods) -> dict[str, np.ndarray]:
    """Fit every method on the ``train`` passages (weighted as in training) and predict the
    ``test`` ones."""
    train_texts = [t for t, keep in zip(data.texts, train) if keep]
    test_texts = [t for t, keep in zip(data.texts, test) if keep]
    train_groups = [g for g, keep in zip(data.groups, train) if keep]
    weights = passage_weights(data.records, settings)[train]
    fitted = fit_methods(methods, lexicon, train_texts, data.Y[train], train_groups, settings,
                         weights)
    return {m: fitted[m].predict(lexicon, test_texts) for m in methods}


def holdout_evaluate(data: LabelledSet, lexicon: Lexicon, provenance: str, settings=None,
                     methods=EVALUATION_ORDER) -> dict:
    """Fit on every passage whose ``provenance`` differs, score those that have it.

    ``--holdout seed`` trains on the written passages only and tests on the paragraphs of
    the real seed articles: the closest in-repo stand-in for unseen outlets.
    """
    settings = settings or Settings()
    test = _provenance_mask(data, provenance, "--holdout")
    predictions = _fit_and_predict(data, lexicon, ~test, test, settings, methods)
    results = {m: metrics(data.Y[test], predictions[m]) for m in methods}
    return {"procedure": f"trained on {int((~test).sum())} passages whose provenance is not "
                         f"{provenance!r}, tested on the {int(test.sum())} that are",
            "passages": int(test.sum()), "methods": results}


def leave_article_out(data: LabelledSet, lexicon: Lexicon, provenance: str, settings=None,
                      methods=EVALUATION_ORDER) -> dict:
    """Each article of this ``provenance`` in turn is tested on a model trained on every
    other passage (the other real articles included, weighted as in training); predictions
    are pooled. ``--leave-article-out seed`` asks: given everything else the project has,
    how well are the paragraphs of a real article it never saw tagged?"""
    settings = settings or Settings()
    held = _provenance_mask(data, provenance, "--leave-article-out")
    check_trainable(data.Y, data.groups, settings)
    groups = np.array(data.groups, dtype=object)
    articles = sorted(set(groups[held]))
    pooled = {m: np.zeros_like(data.Y) for m in methods}
    for article in articles:
        test = held & (groups == article)
        for method, predicted in _fit_and_predict(data, lexicon, ~test, test, settings,
                                                  methods).items():
            pooled[method][test] = predicted
    results = {m: metrics(data.Y[held], pooled[m][held]) for m in methods}
    return {"procedure": f"each of the {len(articles)} articles of provenance {provenance!r} "
                         f"tested on a model trained on all other passages; pooled",
            "passages": int(held.sum()), "methods": results}


def score_labelled(model: FrameModel, data: LabelledSet, methods=EVALUATION_ORDER) -> dict:
    """Score a trained model's methods on a labelled set it may never have seen."""
    results = {}
    for method in methods:
        predicted = np.zeros_like(data.Y)
        for row, prediction in enumerate(model.predict(data.texts, method)):
            for frame in prediction.frames:
                predicted[row, FRAMES.index(frame)] = 1
        results[method] = metrics(data.Y, predicted)
    return {"procedure": "trained model applied to a labelled file", "passages": len(data),
            "methods": results}


def summary_rows(report: dict) -> list[dict]:
    """Flatten an evaluation report into rows (method, frame, precision, recall, f1, support)."""
    rows = []
    for method, result in report["methods"].items():
        for frame, values in result["per_frame"].items():
            rows.append({"method": method, "frame": frame, **values})
        rows.append({"method": method, "frame": "macro", "precision": result["macro_precision"],
                     "recall": result["macro_recall"], "f1": result["macro_f1"],
                     "support": report["passages"]})
    return rows


assert set(EVALUATION_ORDER) == set(METHODS)
