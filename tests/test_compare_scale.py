"""``framing compare`` at scale (issue 13, items 1 and 9): the corpus streamed, memory bounded
by counts rather than texts, and ``--scheduler`` accumulating per partition on a Dask cluster
with the report of ``--jobs 1``."""

from __future__ import annotations

import gc
import json
import random
import string
from dataclasses import asdict

import pytest
from click.testing import CliRunner

import framing.comparison.accumulate as accumulate
import framing.comparison.columns
import framing.errors
import framing.io.corpus
import framing.io.spill
import framing.run.parallel
from framing.cli import cli
from framing.comparison.accumulate import Accumulator
from framing.comparison.columns import DigestSet
from framing.comparison.terms import terms
from framing.frames import FRAMES
from framing.io.corpus import Corpus
from framing.io.corpus_stream import StreamedCorpus, open_corpus
from framing.io.sheets import read_sheet, write_sheet

FAST = ["--bootstrap", "30", "--permutations", "30", "-q", "--format", "json"]
PARAGRAPHS = [
    "Russian shelling killed {n} civilians in Kherson, the governor said.",
    "Delegations met in Istanbul for a new round of peace talks on day {n}.",
    "Troops recaptured the village after {n} days of fighting, the ministry said.",
    "The strike on the airfield raised fears of a wider war, {n} analysts warned.",
    "Markets opened {n} points higher on Monday.",
]


