"""The README's examples and figures are what the shipped model and corpus produce, so the
README cannot drift from the code (retraining the model means updating them)."""

import json
import re
from pathlib import Path

from click.testing import CliRunner

from framing.cli import cli

REPO = Path(__file__).resolve().parent.parent

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_jsonl_example_is_real_output(monkeypatch):
    block = re.search(r"A JSONL record, keys always in this order.*?```json\n(.*?)```", README,
                      re.S).group(1)
    example = json.loads(block)
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(cli, ["classify", "--format", "jsonl", example["source"]])
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    actual = records[example["passage_index"]]
    assert list(actual) == list(example)  # the documented key order
    assert actual == example


def test_the_cross_validation_table_is_the_shipped_model_card():
    card = json.loads((REPO / "models" / "framing-default" / "card.json").read_text())
    cv = card["cross_validation"]
    table = README[README.index("**Cross-validation on all"):]
    assert f"all {cv['passages']:,} gold passages" in table.splitlines()[0]
    for method, result in cv["methods"].items():
        row = re.search(rf"^\| {method} \|(.*)$", table, re.M).group(1)
        cells = [c.strip(" *") for c in row.split("|") if c.strip()]
        frames = [f"{result['per_frame'][f]['f1']:.3f}" for f in result["per_frame"]]
        macro = [f"{result[k]:.3f}" for k in ("macro_precision", "macro_recall", "macro_f1")]
        assert cells == frames + macro, (method, cells)
