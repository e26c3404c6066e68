"""A trained frame model on disk: plain arrays plus JSON, written atomically, read safely.

A model is a folder with these files:

- ``model.json``: format name and version, the framing version that wrote it, the vocabulary,
  the embedded lexicon, per-method thresholds, the model card, and the SHA-256 of the arrays;
- ``model.npz``: numeric arrays only (IDF weights, coefficients, intercepts, calibration),
  read with ``allow_pickle=False``;
- ``card.json`` and ``MODEL_CARD.md``: the model card alone, for people.

Loading therefore never unpickles and never executes code from the file: a crafted pickle is
just bytes that fail the format check. The arrays' checksum is verified before use, so a
truncated or tampered file is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np

from framing import __version__
from framing.errors import ModelError, OutputError
from framing.frames import FRAMES, METHODS
from framing.io.atomic import write_files_atomic
from framing.io.documents import missing_reason
from framing.lexicon import Lexicon
from framing.model.card import card_markdown
from framing.model.frame_model import FrameModel, LinearHead
from framing.text.tokens import STEMMER_NAME

FORMAT_NAME = "framing-model"
#: 2: the stemmer is recorded (Snowball 3 through PyStemmer replaced nltk's Snowball).
FORMAT_VERSION = 2
JSON_NAME, ARRAYS_NAME, CARD_NAME = "model.json", "model.npz", "card.json"
RETRAIN_HINT = "retrain it with `framing train --output DIR` and pass --model DIR"
#: Largest model.json or model.npz read, in bytes (the shipped model is well under 1 MB).
MAX_MODEL_FILE_BYTES = 256 * 1024 * 1024
ARRAY_NAMES = ("calibration_a", "calibration_b", "coef", "idf", "intercept")
#: Largest n-gram length a model may ask for (the vectoriser's cost grows with it).
MAX_NGRAM = 5


def save_model(model: FrameModel, directory: str | os.PathLike) -> Path:
    """Write model.npz, the cards and model.json into ``directory``, atomically as a set."""
    target = Path(directory)
    created = not target.exists()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{target}: cannot create the model folder "
                          f"({exc.strerror or exc})") from None
    arrays = {"idf": model.idf, "coef": model.head.coef, "intercept": model.head.intercept,
              "calibration_a": model.head.calibration_a,
              "calibration_b": model.head.calibration_b}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **{k: np.ascontiguousarray(v, dtype=np.float64)
                                   for k, v in arrays.items()})
    data = _deterministic_npz(buffer.getvalue())
    checksum = hashlib.sha256(data).hexdigest()
    document = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "framing_version": __version__,
        "frames": list(FRAMES),
        "arrays_sha256": checksum,
        "fusion_weight": model.fusion_weight,
        "ngram_max": model.ngram_max,
        "stemmer": STEMMER_NAME,
        "thresholds": model.thresholds,
        "lexicon": model.lexicon.to_text(),
        "lexicon_version": model.lexicon.version,
        "vocabulary": model.vocabulary,
        "card": model.card,
    }
    # All four files are renamed into place together (model.json last), so an interrupted
    # save leaves the previous model whole: never new arrays beside an old checksum.
    try:
        write_files_atomic([
            (target / ARRAYS_NAME, data),
            (target / CARD_NAME, json.dumps(model.card, indent=2, ensure_ascii=False) + "\n"),
            (target / "MODEL_CARD.md", card_markdown(model.card, checksum)),
            (target / JSON_NAME, json.dumps(document, indent=1, ensure_ascii=False) + "\n"),
        ])
    except BaseException:
        if created:  # leave no empty model folder behind
            with contextlib.suppress(OSError):
                target.rmdir()
        raise
    return target


def _deterministic_npz(data: bytes) -> bytes:
    """Rewrite a zip archive with fixed timestamps so the same model gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def default_model_dir():
    """The model shipped with the package (``models/framing-default`` in the repository)."""
    try:
        return resources.files("framing_models").joinpath("framing-default")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "models" / "framing-default"


