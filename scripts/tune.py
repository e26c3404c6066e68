"""Compare candidate Settings, and the ablation of the invented passages, by cross-validation
grouped by outlet on the training gold (corpus/gold/*.jsonl; never the frozen test in
corpus/gold/test/). Only real passages are scored; invented ones (provenance "written") join
every training fold, or are left out with --without-invented. Prints one line per candidate
with macro-F1 per method, for all scored passages and per unit.

    PYTHONPATH=. python scripts/tune.py                                # the defaults
    PYTHONPATH=. python scripts/tune.py --without-invented             # ablation
    PYTHONPATH=. python scripts/tune.py C=2,4,8 fusion_weight=0.3,0.5,0.7 class_weight=balanced,none
"""

import itertools
import sys

from framing.io.labelled import gold_paths, load_labelled
from framing.lexicon import Lexicon
from framing.training.evaluate import cross_validate
from framing.training.fitting import Settings


def parse(value: str):
    if value.lower() == "none":
        return None
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


args = [a for a in sys.argv[1:] if not a.startswith("--")]
grid = {name: [parse(v) for v in values.split(",")]
        for name, values in (arg.split("=", 1) for arg in args)} or {"seed": [13]}
data = load_labelled(gold_paths("corpus/gold"))
if "--without-invented" in sys.argv:
    keep = [r.get("provenance") != "written" for r in data.records]
    data = type(data)([i for i, k in zip(data.ids, keep) if k],
                      [t for t, k in zip(data.texts, keep) if k], data.Y[keep],
                      [g for g, k in zip(data.groups, keep) if k],
                      [r for r, k in zip(data.records, keep) if k], data.sha256)
lexicon = Lexicon.load()


def summary(report):
    line = {m: r["macro_f1"] for m, r in report["methods"].items()}
    for unit, part in report.get("by_unit", {}).items():
        line[unit] = {m: r["macro_f1"] for m, r in part["methods"].items()}
    return line


for values in itertools.product(*grid.values()):
    settings = Settings(**dict(zip(grid, values)))
    print(dict(zip(grid, values)), len(data), summary(cross_validate(data, lexicon, settings)),
          flush=True)
