"""The comparison's Python API: :func:`compare` a corpus, or :func:`compare_passages`.

:func:`compare_passages`, the pure part, takes classified passages (``PassageResult`` objects
or their ``to_dict()`` records) and returns a
:class:`~framing.comparison.result.ComparisonResult`: per group and frame the share of
passages tagged with an interval, the same per article, omnibus and pairwise tests,
Jensen-Shannon divergences, distinctive terms, typifying quotes, and (given a baseline
report) what moved. :func:`compare` loads a corpus and a model, classifies the corpus, and
calls it.
"""

from __future__ import annotations

import functools
import os
from typing import Callable, Iterable, Iterator

from framing.comparison.accumulate import Accumulator
from framing.comparison.analysis import MIN_EXPECTED, analyse
from framing.comparison.checks import check_groups
from framing.comparison.cluster import ClusterPassages
from framing.comparison.gates import load_baseline
from framing.comparison.options import (DEFAULT_CONFIDENCE, DEFAULT_MIN_GROUP_SIZE,
                                        DEFAULT_PRIOR_SCALE, DEFAULT_RESAMPLES, DEFAULT_SEED,
                                        DEFAULT_TOP_QUOTES, DEFAULT_TOP_TERMS,
                                        check_choices, check_group_options, check_options)
from framing.comparison.result import ComparisonResult
from framing.comparison.terms import stop_words, terms
from framing.comparison.validation import CodedSample
from framing.errors import InputError, UsageError
from framing.frames import FRAMES, METHODS
from framing.io.atomic import refuse_overwriting_inputs
from framing.io.corpus import MAX_LISTED_PROBLEMS, canonical_by, parse_by
from framing.io.corpus_stream import open_corpus
from framing.io.mapped import release_free_heap
from framing.io.tagged import is_tagged_file, read_tagged
from framing.model.storage import load_model
from framing.run.classify import classify_documents
from framing.text.segment import UNITS


