"""End-to-end tests through the real CLI (click's CliRunner, and a subprocess for the
installed console script)."""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from framing.cli import cli
from framing.frames import FRAMES
from framing.io.labelled import load_labelled


@pytest.fixture()
def run(small_model_dir):
    def invoke(*args, model=True, input=None):
        argv = list(args)
        if model and argv[0] in ("classify",) and "--model" not in argv:
            argv += ["--model", str(small_model_dir)]
        return CliRunner().invoke(cli, argv, input=input, catch_exceptions=False)

    return invoke


def records(output):
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_help_lists_commands():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("classify", "train", "evaluate"):
        assert command in result.output


def test_classify_jsonl_one_record_per_paragraph(run, seed_article):
    from framing.text.segment import paragraph_spans

    result = run("classify", "--format", "jsonl", str(seed_article))
    assert result.exit_code == 0, result.output
    rows = records(result.stdout)
    text = seed_article.read_text(encoding="utf-8")
    assert len(rows) == len(paragraph_spans(text))
    for index, row in enumerate(rows):
        assert list(row)[:9] == ["source", "document_id", "passage_index", "start", "end", "text",
                                 "frames", "scores", "evidence"]
        assert row["passage_index"] == index
        assert text[row["start"]:row["end"]] == row["text"]
        assert set(row["scores"]) == set(FRAMES)
        assert set(row["evidence"]) == set(row["frames"])


def test_whole_unit_keeps_input_order_and_ids(run, tmp_path):
    path = tmp_path / "passages.jsonl"
    items = [("b-2", "Delegations met in Istanbul for a second round of peace talks."),
             ("a-1", "Russian shelling killed three civilians, including two children.\n\nSecond block."),
             ("c-3", "NPR producer Hanna Palamarenko contributed to this report.")]
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in items))
    result = run("classify", "--unit", "whole", "--format", "jsonl", str(path))
    assert result.exit_code == 0
    rows = records(result.stdout)
    assert [r["document_id"] for r in rows] == ["b-2", "a-1", "c-3"]
    assert all(r["passage_index"] == 0 for r in rows)


@pytest.mark.parametrize("method", ["lexicon", "model", "hybrid"])
def test_every_method_runs(run, seed_article, method):
    result = run("classify", "--method", method, "--format", "json", str(seed_article))
    assert result.exit_code == 0
    assert isinstance(json.loads(result.stdout), list)


def test_sentence_unit_and_stdin(run):
    result = run("classify", "--unit", "sentence", "--format", "jsonl", "-",
                 input="Talks resumed in Istanbul. Air defences shot down 40 drones.")
    assert [r["text"] for r in records(result.stdout)] == [
        "Talks resumed in Istanbul.", "Air defences shot down 40 drones."]


def test_csv_and_table_formats(run, seed_article):
    csv_out = run("classify", "--format", "csv", str(seed_article)).stdout
    header = csv_out.splitlines()[0].split(",")
    assert header[:7] == ["source", "document_id", "passage_index", "start", "end", "text", "frames"]
    assert "scores.civilian_harm" in header
    table = run("classify", "--format", "table", str(seed_article)).stdout
    assert table.splitlines()[0].startswith("SOURCE")


def test_output_is_deterministic(run, seed_article):
    first = run("classify", "--format", "jsonl", str(seed_article)).stdout
    assert first == run("classify", "--format", "jsonl", str(seed_article)).stdout


def test_bad_input_gives_one_line_and_the_rest_is_classified(run, tmp_path, seed_article):
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR")
    result = run("classify", "--format", "jsonl", str(binary), str(seed_article))
    assert result.exit_code == 3
    assert len(records(result.stdout)) > 5
    errors = [line for line in result.stderr.splitlines() if line]
    assert errors[0].startswith("framing: error: ") and "image.png" in errors[0]
    assert "Traceback" not in result.stderr


def test_strict_stops_at_the_first_problem(run, tmp_path, seed_article):
    result = run("classify", "--strict", "--format", "jsonl", str(tmp_path / "missing.txt"),
                 str(seed_article))
    assert result.exit_code == 3 and result.stdout == ""


def test_output_file_is_not_touched_on_failure(run, tmp_path, seed_article):
    target = tmp_path / "out.jsonl"
    target.write_text("previous\n")
    result = run("classify", "--model", str(tmp_path / "no-model"), "-o", str(target), str(seed_article))
    assert result.exit_code == 4
    assert target.read_text() == "previous\n"
    assert sorted(os.listdir(tmp_path)) == ["out.jsonl"]


