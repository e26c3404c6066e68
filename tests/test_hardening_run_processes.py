"""Issue 14, items 2 and 11: ``--jobs`` is bounded by the usable cores, and the worker
processes (and their resource trackers) never outlive a ``classify`` that was killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import framing.run.classify
import framing.run.parallel
from framing.cli import cli
from framing.io.documents import Document
from framing.run.classify import classify_documents

FRAMING = Path(sys.executable).parent / "framing"
TEXT = ("Delegations met in Istanbul for a new round of peace talks on Monday.\n\n"
        "Russian shelling killed three civilians in Kherson, officials said.\n")

needs_proc = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")


def process_id(result) -> int:
    """A transform that tells which process classified a passage."""
    return os.getpid()


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture()
def good_txt(tmp_path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


# -- item 2: --jobs ------------------------------------------------------------------------

def test_more_jobs_than_cores_run_on_the_cores_with_a_note(small_model_dir, good_txt):
    cores = framing.run.parallel.usable_cores()
    serial = run("classify", "--model", small_model_dir, "--jobs", "1", "--format", "jsonl",
                 good_txt)
    result = run("classify", "--model", small_model_dir, "--jobs", "100000", "--format",
                 "jsonl", good_txt)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"framing: note: --jobs 100000 is more than the {cores} usable core(s); running "
        f"{cores} worker process(es)"]
    assert result.stdout == serial.stdout


@pytest.mark.parametrize("jobs", ["-1", "-100000"])
def test_negative_jobs_are_a_usage_error(tmp_path, small_model_dir, good_txt, jobs):
    for args in (("classify", "--model", small_model_dir, good_txt),
                 ("compare", tmp_path / "no-corpus", "-q")):
        result = run(*args, "--jobs", jobs)
        assert result.exit_code == 2, result.stderr
        assert result.stderr.splitlines() == [
            f"framing: error: --jobs {jobs}: must be 0 (all usable cores) or more"]
        assert result.stdout == ""


def test_jobs_zero_means_all_usable_cores_as_the_help_says(small_model_dir, good_txt):
    result = run("classify", "--model", small_model_dir, "--jobs", "0", "--format", "jsonl",
                 good_txt)
    assert result.exit_code == 0 and result.stderr == ""
    assert len(result.stdout.splitlines()) == 2
    for command in ("classify", "compare"):
        help_text = " ".join(run(command, "--help").stdout.split())
        assert "at most the usable cores [default: all usable cores; 0: the same]" in help_text


def test_library_never_starts_more_workers_than_cores(small_model_dir, monkeypatch):
    from framing.model.storage import load_model

    monkeypatch.setattr(framing.run.parallel, "CHUNK_CHARS", 200)
    monkeypatch.setattr(framing.run.classify, "usable_cores", lambda: 1)
    monkeypatch.setattr(framing.run.parallel, "usable_cores", lambda: 1)
    documents = [Document(source="<t>", document_id=str(i), text=TEXT) for i in range(20)]  # 20 chunks of work
    where = set(classify_documents(documents, model=load_model(small_model_dir), jobs=4,
                                   transform=process_id))
    assert where == {os.getpid()}  # one usable core: classified in this process


# -- item 11: no orphans -------------------------------------------------------------------

def _state(pid: int) -> str | None:
    """The process's state letter, or None once it is gone (a zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None
    return None if state in ("Z", "X") else state


def _descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                    parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _workers(pids: set[int]) -> set[int]:
    workers = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if b"LokyProcess" in handle.read():
                    workers.add(pid)
        except OSError:
            continue
    return workers


@needs_proc
def test_killed_parallel_classify_leaves_no_worker_or_tracker(tmp_path, small_model_dir):
    cores = framing.run.parallel.usable_cores()
    if cores < 2:
        pytest.skip("one usable core: no worker processes are started")
    expected = min(cores, 8)
    record = json.dumps({"text": TEXT * 8}) + "\n"
    # workers start above PARALLEL_MIN_CHARS, and joblib reads a chunk per worker before it
    # starts any: give a few more chunks than both need, and keep standard input open, so the run starts its workers and waits for
    # more input; it is killed mid-run, whatever the machine's speed
    chunks = max((expected + 2) * framing.run.parallel.CHUNK_CHARS,
                 framing.run.parallel.PARALLEL_MIN_CHARS + 2 * framing.run.parallel.CHUNK_CHARS)
    process = subprocess.Popen(
        [str(FRAMING), "classify", "--model", str(small_model_dir), "--jobs", "8", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path)
    started: set[int] = set()
    try:
        process.stdin.write(record.encode() * (chunks // len(record)))
        process.stdin.flush()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(_workers(started)) < expected:
            time.sleep(0.2)
            started |= _descendants(process.pid)
        time.sleep(1.0)  # let any further worker start
        started |= _descendants(process.pid)
        workers = _workers(started)
        assert 2 <= len(workers) <= cores, (len(workers), cores)  # item 2: capped
        process.kill()  # SIGKILL: nothing in the parent can clean up
        process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_state(pid) for pid in started):
            time.sleep(0.2)
        alive = {pid for pid in started if _state(pid)}
        assert not alive, f"{len(alive)} process(es) outlived the killed classify"
    finally:
        for pid in started | {process.pid}:
            if _state(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        process.stdin.close()
        process.stderr.close()
        if process.poll() is None:
            process.wait(timeout=30)
