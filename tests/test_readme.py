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


def _quality_table(report: dict) -> str:
    import importlib.util

    spec = importlib.util.spec_from_file_location("quality_tables",
                                                  REPO / "scripts" / "quality_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.table(report)


def test_the_quality_tables_are_the_shipped_model_card():
    """The README's grouped-CV and frozen-test tables are the card's figures, digit for digit
    (scripts/quality_tables.py prints them after a retrain)."""
    card = json.loads((REPO / "models" / "framing-default" / "card.json").read_text())
    for key in ("cross_validation", "frozen_test"):
        assert _quality_table(card[key]) in README, key
    assert f"{card['frozen_test']['passages']:,}" in README
    assert f"{card['cross_validation']['passages']:,}" in README
