"""Labelled passages (gold data) for training and evaluation.

A labelled file is JSONL with at least ``text`` and ``frames`` (a list of frame names) per
record; ``id``, ``provenance``, ``annotator``, ``source``, ``outlet`` and ``unit`` are kept
when present. Cross-validation groups passages by outlet where a record names one (so a fold
tests outlets it never trained on, as real use does), else by source article, so that no
article straddles folds.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from framing.io.documents import decode_text, parse_json_line, read_input
from framing.errors import InputError
from framing.frames import FRAMES


@dataclass
class LabelledSet:
    ids: list[str]
    texts: list[str]
    Y: np.ndarray            # (n, 4) 0/1 in FRAMES order
    groups: list[str]        # CV groups: the outlet, else the source article, else the passage
    records: list[dict]
    sha256: str              # of the files' bytes, in order: identifies the training data

    def __len__(self) -> int:
        return len(self.texts)

    def label_counts(self) -> dict:
        counts = {f: int(self.Y[:, k].sum()) for k, f in enumerate(FRAMES)}
        counts["none"] = int((self.Y.sum(axis=1) == 0).sum())
        counts["total"] = len(self)
        return counts


#: Spellings of one outlet that writers used; keys are already normalised (:func:`outlet_key`).
OUTLET_ALIASES = {"bbc news": "bbc", "yahoo news uk": "yahoo news",
                  "ukrainian news agency": "ukrainian news", "sputnik india": "sputnik",
                  "pravda en": "news pravda", "abc australia": "abc news australia"}


def outlet_key(name: str) -> str:
    """One key per outlet however it is spelled: "The Kyiv Independent" and "Kyiv
    Independent" are "kyiv independent"."""
    key = re.sub(r"^the\s+", "", str(name).strip().casefold())
    key = re.sub(r"[^a-z0-9]+", " ", key).strip()
    return OUTLET_ALIASES.get(key, key)


def cv_group(record: dict, record_id: str) -> str:
    """The cross-validation group of a labelled record: its outlet, else its article."""
    outlet = record.get("outlet")
    if isinstance(outlet, str) and outlet.strip():
        return "outlet:" + outlet_key(outlet)
    return str(record.get("source") or record.get("article") or record_id)


def frame_list_problem(frames) -> str | None:
    """What is wrong with a record's ``frames`` value, or None: shared by every reader of
    labels (gold files and labelling passes)."""
    if not isinstance(frames, list) or not all(isinstance(f, str) for f in frames):
        return "'frames' must be a list of frame names"
    unknown = sorted(set(frames) - set(FRAMES))
    if unknown:
        return f"unknown frame(s) {', '.join(map(repr, unknown))}"
    return None


def id_problem(raw_id) -> str | None:
    """Why a record's ``id`` cannot name it (None when it can: a string or an integer)."""
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)):
        return "'id' must be a string or an integer"
    return None


def gold_paths(folder: str | os.PathLike) -> list[Path]:
    """The gold files of a folder: its ``*.jsonl`` (label-only files such as the second,
    blind pass live in its ``labels/`` subfolder and are not training data)."""
    return sorted(Path(folder).glob("*.jsonl"))


def json_records(paths: Iterable[str | os.PathLike], problems: list[str], digest=None):
    """``(where, record)`` for every JSON line of labelled files (gold data or a coding
    pass); each unreadable file or malformed line is appended to ``problems`` instead.
    ``digest`` (a hashlib object), when given, is fed every file's bytes in order."""
    for path in paths:
        try:
            data = read_input(os.fspath(path), "labelled file")
            text = decode_text(data, os.fspath(path))
        except InputError as exc:
            problems.append(str(exc))
            continue
        if digest is not None:
            digest.update(data)
        if not text.strip():
            problems.append(f"{path}: no labelled passages (the file is empty)")
            continue
        for line_no, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            where = f"{path}:{line_no}"
            try:
                yield where, parse_json_line(line, where)
            except InputError as exc:
                problems.append(str(exc))


def load_labelled(paths: Iterable[str | os.PathLike]) -> LabelledSet:
    """Read labelled JSONL files; every malformed record is reported, all at once."""
    ids, texts, rows, groups, records, problems = [], [], [], [], [], []
    digest = hashlib.sha256()
    seen_ids: set[str] = set()
    paths = [Path(path) for path in paths]
    for where, record in json_records(paths, problems, digest):
        if not isinstance(record, dict) or not isinstance(record.get("text"), str) \
                or not record["text"].strip():
            problems.append(f"{where}: record needs a non-empty string 'text'")
            continue
        frames = record.get("frames")
        problem = frame_list_problem(frames)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        raw_id = record.get("id", where)
        if id_problem(raw_id):
            problems.append(f"{where}: {id_problem(raw_id)}")
            continue
        record_id = str(raw_id)
        if record_id in seen_ids:
            problems.append(f"{where}: duplicate id {record_id!r}")
            continue
        seen_ids.add(record_id)
        ids.append(record_id)
        texts.append(record["text"])
        rows.append([1 if f in frames else 0 for f in FRAMES])
        groups.append(cv_group(record, record_id))
        records.append(record)
    if problems:
        shown = "; ".join(problems[:20]) + (f"; and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise InputError(f"{len(problems)} problem(s) in labelled data: {shown}")
    if not texts:
        raise InputError(f"{', '.join(map(str, paths)) or 'no files given'}: no labelled "
                         "passages found")
    Y = np.asarray(rows, dtype=np.int64).reshape(len(rows), len(FRAMES))
    return LabelledSet(ids, texts, Y, groups, records, digest.hexdigest())
