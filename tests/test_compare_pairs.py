"""Pairs at scale: every pair for a few groups, adjacent periods for dates, the top pairs
(Bonferroni over every possible pair) and each group against the rest past 30 groups; the
reports' summary views; the per-article table kept to a size a report can hold."""

from __future__ import annotations

import itertools
import json

import pytest
from click.testing import CliRunner

from framing.cli import cli
from framing.comparison import analysis, pairs
from framing.comparison.api import compare_passages
from framing.comparison.report import render
from framing.frames import FRAMES
from framing.run.serial import PassageResult

CH, DI = "civilian_harm", "diplomacy"
FAST = {"bootstrap": 20, "permutations": 20}


def passages(groups: dict, field: str = "outlet") -> list[PassageResult]:
    """groups: {name: [frame set per passage]}, one article of those passages per group."""
    out = []
    for name, frames_list in groups.items():
        for i, frames in enumerate(frames_list):
            text = f"{name} passage {i} " + " ".join(sorted(frames) or ["none"])
            out.append(PassageResult(
                source=f"c/{name}.txt", document_id=f"{name}", passage_index=i, start=0,
                end=len(text), text=text, frames=sorted(frames),
                scores={f: 0.9 if f in frames else 0.1 for f in FRAMES}, evidence={},
                meta={field: name}))
    return out


def many_outlets(count: int, size: int = 40) -> dict:
    """``count`` outlets whose civilian-harm share rises with their number."""
    return {f"outlet-{k:03d}": [{CH} if i < (k % 20) * 2 else {DI} for i in range(size)]
            for k in range(count)}


def test_a_few_groups_are_tested_in_every_pair():
    result = compare_passages(passages(many_outlets(6)), min_group_size=0, **FAST)
    assert result.pairs["mode"] == "all"
    assert len(result.pairwise) == len(FRAMES) * 15
    assert result.pairs["versus_rest"] is None


def test_past_the_limit_only_top_pairs_with_bonferroni_over_all_pairs():
    count = pairs.PAIR_LIMIT + 10
    result = compare_passages(passages(many_outlets(count)), min_group_size=0, **FAST)
    plan = result.pairs
    assert plan["mode"] == "top" and plan["possible"] == count * (count - 1) // 2
    per_frame = pairs.TOP_PER_SIDE ** 2
    assert 0 < len(result.pairwise) <= len(FRAMES) * per_frame
    everything = plan["possible"] * len(FRAMES)
    for row in result.pairwise:
        assert row["p_holm"] == pytest.approx(min(1.0, row["p_value"] * everything))
    # the most extreme civilian-harm pair is among those tested
    ch = [r for r in result.pairwise if r["frame"] == CH]
    assert max(abs(r["difference"]) for r in ch) == pytest.approx(38 / 40)
    rest = plan["versus_rest"]
    assert len(rest) == count * len(FRAMES)
    assert all(0 <= r["p_bh"] <= 1 for r in rest)
    assert len(result.divergences) <= (pairs.TOP_PER_SIDE * 3) ** 2


def test_pairs_all_tests_every_pair_whatever_the_count():
    count = pairs.PAIR_LIMIT + 2
    result = compare_passages(passages(many_outlets(count)), min_group_size=0, pairs="all",
                              **FAST)
    assert result.pairs["mode"] == "all"
    assert len(result.pairwise) == len(FRAMES) * count * (count - 1) // 2
    assert len(result.divergences) == count * (count - 1) // 2


def test_small_groups_stay_out_of_top_pairs():
    groups = many_outlets(pairs.PAIR_LIMIT + 5)
    groups["tiny"] = [{CH}, {CH}]  # share 1.0, the most extreme, but 2 passages
    result = compare_passages(passages(groups), min_group_size=10, **FAST)
    assert not any("tiny" in (r["a"], r["b"]) for r in result.pairwise)
    assert result.group_totals["tiny"]["small"]


def days(shares: list[float], size: int = 60) -> dict:
    return {f"2025-06-{d + 1:02d}": [{CH} if i < round(share * size) else {DI}
                                     for i in range(size)]
            for d, share in enumerate(shares)}


def test_periods_are_tested_against_the_next_and_jumps_flagged():
    shares = [0.1, 0.12, 0.1, 0.11, 0.1, 0.6, 0.62, 0.6, 0.58, 0.6]
    result = compare_passages(passages(days(shares), field="date"), by="date",
                              min_group_size=0, **FAST)
    assert result.pairs["mode"] == "adjacent"
    ch = [r for r in result.pairwise if r["frame"] == CH]
    assert [(r["a"], r["b"]) for r in ch] == list(zip(result.groups, result.groups[1:]))
    assert len(result.divergences) == len(shares) - 1
    flagged = [c for c in result.pairs["changes"] if c["frame"] == CH]
    assert flagged[0]["from"] == "2025-06-05" and flagged[0]["to"] == "2025-06-06"
    assert flagged[0]["change"] == pytest.approx(0.5)
    assert all(c["p_bh"] < 0.05 for c in result.pairs["changes"])
    markdown = render(result, "markdown")
    assert "## Where the shares change most" in markdown
    assert "each one is tested against the next" in markdown
    html = render(result, "html")
    assert 'aria-label="Share of passages with each frame over time' in html
    assert 'aria-label="Heat map' not in html


def test_periods_of_a_date_field_by_month_are_adjacent_too():
    data = passages(days([0.1] * 5), field="date")
    result = compare_passages(data, by="date:month", min_group_size=0, **FAST)
    assert result.pairs["mode"] == "adjacent"
    assert pairs.is_time("published:week") and not pairs.is_time("outlet")


def test_many_groups_reports_stay_readable():
    count = pairs.PAIR_LIMIT + 10
    result = compare_passages(passages(many_outlets(count)), min_group_size=0, **FAST)
    markdown = render(result, "markdown")
    assert "## Which groups stand out?" in markdown
    assert f"The 30 largest of {count}" in markdown
    assert "Bonferroni over all" in markdown
    html = render(result, "html")
    assert 'aria-label="Heat map' not in html
    report = json.loads(render(result, "json"))
    assert report["pairs"]["mode"] == "top"
    assert len(report["pairs"]["versus_rest"]) == count * len(FRAMES)


def test_the_article_table_is_left_out_past_its_limit(monkeypatch):
    monkeypatch.setattr(analysis, "ARTICLE_ROWS", 3)
    result = compare_passages(passages(many_outlets(5)), min_group_size=0, **FAST)
    assert result.articles == []
    assert any("per-article table is left out" in w for w in result.warnings)


def test_cli_pairs_option(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"r{k}", "outlet": f"o{k % 3}",
                                          "text": "Talks on a ceasefire resumed."}) + "\n"
                              for k in range(9)), encoding="utf-8")
    runner = CliRunner()
    bad = runner.invoke(cli, ["compare", str(corpus), "--pairs", "some"])
    assert bad.exit_code == 2
    good = runner.invoke(cli, ["compare", str(corpus), "--pairs", "all", "--format", "json",
                               "--bootstrap", "0", "--permutations", "0", "-q"])
    assert good.exit_code == 0, good.output
    report = json.loads(good.output)
    assert report["settings"]["pairs"] == "all"
    assert {(r["a"], r["b"]) for r in report["pairwise"]} == \
        set(itertools.combinations(["o0", "o1", "o2"], 2))
