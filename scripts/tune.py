"""Compare candidate Settings by CV macro-F1 and by the seed hold-out (train on written
passages, test on the real seed paragraphs). Prints one line per candidate; the defaults in
framing/learn.py:Settings were chosen with it.

    PYTHONPATH=. python scripts/tune.py
"""

import itertools

from framing.evaluate import cross_validate, holdout_evaluate
from framing.gold import gold_paths, load_labelled
from framing.learn import Settings
from framing.lexicon import Lexicon

data = load_labelled(gold_paths("corpus/gold"))
lexicon = Lexicon.load()
grid = {"C": [1.0, 4.0, 16.0], "fusion_weight": [0.4, 0.5, 0.6], "ngram_max": [1]}
for values in itertools.product(*grid.values()):
    settings = Settings(**dict(zip(grid, values)))
    cv = cross_validate(data, lexicon, settings)
    held = holdout_evaluate(data, lexicon, "seed", settings)
    print(dict(zip(grid, values)),
          "cv", {m: r["macro_f1"] for m, r in cv["methods"].items()},
          "seed-holdout", {m: r["macro_f1"] for m, r in held["methods"].items()}, flush=True)
