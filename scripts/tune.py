"""Compare candidate Settings by CV macro-F1, by the seed hold-out (train on written
passages, test on the real seed paragraphs) and by leave-one-seed-article-out (the recipe of
the shipped model). Prints one line per candidate; the defaults in
framing/learn.py:Settings were chosen with it (see the CHANGELOG for the figures).

    PYTHONPATH=. python scripts/tune.py                      # the real-article weight
    PYTHONPATH=. python scripts/tune.py C=2,4,8 fusion_weight=0.3,0.5,0.7
"""

import itertools
import sys

from framing.training.evaluate import cross_validate, holdout_evaluate, leave_article_out
from framing.io.labelled import gold_paths, load_labelled
from framing.training.fitting import Settings
from framing.lexicon import Lexicon

grid = {"real_news_weight": [1.0, 3.0, 5.0]}
if sys.argv[1:]:
    grid = {name: [float(v) for v in values.split(",")]
            for name, values in (arg.split("=", 1) for arg in sys.argv[1:])}
data = load_labelled(gold_paths("corpus/gold"))
lexicon = Lexicon.load()


def macro(report):
    return {m: r["macro_f1"] for m, r in report["methods"].items()}


for values in itertools.product(*grid.values()):
    settings = Settings(**dict(zip(grid, values)))
    print(dict(zip(grid, values)),
          "cv", macro(cross_validate(data, lexicon, settings)),
          "seed-holdout", macro(holdout_evaluate(data, lexicon, "seed", settings)),
          "leave-article-out", macro(leave_article_out(data, lexicon, "seed", settings)),
          flush=True)