def _read(location, name: str) -> bytes:
    try:
        with location.joinpath(name).open("rb") as handle:
            data = handle.read(MAX_MODEL_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ModelError(f"{location}: no {name} here; is this a framing model folder? "
                         f"{RETRAIN_HINT}") from None
    except OSError as exc:
        raise ModelError(f"{location / name}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_MODEL_FILE_BYTES:
        raise ModelError(f"{location / name}: over the {MAX_MODEL_FILE_BYTES:,}-byte limit for a "
                         f"model file; not a framing model? {RETRAIN_HINT}")
    return data


def load_model(path: str | os.PathLike | None = None) -> FrameModel:
    """Load a model folder (or its model.json) safely; the shipped model when ``path`` is None.

    Raises :class:`~framing.errors.ModelError` with a one-line reason for anything that is not
    an intact model of this format.
    """
    if path is None:
        location = default_model_dir()
    else:
        location = Path(path)
        if location.is_file():
            if location.name != JSON_NAME:
                raise ModelError(f"{path}: not a framing model (give the model folder, or its "
                                 f"{JSON_NAME}); {RETRAIN_HINT}")
            location = location.parent
        elif not location.exists():
            reason = missing_reason(location)
            raise ModelError(f"{path}: " + ("no such model folder" if reason == "no such file"
                                             else reason))
    raw = _read(location, JSON_NAME)
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ModelError(f"{location / JSON_NAME}: not a framing model (not JSON); "
                         f"{RETRAIN_HINT}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise ModelError(f"{location / JSON_NAME}: not a framing model file (written by another "
                         f"tool?); {RETRAIN_HINT}")
    if document.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"{location / JSON_NAME}: model format {document.get('format_version')!r} written by "
            f"framing {document.get('framing_version', '?')}; this framing reads format "
            f"{FORMAT_VERSION}: {RETRAIN_HINT}")
    if document.get("stemmer") != STEMMER_NAME:
        raise ModelError(f"{location / JSON_NAME}: trained on the stems of "
                         f"{document.get('stemmer')!r}, but this framing stems with "
                         f"{STEMMER_NAME!r}; {RETRAIN_HINT}")
    data = _read(location, ARRAYS_NAME)
    if hashlib.sha256(data).hexdigest() != document.get("arrays_sha256"):
        raise ModelError(f"{location / ARRAYS_NAME}: checksum does not match model.json "
                         f"(truncated, corrupted or tampered); {RETRAIN_HINT}")
    try:
        return _from_document(document, data)
    except ModelError as exc:  # the embedded lexicon
        raise ModelError(f"{location / JSON_NAME}: {exc}; {RETRAIN_HINT}") from None
    except (KeyError, TypeError, ValueError, AttributeError, OSError, EOFError) as exc:
        raise ModelError(f"{location}: malformed model ({type(exc).__name__}: {exc}); "
                         f"{RETRAIN_HINT}") from None


def _check_archive(data: bytes, vocabulary_size: int) -> None:
    """Before anything is decompressed: exactly the five arrays, each no larger than the
    vocabulary allows (so a crafted archive cannot expand into gigabytes)."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        raise ValueError("model.npz is not an array archive") from None
    names = sorted(info.filename for info in members)
    if names != sorted(f"{name}.npy" for name in ARRAY_NAMES):
        raise ValueError(f"model.npz holds {', '.join(names) or 'nothing'}, not the five arrays "
                         "of a framing model")
    largest = 8 * len(FRAMES) * max(vocabulary_size, 1) + 4096  # coef, float64, plus header
    for info in members:
        if info.file_size > largest:
            raise ValueError(f"model.npz member {info.filename} expands to {info.file_size:,} "
                             "bytes, more than its vocabulary allows")


def _finite(values, what: str) -> list[float]:
    numbers = [float(v) for v in values]
    if any(isinstance(v, bool) for v in values) or not all(map(math.isfinite, numbers)):
        raise ValueError(f"{what} must be finite numbers")
    return numbers


def _from_document(document: dict, data: bytes) -> FrameModel:
    if not isinstance(document.get("vocabulary"), list) or \
            not all(isinstance(term, str) for term in document["vocabulary"]):
        raise ValueError("'vocabulary' must be a list of strings")
    if not isinstance(document.get("lexicon"), str):
        raise ValueError("'lexicon' must be the lexicon's TSV text")
    if not isinstance(document.get("thresholds"), dict):
        raise ValueError("'thresholds' must map each method to four numbers")
    ngram_max = document.get("ngram_max")
    if isinstance(ngram_max, bool) or not isinstance(ngram_max, int) \
            or not 1 <= ngram_max <= MAX_NGRAM:
        raise ValueError(f"'ngram_max' must be a whole number from 1 to {MAX_NGRAM}")
    (fusion_weight,) = _finite([document.get("fusion_weight")], "'fusion_weight'")
    if not 0.0 <= fusion_weight <= 1.0:
        raise ValueError("'fusion_weight' must be between 0 and 1")
    if not isinstance(document.get("card", {}), dict):
        raise ValueError("'card' must be an object")
    _check_archive(data, len(document["vocabulary"]))
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        values = {name: arrays[name] for name in arrays.files}
    for name, array in values.items():
        if array.dtype.kind != "f" or not np.isfinite(array).all():
            raise ValueError(f"array {name} must hold finite floating-point numbers")
    head = LinearHead(values["coef"], values["intercept"], values["calibration_a"],
                      values["calibration_b"])
    vocabulary = [str(term) for term in document["vocabulary"]]
    lexicon = Lexicon.from_text(document["lexicon"], "<model lexicon>")
    n = len(FRAMES)
    if values["idf"].shape != (len(vocabulary),) or head.coef.shape != (n, len(vocabulary)) \
            or any(v.shape != (n,) for v in (head.intercept, head.calibration_a, head.calibration_b)):
        raise ValueError("model arrays do not match its vocabulary")
    thresholds = {m: _finite(document["thresholds"][m], f"thresholds of {m}") for m in METHODS}
    if any(len(t) != n for t in thresholds.values()):
        raise ValueError("model thresholds do not cover the four frames")
    return FrameModel(lexicon=lexicon, vocabulary=vocabulary, idf=values["idf"], head=head,
                      fusion_weight=fusion_weight, thresholds=thresholds,
                      ngram_max=ngram_max, card=document.get("card", {}))