def test_output_file_written(run, tmp_path, seed_article):
    target = tmp_path / "out.jsonl"
    assert run("classify", "-o", str(target), str(seed_article)).exit_code == 0
    assert records(target.read_text())


def test_corrupt_model_is_exit_4(run, tmp_path, seed_article):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "model.json").write_bytes(b"\x80\x04K\x01.")
    result = run("classify", "--model", str(folder), str(seed_article))
    assert result.exit_code == 4
    assert result.stderr.count("\n") == 1 and "retrain" in result.stderr


def test_train_and_evaluate_commands(tmp_path, small_gold):
    out = tmp_path / "model"
    runner = CliRunner()
    result = runner.invoke(cli, ["train", "--gold", str(small_gold), "--output", str(out),
                                 "--no-cross-validation"])
    assert result.exit_code == 0, result.output
    assert (out / "model.json").exists() and (out / "card.json").exists()
    result = runner.invoke(cli, ["evaluate", "--data", str(small_gold), "--model", str(out),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report["methods"]) == {"lexicon", "model", "hybrid"}
    assert 0 <= report["methods"]["hybrid"]["macro_f1"] <= 1


def test_evaluate_with_malformed_labels(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "frames": ["peace"]}\n{"text": 3}\n')
    result = CliRunner().invoke(cli, ["evaluate", "--data", str(bad)])
    assert result.exit_code == 3
    assert "2 problem(s)" in result.stderr and "unknown frame" in result.stderr


def test_installed_console_script_finds_the_shipped_model(tmp_path, seed_article):
    """The real entry point, from another directory: the shipped lexicon and model load."""
    script = os.path.join(os.path.dirname(sys.executable), "framing")
    command = [script] if os.path.exists(script) else [sys.executable, "-m", "framing"]
    result = subprocess.run(command + ["classify", "--format", "jsonl", str(seed_article)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    rows = records(result.stdout)
    assert rows and all(set(r["scores"]) == set(FRAMES) for r in rows)


def test_agreement_command(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text('{"id": "1", "frames": ["diplomacy"]}\n{"id": "2", "frames": []}\n{"id": "3", "frames": []}\n')
    second.write_text('{"id": "1", "frames": ["diplomacy"]}\n{"id": "2", "frames": ["diplomacy"]}\n{"id": "3", "frames": []}\n')
    result = CliRunner().invoke(cli, ["agreement", str(first), "--second", str(second), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["passages"] == 3
    assert report["per_frame"]["diplomacy"]["percent_agreement"] == pytest.approx(66.7)
    table = CliRunner().invoke(cli, ["agreement", str(first), "--second", str(second), "--format", "table"])
    assert "3 passages coded twice" in table.stdout


@pytest.mark.parametrize("option", ["--holdout", "--leave-article-out"])
def test_evaluate_on_held_out_real_articles(small_gold, option):
    data = load_labelled([small_gold])
    seeds = sum(r["provenance"] == "seed" for r in data.records)
    result = CliRunner().invoke(cli, ["evaluate", "--gold", str(small_gold), option, "seed",
                                      "--format", "json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["passages"] == seeds
    assert set(report["methods"]) == {"lexicon", "model", "hybrid"}


def test_leave_article_out_never_trains_on_the_article_it_tests(small_gold, monkeypatch):
    import framing.training.fitting
    from framing.training.evaluate import leave_article_out
    from framing.lexicon import Lexicon

    data = load_labelled([small_gold])
    real_fit = framing.training.fitting.fit_methods
    calls = []

    def spy(methods, lexicon, texts, Y, groups, settings, weights=None):
        calls.append(set(groups))
        return real_fit(methods, lexicon, texts, Y, groups, settings, weights)

    monkeypatch.setattr(framing.training.evaluate, "fit_methods", spy)
    articles = {g for g, r in zip(data.groups, data.records) if r["provenance"] == "seed"}
    leave_article_out(data, Lexicon.load(), "seed", methods=("lexicon",))
    assert len(calls) == len(articles) >= 2
    left_out = [articles - groups for groups in calls]
    assert all(len(missing) == 1 for missing in left_out)  # exactly the tested article
    assert set().union(*left_out) == articles
