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
``model``    TF-IDF word n-grams into calibrated one-vs-rest logistic regression;
``hybrid``   the same classifier over lexicon features *and* TF-IDF (the default).
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
    lexicon_weight: float
    heads: dict[str, LinearHead]       # "model" and "hybrid"
    thresholds: dict[str, list[float]]  # per method, one per frame
    card: dict = field(default_factory=dict)

    # -- features ------------------------------------------------------------------------
    def _featurizers(self):
        if not hasattr(self, "_cached_featurizers"):
            from .features import LexiconFeatures, text_vectorizer

            vectorizer = text_vectorizer()
            vectorizer.vocabulary_ = {term: i for i, term in enumerate(self.vocabulary)}
            vectorizer.idf_ = self.idf
            lexicon_features = LexiconFeatures(self.lexicon.to_text()).fit()
            self._cached_featurizers = (vectorizer, lexicon_features)
        return self._cached_featurizers

    def feature_names(self, method: str) -> list[str]:
        vectorizer, lexicon_features = self._featurizers()
        names = list(self.vocabulary)
        if method == "hybrid":
            names = list(lexicon_features.get_feature_names_out()) + names
        return names

    def features(self, texts: list[str], method: str):
        from scipy import sparse

        vectorizer, lexicon_features = self._featurizers()
        text_block = vectorizer.transform(texts)
        if method == "model":
            return text_block
        lexical = lexicon_features.transform(texts) * self.lexicon_weight
        return sparse.hstack([lexical, text_block], format="csr")

    # -- decisions -----------------------------------------------------------------------
    def scores(self, texts: list[str], method: str) -> np.ndarray:
        """Scores in 0..1, shape (n_texts, 4), for ``method``."""
        check_method(method)
        if method == "lexicon":
            return np.array([[lexicon_probability(s[f]) for f in FRAMES]
                             for s in (Lexicon.frame_scores(self.lexicon.match(t)) for t in texts)]
                            ).reshape(len(texts), len(FRAMES))
        return self.heads[method].probabilities(self.features(texts, method))

    def predict(self, texts: list[str], method: str = "hybrid") -> list[Prediction]:
        """Frames, scores and evidence for each text."""
        check_method(method)
        texts = list(texts)
        if not texts:
            return []
        thresholds = np.asarray(self.thresholds[method])
        if method == "lexicon":
            X = None
            scores = self.scores(texts, method)
        else:
            X = self.features(texts, method)
            scores = self.heads[method].probabilities(X)
            names = self.feature_names(method)
        predictions = []
        for row, text in enumerate(texts):
            tagged = [f for k, f in enumerate(FRAMES) if scores[row, k] >= thresholds[k]]
            matches = self.lexicon.match(text) if method != "model" else []
            evidence = {}
            for frame in tagged:
                k = FRAMES.index(frame)
                entry = {"lexicon": [m.to_dict() for m in matches if m.frame == frame]}
                if X is not None:
                    entry["features"] = self._top_features(X[row], k, method, names)
                evidence[frame] = entry
            predictions.append(Prediction(
                frames=tagged,
                scores={f: round(float(scores[row, k]), 4) for k, f in enumerate(FRAMES)},
                evidence=evidence))
        return predictions

    def _top_features(self, x_row, k: int, method: str, names: list[str]) -> list[dict]:
        coef = self.heads[method].coef[k]
        indices, values = x_row.indices, x_row.data
        contributions = values * coef[indices]
        order = np.argsort(-contributions, kind="stable")[:EVIDENCE_FEATURES]
        return [{"feature": names[indices[i]], "contribution": round(float(contributions[i]), 4)}
                for i in order if contributions[i] > 0]

    # -- persistence ---------------------------------------------------------------------
    def save(self, directory: str | os.PathLike) -> Path:
        """Write model.npz then model.json (each atomically) into ``directory``."""
        from . import __version__

        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        arrays = {"idf": self.idf}
        for name, head in sorted(self.heads.items()):
            arrays[f"{name}.coef"] = head.coef
            arrays[f"{name}.intercept"] = head.intercept
            arrays[f"{name}.calibration_a"] = head.calibration_a
            arrays[f"{name}.calibration_b"] = head.calibration_b
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
            "lexicon_weight": self.lexicon_weight,
            "thresholds": self.thresholds,
            "lexicon": self.lexicon.to_text(),
            "lexicon_version": self.lexicon.version,
            "vocabulary": self.vocabulary,
            "card": self.card,
        }
        write_bytes_atomic(target / ARRAYS_NAME, data)
        write_text_atomic(target / CARD_NAME, json.dumps(self.card, indent=2, ensure_ascii=False) + "\n")
        write_text_atomic(target / JSON_NAME, json.dumps(document, indent=1, ensure_ascii=False) + "\n")
        return target


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
    heads = {}
    for name in ("model", "hybrid"):
        heads[name] = LinearHead(values[f"{name}.coef"], values[f"{name}.intercept"],
                                 values[f"{name}.calibration_a"], values[f"{name}.calibration_b"])
    vocabulary = list(document["vocabulary"])
    lexicon = Lexicon.from_text(document["lexicon"], "<model lexicon>")
    n_lexical = len(FRAMES) + len(lexicon.terms)
    if values["idf"].shape != (len(vocabulary),) or \
            heads["model"].coef.shape != (len(FRAMES), len(vocabulary)) or \
            heads["hybrid"].coef.shape != (len(FRAMES), n_lexical + len(vocabulary)):
        raise ModelError("model arrays do not match its vocabulary and lexicon; " + RETRAIN_HINT)
    thresholds = {m: [float(t) for t in document["thresholds"][m]] for m in METHODS}
    return FrameModel(lexicon=lexicon, vocabulary=vocabulary, idf=values["idf"],
                      lexicon_weight=float(document["lexicon_weight"]), heads=heads,
                      thresholds=thresholds, card=document.get("card", {}))
