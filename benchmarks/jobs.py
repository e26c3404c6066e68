#!/usr/bin/env python3
"""Where worker processes start to pay: ``framing classify`` with workers vs ``--jobs 1``.

Starting loky workers costs a fixed time (processes, imports, the model sent and unpickled
once per worker); sharing the passages saves a time that grows with the input. This script
measures both sides on inputs of growing size built like ``run.py``'s (gold sentences
recombined with a fixed seed), and prints, per size, ratios only (the machine's absolute
speed does not matter, the ratios are what set the threshold):

- ``workers / -j 1``: the CLI with workers forced on (``PARALLEL_MIN_CHARS = 0``, as before
  the threshold existed) against one process: above 1 the workers lose;
- ``default / -j 1``: the CLI as shipped (all cores, workers only above the threshold):
  it must stay at about 1 for small inputs and follow the workers' gain for big ones.

Each size runs ``--repeat`` rounds (default 3), each configuration once per round, and keeps
each configuration's best round, so a burst of load from a neighbour does not decide a
ratio. It then prints the break-even: the input size (characters of JSONL) from which the
workers win at every larger size, interpolated between the two sizes around it; that is what
``framing.run.parallel.PARALLEL_MIN_CHARS`` is set from.

    .venv/bin/python benchmarks/jobs.py            # 9 sizes, about 5 minutes on 2 cores
    .venv/bin/python benchmarks/jobs.py --quick    # 4 sizes, under a minute
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import build_passages, write_jsonl  # noqa: E402  (the same passages as run.py)

SIZES = (1_000, 2_000, 4_000, 8_000, 12_000, 16_000, 24_000, 32_000, 48_000)
QUICK_SIZES = (1_000, 4_000, 16_000, 32_000)

#: The CLI in a fresh process, with workers forced on (the behaviour before the threshold).
_FORCED = ("import sys, framing.run.parallel as p; p.PARALLEL_MIN_CHARS = 0; "
           "from framing.cli import cli; sys.exit(cli(prog_name='framing'))")
_SHIPPED = "import sys; from framing.cli import cli; sys.exit(cli(prog_name='framing'))"


def timed(code: str, args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def break_even(rows) -> str:
    """The size from which the workers win at every larger size (ratio below 1),
    interpolated linearly in the ratio between the last size where they lose and the next."""
    ratios = [(chars, best["workers"] / best["one"]) for _, chars, best in rows]
    if ratios[-1][1] >= 1.0:
        return "no break-even: the workers lose even at the largest size"
    last = max((i for i, (_, r) in enumerate(ratios) if r >= 1.0), default=None)
    if last is None:
        return f"break-even: below {ratios[0][0]:,} characters (the workers win at every size)"
    (x0, r0), (x1, r1) = ratios[last], ratios[last + 1]
    crossing = x0 + (r0 - 1.0) / (r0 - r1) * (x1 - x0)
    return (f"break-even: about {crossing:,.0f} characters of JSONL (workers lose at "
            f"{x0:,}, ratio {r0:.2f}; win at {x1:,} and above, ratio {r1:.2f})")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="four sizes only")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size (best kept)")
    parser.add_argument("--jobs", type=int, default=2, help="workers when forced (default 2)")
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else SIZES
    passages = build_passages(max(sizes))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            data = Path(tmp) / f"p{n}.jsonl"
            chars = write_jsonl(passages[:n], data)
            common = ["classify", "--format", "jsonl", "-o", str(Path(tmp) / "out.jsonl"),
                      str(data)]
            best = {"one": float("inf"), "workers": float("inf"), "default": float("inf")}
            for _ in range(args.repeat):
                best["one"] = min(best["one"], timed(_SHIPPED, [*common, "--jobs", "1"]))
                best["workers"] = min(best["workers"],
                                      timed(_FORCED, [*common, "--jobs", str(args.jobs)]))
                best["default"] = min(best["default"], timed(_SHIPPED, common))
            rows.append((n, chars, best))
            print(f"# {n:,} passages done", file=sys.stderr)
    print(f"| passages | JSONL characters | workers (-j {args.jobs}, forced) / -j 1 "
          "| default / -j 1 |")
    print("|---:|---:|---:|---:|")
    for n, chars, best in rows:
        print(f"| {n:,} | {chars:,} | {best['workers'] / best['one']:.2f} "
              f"| {best['default'] / best['one']:.2f} |")
    print()
    print(break_even(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
