"""The Python API the README shows (classify_texts, classify_files), and the CLI passing each
option through to it: every method a user asks for is the method that scores."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import framing
from framing.cli import cli
from framing.frames import FRAMES, METHODS
from framing.model import load_model

TEXTS = ["Air defences shot down 40 of 52 drones overnight, the air force said.",
         "Delegations met in Istanbul for a second round of talks on a ceasefire.",
         "A missile hit an apartment block in Kharkiv, killing three residents.",
         "Shares in the energy company rose 3% on Tuesday."]


@pytest.fixture(scope="module")
def model():
    return load_model()


def test_classify_texts_tags_each_string_as_one_passage(model):
    results = framing.classify_texts(TEXTS)
    assert [r.text for r in results] == TEXTS
    assert [r.document_id for r in results] == ["0", "1", "2", "3"]
    expected = model.predict(TEXTS, "hybrid")
    assert [r.frames for r in results] == [p.frames for p in expected]
    assert [r.scores for r in results] == [p.scores for p in expected]
    assert results[0].frames == ["military_success"]
    assert "diplomacy" in results[1].frames
    assert "civilian_harm" in results[2].frames
    assert results[3].frames == []


@pytest.mark.parametrize("method", METHODS)
def test_classify_texts_uses_the_method_asked_for(model, method):
    results = framing.classify_texts(TEXTS, method=method)
    assert [r.scores for r in results] == [p.scores for p in model.predict(TEXTS, method)]
    for result in results:
        for entry in result.evidence.values():
            assert ("lexicon" in entry) == (method != "model")
            assert ("features" in entry) == (method != "lexicon")


def test_classify_files_reads_paragraphs_and_records(tmp_path, model):
    article = tmp_path / "a.txt"
    article.write_text("\n\n".join(TEXTS[:2]) + "\n", encoding="utf-8")
    records = tmp_path / "r.jsonl"
    records.write_text("".join(json.dumps({"id": f"x{i}", "text": t, "outlet": "O"}) + "\n"
                               for i, t in enumerate(TEXTS[2:])), encoding="utf-8")
    results = list(framing.classify_files([str(article), str(records)]))
    assert [r.text for r in results] == TEXTS
    assert [(r.source, r.passage_index) for r in results[:2]] == [(str(article), 0),
                                                                  (str(article), 1)]
    assert [r.document_id for r in results[2:]] == ["x0", "x1"]
    assert results[2].meta["outlet"] == "O"
    assert [r.frames for r in results] == [p.frames for p in model.predict(TEXTS)]


def test_classify_files_collects_bad_inputs_and_goes_on(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(TEXTS[0] + "\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02 binary")
    errors: list = []
    results = list(framing.classify_files([str(bad), str(good)], errors=errors))
    assert [r.text for r in results] == [TEXTS[0]]
    assert len(errors) == 1 and "bad.txt" in str(errors[0])
    with pytest.raises(framing.InputError):
        list(framing.classify_files([str(bad), str(good)]))


@pytest.mark.parametrize("method", METHODS)
def test_the_classify_command_passes_method_and_unit_through(tmp_path, model, method):
    source = tmp_path / "in.txt"
    source.write_text(" ".join(TEXTS) + "\n", encoding="utf-8")
    for unit, expected_texts in (("whole", [" ".join(TEXTS) + "\n"]), ("sentence", TEXTS)):
        result = CliRunner().invoke(cli, ["classify", str(source), "--method", method,
                                          "--unit", unit, "--format", "jsonl", "-j", "1"])
        assert result.exit_code == 0, result.output
        records = [json.loads(line) for line in result.output.splitlines()]
        texts = [r["text"] for r in records]
        assert [t.strip() for t in texts] == [t.strip() for t in expected_texts]
        predicted = model.predict(texts, method)
        assert [r["scores"] for r in records] == [p.scores for p in predicted]
        assert [r["frames"] for r in records] == [p.frames for p in predicted]


def test_methods_really_differ(model):
    """The method test above can only catch a hard-wired method if methods disagree."""
    scores = {m: [p.scores for p in model.predict(TEXTS, m)] for m in METHODS}
    assert len({json.dumps(s) for s in scores.values()}) == len(METHODS)
    assert set(FRAMES) == set(scores["hybrid"][0])


def test_titles_are_tagged_as_their_own_passages(tmp_path, model):
    records = tmp_path / "r.jsonl"
    records.write_text(
        json.dumps({"id": "a", "title": TEXTS[2], "text": TEXTS[0] + "\n\n" + TEXTS[1]}) + "\n"
        + json.dumps({"id": "b", "text": TEXTS[3]}) + "\n", encoding="utf-8")
    for jobs in ("1", "2"):
        result = CliRunner().invoke(cli, ["classify", str(records), "--titles", "--format",
                                          "jsonl", "-j", jobs])
        assert result.exit_code == 0, result.output
        rows = [json.loads(line) for line in result.output.splitlines()]
        assert [(r["document_id"], r["passage_index"], r["kind"]) for r in rows] == [
            ("a", 0, "title"), ("a", 1, "paragraph"), ("a", 2, "paragraph"), ("b", 1, "paragraph")]
        assert rows[0]["text"] == TEXTS[2] and (rows[0]["start"], rows[0]["end"]) == (0, len(TEXTS[2]))
        assert [r["scores"] for r in rows] == [p.scores for p in model.predict(
            [TEXTS[2], TEXTS[0], TEXTS[1], TEXTS[3]])]
    plain = CliRunner().invoke(cli, ["classify", str(records), "--format", "jsonl", "-j", "1"])
    assert all("kind" not in json.loads(line) for line in plain.output.splitlines())
    assert len(plain.output.splitlines()) == 3
