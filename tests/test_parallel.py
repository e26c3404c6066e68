"""--jobs and --scheduler give the output of --jobs 1, in the same order, streaming."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

import framing.run.parallel
from framing.cli import cli
from framing.run.classify import classify_documents
from framing.io.documents import Document, read_documents

GOLD_SAMPLE_CHARS = 30_000  # chunk size in these tests: many chunks from the gold files


@pytest.fixture()
def small_chunks(monkeypatch):
    """Many chunks, and workers started whatever the input's size: what is tested is that
    workers give the output of one process (the threshold is tested on its own)."""
    monkeypatch.setattr(framing.run.parallel, "CHUNK_CHARS", GOLD_SAMPLE_CHARS)
    monkeypatch.setattr(framing.run.parallel, "PARALLEL_MIN_CHARS", 0)


@pytest.fixture(scope="module")
def gold_jsonl(tmp_path_factory, gold_files):
    target = tmp_path_factory.mktemp("par") / "gold.jsonl"
    lines = []
    for path in gold_files:
        lines += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def _run(args):
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result.exit_code, result.stdout


@pytest.mark.parametrize("unit,fmt", [("whole", "jsonl"), ("sentence", "jsonl"),
                                      ("paragraph", "csv")])
def test_jobs_2_output_equals_jobs_1(small_chunks, gold_jsonl, repo, unit, fmt):
    articles = sorted(str(p) for p in (repo / "corpus" / "articles").glob("*.txt"))
    args = ["classify", "--unit", unit, "--format", fmt, str(gold_jsonl), *articles]
    code_1, serial = _run(args + ["--jobs", "1"])
    code_2, parallel = _run(args + ["--jobs", "2"])
    assert code_1 == code_2 == 0
    assert serial.count("\n") > 1000
    assert parallel == serial


def test_library_jobs_give_the_same_results_in_order(small_chunks, gold_jsonl):
    serial = list(classify_documents(read_documents([gold_jsonl]), unit="whole", jobs=1))
    parallel = list(classify_documents(read_documents([gold_jsonl]), unit="whole", jobs=2))
    assert [r.to_dict() for r in parallel] == [r.to_dict() for r in serial]


@pytest.mark.filterwarnings("ignore:.*tasks have been successfully executed")
def test_parallel_run_streams_input_and_output(monkeypatch, gold_jsonl):
    monkeypatch.setattr(framing.run.parallel, "CHUNK_CHARS", 3_000)  # about 100 chunks
    # the input read ahead before workers start is bounded by the threshold
    monkeypatch.setattr(framing.run.parallel, "PARALLEL_MIN_CHARS", 30_000)
    consumed = []

    def documents():
        for document in read_documents([gold_jsonl]):
            consumed.append(1)
            yield document

    results = classify_documents(documents(), unit="whole", jobs=2)
    next(results)
    total = sum(1 for _ in read_documents([gold_jsonl]))
    assert len(consumed) < total / 2  # the first result came before the input was read
    results.close()


def test_bad_records_are_reported_and_the_rest_classified_in_order(small_chunks, tmp_path,
                                                                    gold_jsonl):
    lines = gold_jsonl.read_text(encoding="utf-8").splitlines()
    lines[500] = "{not json"
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = CliRunner()
    args = ["classify", "--unit", "whole", "--format", "jsonl", str(bad)]
    one = runner.invoke(cli, args + ["-j", "1"])
    two = runner.invoke(cli, args + ["-j", "2"])
    assert one.exit_code == two.exit_code == 3
    assert one.stdout == two.stdout and one.stdout.count("\n") == len(lines) - 1
    assert "bad.jsonl:501" in two.stderr
    strict = runner.invoke(cli, args + ["-j", "2", "--strict"])
    assert strict.exit_code == 3 and "bad.jsonl:501" in strict.stderr


def test_compare_jobs_2_equals_jobs_1(small_chunks, repo, monkeypatch):
    monkeypatch.setattr(framing.run.parallel, "CHUNK_CHARS", 2_000)
    args = ["compare", str(repo / "corpus"), "--format", "json", "-q", "--bootstrap", "20",
            "--permutations", "20"]
    code_1, serial = _run(args + ["--jobs", "1"])
    code_2, parallel = _run(args + ["--jobs", "2"])
    assert code_1 == code_2 == 0
    assert json.loads(parallel) == json.loads(serial)


NO_WORKER_PROBE = textwrap.dedent("""
    import sys
    import framing.run.parallel
    from framing.io.documents import Document
    from framing.run.classify import classify_documents
    if len(sys.argv) > 2:
        framing.run.parallel.PARALLEL_MIN_CHARS = int(sys.argv[2])
    documents = [Document("<t>", str(i), "Air defences shot down 40 drones overnight.")
                 for i in range(int(sys.argv[1]))]
    list(classify_documents(documents, jobs=4))
    print("joblib" in sys.modules)
