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

import hashlib
import io
import json
import math
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from .atomic import write_bytes_atomic, write_text_atomic
from .errors import ModelError
from .frames import FRAMES, METHODS
from .lexicon import Lexicon

FORMAT_NAME = "framing-model"
FORMAT_VERSION = 1
JSON_NAME, ARRAYS_NAME, CARD_NAME = "model.json", "model.npz", "card.json"
#: How many of a model's strongest features are reported as evidence for each tag.
EVIDENCE_FEATURES = 5
RETRAIN_HINT = "retrain it with `framing train --output DIR` and pass --model DIR"


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
        decision = np.asarray(X @ self.coef.T) + self.intercept
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
            from .features import text_vectorizer

            vectorizer = text_vectorizer(ngram_max=self.ngram_max)
            vectorizer.vocabulary_ = {term: i for i, term in enumerate(self.vocabulary)}
            vectorizer.idf_ = self.idf
            self._cached_vectorizer = vectorizer
        return self._cached_vectorizer

    def features(self, texts: list[str]):
        """TF-IDF rows (sparse) of the model's vocabulary."""
        return self._vectorizer().transform(texts)

    # -- decisions -----------------------------------------------------------------------
    def _lexicon_part(self, matches_per_text) -> np.ndarray:
        rows = [Lexicon.frame_scores(matches) for matches in matches_per_text]
        return np.array([[lexicon_probability(r[f]) for f in FRAMES] for r in rows],
                        dtype=float).reshape(len(rows), len(FRAMES))

    def predict(self, texts: list[str], method: str = "hybrid") -> list[Prediction]:
        """Frames, scores (0..1, all four frames) and evidence for each text."""
        check_method(method)
        texts = list(texts)
        if not texts:
            return []
        matches = [self.lexicon.match(t) for t in texts] if method != "model" else None
        X = self.features(texts) if method != "lexicon" else None
        if method == "lexicon":
            scores = self._lexicon_part(matches)
        else:
            scores = self.head.probabilities(X)
            if method == "hybrid":
                w = self.fusion_weight
                scores = w * scores + (1.0 - w) * self._lexicon_part(matches)
        thresholds = np.asarray(self.thresholds[method])
        predictions = []
        for row in range(len(texts)):
            tagged = [f for k, f in enumerate(FRAMES) if scores[row, k] >= thresholds[k]]
            evidence = {}
            for frame in tagged:
                entry = {}
                if matches is not None:
                    entry["lexicon"] = [m.to_dict() for m in matches[row] if m.frame == frame]
                if X is not None:
                    entry["features"] = self._top_features(X[row], FRAMES.index(frame))
                evidence[frame] = entry
            predictions.append(Prediction(
                frames=tagged,
                scores={f: round(float(scores[row, k]), 4) for k, f in enumerate(FRAMES)},
                evidence=evidence))
        return predictions

    def _top_features(self, x_row, k: int) -> list[dict]:
        """The model's strongest positive contributions (TF-IDF value x coefficient)."""
        coef = self.head.coef[k]
        indices, values = x_row.indices, x_row.data
        contributions = values * coef[indices]
        order = np.argsort(-contributions, kind="stable")[:EVIDENCE_FEATURES]
        return [{"feature": self.vocabulary[indices[i]],
                 "contribution": round(float(contributions[i]), 4)}
                for i in order if contributions[i] > 0]

    # -- persistence ---------------------------------------------------------------------
    def save(self, directory: str | os.PathLike) -> Path:
        """Write model.npz then model.json (each atomically) into ``directory``."""
        from . import __version__

        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        arrays = {"idf": self.idf, "coef": self.head.coef, "intercept": self.head.intercept,
                  "calibration_a": self.head.calibration_a,
                  "calibration_b": self.head.calibration_b}
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **{k: np.ascontiguousarray(v, dtype=np.float64)
                                       for k, v in arrays.items()})
        data = _deterministic_npz(buffer.getvalue())
        document = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "framing_version": __version__,
            "frames": list(FRAMES),
            "arrays_sha256": hashlib.sha256(data).hexdigest(),
            "fusion_weight": self.fusion_weight,
            "ngram_max": self.ngram_max,
            "thresholds": self.thresholds,
            "lexicon": self.lexicon.to_text(),
            "lexicon_version": self.lexicon.version,
            "vocabulary": self.vocabulary,
            "card": self.card,
        }
        write_bytes_atomic(target / ARRAYS_NAME, data)
        write_text_atomic(target / CARD_NAME, json.dumps(self.card, indent=2, ensure_ascii=False) + "\n")
        write_text_atomic(target / "MODEL_CARD.md", card_markdown(self.card))
        write_text_atomic(target / JSON_NAME, json.dumps(document, indent=1, ensure_ascii=False) + "\n")
        return target


def card_markdown(card: dict) -> str:
    """The model card for people: what the model is, its data, and its measured quality."""
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
        return location.joinpath(name).read_bytes()
    except FileNotFoundError:
        raise ModelError(f"{location}: no {name} here; is this a framing model folder? "
                         f"{RETRAIN_HINT}") from None
    except OSError as exc:
        raise ModelError(f"{location / name}: cannot read ({exc.strerror or exc})") from None


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
            location = location.parent
        elif not location.exists():
            raise ModelError(f"{path}: no such model folder")
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
    except ModelError:
        raise
    except (KeyError, TypeError, ValueError, OSError) as exc:
        raise ModelError(f"{location}: malformed model ({type(exc).__name__}: {exc}); "
                         f"{RETRAIN_HINT}") from None


def _from_document(document: dict, data: bytes) -> FrameModel:
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        values = {name: arrays[name] for name in arrays.files}
    head = LinearHead(values["coef"], values["intercept"], values["calibration_a"],
                      values["calibration_b"])
    vocabulary = [str(term) for term in document["vocabulary"]]
    lexicon = Lexicon.from_text(document["lexicon"], "<model lexicon>")
    n = len(FRAMES)
    if values["idf"].shape != (len(vocabulary),) or head.coef.shape != (n, len(vocabulary)) \
            or any(v.shape != (n,) for v in (head.intercept, head.calibration_a, head.calibration_b)):
        raise ModelError("model arrays do not match its vocabulary; " + RETRAIN_HINT)
    thresholds = {m: [float(t) for t in document["thresholds"][m]] for m in METHODS}
    if any(len(t) != n for t in thresholds.values()):
        raise ModelError("model thresholds do not cover the four frames; " + RETRAIN_HINT)
    return FrameModel(lexicon=lexicon, vocabulary=vocabulary, idf=values["idf"], head=head,
                      fusion_weight=float(document["fusion_weight"]), thresholds=thresholds,
                      ngram_max=int(document["ngram_max"]), card=document.get("card", {}))
