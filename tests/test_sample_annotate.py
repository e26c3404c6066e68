"""``framing sample`` and ``framing annotate`` end to end through the real CLI, and the Python
API behind them: a sheet drawn per group, deterministic, without tags; a coding loop that
saves every answer and resumes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import framing
from framing.cli import cli
from framing.frames import FRAMES
from framing.io.sheets import read_sheet


def invoke(*args, input=None):
    return CliRunner().invoke(cli, [*map(str, args)], input=input, catch_exceptions=False)


@pytest.fixture(scope="module")
def jsonl_corpus(tmp_path_factory):
    """Three outlets of one-paragraph records (30, 12 and 3 records)."""
    path = tmp_path_factory.mktemp("corpus") / "records.jsonl"
    lines = []
    for outlet, count in (("Alpha", 30), ("Beta", 12), ("Gamma", 3)):
        for k in range(count):
            lines.append(json.dumps({"id": f"{outlet}-{k}", "outlet": outlet,
                                     "date": f"2025-06-{1 + k % 28:02d}",
                                     "text": f"{outlet} report {k}: talks on a ceasefire went on "
                                             f"as shelling hit homes in the city."}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_sample_draws_per_group_without_tags(jsonl_corpus, tmp_path):
    out = tmp_path / "sheet.jsonl"
    result = invoke("sample", jsonl_corpus, "--per-group", 5, "--unit", "whole", "-o", out)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    groups = [r["group"] for r in records]
    assert groups.count("Alpha") == 5 and groups.count("Beta") == 5
    assert groups.count("Gamma") == 3  # a small group is taken whole
    assert all(r["frames"] is None for r in records)
    assert not {"scores", "tags", "evidence"} & set(records[0])
    alpha = [r for r in records if r["group"] == "Alpha"]
    assert {r["inclusion_probability"] for r in alpha} == {5 / 30}
    assert {r["document_id"] for r in records if r["group"] == "Gamma"} == \
        {"Gamma-0", "Gamma-1", "Gamma-2"}


def test_sample_is_deterministic_for_a_seed(jsonl_corpus, tmp_path):
    paths = [tmp_path / f"{name}.jsonl" for name in ("a", "b", "c")]
    for path, seed in zip(paths, (1, 1, 2)):
        assert invoke("sample", jsonl_corpus, "--per-group", 4, "--seed", seed, "--unit",
                      "whole", "-o", path).exit_code == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()


def test_sample_of_a_manifest_corpus_as_csv(repo, tmp_path):
    out = tmp_path / "sheet.csv"
    result = invoke("sample", repo / "corpus", "--per-group", 2, "-o", out)
    assert result.exit_code == 0, result.output
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[-4:] == list(FRAMES)
    records = read_sheet(out)
    assert len(records) == 10 and all(r["unit"] == "paragraph" for r in records)


def test_near_threshold_oversamples_with_recorded_probabilities(jsonl_corpus, tmp_path,
                                                                small_model_dir):
    out = tmp_path / "sheet.jsonl"
    result = invoke("sample", jsonl_corpus, "--per-group", 6, "--near-threshold", 3,
                    "--unit", "whole", "--model", small_model_dir, "-o", out)
    assert result.exit_code == 0, result.output
    records = read_sheet(out)
    for group in ("Alpha", "Beta"):
        mine = [r for r in records if r["group"] == group]
        assert len(mine) == 6
        for stratum in {r["stratum"] for r in mine}:
            assert stratum in ("near", "rest")
        assert all(0 < r["inclusion_probability"] <= 1 for r in mine)


@pytest.mark.parametrize("args, message", [
    (["--per-group", "0"], "--per-group must be at least 1"),
    (["--per-group", "2", "--near-threshold", "3"], "cannot exceed --per-group"),
    (["--per-group", "2", "--by", "nope"], "nope"),
])
def test_sample_refuses_bad_options_in_one_line(jsonl_corpus, tmp_path, args, message):
    result = invoke("sample", jsonl_corpus, *args, "-o", tmp_path / "s.jsonl")
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "s.jsonl").exists()


def test_sample_never_overwrites_its_corpus(jsonl_corpus):
    before = jsonl_corpus.read_bytes()
    result = invoke("sample", jsonl_corpus, "--per-group", 2, "-o", jsonl_corpus)
    assert result.exit_code == 2 and "is the input" in result.stderr
    assert jsonl_corpus.read_bytes() == before


def test_sample_refuses_a_corpus_whose_ids_repeat(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "x", "outlet": "A", "text": "one"}\n'
                    '{"id": "x", "outlet": "A", "text": "two"}\n', encoding="utf-8")
    result = invoke("sample", path, "--per-group", 1, "-o", tmp_path / "s.jsonl")
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_python_api_sample_equals_the_cli(jsonl_corpus, tmp_path):
    out = tmp_path / "sheet.jsonl"
    invoke("sample", jsonl_corpus, "--per-group", 3, "--unit", "whole", "-o", out)
    assert framing.sample(jsonl_corpus, per_group=3, unit="whole") == read_sheet(out)


# -- annotate ------------------------------------------------------------------------------
@pytest.fixture
def sheet(jsonl_corpus, tmp_path):
    out = tmp_path / "sheet.jsonl"
    invoke("sample", jsonl_corpus, "--per-group", 2, "--unit", "whole", "-o", out)
    return out


def test_annotate_toggles_saves_and_resumes(sheet):
    # first passage: diplomacy + civilian harm; second: no frame (0); then quit
    result = invoke("annotate", sheet, input="34\r0q")
    assert result.exit_code == 0, result.output
    assert "4 civilian harm" in result.output.replace("[x] ", "").replace("[ ] ", "")
    coded = read_sheet(sheet)
    assert coded[0]["frames"] == ["diplomacy", "civilian_harm"]
    assert coded[1]["frames"] == []
    assert all(r["frames"] is None for r in coded[2:])
    # a new session starts at the first passage not yet coded
    result = invoke("annotate", sheet, input="1\rq")
    assert "passage 3 of 6" in result.output
    assert read_sheet(sheet)[2]["frames"] == ["military_success"]


def test_annotate_back_and_skip(sheet):
    invoke("annotate", sheet, input="1\rs2\rb\r" + "q")
    coded = read_sheet(sheet)
    # passage 1: military success; passage 2 skipped; passage 3: escalation; b returns to
    # passage 3, showing its saved mark, and Enter keeps it
    assert coded[0]["frames"] == ["military_success"]
    assert coded[1]["frames"] is None
    assert coded[2]["frames"] == ["escalation"]


def test_annotate_stops_cleanly_at_end_of_input_having_saved(sheet):
    result = invoke("annotate", sheet, input="2\r")
    assert result.exit_code == 0
    assert read_sheet(sheet)[0]["frames"] == ["escalation"]
    assert "1 answer(s) saved" in result.stderr


def test_annotate_codes_a_csv_sheet_and_keeps_it_csv(jsonl_corpus, tmp_path):
    out = tmp_path / "sheet.csv"
    invoke("sample", jsonl_corpus, "--per-group", 1, "--unit", "whole", "-o", out)
    invoke("annotate", out, input="3\r" + "q")
    assert out.read_text(encoding="utf-8").startswith("document_id,")
    assert read_sheet(out)[0]["frames"] == ["diplomacy"]


def test_annotate_a_finished_sheet_says_so(sheet):
    invoke("annotate", sheet, input="0" * 6)
    result = invoke("annotate", sheet, input="")
    assert "6 of 6 passages coded" in result.output


def test_annotate_refuses_what_is_not_a_sheet(jsonl_corpus):
    result = invoke("annotate", jsonl_corpus)
    assert result.exit_code == 3 and "not a coding sheet" in result.stderr
