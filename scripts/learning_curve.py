"""How the grouped-CV figures grow with the amount of real training gold: would more
paraphrased, double-coded data of the same kind reach issue 11's targets?

For each fraction, a random share of the training outlets (seeded) keeps its paraphrased
records and the rest are dropped; invented passages stay. The smaller set is then
cross-validated exactly as ``framing evaluate`` does (grouped by outlet, real passages scored).
Reads corpus/gold/*.jsonl only, never the frozen test.

    PYTHONPATH=. python scripts/learning_curve.py                      # 0.5, 0.75, 1.0; 2 draws
    PYTHONPATH=. python scripts/learning_curve.py --fractions 0.25,0.5 --draws 3
"""

from __future__ import annotations

import argparse
import random

import numpy as np

from framing.io.labelled import LabelledSet, gold_paths, load_labelled, outlet_key
from framing.lexicon import Lexicon
from framing.training.evaluate import cross_validate
from framing.training.fitting import Settings


def keep_outlets(data: LabelledSet, fraction: float, draw: int) -> LabelledSet:
    """The set with only ``fraction`` of the paraphrases' outlets (drawn with seed ``draw``)."""
    outlets = sorted({outlet_key(r["outlet"]) for r in data.records
                      if r.get("provenance") == "paraphrase"})
    kept = set(random.Random(draw).sample(outlets, round(len(outlets) * fraction)))
    keep = np.array([r.get("provenance") != "paraphrase" or outlet_key(r["outlet"]) in kept
                     for r in data.records])
    pick = np.flatnonzero(keep)
    return LabelledSet([data.ids[i] for i in pick], [data.texts[i] for i in pick], data.Y[keep],
                       [data.groups[i] for i in pick], [data.records[i] for i in pick],
                       data.sha256)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fractions", default="0.5,0.75,1.0")
    parser.add_argument("--draws", type=int, default=2)
    args = parser.parse_args()
    data, lexicon = load_labelled(gold_paths("corpus/gold")), Lexicon.load()
    print("fraction | draw | real passages scored | hybrid | model | lexicon | "
          "hybrid headlines | hybrid paragraphs")
    for fraction in (float(f) for f in args.fractions.split(",")):
        for draw in range(1 if fraction >= 1 else args.draws):
            subset = keep_outlets(data, fraction, draw)
            report = cross_validate(subset, lexicon, Settings())
            methods = {m: r["macro_f1"] for m, r in report["methods"].items()}
            units = {u: p["methods"]["hybrid"]["macro_f1"]
                     for u, p in report.get("by_unit", {}).items()}
            print(f"{fraction:.2f} | {draw} | {report['passages']} | {methods['hybrid']:.3f} | "
                  f"{methods['model']:.3f} | {methods['lexicon']:.3f} | "
                  f"{units.get('headline', float('nan')):.3f} | "
                  f"{units.get('paragraph', float('nan')):.3f}", flush=True)


if __name__ == "__main__":
    main()