""")


def test_small_inputs_start_no_worker():
    """Below PARALLEL_MIN_CHARS the input is classified in-process whatever --jobs says: in
    a fresh interpreter (in this one, other tests have imported joblib already), joblib is
    never even imported. 20,000 short documents (about 900,000 characters, two chunks and
    more: the size at which workers used to make a run 3 times slower) start none either;
    the same input above a lowered threshold does, which shows the probe can tell."""
    def joblib_loaded(*args) -> bool:
        out = subprocess.run([sys.executable, "-c", NO_WORKER_PROBE, *map(str, args)],
                             capture_output=True, text=True, check=True)
        return out.stdout.split()[-1] == "True"

    assert 20_000 * 45 > 2 * framing.run.parallel.CHUNK_CHARS
    assert 20_000 * 45 < framing.run.parallel.PARALLEL_MIN_CHARS
    assert not joblib_loaded(1)
    assert not joblib_loaded(20_000)
    assert joblib_loaded(20_000, framing.run.parallel.CHUNK_CHARS)


def test_scheduler_on_a_local_dask_cluster_equals_the_local_run(small_chunks, gold_jsonl,
                                                                 repo):
    distributed = pytest.importorskip(
        "dask.distributed", reason="dask[distributed] is not installed: "
                                   "pip install 'framing[dask]' to run the cluster test")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        local = _run(["classify", "--unit", "whole", "--format", "jsonl", "-j", "1",
                      str(gold_jsonl)])
        clustered = _run(["classify", "--unit", "whole", "--format", "jsonl",
                          "--scheduler", cluster.scheduler_address, str(gold_jsonl)])
        with_env = CliRunner(env={"FRAMING_SCHEDULER": cluster.scheduler_address}).invoke(
            cli, ["classify", "--unit", "whole", "--format", "jsonl", str(gold_jsonl)])
        compare = ["compare", str(repo / "corpus"), "--format", "json", "-q", "--bootstrap",
                   "20", "--permutations", "20"]
        compared_here = _run(compare + ["-j", "1"])
        compared_there = _run(compare + ["--scheduler", cluster.scheduler_address])
    assert clustered[0] == 0 and clustered[1] == local[1]
    assert with_env.exit_code == 0 and with_env.stdout == local[1]
    assert compared_there[0] == 0 and json.loads(compared_there[1]) == json.loads(compared_here[1])


def test_scheduler_that_cannot_be_reached_is_one_error_line(gold_jsonl, monkeypatch):
    pytest.importorskip("dask.distributed", reason="dask[distributed] is not installed")
    monkeypatch.setattr(framing.run.parallel, "CONNECT_TIMEOUT", "2s")
    result = CliRunner().invoke(cli, ["classify", "--format", "jsonl", "--scheduler",
                                      "tcp://127.0.0.1:9", str(gold_jsonl)])
    assert result.exit_code == 2 and "cannot connect" in result.stderr


MEMORY_PROBE = textwrap.dedent("""
    import resource, sys
    from framing.cli import main
    sys.argv = ["framing", "classify", "--unit", "whole", "--format", "jsonl", "-j", "1",
                "-o", sys.argv[2], sys.argv[1]]
    try:
        main()
    except SystemExit:
        pass
    # VmHWM: this process's own peak (ru_maxrss may include the parent's, from the fork)
    print([line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")][0])
""")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux /proc")
def test_memory_stays_flat_on_a_growing_jsonl_input(tmp_path, gold_jsonl):
    """Classifying 4N passages to a file needs about the peak memory of N passages."""
    records = gold_jsonl.read_text(encoding="utf-8")

    def peak_kb(copies: int) -> int:
        source = tmp_path / f"in{copies}.jsonl"
        source.write_text(records * copies, encoding="utf-8")
        out = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(source),
                              str(tmp_path / "out.jsonl")], capture_output=True, text=True,
                             check=True)
        return int(out.stdout.split()[-1])

    small, large = peak_kb(2), peak_kb(8)  # about 2,700 and 10,700 passages
    assert 30_000 < small and large < small * 1.10 + 3_000, (small, large)
