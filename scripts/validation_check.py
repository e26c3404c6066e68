"""Issue 12's acceptance check: corrected shares on the frozen test set used as a corpus.

The frozen test set (corpus/gold/test/real_test.jsonl: real-reporting paraphrases from
outlets never seen in training, each blind double-coded and adjudicated) is compared by
outlet with the shipped model. For each seed, ``framing sample`` draws --per-group passages
per outlet, they are "coded" with their gold frames (the coded truth), and ``framing
compare --validation`` corrects the shares. Reported: how often the corrected 95% interval
covers the outlet's coded truth (the gold share over all its passages), and the mean
absolute error of corrected and raw shares, over all outlet x frame cells and over the cells
of outlets larger than the sample (where the correction has work to do).

    python scripts/validation_check.py                     # 15 per outlet, seed 1
    python scripts/validation_check.py --seeds 1 2 3 4 5   # the same over several draws

This reads the frozen test set, which is allowed once per release to report it: nothing in
the estimator is set by it (its settings come from benchmarks/validation_coverage.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

import framing
from framing.frames import FRAMES

FROZEN = Path(__file__).resolve().parent.parent / "corpus" / "gold" / "test" / "real_test.jsonl"


def corpus_from_gold(gold: Path, target: Path) -> dict:
    """A JSONL corpus of the gold records (scalar fields only); returns id -> gold frames."""
    truth, lines = {}, []
    for line in gold.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            truth[record["id"]] = list(record["frames"])
            lines.append(json.dumps({"id": record["id"], "outlet": record["outlet"],
                                     "unit": record.get("unit"), "text": record["text"]}))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return truth


def check(corpus: Path, truth: dict, per_group: int, seed: int) -> list[dict]:
    """One draw: per outlet x frame, truth, raw and corrected share, interval, passages."""
    sheet = framing.sample(corpus, by="outlet", per_group=per_group, unit="whole", seed=seed)
    coded = [{**r, "frames": truth[r["document_id"]]} for r in sheet]
    result = framing.compare(corpus, unit="whole", by="outlet", validation=coded,
                             bootstrap=0, permutations=0, top_terms=0, top_quotes=0)
    members: dict = {}
    for row in result.articles:
        members.setdefault(row["group"], []).append(row["document_id"])
    cells = []
    for row in result.shares:
        ids = members[row["group"]]
        true_share = float(np.mean([row["frame"] in truth[i] for i in ids]))
        low, high = row["corrected"]["interval"]
        cells.append({"group": row["group"], "frame": row["frame"], "passages": len(ids),
                      "truth": true_share, "raw": row["share"],
                      "corrected": row["corrected"]["share"],
                      "covered": low - 1e-9 <= true_share <= high + 1e-9})
    return cells


def summary(cells: list[dict]) -> str:
    covered = np.mean([c["covered"] for c in cells])
    raw = np.mean([abs(c["raw"] - c["truth"]) for c in cells])
    corrected = np.mean([abs(c["corrected"] - c["truth"]) for c in cells])
    return (f"{len(cells)} cells: coverage {covered:.3f}, MAE corrected {corrected * 100:.2f} "
            f"points, raw {raw * 100:.2f} points")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-group", type=int, default=15)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--gold", type=Path, default=FROZEN)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "frozen_as_corpus.jsonl"
        truth = corpus_from_gold(args.gold, corpus)
        everything = []
        for seed in args.seeds:
            cells = check(corpus, truth, args.per_group, seed)
            everything += cells
            larger = [c for c in cells if c["passages"] > args.per_group]
            outlets = len({c["group"] for c in cells})
            print(f"seed {seed}: {outlets} outlets, {len(truth)} passages, "
                  f"{args.per_group} coded per outlet")
            print(f"  all outlet x frame cells:           {summary(cells)}")
            print(f"  outlets with more than {args.per_group} passages: {summary(larger)}")
        if len(args.seeds) > 1:
            larger = [c for c in everything if c["passages"] > args.per_group]
            print(f"over {len(args.seeds)} seeds: all {summary(everything)}; "
                  f"larger outlets {summary(larger)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
