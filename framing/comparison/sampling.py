"""A coding sample: passages drawn at random within each group, for people to code.

:func:`draw_sample` segments a corpus exactly as ``framing compare`` does (same corpus forms,
same ``--by`` groups, same units), then draws ``per_group`` passages at random within each
group, without replacement, from a generator keyed by the seed and the group's name (the same
seed gives the same sheet, and adding a group does not change another group's draw).

With ``near_threshold=k`` the corpus is classified first and each group is split in two
strata: passages whose score for some frame lies within :data:`NEAR_MARGIN` of that frame's
threshold ("near", where tags are least sure) and the rest; ``k`` of the ``per_group``
passages come from "near", the others from "rest". Every record carries its stratum and
inclusion probability (drawn / passages in its stratum), which the corrected shares weight
by, so oversampling sharpens precision and recall without biasing the estimate.
"""

from __future__ import annotations

import os
from collections import defaultdict

import numpy as np

from framing.comparison.options import DEFAULT_SEED
from framing.comparison.stats import rng_for
from framing.errors import InputError, UsageError
from framing.frames import FRAMES, METHODS
from framing.io.atomic import refuse_overwriting_inputs
from framing.io.corpus import group_value, load_corpus, parse_by
from framing.text.segment import UNITS, segment

#: A passage is "near" a threshold when some frame's score is within this of its threshold.
NEAR_MARGIN = 0.1


def _check(per_group, near_threshold, unit, method) -> None:
    for name, value in (("--per-group", per_group), ("--near-threshold", near_threshold)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise UsageError(f"{name} must be a whole number >= 0, got {value!r}")
    if per_group < 1:
        raise UsageError("--per-group must be at least 1")
    if near_threshold > per_group:
        raise UsageError(f"--near-threshold ({near_threshold}) cannot exceed --per-group "
                         f"({per_group})")
    if unit not in UNITS:
        raise UsageError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")


def _near_passages(documents, model, method: str, unit: str) -> set:
    """(document position, passage index) of passages with a score near a threshold."""
    from framing.model.storage import load_model
    from framing.run.classify import classify_documents

    if isinstance(model, (str, os.PathLike)) or model is None:
        model = load_model(model)
    thresholds = np.asarray(model.thresholds[method])
    position = {(d.source, d.document_id): k for k, d in enumerate(documents)}
    near = set()
    for passage in classify_documents(documents, model=model, method=method, unit=unit):
        scores = np.array([passage.scores[f] for f in FRAMES])
        if np.any(np.abs(scores - thresholds) <= NEAR_MARGIN):
            near.add((position[(passage.source, passage.document_id)], passage.passage_index))
    return near


def _draw(population: list, count: int, rng) -> tuple[list, float]:
    """``count`` items of ``population`` at random (all when there are fewer), in their
    original order, and the inclusion probability of each."""
    if not population or count <= 0:
        return [], 1.0
    if count >= len(population):
        return list(population), 1.0
    chosen = np.sort(rng.choice(len(population), size=count, replace=False))
    return [population[k] for k in chosen], count / len(population)


def draw_sample(corpus: str | os.PathLike, *, per_group: int, by: str = "outlet",
                seed: int = DEFAULT_SEED, unit: str = "paragraph", near_threshold: int = 0,
                model=None, method: str = "hybrid", outputs=()) -> list[dict]:
    """Sheet records (see :mod:`framing.io.sheets`) of ``per_group`` random passages of each
    group of ``corpus``, ``frames`` null; groups in report order, passages in corpus order.

    ``model`` and ``method`` are used only with ``near_threshold`` (a model folder, a loaded
    ``FrameModel`` or None for the shipped one). ``outputs`` (files the caller will write)
    are refused, before any work, when one is a file of the corpus."""
    _check(per_group, near_threshold, unit, method)
    field_name, period = parse_by(by)
    loaded = load_corpus(corpus, by=by)
    documents = loaded.documents
    refuse_overwriting_inputs(outputs, [*filter(None, [loaded.manifest]),
                                        *dict.fromkeys(d.source for d in documents)])
    owners: dict = {}
    for document in documents:
        other = owners.setdefault(document.document_id, document.source)
        if other != document.source:
            raise InputError(f"{loaded.path}: two articles have the id "
                             f"{document.document_id!r} ({other}, {document.source}); a "
                             "coding sheet names passages by article id, so ids must differ")
    near = _near_passages(documents, model, method, unit) if near_threshold else set()
    strata: dict = defaultdict(lambda: {"near": [], "rest": []})
    for position, document in enumerate(documents):
        group = group_value(document.meta, field_name, period)
        for index, (start, end) in enumerate(segment(document.text, unit)):
            stratum = "near" if (position, index) in near else "rest"
            strata[group][stratum].append((position, index, start, end))
    if not strata:
        raise InputError(f"{loaded.path}: no passages to sample (every article is empty)")
    records = []
    for group in sorted(strata, key=lambda g: (g.casefold(), g)):
        rng = rng_for(seed, "sample", group)
        near_all, rest_all = strata[group]["near"], strata[group]["rest"]
        near_count = min(len(near_all), max(near_threshold, per_group - len(rest_all)))
        near_items, near_p = _draw(near_all, near_count, rng)
        rest_items, rest_p = _draw(rest_all, per_group - near_count, rng)
        drawn = [(item, "near", near_p) for item in near_items] + \
                [(item, "rest" if near_threshold else "all", rest_p) for item in rest_items]
        drawn.sort(key=lambda entry: entry[0][:2])
        for (position, index, start, end), stratum, probability in drawn:
            document = documents[position]
            records.append({"document_id": document.document_id, "passage_index": index,
                            "group": group, "unit": unit, "stratum": stratum,
                            "inclusion_probability": probability,
                            "text": document.text[start:end], "frames": None})
    return records


#: The public name (``framing.sample``): a sample, as ``framing sample`` draws it.
sample = draw_sample