def invoke(*args, env=None):
    return CliRunner(env=env).invoke(cli, [*map(str, args)], catch_exceptions=False)


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    """300 records in 5 outlets over 20 days; some paragraphs repeat within an outlet."""
    rng = random.Random(13)
    path = tmp_path_factory.mktemp("scale") / "records.jsonl"
    lines = []
    for k in range(300):
        paragraphs = [rng.choice(PARAGRAPHS).format(n=rng.randint(2, 30))
                      for _ in range(rng.randint(1, 3))]
        lines.append(json.dumps({"id": f"r{k}", "outlet": f"outlet-{rng.randrange(5)}",
                                 "date": f"2024-03-{rng.randrange(1, 21):02d}",
                                 "title": f"Report {k}", "url": f"https://example.org/{k}",
                                 "text": "\n\n".join(paragraphs)}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _accumulator(**kwargs) -> Accumulator:
    return Accumulator(FRAMES, "outlet", None, kwargs.pop("top_quotes", 0),
                       tokenise=lambda text: terms(text), **kwargs)


def _passage(k: int, outlet: str, text: str, frames=("diplomacy",)) -> dict:
    return {"source": "s", "document_id": f"d{k}", "passage_index": 0, "start": 0,
            "end": len(text), "text": text, "frames": list(frames),
            "scores": {f: 0.9 if f in frames else 0.1 for f in FRAMES},
            "meta": {"outlet": outlet, "title": f"t{k}", "body": text}}


def _strings(root, longer_than: int) -> list[str]:
    """Every str longer than ``longer_than`` reachable from ``root`` (through containers,
    objects and numpy arrays' Python references)."""
    found, seen, stack = [], set(), [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (type, type(len))) or callable(obj):
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            if len(obj) > longer_than:
                found.append(obj)
            continue
        stack.extend(gc.get_referents(obj))
    return found


# -- memory: counts, not texts ---------------------------------------------------------------

def test_term_counts_stay_under_the_budget_and_no_text_is_kept(monkeypatch):
    """Passages of distinct random words: the term entries never pass TERM_BUDGET, the rarest
    are dropped (lossy counting, cutoff recorded), and no passage text stays."""
    monkeypatch.setattr(accumulate, "TERM_BUDGET", 3_000)
    rng = random.Random(1)
    acc = _accumulator()
    for k in range(2_000):
        words = ["".join(rng.choices(string.ascii_lowercase, k=9)) for _ in range(12)]
        acc.add(_passage(k, f"g{k % 7}", " ".join(words)))
        entries = len(acc.background) + sum(map(len, acc.frame_terms.values()))
        assert entries == acc.term_entries <= 3_000
    assert acc.term_cutoff >= 1
    assert acc.article_count == 2_000 and sum(a.passages for a in acc.kept_articles()) == 2_000
    assert _strings(acc, 40) == []  # passages are 12 x 9 letters and more; ids are short


def test_a_frequent_term_survives_pruning_with_its_count(monkeypatch):
    monkeypatch.setattr(accumulate, "TERM_BUDGET", 2_000)
    rng = random.Random(2)
    acc = _accumulator()
    for k in range(1_500):
        noise = " ".join("".join(rng.choices(string.ascii_lowercase, k=8)) for _ in range(6))
        acc.add(_passage(k, "g", f"ceasefire. {noise}"))
    assert acc.term_cutoff >= 1
    # dropped at most once per prune while its count was at or below the cutoff: never
    assert acc.frame_terms[("diplomacy", "g")]["ceasefire"] == 1_500
    assert acc.background["ceasefire"] == 1_500


def test_the_budget_does_not_bite_on_the_shipped_corpus(repo, monkeypatch):
    from framing.comparison import api

    kept = {}
    real = api.analyse

    def spy(acc, *args, **kwargs):
        kept["acc"] = acc
        return real(acc, *args, **kwargs)

    monkeypatch.setattr(api, "analyse", spy)
    assert invoke("compare", repo / "corpus", *FAST).exit_code == 0
    acc = kept["acc"]
    assert acc.term_cutoff == 0
    assert acc.term_entries * 100 < accumulate.TERM_BUDGET


def test_articles_keep_only_what_the_report_shows():
    acc = _accumulator(top_quotes=1)
    acc.add(_passage(1, "npr", "Talks resumed in Istanbul on Monday."))
    acc.add(_passage(1, "npr", "Talks resumed again.", frames=()))
    acc.add(_passage(2, "bbc", "Shelling hit Kharkiv.", frames=("civilian_harm",)))
    acc.add(_passage(1, "npr", "A third passage of article one, after another article."))
    first, second = acc.kept_articles()
    assert (first.index, first.group, first.document_id, first.passages) == (0, "npr", "d1", 3)
    assert first.tagged == [0, 0, 2, 0] and first.meta == {"title": "t1", "url": None,
                                                           "date": None}
    assert second.group == "bbc" and second.tagged == [0, 0, 0, 1]


def test_digest_set_finds_repeats_across_its_sorted_array(monkeypatch):
    monkeypatch.setattr("framing.comparison.columns.RECENT", 64)
    keys = DigestSet()
    digests = [random.Random(k).randbytes(8) for k in range(1_000)]
    assert all(keys.add("a", d) for d in digests)
    assert not any(keys.add("a", d) for d in digests)
    assert all(keys.add("b", d) for d in digests[:10])  # another group: not a repeat
    assert len(keys) == 1_010 and len(keys.recent) < 64


# -- streaming the corpus ---------------------------------------------------------------------

def test_a_jsonl_corpus_is_checked_without_its_texts_and_read_again(records):
    corpus = open_corpus(records, by="date")
    assert isinstance(corpus, StreamedCorpus) and len(corpus) == 300
    assert len(corpus.groups) == 20
    assert [text for text in _strings(corpus, 40) if text != corpus.path] == []  # no text
    documents = list(corpus.read())
    assert [d.document_id for d in documents] == [f"r{k}" for k in range(300)]
    assert documents[0].meta["title"] == "Report 0" and documents[0].text


def test_a_corpus_with_a_problem_is_reported_by_the_loader(records, tmp_path):
    bad = tmp_path / "bad.jsonl"
    lines = records.read_text(encoding="utf-8").splitlines()
    lines[7] = json.dumps({"id": "r1", "outlet": "x", "text": "Talks."})  # id used twice
    bad.write_text("\n".join(lines + ["{not json"]) + "\n", encoding="utf-8")
    result = invoke("compare", bad, *FAST)
    assert result.exit_code == 3 and result.stdout == ""
    assert "2 problems, nothing was compared" in result.stderr
    assert "bad.jsonl:8: id 'r1' is used twice (first at" in result.stderr
    assert "bad.jsonl:301: not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_folder_corpus_is_still_loaded(repo):
    assert isinstance(open_corpus(repo / "corpus"), Corpus)


def test_a_corpus_that_changes_between_its_two_reads_is_one_error(records, tmp_path):
    copy = tmp_path / "moving.jsonl"
    copy.write_bytes(records.read_bytes())
    corpus = open_corpus(copy)
    with open(copy, "a", encoding="utf-8") as out:
        out.write("{broken\n")
    with pytest.raises(framing.errors.InputError, match="changed while it was compared"):
        list(corpus.read())


def test_streamed_and_loaded_corpora_give_the_same_report(records, tmp_path, monkeypatch):
    streamed = invoke("compare", records, "--by", "date", "--dedupe", *FAST)
    monkeypatch.setattr("framing.comparison.api.open_corpus",
                        lambda path, by: framing.io.corpus.load_corpus(path, by=by))
    loaded = invoke("compare", records, "--by", "date", "--dedupe", *FAST)
    assert streamed.exit_code == loaded.exit_code == 0
    assert streamed.stdout == loaded.stdout


# -- rows and records on disk ------------------------------------------------------------------

@pytest.fixture()
def tiny_blocks(monkeypatch):
    """Blocks of a few rows and bytes: every table spills to disk, every index merges."""
    monkeypatch.setattr(framing.io.spill, "CHUNK_ROWS", 7)
    monkeypatch.setattr(framing.io.spill, "SPILL_BYTES", 100)
    monkeypatch.setattr(framing.comparison.columns, "RECENT", 5)


def test_reports_are_the_same_with_the_rows_on_disk(records, tmp_path, monkeypatch):
    """Raw records (articles whole and once) and tagged passages (the index by id), with
    and without every block written out: the same reports."""
    tagged = tmp_path / "tagged.jsonl"
    assert invoke("classify", records, "--format", "jsonl", "-o", tagged).exit_code == 0
    runs = [[records, "--by", "date", "--dedupe"], [records, "--by", "outlet"],
            [tagged, "--by", "outlet"]]
    before = [invoke("compare", *args, *FAST).stdout for args in runs]
    monkeypatch.setattr(framing.io.spill, "CHUNK_ROWS", 7)
    monkeypatch.setattr(framing.io.spill, "SPILL_BYTES", 100)
    monkeypatch.setattr(framing.comparison.columns, "RECENT", 5)
    after = [invoke("compare", *args, *FAST).stdout for args in runs]
    assert after == before and all(json.loads(text)["groups"] for text in after)


def test_an_article_met_again_after_its_row_went_to_disk(tiny_blocks):
    acc = _accumulator(top_quotes=1)
    for k in range(30):
        acc.add(_passage(k, f"g{k % 3}", f"Talks resumed in Istanbul, day {k}."))
    acc.add(_passage(2, "g2", "Shelling hit Kharkiv.", frames=("civilian_harm",)))
    assert acc.table.rows.spilled > 2 and acc.table.identities.spilled > 2
    articles = acc.kept_articles()
    assert len(articles) == 30 and articles[2].passages == 2
    assert articles[2].tagged == [0, 0, 1, 1] and articles[2].meta["title"] == "t2"
    assert [a.document_id for a in articles] == [f"d{k}" for k in range(30)]


def test_memory_per_article_does_not_grow_with_the_corpus(monkeypatch):
    """Articles whole and once: what the table holds in memory stays one block of rows and
    of records, however many articles; the passages' digests are 8 bytes each; grouping for
    the analysis holds no array of every article's."""
    from framing.comparison.analysis import Groups

    monkeypatch.setattr(framing.io.spill, "CHUNK_ROWS", 1_024)
    monkeypatch.setattr(framing.io.spill, "SPILL_BYTES", 16_384)
    monkeypatch.setattr(framing.comparison.columns, "RECENT", 256)
    acc = _accumulator(articles_once=True)
    held = []
    for k in range(24_000):
        acc.add(_passage(k, f"g{k % 50}", f"Talks in Istanbul, round {k}."))
        if k % 1_000 == 999:
            held.append(acc.table.nbytes)
    # a block of rows (36 bytes each) and at most a block of records and their ends, from
    # the first thousand articles to the last: under 3 bytes an article at 24,000
    assert max(held) < 1_024 * 36 + 2 * 16_384
    assert acc.seen.nbytes == 8 * (len(acc.seen) - len(acc.seen.recent))
    acc.finish()
    assert len(acc.seen) == 0
    groups = Groups.of(acc)
    assert groups.parts.blocks.file is not None  # laid out by group on disk
    assert groups.size("g7") == 480 and groups.tagged["g7"].shape == (480, len(FRAMES))
    assert groups.rows["g7"].tolist() == list(range(7, 24_000, 50))


# -- merging partitions ----------------------------------------------------------------------

@pytest.mark.parametrize("once", [False, True])
@pytest.mark.parametrize("blocks", ["default", "tiny"])
def test_merged_partitions_by_group_equal_one_pass(records, once, blocks, request):
    from framing.comparison.api import compare_passages
    from framing.io.corpus import load_corpus
    from framing.run.classify import classify_documents

    if blocks == "tiny":
        request.getfixturevalue("tiny_blocks")
    passages = [p.to_dict() for p in classify_documents(load_corpus(records).documents)]
    one = _accumulator(top_quotes=3, dedupe=True, articles_once=once)
    parts = [_accumulator(top_quotes=3, dedupe=True, articles_once=once) for _ in range(3)]
    places: dict = {}
    for passage in passages:
        one.add(passage)
        order = places.setdefault(passage["document_id"], len(places))
        parts[int(passage["meta"]["outlet"][-1]) % 3].add(passage, order)
    merged = parts[0].spawn()
    for part in parts:
        merged.merge(part)
    assert [asdict(a) for a in merged.kept_articles()] == [asdict(a) for a in one.kept_articles()]
    assert merged.duplicates == one.duplicates and merged.dropped == one.dropped
    assert merged.frame_terms == one.frame_terms and merged.background == one.background
    assert merged.score_sums == one.score_sums

    def ranked(heaps):  # sequence numbers differ; the order they give within a group must not
        return {key: [quote for *_, quote in sorted(heap, key=lambda i: (-i[0], -i[1]))]
                for key, heap in heaps.items() if heap}

    assert ranked(merged.quote_heaps) == ranked(one.quote_heaps)
    assert compare_passages(passages, dedupe=True).to_dict() is not None


# -- the cluster --------------------------------------------------------------------------------

@pytest.fixture()
def small_chunks(monkeypatch):
    monkeypatch.setattr(framing.run.parallel, "CHUNK_CHARS", 2_000)


def test_compare_on_a_local_dask_cluster_gives_the_report_of_one_process(records, repo,
                                                                         small_chunks, tmp_path):
    distributed = pytest.importorskip(
        "dask.distributed", reason="dask[distributed] is not installed: "
                                   "pip install 'framing[dask]' to run the cluster test")
    sheet = tmp_path / "coded.jsonl"
    assert invoke("sample", records, "--per-group", 8, "-o", sheet).exit_code == 0
    write_sheet(sheet, [{**r, "frames": ["diplomacy"] if "talks" in r["text"] else []}
                        for r in read_sheet(sheet)])
    runs = [[records, "--by", "outlet", "--validation", sheet],
            [records, "--by", "date", "--dedupe"], [repo / "corpus", "--by", "outlet"]]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        for args in runs:
            here = invoke("compare", *args, *FAST, "-j", "1")
            there = invoke("compare", *args, *FAST, "--scheduler", cluster.scheduler_address)
            assert here.exit_code == there.exit_code == 0, there.stderr
            assert there.stdout == here.stdout
            assert json.loads(there.stdout)["groups"]


def test_a_cluster_that_cannot_be_reached_is_one_error_line(records, monkeypatch):
    pytest.importorskip("dask.distributed", reason="dask[distributed] is not installed")
    monkeypatch.setattr(framing.run.parallel, "CONNECT_TIMEOUT", "2s")
    result = invoke("compare", records, *FAST, "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 2 and "cannot connect" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr




