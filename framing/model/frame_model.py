"""A trained frame model as plain arrays plus JSON, and the decision it makes.

A model is a folder with two files:

- ``model.json``: format name and version, the framing version that wrote it, the vocabulary,
  the embedded lexicon, per-method thresholds, the model card, and the SHA-256 of the arrays;
- ``model.npz``: numeric arrays only (IDF weights, coefficients, intercepts, calibration),
  read with ``allow_pickle=False``;
- ``card.json``: the model card alone, for people (a copy of the card in model.json).

Loading therefore never unpickles and never executes code from the file: a crafted pickle is
just bytes that fail the format check. The arrays' checksum is verified before use, so a
truncated or tampered file is refused.

Three methods share one :class:`FrameModel`:

``lexicon``  per-frame sum of cue weights, squashed to 0..1, against a threshold chosen by CV;
``model``    TF-IDF over stemmed words into calibrated one-vs-rest logistic regression;
``hybrid``   the two fused, ``w * model + (1 - w) * lexicon`` per frame (the default).

Every method has its own per-frame thresholds, chosen by cross-validation at training time.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from framing.io.atomic import write_files_atomic
from framing.errors import ModelError, OutputError
from framing.frames import FRAMES, METHODS
from framing.lexicon import Lexicon

FORMAT_NAME = "framing-model"
FORMAT_VERSION = 1
JSON_NAME, ARRAYS_NAME, CARD_NAME = "model.json", "model.npz", "card.json"
#: How many of a model's strongest features are reported as evidence for each tag.
EVIDENCE_FEATURES = 5
RETRAIN_HINT = "retrain it with `framing train --output DIR` and pass --model DIR"
#: Decimal places of the scores and contributions in the output.
DECIMALS = 4
#: Largest model.json or model.npz read, in bytes (the shipped model is well under 1 MB).
MAX_MODEL_FILE_BYTES = 256 * 1024 * 1024
ARRAY_NAMES = ("calibration_a", "calibration_b", "coef", "idf", "intercept")
#: Largest n-gram length a model may ask for (the vectoriser's cost grows with it).
MAX_NGRAM = 5


def rounded(values) -> list:
    """Scores and contributions as reported: :data:`DECIMALS` places, as Python floats."""
    return np.round(np.asarray(values, dtype=np.float64), DECIMALS).tolist()


def lexicon_probability(score: float) -> float:
    """Map a summed cue weight (any real) to 0..1: no cues is 0, strong cues approach 1."""
    return 1.0 - math.exp(-score) if score > 0 else 0.0


@dataclass
class LinearHead:
    """Calibrated one-vs-rest logistic regression as arrays (one row per frame)."""

    coef: np.ndarray          # (4, n_features)
    intercept: np.ndarray     # (4,)
    calibration_a: np.ndarray  # (4,) Platt scaling: p = 1 / (1 + exp(a * d + b))
    calibration_b: np.ndarray  # (4,)

    def probabilities(self, X) -> np.ndarray:
        """Calibrated probabilities of TF-IDF rows: scipy CSR, or
        :class:`framing.model.tfidf.SparseRows` (the same numbers, without scipy)."""
        product = X.dot_transposed(self.coef) if hasattr(X, "dot_transposed") else X @ self.coef.T
        decision = np.asarray(product) + self.intercept
        return 1.0 / (1.0 + np.exp(self.calibration_a * decision + self.calibration_b))


@dataclass
class Prediction:
    frames: list[str]
    scores: dict[str, float]
    evidence: dict


@dataclass
class FrameModel:
    lexicon: Lexicon
    vocabulary: list[str]
    idf: np.ndarray
    head: LinearHead                    # the model method's classifier
    fusion_weight: float                # hybrid = w * model + (1 - w) * lexicon
    thresholds: dict[str, list[float]]  # per method, one per frame
    ngram_max: int = 1                  # word n-grams of the vocabulary: 1..ngram_max
    card: dict = field(default_factory=dict)

    # -- features ------------------------------------------------------------------------
    def _vectorizer(self):
        if not hasattr(self, "_cached_vectorizer"):
            from framing.training.features import text_vectorizer

            vectorizer = text_vectorizer(ngram_max=self.ngram_max)
            vectorizer.vocabulary_ = {term: i for i, term in enumerate(self.vocabulary)}
            vectorizer.idf_ = self.idf
            self._cached_vectorizer = vectorizer
        return self._cached_vectorizer

    def _tfidf(self):
        if not hasattr(self, "_cached_tfidf"):
            from framing.model.tfidf import CompactTfidf

            self._cached_tfidf = CompactTfidf(self.vocabulary, self.idf, self.ngram_max)
        return self._cached_tfidf

    def features(self, texts: list[str]):
        """TF-IDF rows (sparse) of the model's vocabulary.

        Built with numpy from the vocabulary and IDF (:class:`framing.model.tfidf.CompactTfidf`),
        equal to what scikit-learn's vectorizer (:meth:`_vectorizer`) gives, without
        importing scikit-learn.
        """
        return self._tfidf().transform(list(texts))

    def __getstate__(self):
        state = dict(self.__dict__)
        for cache in ("_cached_vectorizer", "_cached_tfidf"):
            state.pop(cache, None)
        return state

    # -- decisions -----------------------------------------------------------------------
    @staticmethod
    def _lexicon_part(table) -> np.ndarray:
        """:func:`lexicon_probability` of each text's per-frame cue totals."""
        totals = table.frame_totals()
        return np.array([lexicon_probability(v) for v in totals.ravel().tolist()],
                        dtype=np.float64).reshape(totals.shape)

    def predict(self, texts: list[str], method: str = "hybrid") -> list[Prediction]:
        """Frames, scores (0..1, all four frames) and evidence for each text."""
        check_method(method)
        texts = list(texts)
        if not texts:
            return []
        from framing.text.batch import split_batch

        parts_lists, stem_lists = split_batch(texts)  # once, for the lexicon and the TF-IDF
        table = (self.lexicon.match_table(texts, stem_lists, parts_lists)
                 if method != "model" else None)
        del parts_lists
        X = self._tfidf().transform_stems(stem_lists) if method != "lexicon" else None
        if method == "lexicon":
            scores = self._lexicon_part(table)
        else:
            scores = self.head.probabilities(X)
            if method == "hybrid":
                w = self.fusion_weight
                scores = w * scores + (1.0 - w) * self._lexicon_part(table)
        thresholds = np.asarray(self.thresholds[method])
        tagged_mask = scores >= thresholds
        tags = tagged_mask.tolist()
        values = rounded(scores)
        cues = table.evidence(tagged_mask) if table is not None else None
        features = (self._strongest_features(X, tagged_mask) if X is not None
                    else [{} for _ in texts])
        predictions = []
        for row in range(len(texts)):
            tagged = [f for f, tag in zip(FRAMES, tags[row]) if tag]
            evidence = {}
            for frame in tagged:
                entry = {}
                if cues is not None:
                    entry["lexicon"] = cues[row].get(frame, [])
                if X is not None:
                    entry["features"] = features[row].get(frame, [])
                evidence[frame] = entry
            predictions.append(Prediction(frames=tagged, scores=dict(zip(FRAMES, values[row])),
                                          evidence=evidence))
        return predictions

    def _top_features(self, x_row, k: int) -> list[dict]:
        """The model's strongest positive contributions (TF-IDF value x coefficient) to frame
        ``k`` in one row: the per-row reference for :meth:`_strongest_features`."""
        indices, values = x_row.indices, x_row.data
        contributions = values * self.head.coef[k][indices]
        order = np.argsort(-contributions, kind="stable")[:EVIDENCE_FEATURES]
        order = order[contributions[order] > 0]
        return [{"feature": self.vocabulary[indices[i]], "contribution": value}
                for i, value in zip(order, rounded(contributions[order]))]

    def _strongest_features(self, X, tagged_mask: np.ndarray) -> list[dict]:
        """For every row and each frame tagged in it, :meth:`_top_features` (tested equal),
        for the whole batch at once: one stable sort per frame instead of one per row."""
        n_rows = X.shape[0]
        row_of_all = X.row_of_entries()
        found: list[dict] = [{} for _ in range(n_rows)]
        for k, frame in enumerate(FRAMES):
            in_tagged = tagged_mask[row_of_all, k]  # only the rows tagged with this frame
            if not in_tagged.any():
                continue
            row_of, columns = row_of_all[in_tagged], X.indices[in_tagged]
            contributions = X.data[in_tagged] * self.head.coef[k][columns]
            order = np.lexsort((-contributions, row_of))  # by row, strongest first, stable
            starts = np.flatnonzero(np.r_[True, row_of[1:] != row_of[:-1]])
            rank = np.arange(len(row_of)) - np.repeat(starts, np.diff(np.r_[starts, len(row_of)]))
            keep = order[(rank < EVIDENCE_FEATURES) & (contributions[order] > 0)]
            if not len(keep):
                continue
            kept_rows = row_of[keep]
            names = [self.vocabulary[c] for c in columns[keep].tolist()]
            values = rounded(contributions[keep])
            bounds = np.flatnonzero(np.diff(kept_rows)) + 1
            for lo, hi in zip([0, *bounds.tolist()], [*bounds.tolist(), len(keep)]):
                found[int(kept_rows[lo])][frame] = [
                    {"feature": name, "contribution": value}
                    for name, value in zip(names[lo:hi], values[lo:hi])]
        return found

    # -- persistence ---------------------------------------------------------------------
    def save(self, directory: str | os.PathLike) -> Path:
        """Write model.npz, the cards and model.json into ``directory``, atomically as a set."""
        from framing import __version__

        target = Path(directory)
        created = not target.exists()
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{target}: cannot create the model folder "
                              f"({exc.strerror or exc})") from None
        arrays = {"idf": self.idf, "coef": self.head.coef, "intercept": self.head.intercept,
                  "calibration_a": self.head.calibration_a,
                  "calibration_b": self.head.calibration_b}
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
            "fusion_weight": self.fusion_weight,
            "ngram_max": self.ngram_max,
            "thresholds": self.thresholds,
            "lexicon": self.lexicon.to_text(),
            "lexicon_version": self.lexicon.version,
            "vocabulary": self.vocabulary,
            "card": self.card,
        }
        # All four files are renamed into place together (model.json last), so an interrupted
        # save leaves the previous model whole: never new arrays beside an old checksum.
        try:
            write_files_atomic([
                (target / ARRAYS_NAME, data),
                (target / CARD_NAME, json.dumps(self.card, indent=2, ensure_ascii=False) + "\n"),
                (target / "MODEL_CARD.md", card_markdown(self.card, checksum)),
                (target / JSON_NAME, json.dumps(document, indent=1, ensure_ascii=False) + "\n"),
            ])
        except BaseException:
            if created:  # leave no empty model folder behind
                with contextlib.suppress(OSError):
                    target.rmdir()
            raise
        return target


