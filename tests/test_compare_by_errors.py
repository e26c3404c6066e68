"""An impossible --by is one usage error that says what would work, before any article is
classified (issue 13: errors before work)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from framing.cli import cli


def _corpus(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps({"id": f"a{i}", "text": "Talks resumed in Istanbul.",
                                        "outlet": "O" if i % 2 else "P",
                                        "date": f"2025-06-0{1 + i}"}) + "\n" for i in range(4)),
                    encoding="utf-8")
    return path


def _compare(*args):
    return CliRunner().invoke(cli, ["compare", *map(str, args), "--unit", "whole", "--quiet",
                                    "--bootstrap", "0", "--permutations", "0", "--format",
                                    "json"])


def test_an_unknown_field_names_the_fields_that_exist(tmp_path):
    result = _compare(_corpus(tmp_path), "--by", "month")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "'month'" in lines[0] and "date, outlet" in lines[0]


def test_a_period_on_a_field_without_dates_names_that_field(tmp_path):
    result = _compare(_corpus(tmp_path), "--by", "outlet:month")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "'outlet' holds no dates" in line and "date:month" in line


def test_a_period_on_the_date_field_works(tmp_path):
    result = _compare(_corpus(tmp_path), "--by", "date:month")
    assert result.exit_code == 0, result.output
    assert list(json.loads(result.stdout)["groups"]) == ["2025-06"]
