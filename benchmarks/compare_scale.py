#!/usr/bin/env python3
"""``framing compare`` at scale: time and peak memory next to ``framing classify --jobs 1``.

For each corpus size and number of groups, a JSONL corpus of short news records (1-3
paragraphs from a bounded vocabulary, every frame and none) is generated reproducibly, spread
over the outlets and over 400 days. Each row runs, in its own process through the real CLI:

- ``framing classify --jobs 1 --format jsonl`` of the corpus (the baseline);
- ``framing compare --by outlet`` and ``framing compare --by date`` (JSON report, default
  bootstrap and permutations, ``--jobs 1``),

and prints wall time, peak memory of the process tree (MiB), the ratio of compare's time to
classify's, and the JSON report's size. The issue's targets: at 200,000 records in 1,000
outlets over 400 days, both compares peak at 1 GB or less, take at most 3x classify's time
and write under 50 MB of JSON; at 1,000,000 records peak memory no higher than at 200,000.

    python benchmarks/compare_scale.py --quick          # 20,000 records; 10 and 1,000 groups
    python benchmarks/compare_scale.py                  # 200,000 records; 10 .. 10,000 groups
    python benchmarks/compare_scale.py --records 1000000 --groups 1000

Needs psutil (``pip install '.[bench]'``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import MIB, PARAGRAPHS, measure  # noqa: E402

SEED = 20251205
DAYS = 400


def write_corpus(path: Path, records: int, groups: int, seed: int = SEED) -> None:
    """``records`` JSONL records over ``groups`` outlets and :data:`DAYS` days."""
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    with open(path, "w", encoding="utf-8") as out:
        for k in range(records):
            paragraphs = [rng.choice(PARAGRAPHS).format(n=rng.randint(2, 400))
                          for _ in range(rng.randint(1, 3))]
            out.write(json.dumps({
                "id": f"r{k}", "outlet": f"outlet-{rng.randrange(groups):05d}",
                "date": (start + dt.timedelta(days=rng.randrange(DAYS))).isoformat(),
                "title": f"Report {k}", "text": "\n\n".join(paragraphs)}) + "\n")


def run_row(framing: list, folder: Path, records: int, groups: int,
            by_values=("outlet", "date"), resamples: list | None = None,
            classify_too: bool = True, keep: bool = False) -> list[dict]:
    corpus = folder / f"corpus-{records}-{groups}.jsonl"
    if not corpus.exists():
        write_corpus(corpus, records, groups)
    classify = measure(framing + ["classify", corpus, "--jobs", "1", "--format", "jsonl",
                                  "-o", folder / "tags.jsonl"]) if classify_too else \
        {"wall": float("nan"), "peak": float("nan")}
    rows = []
    for by in by_values:
        report = folder / f"report-{by}.json"
        run = measure(framing + ["compare", corpus, "--by", by, "--jobs", "1", "-q",
                                 *(resamples or []), "-o", report])
        rows.append({"records": records, "groups": groups, "by": by,
                     "groups_compared": groups if by == "outlet" else DAYS,
                     "classify_s": classify["wall"], "classify_mib": classify["peak"],
                     "compare_s": run["wall"], "compare_mib": run["peak"],
                     "ratio": run["wall"] / classify["wall"],
                     "json_mb": report.stat().st_size / 1e6})
        report.unlink()
    if not keep:
        corpus.unlink()
    return rows


def table(rows: list[dict]) -> str:
    out = ["| records | by | groups | classify -j1 | compare | compare / classify | "
           "peak MiB classify | peak MiB compare | JSON MB |",
           "|--:|:--|--:|--:|--:|--:|--:|--:|--:|"]
    for r in rows:
        out.append(f"| {r['records']:,} | {r['by']} | {r['groups_compared']:,} | "
                   f"{r['classify_s']:.1f} s | {r['compare_s']:.1f} s | {r['ratio']:.2f}x | "
                   f"{r['classify_mib']:.0f} | {r['compare_mib']:.0f} | {r['json_mb']:.1f} |")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, nargs="+", default=None)
    parser.add_argument("--groups", type=int, nargs="+", default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--by", nargs="+", choices=("outlet", "date"),
                        default=["outlet", "date"], help="the groupings to compare by")
    parser.add_argument("--resamples", type=int, default=None, metavar="N",
                        help="--bootstrap N --permutations N for compare (default: its own)")
    parser.add_argument("--no-classify", action="store_true",
                        help="skip the classify baseline (no ratio)")
    parser.add_argument("--keep", type=Path, default=None, metavar="FOLDER",
                        help="generate corpora here and keep them for the next run")
    parser.add_argument("--framing", default=f"{sys.executable} -m framing",
                        help="how to run framing (default: this Python's -m framing)")
    args = parser.parse_args(argv)
    records = args.records or ([20_000] if args.quick else [200_000])
    groups = args.groups or ([10, 1_000] if args.quick else [10, 100, 1_000, 10_000])
    framing = args.framing.split()
    rows = []
    resamples = None if args.resamples is None else \
        ["--bootstrap", str(args.resamples), "--permutations", str(args.resamples)]
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for size in records:
            for count in groups:
                for row in run_row(framing, folder, size, count, args.by, resamples,
                                   not args.no_classify, args.keep is not None):
                    rows.append(row)
                    print(f"{row['records']:,} records, by {row['by']} "
                          f"({row['groups_compared']:,} groups): compare {row['compare_s']:.1f} s,"
                          f" {row['compare_mib']:.0f} MiB; classify {row['classify_s']:.1f} s, "
                          f"{row['classify_mib']:.0f} MiB", file=sys.stderr, flush=True)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
