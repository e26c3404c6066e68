"""Shared fixtures: the repository's paths and one small model trained once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTICLES = REPO / "corpus" / "articles"
GOLD = REPO / "corpus" / "gold"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def seed_article() -> Path:
    return sorted(ARTICLES.glob("*.txt"))[2]


@pytest.fixture(scope="session")
def gold_files() -> list[Path]:
    from framing.io.labelled import gold_paths

    return gold_paths(GOLD)


@pytest.fixture(scope="session")
def small_gold(tmp_path_factory, gold_files) -> Path:
    """A 160-passage slice of the gold data: enough to train quickly in tests."""
    lines = []
    for path in gold_files:
        lines += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][:40]
    target = tmp_path_factory.mktemp("gold") / "small.jsonl"
    target.write_text("\n".join(lines[:160]) + "\n", encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory, small_gold) -> Path:
    from framing.io.labelled import load_labelled
    from framing.training.fitting import Settings
    from framing.training.train import train_model

    model = train_model(load_labelled([small_gold]), settings=Settings(threshold_folds=3),
                        cross_validation=False)
    from framing.model.storage import save_model

    return save_model(model, tmp_path_factory.mktemp("model") / "small")