def card_markdown(card: dict, arrays_sha256: str | None = None) -> str:
    """The model card for people: what the model is, its data, its measured quality, and the
    checksum that loading verifies."""
    data = card.get("training_data", {})
    lines = [f"# Model card: {card.get('name', 'framing model')}", "",
             card.get("description", ""), "",
             "## Training data", "",
             f"- passages: {data.get('passages')} (provenance: "
             + ", ".join(f"{k} {v}" for k, v in data.get("provenance", {}).items()) + ")",
             "- label counts: " + ", ".join(f"{k} {v}" for k, v in data.get("label_counts", {}).items()),
             f"- sha256 of the gold files: `{data.get('sha256')}`",
             f"- lexicon: version {card.get('lexicon', {}).get('version')}, "
             f"{card.get('lexicon', {}).get('terms')} terms", "",
             "## Settings", "", "```json", json.dumps(card.get("settings", {}), indent=2), "```", ""]
    cv = card.get("cross_validation")
    if cv:
        lines += ["## Cross-validated quality", "", cv["procedure"] + ".", "",
                  "| method | frame | precision | recall | F1 |", "|---|---|---|---|---|"]
        for method, result in cv["methods"].items():
            for frame, v in result["per_frame"].items():
                lines.append(f"| {method} | {frame} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} |")
            lines.append(f"| {method} | **macro** | {result['macro_precision']:.3f} | "
                         f"{result['macro_recall']:.3f} | **{result['macro_f1']:.3f}** |")
        lines.append("")
    if arrays_sha256:
        lines += ["## Integrity", "",
                  f"- sha256 of `{ARRAYS_NAME}`: `{arrays_sha256}`. `{JSON_NAME}` records it, and "
                  "loading refuses the model (exit 4) when the arrays do not match it. Nothing in "
                  "a model folder is unpickled or executed.", ""]
    lines += ["## Thresholds", "", "```json", json.dumps(card.get("thresholds", {}), indent=2), "```", "",
              "## Versions", "", "```json", json.dumps(card.get("versions", {}), indent=2), "```", "",
              "## Limits", "",
              "The gold passages are the seed articles' paragraphs plus passages written by the "
              "project's annotators; quality on other outlets and other wars is expected to be "
              "lower than these cross-validated figures. Reproduce them with "
              "`framing train` (or `framing evaluate`) from the repository root.", ""]
    return "\n".join(lines)


def _deterministic_npz(data: bytes) -> bytes:
    """Rewrite a zip archive with fixed timestamps so the same model gives the same bytes."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")


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
            from framing.io.documents import missing_reason

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
    import zipfile

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
