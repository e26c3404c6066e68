"""Speed and scale (issue 4): the fast paths give exactly the reference results, start-up
stays light, parallel and streaming runs give the same output in the same order."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from framing.io.labelled import load_labelled
from framing.lexicon import Lexicon
from framing.model.storage import load_model
from oracles import reference_match, reference_top_features, reference_vectorizer


@pytest.fixture(scope="module")
def gold_texts(gold_files) -> list[str]:
    return list(load_labelled(gold_files).texts)


def _assert_same_csr(ours, theirs):
    ours, theirs = ours.tocsr(), theirs.tocsr()
    theirs.sort_indices()
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(ours.indptr, theirs.indptr)
    np.testing.assert_array_equal(ours.indices, theirs.indices)
    # bit for bit, not approximately: the printed scores must not move
    np.testing.assert_array_equal(ours.data, theirs.data)


def test_compact_tfidf_equals_the_shipped_models_sklearn_vectorizer(gold_texts):
    model = load_model()
    texts = gold_texts + ["", "!!!", "unknownword only", "Kyiv Kyiv Kyiv talks"]
    _assert_same_csr(model.features(texts), reference_vectorizer(model).transform(texts))


def test_sparse_rows_product_equals_scipys_bit_for_bit(gold_texts):
    """classify multiplies TF-IDF rows by the coefficients without scipy; the sums must be
    scipy's to the last bit, or a score on a threshold could flip its tag."""
    from framing.text.batch import tokenize_batch

    model = load_model()
    texts = gold_texts + ["", "unknownword only"]
    rows = model._tfidf().transform_stems(tokenize_batch(texts))
    np.testing.assert_array_equal(rows.dot_transposed(model.head.coef),
                                  np.asarray(rows.tocsr() @ model.head.coef.T))
    np.testing.assert_array_equal(model.head.probabilities(rows),
                                  model.head.probabilities(rows.tocsr()))


@pytest.mark.parametrize("ngram_max", [1, 2, 3])
def test_compact_tfidf_equals_sklearn_for_ngrams(gold_texts, ngram_max):
    from framing.model.tfidf import CompactTfidf
    from framing.training.features import text_vectorizer

    vectorizer = text_vectorizer(min_df=2, ngram_max=ngram_max).fit(gold_texts[::2])
    vocabulary = [None] * len(vectorizer.vocabulary_)
    for term, column in vectorizer.vocabulary_.items():
        vocabulary[column] = term
    compact = CompactTfidf(vocabulary, vectorizer.idf_, ngram_max)
    for start in range(0, len(gold_texts), 300):  # batches of several sizes and shapes
        chunk = gold_texts[start:start + 300]
        _assert_same_csr(compact.transform(chunk), vectorizer.transform(chunk))
    _assert_same_csr(compact.transform(["war"]), vectorizer.transform(["war"]))


def test_match_batch_equals_match_on_every_gold_text(gold_texts):
    lexicon = Lexicon.load()
    extra = ["", "Did not destroy, but shot down nothing.", "no civilians were hurt; talks",
             "prisoner swap prisoner swap", "Kyiv"]
    texts = gold_texts + extra
    assert lexicon.match_batch(texts) == [reference_match(lexicon, t) for t in texts]
    for size in (1, 7, 256):
        chunk = texts[:size]
        assert lexicon.match_batch(chunk) == [reference_match(lexicon, t) for t in chunk]
    assert lexicon.match_batch([]) == []


def test_batched_predictions_equal_the_per_text_reference(gold_texts):
    """predict() (batched lexicon + compact TF-IDF) against the original per-text path."""
    from framing.frames import FRAMES
    from framing.model.frame_model import EVIDENCE_FEATURES, lexicon_probability, rounded

    model = load_model()
    texts = gold_texts[::3]  # a third of the gold (over 2,000 texts) keeps this test quick
    X_ref = reference_vectorizer(model).transform(texts)
    model_scores = model.head.probabilities(X_ref)
    for method in ("lexicon", "model", "hybrid"):
        predictions = model.predict(texts, method)
        for row, (text, prediction) in enumerate(zip(texts, predictions)):
            matches = reference_match(model.lexicon, text)
            totals = Lexicon.frame_scores(matches)
            lex = np.array([lexicon_probability(totals[f]) for f in FRAMES])
            if method == "lexicon":
                expected = lex
            elif method == "model":
                expected = model_scores[row]
            else:
                w = model.fusion_weight
                expected = w * model_scores[row] + (1 - w) * lex
            assert prediction.scores == dict(zip(FRAMES, rounded(expected)))
            thresholds = model.thresholds[method]
            assert prediction.frames == [f for k, f in enumerate(FRAMES)
                                         if expected[k] >= thresholds[k]]
            assert list(prediction.evidence) == prediction.frames
            for frame, entry in prediction.evidence.items():
                if method != "model":
                    assert entry["lexicon"] == [m.to_dict() for m in matches if m.frame == frame]
                if method != "lexicon":
                    assert entry["features"] == reference_top_features(
                        model, X_ref[row], FRAMES.index(frame), EVIDENCE_FEATURES)


def test_stems_are_snowballs_on_the_whole_gold_vocabulary(gold_texts):
    """The C stemmer (PyStemmer) against the Snowball project's own pure-Python build of the
    same algorithm, on every word of the gold passages."""
    import snowballstemmer

    from framing.text.tokens import _POSSESSIVE, _TOKEN, normalise_word

    reference = snowballstemmer.stemmer("english")
    words = sorted({w for text in gold_texts for w in _TOKEN.findall(text)})
    assert len(words) > 3000
    expected = [reference.stemWord(_POSSESSIVE.sub("", w.casefold()).replace("\u2019", "'"))
                for w in words]
    assert [normalise_word(w) for w in words] == expected
    assert normalise_word("Destroyed") == normalise_word("destroying") == "destroy"
    assert normalise_word("Ukraine’s") == "ukrain"


def _modules_after(args: list[str], tmp_path) -> set[str]:
    code = ("import sys, runpy\n"
            f"sys.argv = ['framing'] + {args!r}\n"
            "try:\n    runpy.run_module('framing', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path)
    return set(result.stderr.strip().splitlines()[-1].split())


HEAVY = {"sklearn", "matplotlib", "dask", "distributed", "pandas"}


def test_help_imports_no_heavy_library(tmp_path):
    loaded = _modules_after(["--help"], tmp_path)
    assert not loaded & (HEAVY | {"numpy", "scipy", "nltk", "joblib"})


def test_classifying_one_paragraph_imports_no_sklearn_scipy_nor_matplotlib(tmp_path):
    sample = tmp_path / "one.txt"
    sample.write_text("Air defences shot down 40 of 52 drones overnight, the air force said.\n")
    loaded = _modules_after(["classify", "--format", "jsonl", str(sample)], tmp_path)
    assert "numpy" in loaded  # it did classify
    assert not loaded & (HEAVY | {"nltk", "scipy"})


def test_a_batch_without_any_cue_is_scored_and_explained():
    """A batch in which no text has a lexicon cue (a short last batch, captions) still gets
    scores from every method, and empty lexicon evidence for the frames the model tags."""
    model = load_model()
    texts = ["Lorem ipsum dolor sit amet.", "The weather was mild.", "Page 2 of 3"]
    for method in ("lexicon", "model", "hybrid"):
        predictions = model.predict(texts, method)
        assert [len(p.scores) for p in predictions] == [4, 4, 4]
        for prediction in predictions:
            for entry in prediction.evidence.values():
                assert entry.get("lexicon", []) == []
    assert model.lexicon.match_batch(texts) == [[], [], []]
