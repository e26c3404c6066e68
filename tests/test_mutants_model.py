"""FrameModel decisions and evidence in the cases the rest of the suite left open (found by
mutation testing): the default method, every frame tagged at once, batches without cues,
empty input and pickling for worker processes."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest

from framing.frames import FRAMES, METHODS
from framing.lexicon import Lexicon
from framing.model.frame_model import EVIDENCE_FEATURES, lexicon_scores
from framing.model.storage import load_model
from oracles import reference_match, reference_top_features, reference_vectorizer

TEXTS = ["Delegations met in Istanbul for a second round of peace talks on a ceasefire.",
         "Russian shelling killed three civilians, including two children, in Kharkiv.",
         "Ukrainian forces recaptured the village and shot down 40 drones overnight.",
         "Moscow warned of escalation after the strike; the army did not destroy the bridge.",
         "Xyzzy plugh frobnicate."]  # no word of the vocabulary, no cue


@pytest.fixture(scope="module")
def model():
    return load_model()


def tag_everything(model):
    """The same model with every threshold at 0: every frame is tagged in every passage."""
    return dataclasses.replace(model, thresholds={m: [0.0] * len(FRAMES) for m in METHODS})


def test_hybrid_is_the_default_method(model):
    assert model.predict(TEXTS) == model.predict(TEXTS, "hybrid")
    assert np.array_equal(model.scores(TEXTS), model.scores(TEXTS, "hybrid"))
    assert not np.array_equal(model.scores(TEXTS), model.scores(TEXTS, "lexicon"))


def check_evidence(model, predictions, texts, method):
    """Each tagged frame's evidence is the per-text reference: its lexicon matches and its
    strongest positive features, an empty list where there are none."""
    X = reference_vectorizer(model).transform(texts)
    for row, (text, prediction) in enumerate(zip(texts, predictions)):
        assert list(prediction.evidence) == prediction.frames
        matches = reference_match(model.lexicon, text)
        for frame in prediction.frames:
            entry = prediction.evidence[frame]
            if method != "model":
                assert entry["lexicon"] == [m.to_dict() for m in matches if m.frame == frame]
            else:
                assert "lexicon" not in entry
            if method != "lexicon":
                assert entry["features"] == reference_top_features(
                    model, X[row], FRAMES.index(frame), EVIDENCE_FEATURES)
            else:
                assert "features" not in entry


@pytest.mark.parametrize("method", METHODS)
def test_evidence_of_every_tagged_frame_matches_the_reference(model, method):
    """In a batch and text by text (where an earlier frame may be tagged nowhere, or have no
    positive feature, while a later one has some), with the real thresholds and with every
    frame tagged."""
    for scorer in (model, tag_everything(model)):
        check_evidence(model, scorer.predict(TEXTS, method), TEXTS, method)
        for text in TEXTS:
            check_evidence(model, scorer.predict([text], method), [text], method)
    everything = tag_everything(model).predict(TEXTS, method)
    assert all(p.frames == list(FRAMES) for p in everything)
    last = everything[-1].evidence
    assert all(last[f].get("lexicon", []) == [] and last[f].get("features", []) == []
               for f in FRAMES)
    singles = [model.predict([text], method)[0] for text in TEXTS[:4]]
    assert any(p.frames and p.frames[0] != FRAMES[0] for p in singles)  # the case above


def test_a_batch_without_cues_has_no_lexicon_evidence_even_when_tagged(model):
    everything = tag_everything(model)
    texts = ["Xyzzy plugh frobnicate.", "The weather was mild."]
    assert model.lexicon.match_batch(texts) == [[], []]
    for method in ("lexicon", "hybrid"):
        for prediction in everything.predict(texts, method):
            assert prediction.frames == list(FRAMES)
            assert all(prediction.evidence[f]["lexicon"] == [] for f in FRAMES)


def test_lexicon_scores_are_the_lexicon_methods(model):
    assert lexicon_scores(model.lexicon, []).shape == (0, len(FRAMES))
    assert np.array_equal(lexicon_scores(model.lexicon, TEXTS), model.scores(TEXTS, "lexicon"))
    assert model.scores([], "hybrid").shape == (0, len(FRAMES))
    assert model.predict([]) == []


def test_a_used_model_pickles_and_predicts_the_same(model):
    """Worker processes get the model pickled, after it has scored (and cached) in this one."""
    fresh = load_model()
    expected = fresh.predict(TEXTS)
    copy = pickle.loads(pickle.dumps(fresh))
    assert copy.predict(TEXTS) == expected
    assert copy.thresholds == fresh.thresholds and copy.vocabulary == fresh.vocabulary


def test_a_custom_lexicons_scores_follow_its_weights():
    lexicon = Lexicon.from_text("frame\tterm\tweight\tnote\n"
                                "diplomacy\tpeace talks\t2.0\t\n"
                                "escalation\twarned\t0.5\t\n")
    scores = lexicon_scores(lexicon, ["Peace talks resumed.", "Moscow warned.", "Nothing."])
    expected = np.zeros((3, len(FRAMES)))
    expected[0, FRAMES.index("diplomacy")] = 1 - np.exp(-2.0)
    expected[1, FRAMES.index("escalation")] = 1 - np.exp(-0.5)
    assert scores == pytest.approx(expected)


def test_features_of_a_later_frame_when_an_earlier_tagged_frame_has_none(model):
    """A passage whose words all count against military_success (tagged here anyway) but for
    diplomacy: diplomacy's evidence still lists them."""
    from framing.text.tokens import stems

    first, later = FRAMES.index("military_success"), FRAMES.index("diplomacy")
    words = [word for k, word in enumerate(model.vocabulary)
             if word.isalpha() and model.head.coef[first][k] < 0 < model.head.coef[later][k]
             and stems(word) == [word]][:3]
    assert len(words) == 3
    text = " ".join(words)
    for method in ("model", "hybrid"):
        prediction = tag_everything(model).predict([text], method)[0]
        assert prediction.evidence["military_success"]["features"] == []
        assert prediction.evidence["diplomacy"]["features"]
        check_evidence(model, [prediction], [text], method)
