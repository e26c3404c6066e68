import json
import pickle
import shutil

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import (check_no_attributes_set_in_init,
                                            check_parameters_default_constructible)

from framing.errors import ModelError
from framing.training.features import LexiconFeatures
from framing.frames import FRAMES
from framing.io.labelled import load_labelled
from framing.training.fitting import (Settings, best_thresholds, build_pipeline, export_head, fit_pipeline,
                           passage_weights)
from framing.model.storage import load_model


def test_lexicon_features_follow_the_estimator_contract():
    check_parameters_default_constructible("LexiconFeatures", LexiconFeatures())
    check_no_attributes_set_in_init("LexiconFeatures", LexiconFeatures())
    transformer = LexiconFeatures(term_columns=False)
    assert clone(transformer).get_params() == {"lexicon_text": None, "term_columns": False}


def test_lexicon_feature_columns_are_named_cues():
    features = LexiconFeatures().fit()
    names = list(features.get_feature_names_out())
    assert names[:4] == [f"lex_score:{f}" for f in FRAMES]
    X = features.transform(["Air defences shot down 40 drones.", "Nothing here."])
    assert X.shape == (2, len(names))
    row = X[0].toarray().ravel()
    assert row[0] > 0 and "lex:military_success:shot down" in {names[i] for i in np.flatnonzero(row)}
    assert X[1].nnz == 0


def test_lexicon_features_compose_in_a_pipeline(small_gold):
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline, make_union

    from framing.training.features import text_vectorizer

    data = load_labelled([small_gold])
    pipeline = make_pipeline(make_union(LexiconFeatures(), text_vectorizer()),
                             OneVsRestClassifier(LogisticRegression(max_iter=2000)))
    pipeline.fit(data.texts, data.Y)
    assert pipeline.predict(data.texts[:3]).shape == (3, len(FRAMES))
    names = pipeline[0].get_feature_names_out()
    assert any(name.startswith("lexiconfeatures__lex:") for name in names)


def test_hybrid_is_the_fusion_of_model_and_lexicon(small_model_dir):
    model = load_model(small_model_dir)
    texts = ["Air defences shot down 40 drones over Kyiv, officials said.",
             "Delegations agreed a prisoner swap at talks in Istanbul."]
    by_method = {m: np.array([[p.scores[f] for f in FRAMES] for p in model.predict(texts, m)])
                 for m in ("lexicon", "model", "hybrid")}
    w = model.fusion_weight
    np.testing.assert_allclose(by_method["hybrid"], w * by_method["model"] + (1 - w) * by_method["lexicon"],
                               atol=2e-4)


def test_best_thresholds_separate_perfectly_separable_scores():
    Y = np.array([[1], [1], [0], [0]])
    scores = np.array([[0.9], [0.7], [0.4], [0.1]])
    (cut,) = best_thresholds(Y, scores)
    assert 0.4 < cut < 0.7


def test_best_thresholds_follow_the_weights():
    """A heavy positive below the unweighted cut pulls the cut under it."""
    Y = np.array([[1], [1], [0], [0], [1]])
    scores = np.array([[0.9], [0.8], [0.6], [0.4], [0.2]])
    (plain,) = best_thresholds(Y, scores)
    (weighted,) = best_thresholds(Y, scores, np.array([1, 1, 1, 1, 10]))
    assert plain == pytest.approx(0.7) and weighted < 0.2


def test_real_article_passages_weigh_more_in_the_fit(small_gold):
    data = load_labelled([small_gold])
    settings = Settings(real_news_weight=3.0)
    weights = passage_weights(data.records, settings)
    real = np.array([r["provenance"] in ("seed", "paraphrase") for r in data.records])
    assert real.any() and (~real).any()
    assert (weights[real] == 3.0).all() and (weights[~real] == 1.0).all()
    plain = fit_pipeline(settings, data.texts, data.Y).predict_proba(data.texts[:5])
    weighted = fit_pipeline(settings, data.texts, data.Y, weights).predict_proba(data.texts[:5])
    assert not np.allclose(plain, weighted)  # the weights reach the regression


