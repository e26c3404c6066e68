"""Issue 13, items 4 and 5: small groups flagged in every format, counts on the charts, no
[0, 0] interval, "1 outlet"; exact duplicates counted per group, and dropped by --dedupe."""

from __future__ import annotations

import csv
import io
import json
import re

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from framing.cli.compare import compare_command
from framing.comparison import stats
from framing.comparison.api import compare_passages
from framing.errors import UsageError
from framing.frames import FRAMES
from framing.run.classify import PassageResult
from framing.text.dedupe import digest, normalise

MS, ES, DI, CH = FRAMES

BIG = [  # paragraphs of the big outlet's articles, each different
    "Air defences shot down {k} drones overnight, the air force said.",
    "Negotiators met in Istanbul for a {k}th round of talks on a ceasefire.",
    "A missile strike on a residential block killed {k} civilians, including children.",
    "The army said its troops advanced {k} kilometres near the river.",
]
REPEATED = "Officials warned of a major escalation after the strike on the dam."


def _record(outlet: str, rid: str, paragraphs: list[str]) -> str:
    return json.dumps({"id": rid, "outlet": outlet, "text": "\n\n".join(paragraphs)})


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Big: 4 articles of 9 paragraphs (36 passages), one sentence repeated 3 more times in
    other articles, with other case, spacing and end punctuation. Tiny: 1 article of 5."""
    lines = []
    for a in range(4):
        paragraphs = [template.format(k=10 * a + i + 2) for i in range(2) for template in BIG]
        paragraphs.append(REPEATED if a == 0 else
                          ["OFFICIALS warned of a major  escalation after the strike on the dam",
                           "“Officials warned of a major escalation after the strike on the dam.”",
                           "officials warned of a major escalation after the strike on the dam!"][a - 1])
        lines.append(_record("Big", f"big{a}", paragraphs))
    lines.append(_record("Tiny", "tiny0", [template.format(k=99) for template in BIG] + [REPEATED]))
    path = tmp_path_factory.mktemp("checks") / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def run(small_model_dir):
    def invoke(*args):
        return CliRunner().invoke(compare_command, [*map(str, args), "--model",
                                                    str(small_model_dir), "--bootstrap", "100",
                                                    "--permutations", "100", "-j", "1"])
    return invoke


@pytest.fixture(scope="module")
def report(run, corpus):
    result = run(corpus, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# -- item 4: small groups -------------------------------------------------------------------

def test_small_groups_are_flagged_in_json_with_a_warning(report):
    assert report["settings"]["min_group_size"] == 30
    assert report["groups"]["Big"]["passages"] == 36 and report["groups"]["Big"]["small"] is False
    assert report["groups"]["Tiny"]["passages"] == 5 and report["groups"]["Tiny"]["small"] is True
    small = [w for w in report["warnings"] if "fewer than 30 passages" in w]
    assert small == [small[0]] and "1 group has" in small[0] and "Tiny 5" in small[0]
    assert "Big" not in small[0]


def test_min_group_size_is_an_option(run, corpus):
    result = run(corpus, "--format", "json", "--min-group-size", "40")
    document = json.loads(result.stdout)
    assert document["groups"]["Big"]["small"] and document["groups"]["Tiny"]["small"]
    assert any("2 groups have fewer than 40 passages" in w for w in document["warnings"])
    none = json.loads(run(corpus, "--format", "json", "--min-group-size", "0").stdout)
    assert not any(g["small"] for g in none["groups"].values())
    assert not any("passages (" in w and "--min-group-size" in w for w in none["warnings"])
    bad = run(corpus, "--min-group-size", "-1")
    assert bad.exit_code == 2 and "Traceback" not in bad.stderr  # click's usage error
    assert bad.stderr.strip().splitlines()[-1] == \
        "Error: Invalid value for '--min-group-size': -1 is not in the range x>=0."


def test_small_groups_are_marked_in_markdown_html_and_csv(run, corpus):
    markdown = run(corpus).stdout
    assert re.search(r"^\| Tiny † \| 1 \| 5 \|", markdown, re.M)
    assert re.search(r"^\| Big \| 4 \| 36 \|", markdown, re.M)
    assert "† fewer than 30 passages (--min-group-size)" in markdown
    html = run(corpus, "--format", "html").stdout
    assert "<td>Tiny †</td>" in html and "<td>Big</td>" in html
    assert "† fewer than 30 passages (--min-group-size)" in html
    rows = list(csv.DictReader(io.StringIO(run(corpus, "--format", "csv").stdout)))
    assert {(r["group"], r["small"]) for r in rows} == {("Big", "false"), ("Tiny", "true")}


def test_charts_show_each_groups_count(run, corpus, report):
    html = run(corpus, "--format", "html").stdout
    tags = {g: sum(cell["counts"]["tagged"] for cell in report["groups"][g]["frames"].values())
            for g in ("Big", "Tiny")}
    assert f"Big ({tags['Big']:,} tags)" in html      # the mix bars and the heat map
    assert f"Tiny † ({tags['Tiny']:,} tags)" in html
    assert html.count(f"Tiny † ({tags['Tiny']:,} tags)") == 3  # mix (y), heat map (x and y)
    assert "Big (n=36)" in html and "Tiny † (n=5)" in html  # the shares panels


def test_one_group_is_one_outlet_not_1_outlets(small_model_dir, tmp_path):
    path = tmp_path / "one.jsonl"
    path.write_text(_record("Solo", "s", [BIG[0].format(k=3)]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(compare_command, [str(path), "--model", str(small_model_dir),
                                                  "-j", "1"])
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[2]
    assert header.startswith("1 article · 1 passage · 1 outlet · "), header
    html = CliRunner().invoke(compare_command, [str(path), "--model", str(small_model_dir),
                                                "-j", "1", "--format", "html"]).stdout
    assert "<b>1</b> outlet</span>" in html and "outlets</span>" not in html


# -- item 4: no [0, 0] interval -------------------------------------------------------------

def _passage(outlet, article, index, frames, text=None):
    text = text or f"{outlet} article {article} passage {index}"
    return PassageResult(source=f"{outlet}.jsonl", document_id=f"{outlet}-{article}",
                         passage_index=index, start=0, end=len(text), text=text,
                         frames=sorted(frames), scores={f: 0.9 if f in frames else 0.1
                                                        for f in FRAMES},
                         evidence={}, meta={"outlet": outlet})


def test_a_share_of_zero_has_a_bootstrap_interval_above_zero():
    passages = [_passage(o, a, i, {MS} if i == 0 else set())
                for o in ("A", "B") for a in range(4) for i in range(5)]
    result = compare_passages(passages, bootstrap=200, permutations=0)
    for g in ("A", "B"):
        row = result.share(g, CH)  # never tagged
        assert row["share"] == 0.0
        assert row["bootstrap_interval"][0] == 0.0 and row["bootstrap_interval"][1] > 0.02
        assert row["bootstrap_interval"] == row["interval"]  # the clustered Wilson fallback
        every = result.share(g, MS)  # one passage in five in every article: no spread either
        assert every["bootstrap_interval"][1] > every["bootstrap_interval"][0]


@given(st.lists(st.tuples(st.integers(1, 12), st.floats(0, 1)), min_size=2, max_size=12),
       st.sampled_from([0.0, 1.0]))
@settings(deadline=None, max_examples=60)
def test_the_bootstrap_interval_of_a_share_of_0_or_1_is_never_a_point(articles, share):
    """Whatever the articles, a share of 0 or 1 gets an interval of positive width."""
    passages = np.array([n for n, _ in articles], dtype=float)
    tagged = passages * share
    boot = stats.cluster_bootstrap_intervals(tagged[:, None], passages, 50,
                                             stats.rng_for(1, "t"))[0]
    interval, _ = stats.clustered_wilson_interval(tagged, passages)
    low, high = stats.widen_degenerate(boot, interval)
    assert 0.0 <= low < high <= 1.0
    assert low <= share <= high


def test_a_bootstrap_interval_with_spread_is_kept():
    assert stats.widen_degenerate((0.1, 0.3), (0.0, 0.5)) == (0.1, 0.3)
    assert stats.widen_degenerate(None, (0.0, 0.5)) is None


# -- item 5: the normal form ----------------------------------------------------------------

text_strategy = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(text_strategy)
@settings(deadline=None)
def test_normalise_is_idempotent_and_ignores_case_spacing_and_end_punctuation(text):
    once = normalise(text)
    assert normalise(once) == once
    assert once == once.strip() and "  " not in once
    assert normalise(f" “{text.upper()}” .\t") == normalise(text.upper())
    assert normalise("\n" + "  ".join(text.split()) + "!") == once
    assert digest(f"— {text} ...") == digest(text) and len(digest(text)) == 8


@given(st.text(st.characters(whitelist_categories=("Ll",)), min_size=1, max_size=20),
       st.text(st.characters(whitelist_categories=("Ll",)), min_size=1, max_size=20))
@settings(deadline=None)
def test_normalise_keeps_words_order_and_inner_punctuation(left, right):
    assert normalise(f"{left} {right}") != normalise(f"{left}, {right}")
    if left != right:
        assert digest(f"{left} {right}") != digest(f"{right} {left}")


def test_normal_form_examples():
    assert normalise("  “Kyiv UNDER   attack”. ") == "kyiv under attack"
    assert normalise("Ｋｙｉｖ\u00a0under attack") == "kyiv under attack"  # NFKC
    assert normalise("Kyiv under attack, again") != normalise("Kyiv under attack again")
    assert normalise("...") == ""


# -- item 5: duplicates counted, and dropped ------------------------------------------------

def test_duplicates_are_counted_per_group_and_reported(run, corpus, report):
    assert report["groups"]["Big"]["duplicates"] == 3  # REPEATED, then 3 variants of it
    assert report["groups"]["Tiny"]["duplicates"] == 0  # the same text in another group
    assert report["groups"]["Big"]["dropped"] == 0 and report["settings"]["dedupe"] is False
    warning = [w for w in report["warnings"] if "word for word" in w]
    assert len(warning) == 1 and "3 passages repeat" in warning[0] and "Big 3" in warning[0]
    assert "--dedupe" in warning[0]
    markdown = run(corpus).stdout
    assert "### Size and repeated passages of each outlet" in markdown
    assert re.search(r"^\| Big \| 36 \| \d+ \| 3 \| {2}\|$", markdown, re.M), markdown
    assert "<th>repeated passages</th>" in run(corpus, "--format", "html").stdout
    rows = list(csv.DictReader(io.StringIO(run(corpus, "--format", "csv").stdout)))
    assert {(r["group"], r["duplicates"], r["dropped"]) for r in rows} == {
        ("Big", "3", "0"), ("Tiny", "0", "0")}


def test_dedupe_drops_repeats_keeps_the_first_and_says_so(run, corpus, report):
    result = run(corpus, "--format", "json", "--dedupe")
    assert result.exit_code == 0, result.stderr
    deduped = json.loads(result.stdout)
    assert deduped["settings"]["dedupe"] is True
    big = deduped["groups"]["Big"]
    assert big["passages"] == 33 and big["duplicates"] == 3 and big["dropped"] == 3
    assert deduped["groups"]["Tiny"]["passages"] == 5  # its copy of REPEATED is its first
    assert [a["passages"] for a in deduped["articles"] if a["group"] == "Big"] == [9, 8, 8, 8]
    assert not any("word for word" in w for w in deduped["warnings"])
    markdown = run(corpus, "--dedupe").stdout
    assert "--dedupe dropped them" in markdown
    assert re.search(r"^\| Big \| 33 \| \d+ \| 3 \| 3 \| {2}\|$", markdown, re.M), markdown


def _by_outlet(passages, **options):
    return compare_passages(passages, bootstrap=50, permutations=0, min_group_size=0, **options)


def test_dedupe_equals_comparing_without_the_repeats():
    """Dropping repeats is exactly comparing the passages without them: the first one (in
    input order) stays, a text repeated in another group is not a repeat, and an article
    left with no passage leaves the comparison."""
    unique = [_passage("A", a, i, {ES} if (a + i) % 3 == 0 else {DI}) for a in range(3)
              for i in range(4)] + [_passage("B", 0, i, {MS}) for i in range(3)]
    echo = "Officials warned of a major escalation."
    repeats = [_passage("A", 0, 9, {ES}, echo), _passage("A", 1, 9, {ES}, echo.upper()),
               _passage("A", 5, 0, {ES}, f" {echo} "), _passage("B", 0, 9, {ES}, echo)]
    kept = unique + [repeats[0], repeats[3]]
    deduped = _by_outlet(unique + repeats, dedupe=True)
    plain = _by_outlet(kept)
    assert deduped.shares == plain.shares
    assert deduped.articles == plain.articles  # article A-5 (only a repeat) is gone
    assert deduped.distinctive_terms == plain.distinctive_terms
    assert deduped.group_totals["A"]["dropped"] == 2
    assert deduped.group_totals["B"]["dropped"] == 0
    counted = _by_outlet(unique + repeats)
    assert counted.group_totals["A"]["duplicates"] == 2 and counted.group_totals["A"]["dropped"] == 0
    assert counted.group_totals["A"]["passages"] == plain.group_totals["A"]["passages"] + 2


def test_a_sentence_repeated_17_times_makes_the_terms_without_dedupe_only():
    """The issue's case: one outlet's distinctive escalation terms all came from one
    sentence repeated 17 times."""
    echo = "Drone swarms hammered the refinery again."
    base = [_passage(o, a, i, {ES}, f"{o} {a} {i} escalation continued with shelling")
            for o in ("A", "B") for a in range(4) for i in range(4)]
    spam = [_passage("A", 10 + k, 0, {ES}, echo) for k in range(17)]
    counted = {r["term"]: r["count"] for r in _by_outlet(base + spam).distinctive_terms
               if r["group"] == "A" and r["frame"] == ES}
    deduped = {r["term"]: r["count"] for r in _by_outlet(base + spam, dedupe=True)
               .distinctive_terms if r["group"] == "A" and r["frame"] == ES}
    assert counted.get("refinery") == 17
    assert "refinery" not in deduped  # used once: no longer a distinctive term


@pytest.mark.parametrize("value", [-1, 2.5, "30", True])
def test_bad_min_group_size_is_a_usage_error(value):
    with pytest.raises(UsageError, match="min-group-size"):
        compare_passages([_passage("A", 0, 0, set())], min_group_size=value)
