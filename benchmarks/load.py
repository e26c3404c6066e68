#!/usr/bin/env python3
"""framing under load: the README's "Measured at full scale" table, reproduced in one run.

Each row of that table ("Reliability and security" section) is measured here, on this
machine, through the real ``framing`` CLI in its own process (or, for the in-process row, a
Python process of its own):

- ``classify`` of a 1 GB single-line ``.txt``, of the same on stdin, and of a ``.jsonl``
  whose first line is 1 GB, each next to a good input: refused, the good one classified;
- ``compare``, ``train``, ``evaluate`` (``--gold`` and ``--data``), ``agreement`` and
  ``compare --baseline`` given a 1 GB single line: refused;
- ``classify`` of 100,000 tiny files (two paragraphs each), one of them binary, with
  ``--jobs 1`` and on all cores; ``compare`` of those articles (refused, naming the binary
  one's manifest line); ``compare`` of them with the binary one replaced, with the default
  bootstrap and permutations and with ``--bootstrap 0 --permutations 0``;
- ``classify`` of 2,000, 20,000 and 100,000 passages with ``--jobs 1`` (peak memory must not
  grow), and on all cores (the parent process's own peak, at 100,000 and 300,000);
- 1,000 ``classify`` runs in a row in one process: open files and resident memory;
- 1,000 ``framing classify FILE -o OUT`` commands in a row: exit codes, temporary files left,
  peak memory of each run.

Peak memory is that of the whole process tree (workers included), sampled with psutil as in
``run.py``, and never below the main process's own high-water mark (``VmHWM``, Linux); the
figures are MiB. Every input is built here, reproducibly (fixed seed), in a temporary folder.

    python benchmarks/load.py            # the README's sizes (about 20 minutes on 2 cores)
    python benchmarks/load.py --quick    # small sizes, under 2 minutes

Needs psutil (``pip install '.[bench]'``) and Linux (``/proc``) for the resident-memory and
open-file counts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import SEED, _tree_rss, build_passages, write_jsonl  # noqa: E402

MIB = 2 ** 20
#: Paragraphs of the tiny articles: a bounded vocabulary, every frame and none.
PARAGRAPHS = [
    "Air defences shot down {n} of 52 drones overnight, the air force said.",
    "Delegations met in Istanbul for a new round of peace talks on day {n}.",
    "Russian shelling killed {n} civilians in Kherson, the governor said.",
    "Troops recaptured the village after {n} days of fighting, the ministry said.",
    "The strike on the airfield raised fears of a wider war, {n} analysts warned.",
    "Aid convoys reached {n} towns cut off by the fighting, the Red Cross said.",
    "Markets opened {n} points higher on Monday.",
    "The minister will travel to Brussels on day {n} of the summit.",
]
OUTLETS = ["alpha", "bravo", "charlie", "delta"]
GOOD_RECORD = {"id": "good-1", "text": "Talks resumed in Istanbul.\n\nShelling killed three "
                                        "civilians in Kharkiv overnight."}
LABELLED = {"id": "big", "text": "", "frames": ["diplomacy"]}


# -- measuring -----------------------------------------------------------------------------

def _high_water(pid: int) -> int:
    """A process's own peak resident memory in bytes (VmHWM; 0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def measure(cmd: list, *, expect=(0,), stdin=None, cwd=None, interval: float = 0.01) -> dict:
    """Run ``cmd`` to the end: wall seconds, peak MiB of the process tree and of the main
    process alone, exit code and stderr. Its stdout is discarded (use ``-o``)."""
    import psutil

    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as err:
        start = time.perf_counter()
        proc = subprocess.Popen([str(part) for part in cmd], stdin=stdin or subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err, cwd=cwd)
        watched = psutil.Process(proc.pid)
        tree = own = 0
        while proc.poll() is None:
            tree = max(tree, _tree_rss(watched))
            own = max(own, _high_water(proc.pid))
            time.sleep(interval)
        wall = time.perf_counter() - start
        err.seek(0)
        stderr = err.read()
    if proc.returncode not in expect:
        raise SystemExit(f"exit {proc.returncode}, expected {expect}: "
                         f"{' '.join(map(str, cmd))[:300]}\n{stderr[-2000:]}")
    return {"wall": wall, "peak": max(tree, own) / MIB, "own": own / MIB,
            "code": proc.returncode, "stderr": stderr}


