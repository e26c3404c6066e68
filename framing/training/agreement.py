"""Inter-annotator agreement between two labelling passes, per frame.

Each frame is a binary coding decision per passage, so agreement is Krippendorff's alpha
(nominal/binary distance, computed by nltk's :class:`~nltk.metrics.agreement.AnnotationTask`)
over the passages both passes labelled, plus raw percent agreement and Cohen's kappa.
"""

from __future__ import annotations

import os
from typing import Iterable

from framing.errors import InputError
from framing.frames import FRAMES
from framing.io.labelled import frame_list_problem, id_problem, json_records


def read_labels(paths: Iterable[str | os.PathLike]) -> dict[str, set[str]]:
    """``id -> frames`` from JSONL files with ``id`` and ``frames``.

    Every malformed record (bad JSON, no ``id``, ``frames`` not a list of frame names, an id
    given twice, in one file or across the files of one pass) is collected and raised as one
    InputError: agreement over silently dropped or overwritten labels would mislead.
    """
    labels: dict[str, set[str]] = {}
    where_seen: dict[str, str] = {}
    problems: list[str] = []
    paths = [os.fspath(path) for path in paths]
    for where, record in json_records(paths, problems):
        if not isinstance(record, dict) or "id" not in record or "frames" not in record:
            problems.append(f"{where}: need a JSON object with 'id' and 'frames'")
            continue
        raw_id, frames = record["id"], record["frames"]
        if id_problem(raw_id):
            problems.append(f"{where}: {id_problem(raw_id)}")
            continue
        problem = frame_list_problem(frames)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        key = str(raw_id)
        if key in labels:
            problems.append(f"{where}: duplicate id {key!r} (first at {where_seen[key]})")
            continue
        labels[key], where_seen[key] = set(frames), where
    if problems:
        shown = problems[:20] + ([f"and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise InputError(f"{len(problems)} problem(s) in labels: " + "; ".join(shown))
    return labels


def agreement(first: dict[str, set[str]], second: dict[str, set[str]]) -> dict:
    """Per-frame alpha, kappa and percent agreement over the ids both passes labelled.

    Ids only one pass labelled are left out and counted (``unmatched_first``,
    ``unmatched_second``). Where both passes gave every passage the same value for a frame
    (no passage has it, or every one does), agreement beyond chance is undefined: alpha and
    kappa are None (null), not 1; the mean alpha is over the frames where it is defined.
    """
    from nltk.metrics.agreement import AnnotationTask
    from nltk.metrics.distance import binary_distance

    shared = sorted(set(first) & set(second))
    if len(shared) < 2:
        raise InputError(f"only {len(shared)} passage(s) labelled by both passes; need 2 or more")
    per_frame = {}
    for frame in FRAMES:
        data = [(coder, item, int(frame in labels[item]))
                for coder, labels in (("first", first), ("second", second)) for item in shared]
        same = sum((frame in first[i]) == (frame in second[i]) for i in shared)
        alpha = kappa = None
        if len({value for _, _, value in data}) > 1:  # else: one value everywhere, undefined
            task = AnnotationTask(data=data, distance=binary_distance)
            try:
                alpha, kappa = round(float(task.alpha()), 4), round(float(task.kappa()), 4)
            except ZeroDivisionError:  # pragma: no cover - only with one value everywhere
                pass
        per_frame[frame] = {"alpha": alpha, "kappa": kappa,
                            "percent_agreement": round(100 * same / len(shared), 1),
                            "positives_first": sum(frame in first[i] for i in shared),
                            "positives_second": sum(frame in second[i] for i in shared)}
    exact = sum(first[i] == second[i] for i in shared)
    alphas = [v["alpha"] for v in per_frame.values() if v["alpha"] is not None]
    return {"passages": len(shared),
            "unmatched_first": len(set(first) - set(second)),
            "unmatched_second": len(set(second) - set(first)),
            "per_frame": per_frame,
            "mean_alpha": round(sum(alphas) / len(alphas), 4) if alphas else None,
            "exact_match_percent": round(100 * exact / len(shared), 1)}
