"""Small-scale load: many passages in one run and many runs in a row, with no growth in memory
or open file descriptors. The full-scale figures (100,000 passages, 1,000 runs) were measured
by `python benchmarks/load.py` and are in the README's "Reliability and security" section.

Memory is read from /proc (Linux); elsewhere these tests are skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from framing.cli import cli
from framing.model.storage import load_model

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/fd"),
                                reason="needs /proc to count open files and resident memory")

TEXTS = ["Air defences shot down {n} of 52 drones overnight, the air force said.",
         "Delegations met in Istanbul for a new round of peace talks on day {n}.",
         "Russian shelling killed {n} civilians in Kherson, the governor said.",
         "Troops recaptured the village after {n} days of fighting, the ministry said."]


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def resident_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def write_passages(path: Path, count: int) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(count):  # a realistic, bounded vocabulary (numbers recur)
            handle.write(json.dumps({"id": f"p{i}", "text": TEXTS[i % 4].format(n=i % 60)}) + "\n")
    return path


PEAK = """
import atexit, sys
out = sys.argv.pop(1)


def peak():  # VmHWM: this process image's own peak (ru_maxrss would include the parent's)
    with open("/proc/self/status") as status:
        kb = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(out, "w") as handle:
        handle.write(kb)


atexit.register(peak)
from framing.cli import main
sys.argv[0] = "framing"
main()
"""


def peak_rss_mb(tmp_path: Path, args: list) -> float:
    """Peak resident memory (MB) of one real ``framing`` run."""
    script, out = tmp_path / "peak.py", tmp_path / "peak.txt"
    script.write_text(PEAK, encoding="utf-8")
    result = subprocess.run([sys.executable, str(script), str(out), *map(str, args)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return int(out.read_text()) / 1024


def test_memory_stays_flat_as_passages_grow(tmp_path, small_model_dir):
    """Ten times the passages, the same peak memory: classify streams (20,000 here; 100,000
    by benchmarks/load.py)."""
    peaks = {}
    for count in (2_000, 20_000):
        source = write_passages(tmp_path / f"p{count}.jsonl", count)
        output = tmp_path / f"out{count}.jsonl"
        peaks[count] = peak_rss_mb(tmp_path, ["classify", "--model", small_model_dir, "--jobs",
                                              "1", "--unit", "whole", source, "-o", output])
        with open(output, encoding="utf-8") as handle:
            assert sum(1 for _ in handle) == count
    assert peaks[20_000] - peaks[2_000] < 12, peaks


def test_repeated_classify_runs_leak_nothing(tmp_path, small_model_dir):
    """300 runs in a row in one process (1,000 in benchmarks/load.py): open files and memory stay put."""
    article = tmp_path / "a.txt"
    article.write_text("Talks resumed in Istanbul.\n\nShelling killed three civilians.\n",
                       encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01")
    output = tmp_path / "out.jsonl"
    runner = CliRunner()

    def run_once(i: int) -> None:
        files = [article, bad] if i % 10 == 0 else [article]  # some runs report a problem
        result = runner.invoke(cli, ["classify", "--model", str(small_model_dir), "--jobs", "1",
                                     *map(str, files), "-o", str(output)])
        assert result.exit_code == (3 if i % 10 == 0 else 0), result.stderr

    for i in range(30):
        run_once(i)
    files_before, memory_before = open_files(), resident_mb()
    for i in range(300):
        run_once(i)
    assert open_files() == files_before
    assert resident_mb() - memory_before < 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "bad.txt", "out.jsonl"]


def test_repeated_compare_runs_leak_nothing(tmp_path):
    """Reports with charts, run again and again: figures, fonts and files are released."""
    root = tmp_path / "corpus"
    (root / "articles").mkdir(parents=True)
    rows = ["file,outlet"]
    for i in range(8):
        (root / "articles" / f"{i}.txt").write_text(
            "\n\n".join(t.format(n=i) for t in TEXTS), encoding="utf-8")
        rows.append(f"articles/{i}.txt,{'AB'[i % 2]}")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    runner = CliRunner()

    def run_once() -> None:
        result = runner.invoke(cli, ["compare", str(root), "-q", "--bootstrap", "50",
                                     "--permutations", "50", "-o", str(tmp_path / "r.html"),
                                     "-o", str(tmp_path / "r.json")])
        assert result.exit_code == 0, result.stderr

    for _ in range(3):
        run_once()
    files_before, memory_before = open_files(), resident_mb()
    for _ in range(10):
        run_once()
    assert open_files() == files_before
    assert resident_mb() - memory_before < 8
    assert not list(tmp_path.glob(".*.tmp"))


def test_repeated_model_loads_close_their_files(small_model_dir):
    load_model(small_model_dir)
    files_before = open_files()
    for _ in range(200):
        load_model(small_model_dir)
    assert open_files() == files_before