def problems(stderr: str) -> list[str]:
    """The error lines naming an input (not the closing count of them)."""
    return [line for line in stderr.splitlines()
            if line.startswith("framing: error:") and "input problem(s)" not in line]


def lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*.tmp"))


# -- inputs --------------------------------------------------------------------------------

def write_single_line(path: Path, size: int, prefix: bytes = b"", suffix: bytes = b"") -> None:
    """One line of about ``size`` bytes ("drones drones ..."), written in 8 MiB pieces."""
    piece = b"drones " * (8 * MIB // 7)
    with open(path, "wb") as handle:
        handle.write(prefix)
        left = size - len(prefix) - len(suffix)
        while left > 0:
            handle.write(piece[:left])
            left -= len(piece)
        handle.write(suffix)


def tiny_articles(root: Path, count: int, binary_at: int | None) -> list[str]:
    """``count`` two-paragraph articles in ``root/articles`` and a ``manifest.csv`` (outlets
    in turn); article ``binary_at`` is a few binary bytes. Returns the file names."""
    rng = random.Random(SEED)
    folder = root / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    names, rows = [], ["file,outlet"]
    for i in range(count):
        name = f"{i:06d}.txt"
        text = "\n\n".join(rng.choice(PARAGRAPHS).format(n=rng.randrange(60)) for _ in range(2))
        if i == binary_at:
            (folder / name).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
        else:
            (folder / name).write_text(text + "\n", encoding="utf-8")
        names.append(name)
        rows.append(f"articles/{name},{OUTLETS[i % len(OUTLETS)]}")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return names


def raise_argument_limit() -> None:
    """Let 100,000 file names through one exec: Linux allows arguments up to a quarter of
    the stack limit (at most 6 MiB), and the default 8 MiB stack gives 2 MiB."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    wanted = 64 * MIB
    if soft != resource.RLIM_INFINITY and soft < wanted:
        top = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_STACK, (max(soft, top), hard))


IN_PROCESS = textwrap.dedent(r"""
    import json, os, sys
    from click.testing import CliRunner
    from framing.cli import cli
    runs, article, bad, output = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

    def open_files():
        return len(os.listdir("/proc/self/fd"))

    def resident_mib():
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    runner, codes, figures = CliRunner(), [], {}
    figures["files_before"] = open_files()
    for i in range(runs):  # every tenth run also gets a binary file and exits 3
        files = [article, bad] if i % 10 == 0 else [article]
        result = runner.invoke(cli, ["classify", "--jobs", "1", *files, "-o", output])
        codes.append(result.exit_code == (3 if i % 10 == 0 else 0))
        if i + 1 == 10:
            figures["resident_10"] = resident_mib()
    figures.update(files_after=open_files(), resident_end=resident_mib(), runs=runs,
                   expected_codes=all(codes))
    print(json.dumps(figures))
""")


# -- the rows ------------------------------------------------------------------------------

def huge_lines(framing: list, tmp: Path, size: int, rows: dict) -> None:
    big_txt, big_jsonl = tmp / "big.txt", tmp / "big.jsonl"
    write_single_line(big_txt, size, suffix=b"\n")
    prefix = b'{"id": "big", "frames": ["diplomacy"], "text": "'
    write_single_line(big_jsonl, size, prefix, b'"}\n')
    with open(big_jsonl, "ab") as handle:
        handle.write(json.dumps(GOOD_RECORD).encode() + b"\n")
    good_txt, good_jsonl = tmp / "good.txt", tmp / "good.jsonl"
    good_txt.write_text(GOOD_RECORD["text"] + "\n", encoding="utf-8")
    good_jsonl.write_text(json.dumps({**GOOD_RECORD, "frames": ["diplomacy"]}) + "\n" +
                          json.dumps({"id": "good-2", "text": "Drones hit an airfield.",
                                      "frames": ["escalation"]}) + "\n", encoding="utf-8")
    out = tmp / "out.jsonl"
    results = []
    for what, files, stdin in (("txt", [big_txt, good_txt], None),
                               ("stdin", ["-", good_txt], big_txt),
                               ("jsonl", [big_jsonl], None)):
        with open(stdin, "rb") if stdin else open(os.devnull, "rb") as feed:
            run = measure(framing + ["classify", "--format", "jsonl", *files, "-o", out],
                          expect=(3,), stdin=feed)
        kept = lines(out)
        assert kept == 2 and len(problems(run["stderr"])) == 1, (what, run["stderr"])
        results.append(run)
        print(f"classify {size / 1e9:g} GB {what}: {run['wall']:.1f} s, {run['peak']:.0f} MiB, "
              f"{kept} passages kept; {problems(run['stderr'])[0][:120]}", file=sys.stderr)
    rows["huge_classify"] = results

    corpus = tmp / "huge-corpus"
    (corpus / "articles").mkdir(parents=True)
    shutil.copy(good_txt, corpus / "articles" / "good.txt")
    os.link(big_txt, corpus / "articles" / "big.txt")  # the same file: no second gigabyte
    (corpus / "manifest.csv").write_text("file,outlet\narticles/good.txt,A\narticles/big.txt,B\n",
                                         encoding="utf-8")
    small = tmp / "small-corpus"
    (small / "articles").mkdir(parents=True)
    shutil.copy(good_txt, small / "articles" / "good.txt")
    (small / "manifest.csv").write_text("file,outlet\narticles/good.txt,A\n", encoding="utf-8")
    model = tmp / "model"
    commands = {
        "compare (article)": ["compare", corpus, "-q", "--format", "json", "-o", tmp / "r.json"],
        "compare --baseline": ["compare", small, "-q", "--baseline", big_txt, "-o",
                               tmp / "r.json"],
        "train": ["train", "--gold", good_jsonl, "--gold", big_jsonl, "--output", model,
                  "--no-cross-validation"],
        "evaluate --gold": ["evaluate", "--gold", good_jsonl, "--gold", big_jsonl],
        "evaluate --data": ["evaluate", "--data", big_jsonl],
        "agreement": ["agreement", good_jsonl, big_jsonl, "--second", good_jsonl],
    }
    refused = {}
    for what, args in commands.items():
        run = measure(framing + args, expect=(3,))
        assert "over the" in run["stderr"] and "limit" in run["stderr"], (what, run["stderr"])
        assert not model.exists() and not (tmp / "r.json").exists()
        refused[what] = run
        print(f"{what} with a {size / 1e9:g} GB line: {run['wall']:.2f} s, {run['peak']:.0f} MiB; "
              f"{run['stderr'].strip().splitlines()[-1][:120]}", file=sys.stderr)
    rows["huge_others"] = refused
    for path in (big_txt, big_jsonl, corpus / "articles" / "big.txt"):
        path.unlink()


def many_files(framing: list, tmp: Path, count: int, cores: int, rows: dict) -> Path:
    root = tmp / "many"
    binary_at = 12_345 if count > 12_345 else count // 3
    names = tiny_articles(root, count, binary_at)
    raise_argument_limit()
    folder = root / "articles"
    runs = {}
    for jobs in (1, cores):
        out = tmp / f"many-{jobs}.jsonl"
        run = measure(framing + ["classify", "--jobs", jobs, "--format", "jsonl", "-o", out,
                                 *names], expect=(3,), cwd=folder)
        run["passages"] = lines(out)
        run["errors"] = len(problems(run["stderr"]))
        runs[jobs] = run
        print(f"classify {count:,} files --jobs {jobs}: {run['passages']:,} passages, "
              f"{run['errors']} error line(s), {run['wall']:.1f} s, {run['peak']:.0f} MiB",
              file=sys.stderr)
    rows["many_classify"] = {"count": count, "runs": runs}

    run = measure(framing + ["compare", root, "-q", "--format", "json", "-o", tmp / "r.json"],
                  expect=(3,))
    line = binary_at + 2  # the header is line 1
    run["names_line"] = f"manifest.csv:{line}" in run["stderr"]
    run["line"] = line
    print(f"compare with the binary one: {run['wall']:.1f} s, {run['peak']:.0f} MiB, names "
          f"line {line}: {run['names_line']}; {run['stderr'].strip()[:160]}", file=sys.stderr)
    rows["many_refused"] = run
    # the binary one replaced, for the rows below
    (folder / names[binary_at]).write_text(PARAGRAPHS[0].format(n=0) + "\n\n" +
                                           PARAGRAPHS[1].format(n=0) + "\n", encoding="utf-8")
    return root


def compare_many(framing: list, tmp: Path, root: Path, count: int, rows: dict) -> None:
    results = {}
    for label, extra in (("default", []), ("none", ["--bootstrap", "0", "--permutations", "0"])):
        report = tmp / f"compare-{label}.json"
        run = measure(framing + ["compare", root, "-q", *extra, "-o", report])
        run["articles"] = sum(g["articles"] for g in
                              json.loads(report.read_text(encoding="utf-8"))["groups"].values())
        results[label] = run
        print(f"compare of {count:,} articles ({label}): {run['wall']:.1f} s, "
              f"{run['peak']:.0f} MiB", file=sys.stderr)
    rows["compare"] = results


def passages_memory(framing: list, tmp: Path, sizes: list, parallel_sizes: list, cores: int,
                    rows: dict) -> None:
    texts = build_passages(max(sizes + parallel_sizes))
    single, parallel = {}, {}
    for n in sorted(set(sizes + parallel_sizes)):
        data = tmp / f"passages-{n}.jsonl"
        write_jsonl(texts[:n], data)
        out = tmp / "passages-out.jsonl"
        if n in sizes:
            run = measure(framing + ["classify", "--jobs", "1", "--unit", "whole", "--format",
                                     "jsonl", "-o", out, data])
            assert lines(out) == n
            single[n] = run
            print(f"classify {n:,} passages --jobs 1: {run['wall']:.1f} s, {run['peak']:.0f} "
                  f"MiB", file=sys.stderr)
        if n in parallel_sizes:
            run = measure(framing + ["classify", "--jobs", cores, "--unit", "whole",
                                     "--format", "jsonl", "-o", out, data])
            assert lines(out) == n
            parallel[n] = run
            print(f"classify {n:,} passages --jobs {cores}: {run['wall']:.1f} s, parent "
                  f"{run['own']:.0f} MiB, all {run['peak']:.0f} MiB", file=sys.stderr)
        data.unlink()
    rows["passages"] = {"single": single, "parallel": parallel}


def in_process_runs(tmp: Path, runs: int, rows: dict) -> None:
    article = tmp / "a.txt"
    article.write_text("Talks resumed in Istanbul.\n\nShelling killed three civilians.\n",
                       encoding="utf-8")
    bad = tmp / "bad.txt"
    bad.write_bytes(b"\x00\x01")
    out = subprocess.run([sys.executable, "-c", IN_PROCESS, str(runs), str(article), str(bad),
                          str(tmp / "a-out.jsonl")], capture_output=True, text=True, check=True)
    figures = json.loads(out.stdout)
    if not figures["expected_codes"]:
        raise SystemExit("a classify run in the loop did not exit as expected (0, or 3 with "
                         "the binary file)")
    print(f"{runs:,} classify runs in one process: {figures}", file=sys.stderr)
    rows["in_process"] = figures


def commands_in_a_row(framing: list, tmp: Path, runs: int, rows: dict) -> None:
    folder = tmp / "row"
    folder.mkdir()
    article = folder / "a.txt"
    article.write_text("Talks resumed in Istanbul.\n\nShelling killed three civilians.\n",
                       encoding="utf-8")
    peaks, walls = [], []
    for i in range(runs):
        run = measure(framing + ["classify", article, "-o", folder / "out.jsonl"])
        peaks.append(run["peak"])
        walls.append(run["wall"])
    rows["commands"] = {"runs": runs, "first": peaks[:10], "last": peaks[-10:],
                        "all_peaks": (min(peaks), max(peaks)), "wall": sum(walls),
                        "left": temporaries(folder),
                        "files": sorted(p.name for p in folder.iterdir())}
    print(f"{runs:,} commands in a row: {rows['commands']}", file=sys.stderr)


# -- the table -----------------------------------------------------------------------------

def span(values) -> str:
    low, high = min(values), max(values)
    return f"{low:.1f}" if f"{low:.1f}" == f"{high:.1f}" else f"{low:.1f} to {high:.1f}"


def table(rows: dict, sizes: dict, cores: int) -> str:
    big = sizes["big"] / 1e9
    out = ["| run | result |", "|---|---|"]
    if "huge_classify" in rows:
        txt, stdin, jsonl = (f"{r['wall']:.1f} s / {r['peak']:.0f}" for r in rows["huge_classify"])
        out.append(f"| `classify` of a {big:g} GB single-line `.txt`, of stdin, of a `.jsonl` "
                   f"whose first line is {big:g} GB | refused, the other inputs classified: "
                   f"{txt}, {stdin}, {jsonl} |")
        runs = rows["huge_others"].values()
        out.append(f"| `compare`, `train`, `evaluate`, `agreement`, `--baseline` with a {big:g} GB"
                   f" single line | refused in {min(r['wall'] for r in runs):.1f} to "
                   f"{max(r['wall'] for r in runs):.1f} s, peak at most "
                   f"{max(r['peak'] for r in runs):.0f} |")
    if "many_classify" in rows:
        many = rows["many_classify"]
        one, allc = many["runs"][1], many["runs"][cores]
        out.append(f"| `classify` of {many['count']:,} tiny files, one of them binary (in one "
                   f"process, the stack limit raised: with the default one a shell's `ARG_MAX` "
                   f"cannot pass {many['count']:,} names, so use `xargs` or one JSONL file) | "
                   f"{one['passages']:,} passages, "
                   f"{one['errors']} error line: {one['wall']:.1f} s / {one['peak']:.0f} with "
                   f"`--jobs 1`, {allc['wall']:.1f} s / {allc['peak']:.0f} on all cores |")
        refused = rows["many_refused"]
        out.append(f"| `compare` of those {many['count']:,} articles with the binary one | "
                   f"refused in {refused['wall']:.1f} s / {refused['peak']:.0f}, "
                   f"{'naming' if refused['names_line'] else 'NOT naming'} manifest line "
                   f"{refused['line']:,} |")
    if "passages" in rows:
        single, parallel = rows["passages"]["single"], rows["passages"]["parallel"]
        counts = sorted(single)
        names = ", ".join(f"{n:,}" for n in counts[:-1]) + f" and {counts[-1]:,}"
        peaks = ", ".join(f"{single[n]['peak']:.0f}" for n in counts)
        parents = ", ".join(f"{parallel[n]['own']:.0f} at {n:,}" for n in sorted(parallel))
        out.append(f"| `classify` of {names} passages, `--jobs 1` | peak {peaks} "
                   f"({single[counts[-1]]['wall']:.1f} s for {counts[-1]:,}); on all cores "
                   f"the parent process peaks at {parents} |")
    if "in_process" in rows:
        figures = rows["in_process"]
        out.append(f"| {figures['runs']:,} `classify` runs in a row in one process | open files "
                   f"{figures['files_before']} before and {figures['files_after']} after; "
                   f"resident {figures['resident_10']:.1f} after 10 runs, "
                   f"{figures['resident_end']:.1f} after {figures['runs']:,} |")
    if "commands" in rows:
        figures = rows["commands"]
        clean = "no temporary file left" if not figures["left"] else \
            f"temporary files left: {', '.join(figures['left'])}"
        out.append(f"| {figures['runs']:,} `framing classify FILE -o OUT` commands in a row | "
                   f"all exit 0, {clean}; peak {span(figures['first'])} for each of the first "
                   f"ten, {span(figures['last'])} for the last ten |")
    if "compare" in rows:  # the README's "Known limit" paragraph
        done, none = rows["compare"]["default"], rows["compare"]["none"]
        out.append(f"\n- `compare` of {done['articles']:,} tiny articles (those above, the binary"
                   f" one replaced): {done['wall']:.0f} s / {done['peak']:.0f} with the default"
                   f" 2,000 bootstrap resamples and permutations; {none['wall']:.0f} s / "
                   f"{none['peak']:.0f} with `--bootstrap 0 --permutations 0`.")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small sizes (150 MB lines, 5,000 files, 20 runs): under 2 "
                             "minutes")
    parser.add_argument("--only", action="append", default=None,
                        choices=["huge", "files", "compare", "passages", "in-process",
                                 "commands"], help="run only these rows (repeatable)")
    parser.add_argument("--big-mb", type=float, default=None,
                        help="size of the single lines (default 1,000 MB; quick 150)")
    parser.add_argument("--files", type=int, default=None,
                        help="tiny files / articles (default 100,000; quick 5,000)")
    parser.add_argument("--runs", type=int, default=None,
                        help="classify runs in one process (default 1,000; quick 20)")
    parser.add_argument("--commands", type=int, default=None,
                        help="framing commands in a row (default 1,000, about a second each; "
                             "quick 20)")
    beside = Path(sys.executable).with_name("framing")  # this Python's own, if installed
    parser.add_argument("--framing", default=str(beside) if beside.exists() else
                        shutil.which("framing") or "framing",
                        help="the framing executable (default: the one beside this Python)")
    args = parser.parse_args(argv)
    quick = args.quick
    sizes = {"big": int((args.big_mb or (150 if quick else 1000)) * 1e6),
             "files": args.files or (5_000 if quick else 100_000),
             "runs": args.runs or (20 if quick else 1_000),
             "commands": args.commands or (20 if quick else 1_000)}
    passages = [2_000, 20_000] if quick else [2_000, 20_000, 100_000]
    parallel = [20_000] if quick else [100_000, 300_000]
    only = set(args.only or ["huge", "files", "compare", "passages", "in-process", "commands"])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    framing = [args.framing]
    began = time.perf_counter()
    rows: dict = {}
    print(f"# {cores} cores, Python {sys.version.split()[0]}, seed {SEED}, sizes {sizes}",
          file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="framing-load-") as tmp:
        tmp = Path(tmp)
        if "huge" in only:
            huge_lines(framing, tmp, sizes["big"], rows)
        if only & {"files", "compare"}:
            root = many_files(framing, tmp, sizes["files"], cores, rows) if "files" in only \
                else None
            if root is None:
                root = tmp / "many"
                tiny_articles(root, sizes["files"], None)
            if "compare" in only:
                compare_many(framing, tmp, root, sizes["files"], rows)
        if "passages" in only:
            passages_memory(framing, tmp, passages, parallel, cores, rows)
        if "in-process" in only:
            in_process_runs(tmp, sizes["runs"], rows)
        if "commands" in only:
            commands_in_a_row(framing, tmp, sizes["commands"], rows)
    command = "python benchmarks/load.py" + (" --quick" if quick else "") + "".join(
        f" --only {name}" for name in args.only or []) + "".join(
        f" --{k.replace('_', '-')} {v}" for k, v in (("big_mb", args.big_mb),
                                                    ("files", args.files),
                                                    ("runs", args.runs),
                                                    ("commands", args.commands)) if v is not None)
    print(f"\n`{command}` ({cores} cores, {time.perf_counter() - began:.0f} s in all; peak "
          f"resident memory of the process tree in MiB):\n")
    print(table(rows, sizes, cores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