def compare_passages(passages: Iterable, *, by: str = "outlet",
                     confidence: float = DEFAULT_CONFIDENCE,
                     bootstrap: int = DEFAULT_RESAMPLES, permutations: int = DEFAULT_RESAMPLES,
                     seed: int = DEFAULT_SEED, top_terms: int = DEFAULT_TOP_TERMS,
                     top_quotes: int = DEFAULT_TOP_QUOTES,
                     prior_scale: float = DEFAULT_PRIOR_SCALE,
                     baseline: dict | str | os.PathLike | None = None,
                     fail_on_shift: float | None = None,
                     fail_on_divergence: float | None = None,
                     min_group_size: int = DEFAULT_MIN_GROUP_SIZE, dedupe: bool = False,
                     pairs: str = "auto", settings: dict | None = None, validation=None,
                     model_card: dict | None = None,
                     adjust: str | None = None,
                     articles_once: bool = False) -> ComparisonResult:
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
    fail_on_shift, fail_on_divergence : CI gate thresholds (see
        :func:`~framing.comparison.gates.evaluate_gates`).
    min_group_size : groups with fewer passages are flagged ``small`` (0: none is).
    dedupe : drop a passage whose normal form (case, spacing and punctuation at the ends
        ignored) was already seen in its group; the first one, in input order, is kept. With
        or without it, such duplicates are counted per group (see
        :mod:`framing.comparison.checks`).
    pairs : ``"auto"``: every pair of up to 30 groups, adjacent periods when grouping by
        date, the top pairs beyond 30 groups (:mod:`framing.comparison.pairs`); ``"all"``:
        every pair whatever the number of groups (quadratic).
    settings : extra settings to record in the report (method, unit, model, corpus).
    validation : a coded sheet (path, or its records; see ``framing sample``): adds corrected
        shares with intervals that include the tagger's error, and per-group precision and
        recall (:mod:`framing.comparison.validation`).
    model_card : the model's card, to state the tags' measured accuracy in the report.
    adjust : ``"model-card"``: adjusted classify-and-count shares from the card's error rates.
    articles_once : the passages of each article come one after another and no article comes
        again later (as classifying a corpus, whose ids are unique, gives them): no index of
        the articles by id is kept. Without it an article may come back at any point.

    Returns
    -------
    ComparisonResult
    """
    check_options(confidence=confidence, bootstrap=bootstrap, permutations=permutations,
                  top_terms=top_terms, top_quotes=top_quotes, prior_scale=prior_scale,
                  baseline=baseline, fail_on_shift=fail_on_shift,
                  fail_on_divergence=fail_on_divergence)
    check_group_options(min_group_size=min_group_size)
    check_choices(pairs=pairs, adjust=adjust)
    field_name, period = parse_by(by)
    baseline_report = load_baseline(baseline) if isinstance(baseline, (str, os.PathLike)) \
        else baseline
    coded = CodedSample.load(validation, (settings or {}).get("unit")) \
        if validation is not None else None
    stop = stop_words()
    acc = Accumulator(FRAMES, field_name, period, top_quotes,
                      tokenise=functools.partial(terms, stop=stop), dedupe=bool(dedupe),
                      coded_sample=coded, articles_once=bool(articles_once))
    if isinstance(passages, ClusterPassages):  # classified and accumulated on the cluster
        passages.accumulate_into(acc)
    else:
        for passage in passages:
            acc.add(passage)
    acc.finish()
    release_free_heap()  # what counting the corpus freed, before the statistics
    if acc.problems:
        listed = acc.problems[:MAX_LISTED_PROBLEMS]
        raise InputError(f"{len(acc.problems)} article(s) cannot be grouped by {by}, nothing "
                         "was compared:\n" + "\n".join(f"  {p}" for p in listed))
    if not acc.article_count:
        raise InputError("no passages to compare: the corpus is empty")
    if coded is not None:
        coded.check()
    recorded = {"by": canonical_by(by), "confidence": confidence, "bootstrap": bootstrap,
                "permutations": permutations, "seed": seed, "top_terms": top_terms,
                "top_quotes": top_quotes, "prior_scale": prior_scale,
                "min_expected": MIN_EXPECTED, "min_group_size": min_group_size,
                "dedupe": bool(dedupe), "pairs": pairs, **(settings or {})}
    if coded is not None:
        recorded["validation"] = coded.source
    if adjust:
        recorded["adjust"] = adjust
    result = analyse(acc, recorded, baseline_report, fail_on_shift, fail_on_divergence,
                     card=model_card, adjust=adjust)
    check_groups(result, acc, min_group_size, bool(dedupe))
    del acc
    release_free_heap()  # and what the statistics freed, before the reports are written
    return result


def _tracked(documents, total: int, progress: Callable[[int, int], None]) -> Iterator:
    for done, document in enumerate(documents):
        progress(done, total)
        yield document
    progress(total, total)


def compare(corpus: str | os.PathLike, *, model=None, method: str | None = None,
            unit: str | None = None, by: str = "outlet",
            baseline: str | os.PathLike | dict | None = None,
            fail_on_shift: float | None = None, fail_on_divergence: float | None = None,
            confidence: float = DEFAULT_CONFIDENCE, bootstrap: int = DEFAULT_RESAMPLES,
            permutations: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
            top_terms: int = DEFAULT_TOP_TERMS, top_quotes: int = DEFAULT_TOP_QUOTES,
            prior_scale: float = DEFAULT_PRIOR_SCALE,
            min_group_size: int = DEFAULT_MIN_GROUP_SIZE, dedupe: bool = False,
            pairs: str = "auto", progress: Callable[[int, int], None] | None = None, jobs: int | None = 1,
            scheduler=None, validation=None, adjust: str | None = None,
            outputs: Iterable[str | os.PathLike | None] = ()) -> ComparisonResult:
    """Load ``corpus``, classify every passage, and compare the groups.

    ``model`` is a model folder (or a loaded ``FrameModel``; None for the shipped one);
    ``method`` and ``unit`` are those of ``framing classify`` (None: hybrid, paragraph).
    A ``corpus`` that is a JSONL file of tagged passages (the output of ``framing classify
    --format jsonl``, see :mod:`framing.io.tagged`) is not classified again: its tags are
    read, the settings say ``tags: "read"``, and giving a model, method or unit for it is a
    UsageError. ``progress(done, total)`` is
    called as articles are classified. ``jobs`` and ``scheduler`` spread the classification
    over processes or a Dask cluster, as for ``framing classify`` (same result). The other
    parameters are those of :func:`compare_passages`. Problems with options, corpus, model or baseline raise a
    :class:`~framing.errors.FramingError` before any classification; so does an entry of
    ``outputs`` (files the caller will write, None for standard output) that is one of the
    corpus's files, its manifest or an article (the same file, by device and inode).
    ``validation`` (a coded sheet) and ``adjust`` are those of :func:`compare_passages`; the
    sheet is read and checked before any classification.

    Examples
    --------
    >>> result = compare("corpus/", by="outlet")              # doctest: +SKIP
    >>> result.share("NPR", "civilian_harm")["interval"]      # doctest: +SKIP
    """
    if method is not None and method not in METHODS:
        raise UsageError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if unit is not None and unit not in UNITS:
        raise UsageError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    check_options(confidence=confidence, bootstrap=bootstrap, permutations=permutations,
                  top_terms=top_terms, top_quotes=top_quotes, prior_scale=prior_scale,
                  baseline=baseline, fail_on_shift=fail_on_shift,
                  fail_on_divergence=fail_on_divergence)
    check_group_options(min_group_size=min_group_size)
    check_choices(pairs=pairs, adjust=adjust)
    field_name, _ = parse_by(by)
    baseline_report = load_baseline(baseline) if isinstance(baseline, (str, os.PathLike)) \
        else baseline
    tagged = is_tagged_file(corpus)
    # tagged passages do not record their unit: a sheet's unit is checked on raw corpora only
    coded = CodedSample.load(validation, None if tagged else unit or "paragraph") \
        if validation is not None else None
    sheet = [validation] if isinstance(validation, (str, os.PathLike)) else []
    card = None
    if tagged:
        _refuse_classifier_options(corpus, model=model, method=method, unit=unit)
        refuse_overwriting_inputs(outputs, [corpus, *sheet])
        passages = read_tagged(corpus, field_name)
        settings = {"corpus": os.fspath(corpus), "tags": "read"}
    else:
        passages, settings, card = _classified(corpus, by, model, method or "hybrid",
                                               unit or "paragraph", progress, jobs, scheduler,
                                               outputs, sheet)
    return compare_passages(passages, by=by, confidence=confidence, bootstrap=bootstrap,
                            permutations=permutations, seed=seed, top_terms=top_terms,
                            top_quotes=top_quotes, prior_scale=prior_scale,
                            baseline=baseline_report, fail_on_shift=fail_on_shift,
                            fail_on_divergence=fail_on_divergence,
                            min_group_size=min_group_size, dedupe=dedupe, pairs=pairs,
                            settings=settings, validation=coded, model_card=card, adjust=adjust,
                            articles_once=not tagged)


def _refuse_classifier_options(corpus, **given) -> None:
    named = [name for name, value in given.items() if value is not None]
    if named:
        options = ", ".join(f"--{name}" for name in named)
        raise UsageError(f"{options}: {os.fspath(corpus)} holds tagged passages (framing "
                         "classify output), whose tags are read, not computed again; leave "
                         f"out {options}, or compare the raw records")


def _classified(corpus, by, model, method, unit, progress, jobs, scheduler, outputs, sheet):
    """The passages of a raw corpus, classified (a stream), the settings to record, and the
    model's card."""
    loaded = open_corpus(corpus, by=by)  # a JSONL of records is checked, then read again
    refuse_overwriting_inputs(outputs, [*filter(None, [loaded.manifest]), *sheet,
                                        *loaded.sources])
    if isinstance(model, (str, os.PathLike)) or model is None:
        model_name = os.fspath(model) if model is not None else "default"
        model = load_model(model)
    else:
        model_name = "custom"
    documents = loaded.read()
    stream = _tracked(documents, len(loaded), progress) if progress else documents
    if scheduler:
        passages = ClusterPassages(stream, model, method, unit, scheduler)
    else:
        passages = classify_documents(stream, model=model, method=method, unit=unit,
                                      jobs=jobs)
    return passages, {"corpus": loaded.path, "method": method, "unit": unit,
                      "model": model_name}, model.card
