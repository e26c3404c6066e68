"""Compare candidate Settings by CV macro-F1 and by the seed hold-out (train on written
passages, test on the real seed paragraphs). Prints one line per candidate.

    PYTHONPATH=. python scripts/tune.py
"""

import itertools
import sys

from framing.evaluate import cross_validate, holdout_evaluate
from framing.gold import gold_paths, load_labelled
from framing.learn import Settings
from framing.lexicon import Lexicon

data = load_labelled(gold_paths("corpus/gold"))
lexicon = Lexicon.load()
grid = {"C": [1.0, 4.0], "lexicon_weight": [1.0, 2.0, 4.0], "lexicon_terms": [False, True]}
for values in itertools.product(*grid.values()):
    settings = Settings(**dict(zip(grid, values)))
    cv = cross_validate(data, lexicon, settings, methods=("lexicon", "model", "hybrid"))
    held = holdout_evaluate(data, lexicon, "seed", settings, methods=("lexicon", "model", "hybrid"))
    print(dict(zip(grid, values)),
          "cv", {m: r["macro_f1"] for m, r in cv["methods"].items()},
          "seed-holdout", {m: r["macro_f1"] for m, r in held["methods"].items()}, flush=True)
