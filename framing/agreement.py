"""Inter-annotator agreement between two labelling passes, per frame.

Each frame is a binary coding decision per passage, so agreement is Krippendorff's alpha
(nominal/binary distance, computed by nltk's :class:`~nltk.metrics.agreement.AnnotationTask`)
over the passages both passes labelled, plus raw percent agreement and Cohen's kappa.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable

from .errors import InputError
from .frames import FRAMES


def read_labels(paths: Iterable[str | os.PathLike]) -> dict[str, set[str]]:
    """``id -> frames`` from JSONL files with ``id`` and ``frames``."""
    labels: dict[str, set[str]] = {}
    for path in paths:
        for line_no, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                labels[str(record["id"])] = set(record["frames"])
            except (json.JSONDecodeError, KeyError, TypeError):
                raise InputError(f"{path}:{line_no}: need a JSON object with 'id' and 'frames'") from None
    return labels


def agreement(first: dict[str, set[str]], second: dict[str, set[str]]) -> dict:
    """Per-frame alpha, kappa and percent agreement over the ids both passes labelled."""
    from nltk.metrics.agreement import AnnotationTask
    from nltk.metrics.distance import binary_distance

    shared = sorted(set(first) & set(second))
    if len(shared) < 2:
        raise InputError(f"only {len(shared)} passage(s) labelled by both passes; need 2 or more")
    per_frame = {}
    for frame in FRAMES:
        data = [(coder, item, int(frame in labels[item]))
                for coder, labels in (("first", first), ("second", second)) for item in shared]
        task = AnnotationTask(data=data, distance=binary_distance)
        same = sum((frame in first[i]) == (frame in second[i]) for i in shared)
        try:
            alpha, kappa = task.alpha(), task.kappa()
        except ZeroDivisionError:  # both passes gave one value everywhere: perfect agreement
            alpha = kappa = 1.0
        per_frame[frame] = {"alpha": round(alpha, 4), "kappa": round(kappa, 4),
                            "percent_agreement": round(100 * same / len(shared), 1),
                            "positives_first": sum(frame in first[i] for i in shared),
                            "positives_second": sum(frame in second[i] for i in shared)}
    exact = sum(first[i] == second[i] for i in shared)
    return {"passages": len(shared), "per_frame": per_frame,
            "mean_alpha": round(sum(v["alpha"] for v in per_frame.values()) / len(FRAMES), 4),
            "exact_match_percent": round(100 * exact / len(shared), 1)}
