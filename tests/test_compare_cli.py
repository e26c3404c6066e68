"""``framing compare`` end to end through click's CliRunner: formats, determinism, gates, errors."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from framing.cli.compare import compare_command
from framing.frames import FRAMES

XSS = ('Residents said the strike on the hospital killed two children. <script>alert("x")</script>'
       '\n\n"><img src=x onerror=alert(1)> Civilians were killed and wounded when shelling hit '
       'apartment blocks and a hospital; residents, including children, fled the city.\n')


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, repo):
    """The shipped articles under two outlets (plus one hostile article), with a manifest."""
    root = tmp_path_factory.mktemp("corpus")
    (root / "articles").mkdir()
    articles = sorted((repo / "corpus" / "articles").glob("*.txt"))
    rows = ["file,outlet,date,title,url"]
    for i, path in enumerate(articles):
        shutil.copy(path, root / "articles" / path.name)
        outlet = "Alpha" if i % 2 == 0 else "Beta"
        rows.append(f"articles/{path.name},{outlet},2025-06-0{1 + i % 2},Article {i},"
                    f"https://example.org/{i}")
    (root / "articles" / "xss.txt").write_text(XSS, encoding="utf-8")
    rows.append('articles/xss.txt,Beta,2025-06-02,"<b>bold</b> title",javascript:alert(1)')
    (root / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def run(small_model_dir):
    def invoke(*args, fast=True):
        extra = ["--bootstrap", "200", "--permutations", "200"] if fast else []
        runner = CliRunner()
        return runner.invoke(compare_command, [*map(str, args), "--model", str(small_model_dir),
                                               *extra], catch_exceptions=False)
    return invoke


@pytest.fixture(scope="module")
def json_report(run, corpus, tmp_path_factory):
    path = tmp_path_factory.mktemp("reports") / "report.json"
    result = run(corpus, "--format", "json", "--output", path)
    assert result.exit_code == 0, result.stderr
    return path


def test_json_report_has_the_documented_keys(json_report):
    document = json.loads(json_report.read_text(encoding="utf-8"))
    assert document["schema_version"] == "1.0"
    assert set(document["groups"]) == {"Alpha", "Beta"}
    for group in document["groups"].values():
        assert set(group["frames"]) == set(FRAMES)
        for cell in group["frames"].values():
            assert 0.0 <= cell["share"] <= 1.0
            low, high = cell["interval"]
            assert low <= cell["share"] <= high
            assert cell["counts"]["passages"] == group["passages"]
    assert set(document["omnibus"]["frames"]) == set(FRAMES) and "mix" in document["omnibus"]
    for row in document["pairwise"]:
        assert {"p_value", "p_holm", "p_bh"} <= set(row)
    assert document["divergences"][0]["a"] == "Alpha"
    assert set(document["distinctive_terms"]) == set(FRAMES)
    assert document["settings"]["method"] == "hybrid"
    assert len(document["articles"]) == 6


@pytest.mark.parametrize("fmt", ["markdown", "html", "json"])
def test_two_runs_are_byte_identical(run, corpus, tmp_path, fmt):
    first, second = tmp_path / "one", tmp_path / "two"
    assert run(corpus, "--format", fmt, "-o", first).exit_code == 0
    assert run(corpus, "--format", fmt, "-o", second).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_markdown_to_stdout_by_default_without_progress(run, corpus):
    result = run(corpus)
    assert result.exit_code == 0
    assert result.stdout.startswith("# Frames compared by outlet\n")
    assert "## What each test assumes" in result.stdout
    assert result.stderr == ""  # not a terminal: no progress bar


def test_hostile_article_is_escaped(run, corpus, tmp_path):
    html_path = tmp_path / "r.html"
    assert run(corpus, "-o", html_path, "--quiet").exit_code == 0  # format from the suffix
    page = html_path.read_text(encoding="utf-8")
    assert "<script" not in page and "<img" not in page and "<b>bold</b> title" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'href="javascript' not in page and 'href="https://example.org/0"' in page
    markdown = run(corpus, "--format", "markdown").stdout
    assert "<script" not in markdown and "<img" not in markdown


def test_csv_table(run, corpus):
    result = run(corpus, "--format", "csv")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("group,frame,articles,articles_tagged,passages,tagged,share,low,high")
    assert len(lines) == 1 + 2 * len(FRAMES)


def test_unchanged_baseline_passes_the_shift_gate(run, corpus, json_report):
    result = run(corpus, "--baseline", json_report, "--fail-on-shift", "0")
    assert result.exit_code == 0, result.stderr
    assert "## Since the baseline" in result.stdout
    assert "✅ **shift gate**" in result.stdout


def test_doctored_baseline_fails_the_shift_gate(run, corpus, json_report, tmp_path):
    doctored = json.loads(json_report.read_text(encoding="utf-8"))
    cell = doctored["groups"]["Alpha"]["frames"]["diplomacy"]
    cell["share"] = 1.0 if cell["share"] < 0.5 else 0.0
    baseline = tmp_path / "doctored.json"
    baseline.write_text(json.dumps(doctored), encoding="utf-8")
    out = tmp_path / "report.json"
    result = run(corpus, "--baseline", baseline, "--fail-on-shift", "0.2", "-o", out)
    assert result.exit_code == 1
    assert result.stderr.startswith("framing: error: largest shift since the baseline is ")
    assert "(Alpha / diplomacy: " in result.stderr and "over --fail-on-shift 0.2" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    report = json.loads(out.read_text(encoding="utf-8"))  # the report is written for CI to keep
    assert report["gates"][0]["passed"] is False


def test_divergence_gate(run, corpus, json_report):
    document = json.loads(json_report.read_text(encoding="utf-8"))
    divergence = document["divergences"][0]["divergence"]
    assert run(corpus, "--fail-on-divergence", divergence + 0.001).exit_code == 0
    failed = run(corpus, "--fail-on-divergence", max(0.0, divergence - 0.001))
    assert failed.exit_code == 1
    assert "Jensen-Shannon divergence" in failed.stderr and "between Alpha and Beta" in failed.stderr


def test_shift_gate_needs_a_baseline(run, corpus):
    result = run(corpus, "--fail-on-shift", "0.1")
    assert result.exit_code == 2
    assert result.stderr == ("framing: error: --fail-on-shift needs --baseline: a shift is "
                             "measured against a previous JSON report (framing compare ... "
                             "--format json)\n")


def test_malformed_manifest_lists_every_problem_and_writes_nothing(run, tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.txt").write_text("Talks resumed.", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(
        "file,outlet\narticles/a.txt,AP\n../../etc/passwd,AP\narticles/gone.txt,AP\n"
        "articles/a.txt,BBC\n", encoding="utf-8")
    (tmp_path / "x.txt").write_text("", encoding="utf-8")
    (tmp_path / "records.jsonl").write_text('{"text": "no outlet here"}\n', encoding="utf-8")
    out = tmp_path / "report.html"
    result = run(tmp_path, "-o", out)
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert lines[0] == f"framing: error: corpus {tmp_path}: 3 problems, nothing was compared:"
    assert "points outside the corpus folder" in lines[1]
    assert "'articles/gone.txt' not found" in lines[2]
    assert "listed twice" in lines[3]
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report.html")]
    no_outlet = run(tmp_path / "records.jsonl", "-o", out)
    # no record has an outlet at all: one usage line naming the fields there are (issue 13)
    assert no_outlet.exit_code == 2 and "no article has the field 'outlet'" in no_outlet.stderr
    assert not out.exists()


def test_jsonl_records_by_date(run, tmp_path):
    records = tmp_path / "records.jsonl"
    lines = []
    for i in range(6):
        text = ("Russia and Ukraine held talks on a ceasefire in Istanbul." if i % 2 else
                "Shelling killed three civilians and wounded children in Kherson.")
        lines.append(json.dumps({"id": f"r{i}", "text": text, "outlet": "AP",
                                 "date": f"2025-06-0{1 + i // 3}"}))
    records.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(records, "--by", "date", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["group_order"] == ["2025-06-01", "2025-06-02"]
    assert document["settings"]["by"] == "date"


def test_usage_errors(run, corpus, tmp_path):
    bad_by = run(corpus, "--by", "date:fortnight")
    assert bad_by.exit_code == 2 and "unknown period 'fortnight'" in bad_by.stderr
    no_folder = run(corpus, "-o", tmp_path / "missing" / "r.md")
    assert no_folder.exit_code == 3 and "does not exist" in no_folder.stderr
    missing_field = run(corpus, "--by", "leaning")
    assert missing_field.exit_code == 2 and "no article has the field 'leaning'" in \
        missing_field.stderr and "the fields this corpus has are: date, outlet" in missing_field.stderr
    bad_baseline = run(corpus, "--baseline", tmp_path / "none.json")
    assert bad_baseline.exit_code == 3 and "baseline not found" in bad_baseline.stderr


def test_python_api(corpus, small_model_dir):
    from framing.comparison.api import compare

    calls = []
    result = compare(corpus, model=small_model_dir, bootstrap=50, permutations=50,
                     progress=lambda done, total: calls.append((done, total)))
    assert result.groups == ["Alpha", "Beta"]
    assert calls[0] == (0, 6) and calls[-1] == (6, 6)
    assert len(result.tables()["pairwise"]) == len(FRAMES)


def test_several_outputs_from_one_run(run, corpus, tmp_path, json_report):
    paths = [tmp_path / name for name in ("r.md", "r.html", "r.json", "r.csv")]
    result = run(corpus, *[arg for p in paths for arg in ("-o", p)])
    assert result.exit_code == 0, result.stderr
    assert paths[2].read_bytes() == json_report.read_bytes()
    assert paths[0].read_text(encoding="utf-8").startswith("# Frames compared by outlet")
    assert paths[1].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert paths[3].read_text(encoding="utf-8").startswith("group,frame,")
    mixed = run(corpus, "--format", "json", "-o", paths[0], "-o", paths[1])
    assert mixed.exit_code == 2 and "--format goes with one --output" in mixed.stderr
    unnamed = run(corpus, "-o", paths[0], "-o", tmp_path / "report.txt")
    assert unnamed.exit_code == 2 and "needs a suffix" in unnamed.stderr


def test_package_exports_the_api():
    """framing.compare is the function, even after the CLI imported framing.comparison."""
    import framing
    import framing.cli  # noqa: F401  (registers compare, importing framing.comparison.api)

    assert callable(framing.compare) and framing.compare.__module__ == "framing.comparison.api"
    assert framing.compare_passages.__module__ == "framing.comparison.api"
    assert framing.ComparisonResult.__name__ == "ComparisonResult"
    assert framing.load_corpus.__module__ == "framing.io.corpus"


def test_progress_bar_only_on_a_terminal(monkeypatch):
    import io
    import sys

    from framing.cli.compare import _progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    assert _progress(quiet=False) is None  # pytest's stderr is not a terminal
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert _progress(quiet=True) is None
    update = _progress(quiet=False)
    for done in range(4):
        update(done, 3)
    assert "classifying" in terminal.getvalue() and "3/3" in terminal.getvalue()
