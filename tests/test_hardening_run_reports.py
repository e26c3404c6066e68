"""Issue 14, item 14: what evaluate, agreement, train and the charts report in edge cases:
undefined figures are undefined (not 0 or 1), unmatched passages are counted, the help says
what a piped run writes, train never replaces a model by default, and control characters in
group names raise no matplotlib warning."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from framing.cli import cli
from framing.frames import FRAMES

NEUTRAL = ["The weather in the capital was mild on Tuesday.",
           "The museum reopened its gallery of paintings after renovation.",
           "A local bakery won a prize for its bread."]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# -- evaluate: undefined figures ------------------------------------------------------------

def test_evaluate_reports_undefined_figures_as_null_not_zero(tmp_path, small_model_dir):
    data = write_jsonl(tmp_path / "no-positives.jsonl",
                       [{"id": f"n{i}", "text": t, "frames": []} for i, t in enumerate(NEUTRAL)])
    result = run("evaluate", "--data", data, "--model", small_model_dir, "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    for method, figures in report["methods"].items():
        for frame in FRAMES:
            cell = figures["per_frame"][frame]
            assert cell["support"] == 0 and cell["recall"] is None, (method, frame, cell)
            if cell["precision"] is None:  # nothing predicted either: F1 is 0/0 too
                assert cell["f1"] is None
            else:  # a false positive: precision and F1 are a real 0
                assert cell["precision"] == 0.0 and cell["f1"] == 0.0
        assert figures["macro_recall"] is None
    table = run("evaluate", "--data", data, "--model", small_model_dir, "--format", "table")
    assert table.exit_code == 0 and "undefined" in table.stdout
    csv = run("evaluate", "--data", data, "--model", small_model_dir, "--format", "csv")
    assert csv.exit_code == 0 and "None" not in csv.stdout and "undefined" not in csv.stdout


def test_evaluate_figures_stay_numbers_where_defined(tmp_path, small_model_dir, small_gold):
    result = run("evaluate", "--data", small_gold, "--model", small_model_dir)
    report = json.loads(result.stdout)  # piped: JSON, as the help says
    for figures in report["methods"].values():
        assert all(isinstance(cell["recall"], float) for cell in figures["per_frame"].values())
        assert isinstance(figures["macro_f1"], float)


# -- agreement -----------------------------------------------------------------------------

def labels(path: Path, coded: dict[str, list[str]]) -> Path:
    return write_jsonl(path, [{"id": i, "frames": f} for i, f in coded.items()])


def test_agreement_counts_the_passages_only_one_pass_coded(tmp_path):
    first = labels(tmp_path / "first.jsonl", {"a": ["diplomacy"], "b": [], "c": ["diplomacy"],
                                              "d": ["escalation"], "only-first": []})
    second = labels(tmp_path / "second.jsonl", {"a": ["diplomacy"], "b": ["diplomacy"],
                                                "c": [], "d": ["escalation"],
                                                "only-second-1": [], "only-second-2": []})
    result = run("agreement", first, "--second", second)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["passages"], report["unmatched_first"], report["unmatched_second"]) == (4, 1, 2)
    assert result.stderr.splitlines() == [
        "framing: note: 1 passage(s) of the first pass and 2 of the second have no "
        "counterpart in the other pass; left out"]
    table = run("agreement", first, "--second", second, "--format", "table")
    assert "(1 only in the first pass, 2 only in the second: left out)" in table.stdout


def test_agreement_alpha_is_undefined_for_a_frame_coded_one_way_everywhere(tmp_path):
    coded = {"a": ["diplomacy"], "b": [], "c": ["diplomacy"], "d": []}
    first = labels(tmp_path / "first.jsonl", coded)
    second = labels(tmp_path / "second.jsonl", {**coded, "d": ["diplomacy"]})
    result = run("agreement", first, "--second", second)
    assert result.exit_code == 0 and result.stderr == ""
    report = json.loads(result.stdout)
    for frame in ("military_success", "escalation", "civilian_harm"):  # nobody coded them
        cell = report["per_frame"][frame]
        assert cell["alpha"] is None and cell["kappa"] is None, cell
        assert cell["percent_agreement"] == 100.0
    assert isinstance(report["per_frame"]["diplomacy"]["alpha"], float)
    assert report["mean_alpha"] == report["per_frame"]["diplomacy"]["alpha"]
    table = run("agreement", first, "--second", second, "--format", "table")
    assert table.stdout.count("undefined") == 6  # alpha and kappa of three frames


def test_agreement_mean_alpha_is_undefined_when_no_frame_varies(tmp_path):
    first = labels(tmp_path / "first.jsonl", {"a": [], "b": []})
    report = json.loads(run("agreement", first, "--second", first).stdout)
    assert report["mean_alpha"] is None
    table = run("agreement", first, "--second", first, "--format", "table")
    assert "mean alpha undefined" in table.stdout


# -- help text -----------------------------------------------------------------------------

@pytest.mark.parametrize("command, piped", [("evaluate", "json"), ("agreement", "json"),
                                            ("classify", "jsonl")])
def test_help_says_what_a_piped_run_writes(command, piped):
    help_text = " ".join(run(command, "--help").stdout.split())
    assert f"[default: table on a terminal, else {piped}]" in help_text


def test_piped_agreement_writes_what_its_help_says(tmp_path):
    first = labels(tmp_path / "first.jsonl", {"a": ["diplomacy"], "b": []})
    assert json.loads(run("agreement", first, "--second", first).stdout)["passages"] == 2


# -- train: no default output --------------------------------------------------------------

@pytest.fixture()
def tiny_gold(tmp_path, small_gold) -> Path:
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(small_gold.read_text(encoding="utf-8").splitlines()[::2]) + "\n",
                    encoding="utf-8")
    return path


def test_train_without_output_refuses_and_writes_nothing(tmp_path, tiny_gold, monkeypatch):
    checkout = tmp_path / "checkout"
    shipped = checkout / "models" / "framing-default"
    shipped.mkdir(parents=True)
    (shipped / "model.json").write_text("the tracked model\n", encoding="utf-8")
    monkeypatch.chdir(checkout)
    result = run("train", "--gold", tiny_gold, "--no-cross-validation")
    assert result.exit_code == 2, result.stderr
    assert result.stderr.splitlines() == [
        "framing: error: no --output given; name the model folder to write, e.g. -o my-model "
        f"(-o {os.path.join('models', 'framing-default')} rebuilds the shipped model)"]
    assert [p.name for p in shipped.iterdir()] == ["model.json"]
    assert (shipped / "model.json").read_text(encoding="utf-8") == "the tracked model\n"
    help_text = " ".join(run("train", "--help").stdout.split())
    assert "required" in help_text and "default: models" not in help_text


def test_train_with_an_explicit_output_still_rebuilds_the_shipped_folder(tmp_path, tiny_gold,
                                                                         monkeypatch):
    from framing.model.storage import load_model

    monkeypatch.chdir(tmp_path)
    (tmp_path / "models" / "framing-default").mkdir(parents=True)
    result = run("train", "--gold", tiny_gold, "--no-cross-validation",
                 "-o", "models/framing-default")
    assert result.exit_code == 0, result.stderr
    assert load_model(tmp_path / "models" / "framing-default").vocabulary


# -- charts: control characters in group names ---------------------------------------------

def test_control_characters_in_outlet_names_raise_no_glyph_warning(tmp_path):
    root = tmp_path / "c"
    (root / "articles").mkdir(parents=True)
    text = ("Delegations met in Istanbul for peace talks.\n\n"
            "Russian shelling killed three civilians in Kherson.\n")
    outlets = ["Al\x01pha", "Be\x1bta\x7f", "Gam\x85ma\x9f"]
    rows = ["file,outlet"]
    for i, outlet in enumerate(outlets):
        (root / "articles" / f"a{i}.txt").write_text(text, encoding="utf-8")
        rows.append(f"articles/a{i}.txt,{outlet}")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = tmp_path / "report.html"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run("compare", root, "-q", "--bootstrap", "0", "--permutations", "0",
                     "-o", report)
    assert result.exit_code == 0, result.stderr
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message)]
    assert glyphs == []
    svg = report.read_text(encoding="utf-8")
    assert "<svg" in svg and "\ufffd" in svg  # the control characters drawn as U+FFFD