def test_exported_arrays_reproduce_the_pipeline(small_gold):
    data = load_labelled([small_gold])
    pipeline = build_pipeline(Settings()).fit(data.texts, data.Y)
    head = export_head(pipeline)
    X = pipeline.named_steps["features"].transform(data.texts[:20])
    # the exported arrays are rounded to STORED_DECIMALS (reproducible files): scores move by
    # well under the 4 decimals printed
    np.testing.assert_allclose(head.probabilities(X), pipeline.predict_proba(data.texts[:20]),
                               rtol=0, atol=1e-5)


def test_saved_model_round_trips(small_model_dir, small_gold):
    model = load_model(small_model_dir)
    data = load_labelled([small_gold])
    predictions = model.predict(data.texts[:10], "hybrid")
    assert len(predictions) == 10
    for prediction in predictions:
        assert set(prediction.scores) == set(FRAMES)
        assert set(prediction.evidence) == set(prediction.frames)
    card = json.loads((small_model_dir / "model.json").read_text())["card"]
    assert card["training_data"]["passages"] == len(data)
    assert set(card["thresholds"]) == {"hybrid", "lexicon", "model"}


def test_training_is_deterministic(tmp_path, small_gold, small_model_dir):
    from framing.training.train import train_model

    from framing.model.storage import save_model

    again = save_model(train_model(load_labelled([small_gold]), settings=Settings(threshold_folds=3),
                                   cross_validation=False), tmp_path / "again")
    for name in ("model.json", "model.npz"):
        assert (again / name).read_bytes() == (small_model_dir / name).read_bytes()


@pytest.fixture()
def model_copy(tmp_path, small_model_dir):
    target = tmp_path / "copy"
    shutil.copytree(small_model_dir, target)
    return target


def test_tampered_arrays_are_refused(model_copy):
    data = bytearray((model_copy / "model.npz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (model_copy / "model.npz").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum"):
        load_model(model_copy)


def test_truncated_model_is_refused(model_copy):
    (model_copy / "model.json").write_text((model_copy / "model.json").read_text()[:500])
    with pytest.raises(ModelError, match="not a framing model"):
        load_model(model_copy)


def test_foreign_format_version_says_how_to_retrain(model_copy):
    document = json.loads((model_copy / "model.json").read_text())
    document["format_version"] = 99
    (model_copy / "model.json").write_text(json.dumps(document))
    with pytest.raises(ModelError, match="framing train"):
        load_model(model_copy)


class Payload:
    def __reduce__(self):
        import os

        return (os.system, ("touch /tmp/framing-pwned",))


def test_a_crafted_pickle_is_refused_and_never_runs(tmp_path):
    import os

    marker = "/tmp/framing-pwned"
    if os.path.exists(marker):
        os.unlink(marker)
    folder = tmp_path / "evil"
    folder.mkdir()
    blob = pickle.dumps(Payload())
    for name in ("model.json", "model.npz", "model.pkl"):
        (folder / name).write_bytes(blob)
    with pytest.raises(ModelError):
        load_model(folder)
    # a pickle smuggled into the arrays file of an otherwise valid-looking model
    document = {"format": "framing-model", "format_version": 2,
                "arrays_sha256": __import__("hashlib").sha256(blob).hexdigest()}
    (folder / "model.json").write_text(json.dumps(document))
    with pytest.raises(ModelError):
        load_model(folder)
    assert not os.path.exists(marker)


def test_missing_model_folder(tmp_path):
    with pytest.raises(ModelError, match="no such model"):
        load_model(tmp_path / "absent")


def test_model_card_states_the_checksum_that_loading_verifies(small_model_dir):
    import hashlib

    digest = hashlib.sha256((small_model_dir / "model.npz").read_bytes()).hexdigest()
    assert digest in (small_model_dir / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert json.loads((small_model_dir / "model.json").read_text())["arrays_sha256"] == digest


def test_a_model_trained_on_other_stems_is_refused(model_copy):
    document = json.loads((model_copy / "model.json").read_text())
    document["stemmer"] = "snowball-english/nltk"
    (model_copy / "model.json").write_text(json.dumps(document))
    with pytest.raises(ModelError, match="stems"):
        load_model(model_copy)


def test_a_model_pickles_the_same_before_and_after_scoring():
    """Workers key their copy of the model by its pickled bytes: caches must not be in them."""
    import pickle

    model = load_model()
    before = pickle.dumps(model)
    model.predict(["Air defences shot down 40 drones overnight."], "hybrid")
    assert pickle.dumps(model) == before
