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
import struct
import zipfile
import zlib
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
    except ValueError:  # e.g. an integer of thousands of digits (Python's conversion limit)
        raise ModelError(f"{location / JSON_NAME}: not a framing model (a number in it is "
                         f"too long); {RETRAIN_HINT}") from None
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
    except (KeyError, TypeError, ValueError, AttributeError, OSError, EOFError,
            OverflowError) as exc:
        raise ModelError(f"{location}: malformed model ({type(exc).__name__}: {exc}); "
                         f"{RETRAIN_HINT}") from None


#: Largest .npy header read from model.npz (numpy's own default limit).
MAX_ARRAY_HEADER_BYTES = 10_000
#: What reading a crafted archive can raise: a bad CRC or deflate stream, an unsupported or
#: encrypted member, a malformed header.
_ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, TypeError,
                   SyntaxError, OverflowError, struct.error, NotImplementedError, RuntimeError,
                   LookupError)


def _array_shapes(vocabulary_size: int) -> dict[str, tuple[int, ...]]:
    n = len(FRAMES)
    return {"idf": (vocabulary_size,), "coef": (n, vocabulary_size), "intercept": (n,),
            "calibration_a": (n,), "calibration_b": (n,)}


def _read_arrays(data: bytes, vocabulary_size: int) -> dict[str, np.ndarray]:
    """The five arrays of model.npz, each checked before anything is decompressed or
    allocated: exactly the five members; each no larger than its vocabulary allows (so a
    crafted archive cannot expand into gigabytes); each header declaring floating-point
    numbers in the shape the vocabulary gives (so a header cannot ask for terabytes); each
    holding exactly the bytes of that shape, with an intact CRC. The bytes are read here and
    wrapped as arrays; numpy's own loader never sees the file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except _ARCHIVE_ERRORS:
        raise ValueError("model.npz is not an array archive") from None
    names = sorted(info.filename for info in members)
    if names != sorted(f"{name}.npy" for name in ARRAY_NAMES):
        raise ValueError(f"model.npz holds {', '.join(names) or 'nothing'}, not the five arrays "
                         "of a framing model")
    shapes = _array_shapes(vocabulary_size)
    arrays = {}
    for info in members:
        name = info.filename[:-len(".npy")]
        shape = shapes[name]
        largest = 8 * math.prod(shape) + MAX_ARRAY_HEADER_BYTES  # float64 plus its header
        if info.file_size > largest:
            raise ValueError(f"model.npz member {info.filename} expands to {info.file_size:,} "
                             "bytes, more than its vocabulary allows")
        try:
            arrays[name] = _read_member(archive, info, name, shape, vocabulary_size)
        except _ARCHIVE_ERRORS as exc:
            if isinstance(exc, ValueError) and str(exc).startswith(f"array {name} "):
                raise
            kind = "zlib.error" if isinstance(exc, zlib.error) else type(exc).__name__
            raise ValueError(f"model.npz member {info.filename} is damaged ({kind}: {exc})") \
                from None
    return arrays


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str,
                 shape: tuple[int, ...], vocabulary_size: int) -> np.ndarray:
    """One member: its .npy header checked against ``shape``, then exactly its bytes."""
    from numpy.lib import format as npy

    with archive.open(info) as stream:
        version = npy.read_magic(stream)
        if version == (1, 0):
            declared, fortran_order, dtype = npy.read_array_header_1_0(
                stream, max_header_size=MAX_ARRAY_HEADER_BYTES)
        elif version in ((2, 0), (3, 0)):
            declared, fortran_order, dtype = npy.read_array_header_2_0(
                stream, max_header_size=MAX_ARRAY_HEADER_BYTES)
        else:
            raise ValueError(f"unknown .npy format version {version}")
        if dtype.kind != "f" or dtype.hasobject:
            raise ValueError(f"array {name} must hold finite floating-point numbers, not "
                             f"{dtype}")
        if tuple(declared) != shape:
            raise ValueError(f"array {name} declares shape {tuple(declared)}, but a model of "
                             f"{vocabulary_size:,} vocabulary terms needs {shape}")
        size = dtype.itemsize * math.prod(shape)
        body = stream.read(size + 1)  # to the end of the member: the CRC is checked there
    if len(body) != size:
        raise ValueError(f"array {name} holds {len(body):,} bytes of data, its shape needs "
                         f"{size:,}")
    array = np.frombuffer(body, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")
    return np.array(array, dtype=np.float64, order="C")  # a writable copy


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
    values = _read_arrays(data, len(document["vocabulary"]))
    for name, array in values.items():
        if not np.isfinite(array).all():
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
