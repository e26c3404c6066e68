"""``framing classify`` honours every option it accepts (found by mutation testing: these
mutants survived the rest of the suite). Each test runs the real CLI and checks what a user
sees against the library's own answer for the same passages."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import framing
from framing.cli import cli
from framing.frames import FRAMES
from framing.model.storage import load_model

PASSAGES = [
    ("b-2", "Delegations met in Istanbul for a second round of peace talks on a ceasefire."),
    ("a-1", "Russian shelling killed three civilians, including two children, and destroyed "
            "a hospital in Kharkiv."),
    ("c-3", "Ukrainian forces recaptured the village and shot down 40 drones overnight."),
    ("d-4", "NPR producer Hanna Palamarenko contributed to this report."),
    ("e-5", "Shelling killed civilians in Kharkiv; air defences shot down 40 drones and "
            "destroyed a missile, the army said."),
]
TEXTS = [text for _, text in PASSAGES]


def invoke(*argv, input=None):
    return CliRunner().invoke(cli, list(argv), input=input, catch_exceptions=False)


def rows_of(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def subprocess_setting(**extra):
    """Folder and environment to run ``python -m framing`` in a child process on the very
    ``framing`` these tests import (run from the folder that holds it)."""
    package_root = Path(framing.__file__).resolve().parent.parent
    path = os.pathsep.join(p for p in (str(package_root), os.environ.get("PYTHONPATH")) if p)
    return package_root, {**os.environ, "PYTHONPATH": path, **extra}


@pytest.fixture()
def passages_file(tmp_path) -> Path:
    path = tmp_path / "passages.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in PASSAGES),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("method", ["lexicon", "model", "hybrid"])
def test_classify_uses_the_method_and_model_asked_for(small_model_dir, passages_file, method):
    """--method and --model reach the scoring: the output is the chosen model's own
    prediction with the chosen method, not the default method's nor the shipped model's."""
    result = invoke("classify", "--method", method, "--model", str(small_model_dir),
                    "--unit", "whole", "--format", "jsonl", str(passages_file))
    assert result.exit_code == 0, result.output
    rows = rows_of(result.stdout)
    expected = load_model(small_model_dir).predict(TEXTS, method)
    assert [r["scores"] for r in rows] == [p.scores for p in expected]
    assert [r["frames"] for r in rows] == [p.frames for p in expected]
    assert [r["evidence"] for r in rows] == [p.evidence for p in expected]
    for row in rows:
        for entry in row["evidence"].values():
            assert ("lexicon" in entry) == (method != "model")
            assert ("features" in entry) == (method != "lexicon")


def test_the_methods_and_models_do_differ_on_these_passages(small_model_dir):
    """Guard for the test above: it can tell the methods and the two models apart."""
    small = load_model(small_model_dir)
    scores = {m: [p.scores for p in small.predict(TEXTS, m)] for m in ("lexicon", "model", "hybrid")}
    assert len({json.dumps(s) for s in scores.values()}) == 3
    assert [p.scores for p in load_model().predict(TEXTS, "hybrid")] != scores["hybrid"]


def test_table_shows_source_index_frames_with_scores_and_text(small_model_dir, passages_file,
                                                             monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    common = ["--model", str(small_model_dir), "--unit", "whole", str(passages_file)]
    rows = rows_of(invoke("classify", "--format", "jsonl", *common).stdout)
    lines = invoke("classify", "--format", "table", *common).stdout.splitlines()
    assert lines[0].split() == ["SOURCE", "#", "FRAMES", "TEXT"]
    assert len(lines) == 1 + len(rows)
    assert any(not r["frames"] for r in rows) and any(len(r["frames"]) > 1 for r in rows)
    for line, row in zip(lines[1:], rows):
        source, index, frames, text = line[:22], line[24:27], line[29:73], line[75:]
        assert source.strip() == f"passages.jsonl:{row['document_id']}"
        assert index.strip() == str(row["passage_index"])
        assert frames.strip() == (", ".join(f"{f} {row['scores'][f]:.2f}" for f in row["frames"])
                                  or "-")
        assert text == row["text"]  # 200 columns leave room for these whole passages


def test_table_source_of_a_text_file_is_its_name(small_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    article = tmp_path / "article.txt"
    article.write_text("\n\n".join(TEXTS[:2]) + "\n", encoding="utf-8")
    lines = invoke("classify", "--format", "table", "--model", str(small_model_dir),
                   str(article)).stdout.splitlines()
    assert [line[:22].strip() for line in lines[1:]] == ["article.txt", "article.txt"]
    assert [line[24:27].strip() for line in lines[1:]] == ["0", "1"]


def test_input_problems_are_counted_in_the_last_line(small_model_dir, passages_file, tmp_path):
    missing = tmp_path / "missing.txt"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    result = invoke("classify", "--model", str(small_model_dir), "--format", "jsonl",
                    str(missing), str(passages_file), str(bad))
    assert result.exit_code == 3
    assert len(rows_of(result.stdout)) == len(PASSAGES)
    lines = result.stderr.splitlines()
    assert lines[-1] == ("framing: error: 2 input problem(s); the other inputs were "
                         "classified")
    assert all(line.startswith("framing: error: ") for line in lines)


class ParallelSpy:
    """Records how the library was asked to share the work, then runs it on one core."""

    def __init__(self, monkeypatch):
        import framing.run.classify as run

        self.calls = []
        real = run.classify_parallel

        def spy(items, **kwargs):
            self.calls.append({"jobs": kwargs["jobs"], "scheduler": kwargs["scheduler"]})
            yield from real(items, **{**kwargs, "scheduler": None})

        monkeypatch.setattr(run, "classify_parallel", spy)


def test_jobs_and_scheduler_options_reach_the_runner(small_model_dir, passages_file,
                                                     monkeypatch):
    monkeypatch.delenv("FRAMING_SCHEDULER", raising=False)
    spy = ParallelSpy(monkeypatch)
    common = ["classify", "--model", str(small_model_dir), "--format", "jsonl", str(passages_file)]
    serial = invoke(*common, "-j", "1")
    assert serial.exit_code == 0 and spy.calls == []  # -j 1 runs in this process
    assert invoke(*common, "--jobs", "2").stdout == serial.stdout
    assert spy.calls == [{"jobs": 2, "scheduler": None}]
    assert invoke(*common, "-j", "1", "--scheduler", "tcp://127.0.0.1:8786").stdout == serial.stdout
    assert spy.calls[-1]["scheduler"] == "tcp://127.0.0.1:8786"
    monkeypatch.setenv("FRAMING_SCHEDULER", "tcp://127.0.0.2:8786")
    assert invoke(*common, "-j", "1").stdout == serial.stdout
    assert spy.calls[-1]["scheduler"] == "tcp://127.0.0.2:8786"


def test_output_file_gets_jsonl_even_when_run_on_a_terminal(small_model_dir, passages_file,
                                                            tmp_path):
    """Without --format, the format follows the destination: -o FILE is JSONL even when
    standard output is a terminal (which alone would mean a table)."""
    target = tmp_path / "out.jsonl"
    package_root, env = subprocess_setting()
    primary, secondary = pty.openpty()
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "framing", "classify", "--model", str(small_model_dir),
             "--unit", "whole", "-o", str(target), str(passages_file)],
            stdout=secondary, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
            cwd=package_root, timeout=300)
    finally:
        os.close(secondary)
        os.close(primary)
    assert completed.returncode == 0, completed.stderr
    rows = rows_of(target.read_text(encoding="utf-8"))
    assert [r["document_id"] for r in rows] == [i for i, _ in PASSAGES]
    assert all(set(r["scores"]) == set(FRAMES) for r in rows)


def test_options_and_short_flags_exist(small_model_dir, passages_file, tmp_path):
    """-o/--output write the file; --format picks the format; unknown values are refused."""
    for flag in ("-o", "--output"):
        target = tmp_path / f"out{flag}.json"
        result = invoke("classify", "--model", str(small_model_dir), "--format", "json", flag,
                        str(target), str(passages_file))
        assert result.exit_code == 0 and result.stdout == ""
        assert len(json.loads(target.read_text(encoding="utf-8"))) == len(PASSAGES)
    assert invoke("classify", "--format", "yaml", str(passages_file)).exit_code == 2
    assert invoke("classify", "--jobs", "many", str(passages_file)).exit_code == 2


def test_table_on_a_terminal_without_format_or_output(small_model_dir, passages_file, tmp_path):
    """No --format and no -o on a terminal: a table; the -o case is JSONL (above)."""
    package_root, env = subprocess_setting(COLUMNS="200")
    primary, secondary = pty.openpty()
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "framing", "classify", "--model", str(small_model_dir),
             "--unit", "whole", str(passages_file)],
            stdout=secondary, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
            cwd=package_root, timeout=300)
        os.close(secondary)
        secondary = -1
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if secondary >= 0:
            os.close(secondary)
        os.close(primary)
    assert completed.returncode == 0, completed.stderr
    lines = shown.decode("utf-8").splitlines()
    assert lines[0].split() == ["SOURCE", "#", "FRAMES", "TEXT"]
    assert len(lines) == 1 + len(PASSAGES)


@pytest.mark.parametrize("interrupt, code", [("ctrl-c", 130), ("sigterm", 143)])
def test_interrupt_is_one_line_and_its_exit_code(small_model_dir, passages_file, tmp_path,
                                                 monkeypatch, interrupt, code):
    import framing.run.classify as run
    from framing.cli import Terminated

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt() if interrupt == "ctrl-c" else Terminated()

    monkeypatch.setattr(run, "classify_files", interrupted)
    target = tmp_path / "out.jsonl"
    target.write_text("previous\n")
    result = invoke("classify", "--model", str(small_model_dir), "-o", str(target),
                    str(passages_file))
    assert result.exit_code == code
    assert result.stderr == "framing: error: interrupted; no output file was changed\n"
    assert target.read_text() == "previous\n"


def test_agreement_writes_json_by_default_off_a_terminal(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text('{"id": "1", "frames": ["diplomacy"]}\n{"id": "2", "frames": []}\n')
    second.write_text('{"id": "1", "frames": ["diplomacy"]}\n{"id": "2", "frames": ["diplomacy"]}\n')
    result = invoke("agreement", str(first), "--second", str(second))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["passages"] == 2


def _recording_cross_validate(calls):
    """A stand-in for cross_validate that records what the command passed and reports which
    data it got: the option plumbing is under test here, not the (slow) CV itself."""
    def fake(data, lexicon, settings=None, methods=None):
        calls.append(settings)
        return {"procedure": f"{settings.folds}-fold, seed {settings.seed}, data {data.sha256}",
                "passages": len(data), "methods": {}}
    return fake


def test_evaluate_honours_folds_and_seed(small_gold, monkeypatch):
    import framing.training.evaluate

    calls = []
    monkeypatch.setattr(framing.training.evaluate, "cross_validate",
                        _recording_cross_validate(calls))
    result = invoke("evaluate", "--gold", str(small_gold), "--folds", "4", "--seed", "7",
                    "--format", "json")
    assert result.exit_code == 0, result.output
    (settings,) = calls
    assert (settings.folds, settings.seed) == (4, 7)  # not the default 5 folds, seed 13
    assert json.loads(result.stdout)["procedure"].startswith("4-fold, seed 7")


def test_gold_defaults_to_corpus_gold_in_the_working_folder(small_gold, tmp_path, monkeypatch):
    import framing.training.evaluate

    monkeypatch.setattr(framing.training.evaluate, "cross_validate",
                        _recording_cross_validate([]))
    monkeypatch.chdir(tmp_path)
    result = invoke("evaluate", "--folds", "4", "--format", "json")
    assert result.exit_code == 2
    assert result.stderr.startswith("framing: error: no --gold given and no corpus/gold/ here")
    gold = tmp_path / "corpus" / "gold"
    gold.mkdir(parents=True)
    (gold / "part.jsonl").write_text(small_gold.read_text(encoding="utf-8"), encoding="utf-8")
    result = invoke("evaluate", "--folds", "4", "--format", "json")
    assert result.exit_code == 0, result.output
    explicit = invoke("evaluate", "--gold", str(gold / "part.jsonl"), "--folds", "4",
                      "--format", "json")
    assert json.loads(result.stdout) == json.loads(explicit.stdout)  # same files, same bytes
    assert json.loads(result.stdout)["passages"] == len(small_gold.read_text().splitlines())


def test_a_closed_pipe_ends_quietly(small_model_dir, tmp_path):
    """framing classify ... | head -1: the reader goes away; no traceback, exit 0."""
    article = tmp_path / "long.txt"
    article.write_text("\n\n".join(TEXTS * 400) + "\n", encoding="utf-8")
    package_root, env = subprocess_setting()
    process = subprocess.Popen(
        [sys.executable, "-m", "framing", "classify", "--model", str(small_model_dir),
         "--format", "jsonl", "-j", "1", str(article)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
        cwd=package_root)
    first = process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(timeout=300) == 0, stderr
    assert json.loads(first)["passage_index"] == 0
    assert b"Traceback" not in stderr and b"Exception" not in stderr
