"""compare_passages on hand-built passages: counts, statistics wiring, baseline and gates."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.stats
from scipy.spatial.distance import jensenshannon

from framing.comparison import stats
from framing.run.classify import PassageResult
from framing.comparison.api import compare_passages
from framing.comparison.gates import load_baseline
from framing.comparison.result import SCHEMA_VERSION, ComparisonResult, round_floats
from framing.errors import InputError, UsageError
from framing.frames import FRAMES

MS, ES, DI, CH = FRAMES


def passages_for(layout: dict, texts: dict | None = None) -> list[PassageResult]:
    """layout: {outlet: [article, ...]}, article = list of frame sets, one per passage."""
    out = []
    for outlet, articles in layout.items():
        for a, article in enumerate(articles):
            for i, frames in enumerate(article):
                text = (texts or {}).get((outlet, a, i)) or \
                    f"{outlet} passage {i} about " + " ".join(sorted(frames) or ["nothing"])
                scores = {f: (0.9 - 0.01 * i if f in frames else 0.1) for f in FRAMES}
                out.append(PassageResult(
                    source=f"corpus/{outlet}-{a}.txt", document_id=f"{outlet}-{a}",
                    passage_index=i, start=10 * i, end=10 * i + len(text), text=text,
                    frames=[f for f in FRAMES if f in frames], scores=scores, evidence={},
                    meta={"outlet": outlet, "date": f"2025-06-0{a + 1}",
                          "url": f"https://example.org/{outlet}/{a}", "title": f"{outlet} {a}"}))
    return out


LAYOUT = {
    "AP": [[{CH}, {CH, ES}, set(), {DI}], [{CH}, set(), {MS}], [{CH}, {CH}, {DI}, set(), set()]],
    "BBC": [[{MS}, {MS, ES}, set()], [{DI}, {DI}, {MS}, set()], [{MS}, set(), set(), {ES}]],
}


@pytest.fixture(scope="module")
def result() -> ComparisonResult:
    return compare_passages(passages_for(LAYOUT), bootstrap=300, permutations=300, seed=3)


def test_counts_and_shares(result):
    assert result.groups == ["AP", "BBC"]
    # both under the default --min-group-size of 30 passages; the hand-built texts repeat
    # across articles ("AP passage 0 about civilian_harm" thrice: 2 repeats)
    assert result.group_totals == {
        "AP": {"articles": 3, "passages": 12, "small": True, "duplicates": 2, "dropped": 0},
        "BBC": {"articles": 3, "passages": 11, "small": True, "duplicates": 2, "dropped": 0}}
    row = result.share("AP", CH)
    assert row["counts"] == {"tagged": 5, "passages": 12, "articles": 3, "articles_tagged": 3}
    assert row["share"] == pytest.approx(5 / 12)
    assert row["article_share"] == 1.0
    assert row["article_interval"] == pytest.approx(list(stats.wilson_interval(3, 3)))
    assert row["wilson_interval"] == pytest.approx(list(stats.wilson_interval(5, 12)))
    interval, deff = stats.clustered_wilson_interval([2, 1, 2], [4, 3, 5])
    assert row["interval"] == pytest.approx(list(interval))
    assert row["design_effect"] == pytest.approx(deff)
    assert row["interval"][0] <= row["share"] <= row["interval"][1]
    assert result.share("BBC", CH)["share"] == 0.0
    # AP's tags: ms 1, es 1, di 2, ch 5 -> distribution over the four frames
    assert result.distributions["AP"] == pytest.approx({MS: 1 / 9, ES: 1 / 9, DI: 2 / 9, CH: 5 / 9})


def test_per_article_rows(result):
    first = result.articles[0]
    assert first["document_id"] == "AP-0" and first["passages"] == 4
    assert first["tagged"] == {MS: 0, ES: 1, DI: 1, CH: 2}
    assert first["share"][CH] == 0.5
    assert first["url"] == "https://example.org/AP/0"
    assert [a["group"] for a in result.articles] == ["AP"] * 3 + ["BBC"] * 3


def test_omnibus_matches_scipy(result):
    for k, frame in enumerate(FRAMES):
        table = np.array([[result.share(g, frame)["counts"]["tagged"],
                           result.share(g, frame)["counts"]["passages"] -
                           result.share(g, frame)["counts"]["tagged"]] for g in result.groups])
        test = result.omnibus["frames"][frame]
        statistic, p_value, dof, expected = scipy.stats.chi2_contingency(table, correction=False)
        assert test["statistic"] == pytest.approx(statistic)
        assert test["p_value_chi2"] == pytest.approx(p_value)
        assert test["min_expected"] == pytest.approx(expected.min())
        # All expected counts here are below 5, so the permutation test decides.
        assert test["test"] == "permutation" and test["p_value"] == test["p_value_permutation"]
        assert test["permutation"] == {"resamples": 20, "exact": True}  # 6! / (3! 3!)
    mix = result.omnibus["mix"]
    tags = np.array([[result.share(g, f)["counts"]["tagged"] for f in FRAMES]
                     for g in result.groups])
    assert mix["statistic"] == pytest.approx(scipy.stats.chi2_contingency(tags, correction=False)[0])
    assert mix["df"] == 3


def test_omnibus_uses_chi_square_when_counts_are_large():
    layout = {"A": [[{CH}] * 30 + [set()] * 30, [{CH}] * 20 + [set()] * 40],
              "B": [[{CH}] * 10 + [set()] * 50, [{CH}] * 12 + [set()] * 48]}
    result = compare_passages(passages_for(layout), bootstrap=50, permutations=50)
    test = result.omnibus["frames"][CH]
    assert test["test"] == "chi-square" and test["p_value"] == test["p_value_chi2"]
    assert test["p_value_permutation"] is not None
    # A frame nobody used cannot be tested, and says so.
    assert result.omnibus["frames"][MS]["test"] is None
    assert "tagged in no passage" in result.omnibus["frames"][MS]["note"]
    assert any("military_success is tagged in no passage" in w for w in result.warnings)


def test_pairwise_matches_fisher_and_adjustments(result):
    assert len(result.pairwise) == 4
    row = next(r for r in result.pairwise if r["frame"] == CH)
    assert (row["a"], row["b"]) == ("AP", "BBC")
    odds, p_value = scipy.stats.fisher_exact([[5, 7], [0, 11]])
    assert row["p_value"] == pytest.approx(p_value)
    assert row["difference"] == pytest.approx(5 / 12)
    low, high = row["difference_interval"]
    assert low <= row["difference"] <= high
    raw = [r["p_value"] for r in result.pairwise]
    assert [r["p_holm"] for r in result.pairwise] == pytest.approx(stats.holm_adjust(raw))
    assert [r["p_bh"] for r in result.pairwise] == pytest.approx(
        list(scipy.stats.false_discovery_control(raw)))


def test_divergences_match_scipy(result):
    (row,) = result.divergences
    ap = [1, 1, 2, 5]
    bbc = [4, 2, 2, 0]
    assert row["divergence"] == pytest.approx(jensenshannon(ap, bbc, base=2) ** 2)
    assert row["distance"] == pytest.approx(jensenshannon(ap, bbc, base=2))


def test_distinctive_terms_find_the_word_one_outlet_uses():
    layout = {"A": [[{CH}] * 6, [{CH}] * 6], "B": [[{CH}] * 6, [{CH}] * 6]}
    texts = {}
    for a in range(2):
        for i in range(6):
            texts[("A", a, i)] = f"Shelling hit apartment blocks in Kharkiv, residents said {i}."
            texts[("B", a, i)] = f"Shelling hit the power grid, officials said {i}."
    result = compare_passages(passages_for(layout, texts), bootstrap=0, permutations=0)
    a_terms = [r for r in result.distinctive_terms if r["group"] == "A" and r["frame"] == CH]
    top = {r["term"] for r in a_terms[:6]}
    assert {"apartment", "kharkiv", "residents"} <= top
    assert all(r["z"] > 0 and r["count_rest"] == 0 for r in a_terms if r["term"] in top)
    assert "shelling" not in top  # used alike by both
    assert not [r for r in result.distinctive_terms if r["frame"] == MS]


def test_quotes_are_the_top_scoring_tagged_passages(result):
    quotes = [q for q in result.quotes if q["frame"] == CH and q["group"] == "AP"]
    assert [q["rank"] for q in quotes] == [1, 2, 3]
    assert [q["score"] for q in quotes] == sorted((q["score"] for q in quotes), reverse=True)
    assert quotes[0]["score"] == pytest.approx(0.9)
    assert quotes[0]["document_id"] == "AP-0" and quotes[0]["passage_index"] == 0
    assert quotes[0]["source"] == "corpus/AP-0.txt" and quotes[0]["end"] > quotes[0]["start"]
    assert not [q for q in result.quotes if q["frame"] == CH and q["group"] == "BBC"]


def test_dicts_work_like_passage_results(result):
    records = [p.to_dict() for p in passages_for(LAYOUT)]
    again = compare_passages(records, bootstrap=300, permutations=300, seed=3)
    assert again.to_json() == result.to_json()


def test_json_schema_keys(result):
    document = json.loads(result.to_json())
    assert document["schema_version"] == SCHEMA_VERSION
    for group in ("AP", "BBC"):
        for frame in FRAMES:
            cell = document["groups"][group]["frames"][frame]
            assert {"share", "interval", "counts"} <= set(cell)
            assert len(cell["interval"]) == 2
            assert {"tagged", "passages"} <= set(cell["counts"])
    assert {"frames", "mix"} == set(document["omnibus"])
    assert {"p_value", "p_holm", "p_bh"} <= set(document["pairwise"][0])
    assert {"a", "b", "divergence"} <= set(document["divergences"][0])
    assert set(document["distinctive_terms"]) == set(FRAMES)
    assert set(document["assumptions"]) >= {"interval", "omnibus_chi_square", "pairwise",
                                            "divergence", "distinctive_terms"}


def test_results_are_deterministic_and_draws_are_keyed_by_group():
    first = compare_passages(passages_for(LAYOUT), bootstrap=200, permutations=200)
    second = compare_passages(passages_for(LAYOUT), bootstrap=200, permutations=200)
    assert first.to_json() == second.to_json()
    # Many articles of varied make-up, so that the bootstrap has many distinct values.
    varied = {"AP": [[{CH}] * (a % 4) + [set()] * (1 + a % 3) for a in range(12)],
              "BBC": LAYOUT["BBC"]}
    base = compare_passages(passages_for(varied), bootstrap=200, permutations=200)
    other_seed = compare_passages(passages_for(varied), bootstrap=200, permutations=200, seed=9)
    assert other_seed.share("AP", CH)["bootstrap_interval"] != \
        base.share("AP", CH)["bootstrap_interval"]
    # Adding an outlet does not move another outlet's bootstrap interval.
    bigger = compare_passages(passages_for({**varied, "CNN": [[{MS}], [{CH}]]}), bootstrap=200,
                              permutations=200)
    assert bigger.share("AP", CH)["bootstrap_interval"] == \
        base.share("AP", CH)["bootstrap_interval"]


def test_by_date_groups_chronologically():
    result = compare_passages(passages_for(LAYOUT), by="date", bootstrap=0, permutations=0)
    assert result.groups == ["2025-06-01", "2025-06-02", "2025-06-03"]
    monthly = compare_passages(passages_for(LAYOUT), by="Date:Month", bootstrap=0,
                               permutations=0)
    assert monthly.groups == ["2025-06"]
    assert monthly.settings["by"] == "date:month"
    assert compare_passages(passages_for(LAYOUT), by="date:day", bootstrap=0,
                            permutations=0).settings["by"] == "date"
    assert any("only one group" in w for w in monthly.warnings)
    assert monthly.pairwise == [] and monthly.omnibus["mix"]["test"] is None


def test_passages_without_the_group_field_are_listed():
    passages = passages_for(LAYOUT)
    passages[0].meta = {}
    passages[5].meta = {"outlet": "AP"}
    with pytest.raises(InputError) as excinfo:
        compare_passages(passages, by="date")
    assert str(excinfo.value).splitlines()[0] == ("1 article(s) cannot be grouped by date, "
                                                  "nothing was compared:")
    assert "corpus/AP-0.txt (AP-0): no date" in str(excinfo.value)
    with pytest.raises(InputError, match="empty"):
        compare_passages([])


def test_single_article_groups_are_flagged():
    result = compare_passages(passages_for({"A": [[{CH}, set()]], "B": [[set(), set()]]}),
                              bootstrap=10, permutations=10)
    assert any("every group has a single article" in w for w in result.warnings)
    assert result.share("A", CH)["bootstrap_interval"] is None
    assert result.omnibus["frames"][CH]["p_value"] == 1.0  # articles are all it can permute


def test_baseline_shifts_and_gates(result, tmp_path):
    path = tmp_path / "baseline.json"
    path.write_text(result.to_json(), encoding="utf-8")
    same = compare_passages(passages_for(LAYOUT), bootstrap=300, permutations=300, seed=3,
                            baseline=str(path), fail_on_shift=0.0, fail_on_divergence=1.0)
    assert same.baseline["max_shift"]["change"] == 0.0
    assert all(s["change"] == 0.0 for s in same.baseline["shifts"])
    assert [g["passed"] for g in same.gates] == [True, True]
    assert same.failed_gates == []

    doctored = json.loads(path.read_text(encoding="utf-8"))
    doctored["groups"]["BBC"]["frames"][DI]["share"] = 0.9
    del doctored["groups"]["AP"]
    doctored["groups"]["Gone"] = doctored["groups"]["BBC"]
    moved = compare_passages(passages_for(LAYOUT), bootstrap=300, permutations=300, seed=3,
                             baseline=doctored, fail_on_shift=0.25, fail_on_divergence=0.01)
    shift = moved.baseline["max_shift"]
    assert (shift["group"], shift["frame"]) == ("BBC", DI)
    assert shift["change"] == pytest.approx(2 / 11 - 0.9)
    assert moved.baseline["added_groups"] == ["AP"]
    assert moved.baseline["removed_groups"] == ["Gone"]
    bbc_di = next(s for s in moved.baseline["shifts"] if s["group"] == "BBC" and s["frame"] == DI)
    assert bbc_di["outside_interval"] is True
    failed = {g["gate"]: g for g in moved.failed_gates}
    assert set(failed) == {"shift", "divergence"}
    assert failed["shift"]["message"] == (
        "largest shift since the baseline is 0.718 (BBC / diplomacy: 0.900 -> 0.182), over "
        "--fail-on-shift 0.25")
    assert "between AP and BBC" in failed["divergence"]["message"]


def test_baseline_problems(tmp_path, result):
    with pytest.raises(UsageError, match="--fail-on-shift needs --baseline"):
        compare_passages(passages_for(LAYOUT), fail_on_shift=0.1)
    with pytest.raises(UsageError, match="between 0 and 1"):
        compare_passages(passages_for(LAYOUT), fail_on_divergence=2.0)
    with pytest.raises(InputError, match="baseline not found"):
        load_baseline(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    with pytest.raises(InputError, match="not JSON"):
        load_baseline(bad)
    bad.write_text('{"rows": []}', encoding="utf-8")
    with pytest.raises(InputError, match="not a framing compare JSON report"):
        load_baseline(bad)
    future = json.loads(result.to_json())
    future["schema_version"] = "9.0"
    bad.write_text(json.dumps(future), encoding="utf-8")
    with pytest.raises(InputError, match="schema 9.0"):
        load_baseline(bad)
    by_date = json.loads(result.to_json())
    by_date["settings"]["by"] = "date"
    with pytest.raises(InputError, match="grouped by 'date'"):
        compare_passages(passages_for(LAYOUT), baseline=by_date, bootstrap=0, permutations=0)


def test_tables_and_dataframes(result):
    tables = result.tables()
    assert len(tables["shares"]) == 8 and len(tables["omnibus"]) == 5
    assert tables["shares"][0] is result.shares[0]
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(UsageError, match="pandas is not installed"):
            result.to_dataframe("shares")
        return
    frame = result.to_dataframe("shares")
    assert {"group", "frame", "share", "interval_low", "interval_high",
            "counts.tagged"} <= set(frame.columns)
    assert frame.loc[(frame.group == "AP") & (frame.frame == CH), "counts.tagged"].item() == 5
    with pytest.raises(UsageError, match="unknown table"):
        result.to_dataframe("nope")


def test_round_floats():
    assert round_floats({"a": [0.123456789, float("nan")], "b": 1e-12, "c": 3}) == \
        {"a": [0.123457, None], "b": 1e-12, "c": 3}
