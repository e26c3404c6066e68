"""A quality floor for the shipped model, so that a broken model file, fusion, threshold or
lexicon change cannot land with every other test green.

Two checks: the figures the model card records (cross-validated when it was trained), and the
model as shipped, run through the production path, on the gold passages. The second is
in-sample (those passages trained it), so its floor is high: it catches breakage, not
overfitting; held-out quality is what `framing evaluate` reports.
"""

from __future__ import annotations

import pytest

from framing.frames import FRAMES
from framing.io.labelled import load_labelled
from framing.model import load_model
from framing.training.evaluate import score_labelled

#: Regression guards a little under the shipped figures (grouped CV on real passages; the
#: frozen test), not targets: the targets are in the README and are not met yet.
CARD_FLOOR = {"hybrid": 0.70, "model": 0.68, "lexicon": 0.52}
FROZEN_FLOOR = {"hybrid": 0.72, "model": 0.70, "lexicon": 0.52}
IN_SAMPLE_FLOOR, IN_SAMPLE_FRAME_FLOOR = 0.85, 0.80


@pytest.fixture(scope="module")
def shipped():
    return load_model()


def test_the_card_records_cross_validated_quality_above_the_floor(shipped):
    methods = shipped.card["cross_validation"]["methods"]
    for method, floor in CARD_FLOOR.items():
        assert methods[method]["macro_f1"] >= floor, (method, methods[method]["macro_f1"])
    assert methods["hybrid"]["macro_f1"] > max(methods["lexicon"]["macro_f1"],
                                               methods["model"]["macro_f1"])


def test_the_card_records_frozen_test_quality_above_the_floor(shipped):
    frozen = shipped.card["frozen_test"]
    for method, floor in FROZEN_FLOOR.items():
        assert frozen["methods"][method]["macro_f1"] >= floor, method
    assert frozen["methods"]["hybrid"]["macro_f1"] > max(
        frozen["methods"]["lexicon"]["macro_f1"], frozen["methods"]["model"]["macro_f1"])
    assert set(frozen["by_unit"]) == {"paragraph", "headline"}


def test_the_shipped_model_tags_its_gold_passages_well(shipped, gold_files):
    report = score_labelled(shipped, load_labelled(gold_files))
    hybrid = report["methods"]["hybrid"]
    assert hybrid["macro_f1"] >= IN_SAMPLE_FLOOR, hybrid["macro_f1"]
    for frame in FRAMES:
        assert hybrid["per_frame"][frame]["f1"] >= IN_SAMPLE_FRAME_FLOOR, frame
