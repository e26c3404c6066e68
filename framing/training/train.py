"""``framing train``: fit the shipped model's methods on the gold passages and write the model
with its card.

Training is deterministic: the same data, lexicon, settings and seed give the same arrays,
thresholds and card (no timestamps), so a retrained model can be diffed against the shipped
one.
"""

from __future__ import annotations

import platform
from dataclasses import asdict

from framing.frames import FRAMES
from framing.io.labelled import LabelledSet
from framing.lexicon import Lexicon
from framing.model.frame_model import FrameModel
from framing.errors import InputError
from framing.training.evaluate import cross_validate, score_labelled
from framing.training.fitting import Settings, fit_methods, passage_weights


def library_versions() -> dict:
    import joblib
    import nltk
    import numpy
    import scipy
    import sklearn

    from framing import __version__

    return {"framing": __version__, "python": platform.python_version(),
            "scikit-learn": sklearn.__version__, "nltk": nltk.__version__,
            "numpy": numpy.__version__, "scipy": scipy.__version__, "joblib": joblib.__version__}


def train_model(data: LabelledSet, lexicon: Lexicon | None = None, settings=None,
                cross_validation: bool = True,
                frozen_test: LabelledSet | None = None) -> FrameModel:
    """Fit lexicon thresholds, the model and the hybrid on all of ``data``; the card records
    the data hash, label counts, cross-validated figures, thresholds and versions, and, for a
    release, the trained model's figures on a ``frozen_test`` set (which shapes nothing)."""
    settings = settings or Settings()
    lexicon = lexicon or Lexicon.load()
    fitted = fit_methods(("lexicon", "model", "hybrid"), lexicon, data.texts, data.Y,
                         data.groups, settings, passage_weights(data.records, settings))
    scorer = fitted["model"].scorer
    thresholds = {m: f.thresholds for m, f in fitted.items()}
    card = {
        "name": "framing-default",
        "description": "Frames of war reporting (military_success, escalation, diplomacy, "
                       "civilian_harm), multi-label, per passage.",
        "training_data": {"sha256": data.sha256, "passages": len(data),
                          "label_counts": data.label_counts(),
                          "provenance": _provenance_counts(data)},
        "settings": asdict(settings),
        "lexicon": {"version": lexicon.version, "terms": len(lexicon.terms),
                    "sha256": lexicon.checksum},
        "features": {"tfidf_vocabulary": len(scorer.vocabulary)},
        "thresholds": {m: dict(zip(FRAMES, t)) for m, t in thresholds.items()},
        "versions": library_versions(),
    }
    if cross_validation:
        card["cross_validation"] = cross_validate(data, lexicon, settings)
    model = FrameModel(lexicon=lexicon, vocabulary=scorer.vocabulary, idf=scorer.idf,
                       head=scorer.head, fusion_weight=settings.fusion_weight,
                       thresholds=thresholds, ngram_max=settings.ngram_max, card=card)
    if frozen_test is not None:
        overlap = set(frozen_test.ids) & set(data.ids)
        if overlap:
            raise InputError(f"the frozen test shares {len(overlap)} passage ids with the "
                             f"training data (e.g. {sorted(overlap)[0]!r})")
        card["frozen_test"] = score_labelled(model, frozen_test)
        card["frozen_test"]["sha256"] = frozen_test.sha256
    return model


def _provenance_counts(data: LabelledSet) -> dict:
    counts: dict[str, int] = {}
    for record in data.records:
        key = str(record.get("provenance", "unknown"))
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))
