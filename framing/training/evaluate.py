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
from framing.training.fitting import (REAL_PROVENANCES, Settings, check_trainable, cv_splits,
                                      fit_methods, passage_weights)

EVALUATION_ORDER = ("lexicon", "model", "hybrid")


def metrics(Y_true: np.ndarray, Y_pred: np.ndarray) -> dict:
    """Per-frame precision, recall, F1 and support, and their macro averages.

    A value whose denominator is zero is undefined and reported as None (null in JSON), never
    as 0: precision with no predicted positives, recall with no true positives, F1 with
    neither. A macro average is over the frames where the value is defined (None if none).
    """
    precision, recall, f1, support = precision_recall_fscore_support(
        Y_true, Y_pred, average=None, zero_division=np.nan, labels=list(range(len(FRAMES))))
    per_frame = {frame: {"precision": _defined(precision[k]), "recall": _defined(recall[k]),
                         "f1": _defined(f1[k]), "support": int(support[k])}
                 for k, frame in enumerate(FRAMES)}
    return {"per_frame": per_frame,
            "macro_precision": _macro(precision), "macro_recall": _macro(recall),
            "macro_f1": _macro(f1)}


def _defined(value) -> float | None:
    return None if np.isnan(value) else round(float(value), 4)


def _macro(values: np.ndarray) -> float | None:
    defined = values[~np.isnan(values)]
    return round(float(defined.mean()), 4) if defined.size else None


#: Fewest passages of an outlet for its own row in ``by_outlet`` (F1 on fewer is noise).
MIN_OUTLET_PASSAGES = 20


def evaluation_report(procedure: str, data: LabelledSet, predictions: dict[str, np.ndarray],
                      rows: np.ndarray | None = None) -> dict:
    """Metrics of each method's predictions on ``data`` (on ``rows`` only, when given), and
    the same per unit (paragraph, headline) and per outlet where the records say them."""
    rows = np.arange(len(data)) if rows is None else np.flatnonzero(rows) \
        if rows.dtype == bool else rows
    Y = data.Y[rows]
    report = {"procedure": procedure, "passages": int(len(rows)),
              "methods": {m: metrics(Y, p[rows]) for m, p in predictions.items()}}
    records = [data.records[i] for i in rows]
    for key, name, minimum in (("unit", "by_unit", 1), ("outlet", "by_outlet", MIN_OUTLET_PASSAGES)):
        values = np.array([str(r.get(key) or "") for r in records], dtype=object)
        kinds = sorted(v for v in set(values) if v)
        if not kinds or (key == "unit" and len(kinds) == 1 and len(set(values)) == 1):
            continue
        breakdown = {}
        for kind in kinds:
            mask = values == kind
            if mask.sum() >= minimum:
                breakdown[kind] = {"passages": int(mask.sum()),
                                   "methods": {m: metrics(Y[mask], p[rows][mask])
                                               for m, p in predictions.items()}}
        if breakdown:
            report[name] = breakdown
    return report


def scored_rows(data: LabelledSet) -> np.ndarray:
    """Which passages cross-validation scores: the real ones (seed paragraphs and paraphrased
    real items) when the set has any, else all. Invented passages then only ever train:
    a figure measured on text the project wrote itself would flatter every method."""
    real = np.array([str(r.get("provenance")) in REAL_PROVENANCES for r in data.records])
    return real if real.any() else np.ones(len(data), dtype=bool)


def cross_validate(data: LabelledSet, lexicon: Lexicon, settings=None,
                   methods=EVALUATION_ORDER) -> dict:
    """Stratified group k-fold CV of each method over the scored passages
    (:func:`scored_rows`); the other passages join every training fold. Out-of-fold
    predictions are pooled."""
    settings = settings or Settings()
    scored = scored_rows(data)
    always_train = np.flatnonzero(~scored)
    rows = np.flatnonzero(scored)
    groups = [data.groups[i] for i in rows]
    check_trainable(data.Y[rows], groups, settings, settings.folds)
    weights = passage_weights(data.records, settings)
    predictions = {m: np.zeros_like(data.Y) for m in methods}
    splits = [(np.concatenate([rows[train], always_train]), rows[test])
              for train, test in cv_splits(data.Y[rows], groups, settings.folds, settings.seed)]
    for train, test in splits:
        train_texts = [data.texts[i] for i in train]
        test_texts = [data.texts[i] for i in test]
        train_groups = [data.groups[i] for i in train]
        fitted = fit_methods(methods, lexicon, train_texts, data.Y[train], train_groups, settings,
                             weights[train])
        for method in methods:
            predictions[method][test] = fitted[method].predict(lexicon, test_texts)
    grouping = "outlet" if any(g.startswith("outlet:") for g in groups) else "article"
    extra = (f"; {len(always_train)} invented passages train every fold and are never scored"
             if len(always_train) else "")
    return evaluation_report(
        f"stratified group {len(splits)}-fold cross-validation grouped by {grouping}, seed "
        f"{settings.seed}; thresholds by inner {settings.threshold_folds}-fold CV{extra}",
        data, predictions, rows)


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
    predictions = {}
    for method, predicted in _fit_and_predict(data, lexicon, ~test, test, settings,
                                              methods).items():
        predictions[method] = np.zeros_like(data.Y)
        predictions[method][test] = predicted
    return evaluation_report(f"trained on {int((~test).sum())} passages whose provenance is "
                             f"not {provenance!r}, tested on the {int(test.sum())} that are",
                             data, predictions, test)


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
    return evaluation_report(f"each of the {len(articles)} articles of provenance "
                             f"{provenance!r} tested on a model trained on all other "
                             "passages; pooled", data, pooled, held)


def score_labelled(model: FrameModel, data: LabelledSet, methods=EVALUATION_ORDER) -> dict:
    """Score a trained model's methods on a labelled set it may never have seen."""
    predictions = {}
    for method in methods:
        scores = model.scores(data.texts, method)
        predictions[method] = (scores >= np.asarray(model.thresholds[method])).astype(np.int64)
    return evaluation_report("trained model applied to a labelled file", data, predictions)


def summary_rows(report: dict) -> list[dict]:
    """Flatten an evaluation report into rows (subset, method, frame, precision, recall, f1,
    support): every frame for all passages, then the macro row of each unit."""
    rows = []
    for method, result in report["methods"].items():
        for frame, values in result["per_frame"].items():
            rows.append({"subset": "all", "method": method, "frame": frame, **values})
        rows.append({"subset": "all", "method": method, "frame": "macro",
                     "precision": result["macro_precision"], "recall": result["macro_recall"],
                     "f1": result["macro_f1"], "support": report["passages"]})
    for unit, part in report.get("by_unit", {}).items():
        for method, result in part["methods"].items():
            rows.append({"subset": unit, "method": method, "frame": "macro",
                         "precision": result["macro_precision"],
                         "recall": result["macro_recall"], "f1": result["macro_f1"],
                         "support": part["passages"]})
    return rows


assert set(EVALUATION_ORDER) == set(METHODS)
