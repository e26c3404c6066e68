"""The Python classification API keeps its documented defaults and honours its arguments
(found by mutation testing: these mutants survived the rest of the suite)."""

from __future__ import annotations

import json
import os

import pytest

from framing.errors import InputError
from framing.frames import FRAMES
from framing.io.documents import Document
from framing.model.storage import load_model
from framing.run.classify import (classify_documents, classify_files, classify_texts,
                                  jsonl_bytes, jsonl_line, resolve_jobs)

TEXTS = ["Delegations met in Istanbul for a second round of peace talks on a ceasefire.",
         "Russian shelling killed three civilians.\n\nAir defences shot down 40 drones.",
         "NPR producer Hanna Palamarenko contributed to this report."]


def process_id(result) -> int:
    """A transform that tells where a passage was classified."""
    return os.getpid()


@pytest.fixture(scope="module")
def small(small_model_dir):
    return load_model(small_model_dir)


def scores_of(results):
    return [r.scores for r in results]


def test_classify_texts_defaults_whole_texts_hybrid(small):
    results = classify_texts(TEXTS, model=small)
    assert [(r.source, r.document_id, r.passage_index) for r in results] == [
        ("<text>", "0", 0), ("<text>", "1", 0), ("<text>", "2", 0)]
    assert [r.text for r in results] == TEXTS  # unit "whole": the blank line does not split
    assert scores_of(results) == [p.scores for p in small.predict(TEXTS, "hybrid")]


def test_classify_texts_honours_method_unit_and_model(small):
    lexicon = classify_texts(TEXTS, model=small, method="lexicon")
    assert scores_of(lexicon) == [p.scores for p in small.predict(TEXTS, "lexicon")]
    assert scores_of(lexicon) != scores_of(classify_texts(TEXTS, model=small))
    paragraphs = classify_texts(TEXTS, model=small, unit="paragraph")
    assert [(r.document_id, r.passage_index) for r in paragraphs] == [
        ("0", 0), ("1", 0), ("1", 1), ("2", 0)]
    assert scores_of(classify_texts(TEXTS)) == [p.scores for p in load_model().predict(TEXTS)]
    assert scores_of(classify_texts(TEXTS)) != scores_of(classify_texts(TEXTS, model=small))


def test_classify_documents_defaults_paragraphs_hybrid_in_this_process(small):
    documents = [Document("a.txt", "a", TEXTS[1])]
    results = list(classify_documents(documents, model=small))
    assert [r.text for r in results] == TEXTS[1].split("\n\n")
    assert scores_of(results) == [p.scores for p in small.predict(TEXTS[1].split("\n\n"))]
    assert set(classify_documents(documents, model=small, transform=process_id)) == {os.getpid()}
    rendered = list(classify_documents(documents, model=small, transform=jsonl_line))
    assert [json.loads(line) for line in rendered] == [r.to_dict() for r in results]
    with pytest.raises(ValueError, match="unknown method"):
        list(classify_documents(documents, model=small, method="bayes"))


def test_classify_documents_shipped_model_by_default():
    documents = [Document("a.txt", "a", TEXTS[0])]
    assert scores_of(classify_documents(documents)) == [p.scores for p in
                                                       load_model().predict(TEXTS[:1])]


def test_classify_documents_collects_input_errors_in_order(small, tmp_path):
    from framing.io.documents import read_items

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "Talks resumed."}\n{"id": "y"}\n', encoding="utf-8")
    errors = []
    results = list(classify_documents(read_items([str(bad)]), model=small, errors=errors))
    assert [r.document_id for r in results] == ["x"]
    assert len(errors) == 1 and isinstance(errors[0], InputError)
    with pytest.raises(InputError):
        list(classify_documents(read_items([str(bad)]), model=small))


def test_classify_files_defaults_and_arguments(small, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(TEXTS[1] + "\n", encoding="utf-8")
    paragraphs = TEXTS[1].split("\n\n")
    results = list(classify_files([str(article)], model=small))
    assert [r.text for r in results] == paragraphs  # unit "paragraph"
    assert scores_of(results) == [p.scores for p in small.predict(paragraphs, "hybrid")]
    results = list(classify_files([str(article)], model=small, method="model", unit="whole"))
    assert scores_of(results) == [p.scores for p in small.predict([TEXTS[1]], "model")]
    shipped = list(classify_files([str(article)]))
    assert scores_of(shipped) == [p.scores for p in load_model().predict(paragraphs)]
    assert set(classify_files([str(article)], model=small, transform=process_id)) == {os.getpid()}


def test_jobs_decide_where_the_work_runs(small, tmp_path, monkeypatch):
    """jobs=1 (the default) classifies in this process; jobs=2 in two worker processes once
    the input is large enough to share (several chunks, PARALLEL_MIN_CHARS characters), and
    in this process below that size."""
    import framing.run.parallel
    from framing.run.parallel import CHUNK_CHARS, PARALLEL_MIN_CHARS

    paragraph = TEXTS[0] + " " + TEXTS[2]
    paths = []
    for k in range(4):  # whole documents are shared out: several, together over a chunk
        paths.append(str(tmp_path / f"long{k}.txt"))
        with open(paths[-1], "w", encoding="utf-8") as handle:
            handle.write("\n\n".join([paragraph] * (CHUNK_CHARS // len(paragraph) // 3)))
    here = {os.getpid()}
    assert set(classify_files(paths, model=small, transform=process_id)) == here
    assert set(classify_files(paths, model=small, jobs=1, transform=process_id)) == here
    assert 4 * CHUNK_CHARS // 3 < PARALLEL_MIN_CHARS  # this input is small: no workers
    assert set(classify_files(paths, model=small, jobs=2, transform=process_id)) == here
    monkeypatch.setattr(framing.run.parallel, "PARALLEL_MIN_CHARS", CHUNK_CHARS)
    workers = set(classify_files(paths, model=small, jobs=2, transform=process_id))
    assert workers and os.getpid() not in workers
    documents = [Document(p, "0", open(p, encoding="utf-8").read()) for p in paths]
    assert set(classify_documents(documents, model=small, transform=process_id)) == here


def test_resolve_jobs(monkeypatch):
    assert resolve_jobs(1) == 1
    assert resolve_jobs(2) == 2
    assert resolve_jobs(7) == 7
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert resolve_jobs(None) == 1 and resolve_jobs(0) == 1 and resolve_jobs(-3) == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert resolve_jobs(None) == 3 and resolve_jobs(0) == 3


def test_jsonl_line_is_the_record_as_one_utf8_line(small):
    result = classify_texts(["Ceasefire talks in Zürich — “no deal”."], model=small)[0]
    line = jsonl_line(result)
    assert isinstance(line, str) and line.endswith("\n") and line.count("\n") == 1
    assert json.loads(line) == result.to_dict()
    assert "Zürich" in line and line.encode("utf-8") == jsonl_bytes(result)
    assert set(json.loads(line)["scores"]) == set(FRAMES)
