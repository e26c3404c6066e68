"""``framing compare --validation`` and ``--adjust`` end to end: corrected shares with their
intervals, per-group precision and recall, warnings, in every report format; the Python API;
and one-line errors for sheets that do not belong to the corpus."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

import framing
from framing.cli import cli
from framing.frames import FRAMES
from framing.io.sheets import read_sheet, write_sheet

FAST = ["--bootstrap", "50", "--permutations", "50", "--quiet"]


def invoke(*args):
    return CliRunner().invoke(cli, [*map(str, args)], catch_exceptions=False)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Two outlets, 40 one-paragraph records each, and what a coder would say of each."""
    path = tmp_path_factory.mktemp("corpus") / "records.jsonl"
    sentences = {
        "civilian_harm": "Shelling hit apartment blocks and a hospital, killing {k} civilians "
                         "including children, residents said.",
        "diplomacy": "Delegations met in Istanbul for talks on a ceasefire and a prisoner "
                     "exchange, the foreign minister said after round {k}.",
        "none": "The ministry published its quarterly budget figures on day {k}.",
    }
    lines = []
    for outlet in ("Alpha", "Beta"):
        for k in range(40):
            kind = ("civilian_harm", "diplomacy", "none", "none")[k % 4] if outlet == "Alpha" \
                else ("diplomacy", "none", "civilian_harm", "diplomacy")[k % 4]
            lines.append(json.dumps({"id": f"{outlet}-{k}", "outlet": outlet,
                                     "truth": kind, "text": sentences[kind].format(k=k + 2)}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _truth(corpus) -> dict:
    records = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    return {r["id"]: [] if r["truth"] == "none" else [r["truth"]] for r in records}


@pytest.fixture(scope="module")
def coded_sheet(corpus, tmp_path_factory):
    """15 passages per outlet, coded with the truth (as a careful coder would)."""
    path = tmp_path_factory.mktemp("sheet") / "coded.jsonl"
    assert invoke("sample", corpus, "--per-group", 15, "--unit", "whole", "-o",
                  path).exit_code == 0
    truth = _truth(corpus)
    write_sheet(path, [{**r, "frames": truth[r["document_id"]]} for r in read_sheet(path)])
    return path


@pytest.fixture(scope="module")
def reports(corpus, coded_sheet, small_model_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    outputs = {fmt: folder / f"report.{fmt}" for fmt in ("json", "md", "html", "csv")}
    result = invoke("compare", corpus, "--unit", "whole", "--model", small_model_dir,
                    "--validation", coded_sheet, *FAST,
                    *[item for path in outputs.values() for item in ("-o", path)])
    assert result.exit_code == 0, result.output
    return {fmt: path.read_text(encoding="utf-8") for fmt, path in outputs.items()}


def test_json_has_corrected_shares_and_validation_per_group(reports, corpus):
    report = json.loads(reports["json"])
    assert report["corrected"] is True
    truth = _truth(corpus)
    for group in ("Alpha", "Beta"):
        ids = [i for i in truth if i.startswith(group)]
        for frame in FRAMES:
            cell = report["groups"][group]["frames"][frame]
            corrected = cell["corrected"]
            assert set(corrected) >= {"share", "interval", "method"}
            assert corrected["interval"][0] <= corrected["share"] <= corrected["interval"][1]
            true_share = sum(frame in truth[i] for i in ids) / len(ids)
            assert corrected["interval"][0] - 1e-9 <= true_share <= \
                corrected["interval"][1] + 1e-9
            check = report["groups"][group]["validation"][frame]
            assert check["coded"] == 15
            assert set(check) >= {"coded", "precision", "recall"}
    assert report["pairwise"][0]["corrected_p_bh"] is not None


def test_markdown_html_and_csv_carry_the_same(reports):
    assert "## Corrected for the tagger's error" in reports["md"]
    assert "corrected (interval)" in reports["md"]
    assert "Corrected for the tagger&#x27;s error" in reports["html"]
    assert 'aria-label="Raw and corrected shares' in reports["html"]
    rows = list(csv.DictReader(io.StringIO(reports["csv"])))
    assert len(rows) == 2 * len(FRAMES)
    assert all(row["corrected_share"] and row["coded"] == "15" for row in rows)
    report = json.loads(reports["json"])
    for row in rows:
        cell = report["groups"][row["group"]]["frames"][row["frame"]]["corrected"]
        assert float(row["corrected_share"]) == pytest.approx(cell["share"])


def test_python_api_gives_the_cli_numbers(reports, corpus, coded_sheet, small_model_dir):
    result = framing.compare(corpus, model=small_model_dir, unit="whole", bootstrap=50,
                             permutations=50, validation=coded_sheet)
    report = json.loads(reports["json"])
    for row in result.shares:
        expected = report["groups"][row["group"]]["frames"][row["frame"]]["corrected"]["share"]
        assert row["corrected"]["share"] == pytest.approx(expected, rel=1e-5)
    records = read_sheet(coded_sheet)
    again = framing.compare(corpus, model=small_model_dir, unit="whole", bootstrap=50,
                            permutations=50, validation=records)
    assert [r["corrected"] for r in again.shares] == [r["corrected"] for r in result.shares]


def test_a_tagger_wrong_in_one_group_only_is_flagged(corpus, tmp_path, small_model_dir):
    """Codes that say every Beta passage is civilian harm while Alpha's agree with the truth:
    the tagger's error now differs by group, and the report says so."""
    sheet = tmp_path / "sheet.jsonl"
    invoke("sample", corpus, "--per-group", 20, "--unit", "whole", "-o", sheet)
    truth = _truth(corpus)
    write_sheet(sheet, [{**r, "frames": ["civilian_harm"] if r["group"] == "Beta"
                         else truth[r["document_id"]]} for r in read_sheet(sheet)])
    result = framing.compare(corpus, model=small_model_dir, unit="whole", bootstrap=50,
                             permutations=50, validation=sheet)
    assert any("civilian_harm: the tagger's error differs between groups" in w
               for w in result.warnings), result.warnings
    beta = result.share("Beta", "civilian_harm")["corrected"]
    assert beta["interval"][1] == pytest.approx(1.0) or beta["share"] > 0.8


def test_uncoded_rows_are_left_out_with_a_warning(corpus, coded_sheet, tmp_path,
                                                   small_model_dir):
    records = read_sheet(coded_sheet)
    records[0]["frames"] = None
    write_sheet(tmp_path / "partial.jsonl", records)
    result = framing.compare(corpus, model=small_model_dir, unit="whole", bootstrap=50,
                             permutations=50, validation=tmp_path / "partial.jsonl")
    assert any("not coded yet" in w for w in result.warnings)


def test_without_a_sheet_the_report_says_shares_are_uncorrected(repo):
    result = invoke("compare", repo / "corpus", *FAST)
    assert result.exit_code == 0
    assert "## How accurate are the tags?" in result.output
    assert "not corrected" in result.output
    assert "civilian harm |" in result.output  # the card's per-frame figures


def test_adjust_model_card_adds_adjusted_shares(repo, tmp_path):
    out = tmp_path / "r.json"
    result = invoke("compare", repo / "corpus", *FAST, "--adjust", "model-card", "-o", out)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    cell = report["groups"]["npr"]["frames"]["diplomacy"]
    assert cell["adjusted"]["method"] == "adjusted classify-and-count (model card)"
    assert report["settings"]["adjust"] == "model-card"


def test_adjust_needs_a_card_with_measured_accuracy(corpus, small_model_dir):
    result = invoke("compare", corpus, "--unit", "whole", "--model", small_model_dir, *FAST,
                    "--adjust", "model-card")
    assert result.exit_code == 2
    assert "needs a model card" in result.stderr


def _sheet_error(corpus, sheet, small_model_dir, *extra):
    result = invoke("compare", corpus, "--model", small_model_dir, *FAST,
                    "--validation", sheet, *extra)
    assert "Traceback" not in result.output
    return result


def test_a_sheet_drawn_with_another_unit_is_refused(corpus, coded_sheet, small_model_dir):
    result = _sheet_error(corpus, coded_sheet, small_model_dir, "--unit", "sentence")
    assert result.exit_code == 2 and "drawn with --unit whole" in result.stderr


def test_a_sheet_of_another_corpus_is_refused(corpus, coded_sheet, tmp_path, small_model_dir):
    records = read_sheet(coded_sheet)
    records[0]["text"] = "A passage that was never in this corpus."
    write_sheet(tmp_path / "other.jsonl", records)
    result = _sheet_error(corpus, tmp_path / "other.jsonl", small_model_dir, "--unit", "whole")
    assert result.exit_code == 3
    assert "does not match the corpus" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_sheet_with_nothing_coded_is_refused(corpus, tmp_path, small_model_dir):
    sheet = tmp_path / "blank.jsonl"
    invoke("sample", corpus, "--per-group", 3, "--unit", "whole", "-o", sheet)
    result = _sheet_error(corpus, sheet, small_model_dir, "--unit", "whole")
    assert result.exit_code == 3 and "no passage on the sheet is coded" in result.stderr


def test_the_report_never_overwrites_the_sheet(corpus, coded_sheet, small_model_dir):
    before = coded_sheet.read_bytes()
    result = _sheet_error(corpus, coded_sheet, small_model_dir, "--unit", "whole",
                          "-o", coded_sheet, "--format", "json")
    assert result.exit_code == 2 and "is the input" in result.stderr
    assert coded_sheet.read_bytes() == before


def test_tagged_input_takes_a_sheet_too(corpus, coded_sheet, tmp_path, small_model_dir):
    """classify output compared with --validation gives the raw corpus's corrected shares."""
    tags = tmp_path / "tags.jsonl"
    assert invoke("classify", corpus, "--unit", "whole", "--model", small_model_dir,
                  "--format", "jsonl", "-o", tags).exit_code == 0
    from_tags = framing.compare(tags, bootstrap=50, permutations=50, validation=coded_sheet)
    from_raw = framing.compare(corpus, model=small_model_dir, unit="whole", bootstrap=50,
                               permutations=50, validation=coded_sheet)
    assert [r["corrected"] for r in from_tags.shares] == \
        [r["corrected"] for r in from_raw.shares]
    assert from_tags.accuracy is None  # no model card comes with tags
