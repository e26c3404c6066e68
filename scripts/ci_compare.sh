#!/usr/bin/env bash
# The comparative report of corpus/, produced and checked (called by .ci/run).
#
#   1. writes the report in every format to $FRAMING_REPORT_DIR (default build/compare/);
#   2. checks it is deterministic: a second run gives byte-identical markdown, HTML and JSON;
#   3. checks the JSON has, for every outlet of corpus/manifest.csv, all four frames with
#      share, interval and counts, plus omnibus, pairwise (raw and adjusted p-values),
#      divergences and distinctive terms;
#   4. checks the CI gate itself: the report as its own baseline passes --fail-on-shift 0,
#      and a doctored copy of it fails with exit code 1;
#   5. if a committed baseline exists ($FRAMING_BASELINE, default corpus/compare-baseline.json),
#      fails when any share moved by more than $FRAMING_MAX_SHIFT (default 0.05) since it.
#
# Appends the markdown report to $GITHUB_STEP_SUMMARY when that is set. Needs `framing` on
# PATH (or FRAMING="python3 -m framing"); uses the shipped model unless FRAMING_MODEL names
# another. Exits non-zero, saying why, on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

read -r -a framing <<<"${FRAMING:-framing}"
if ! command -v "${framing[0]}" >/dev/null 2>&1; then
  framing=(python3 -m framing)
fi
compare=("${framing[@]}" compare)
if [ -n "${FRAMING_MODEL:-}" ]; then
  compare=("${framing[@]}" compare --model "$FRAMING_MODEL")
fi
corpus="${FRAMING_CORPUS:-corpus}"
out="${FRAMING_REPORT_DIR:-build/compare}"
baseline="${FRAMING_BASELINE:-corpus/compare-baseline.json}"
max_shift="${FRAMING_MAX_SHIFT:-0.05}"
mkdir -p "$out/again"

say() { printf 'ci_compare: %s\n' "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }

say "comparing $corpus/ (reports in $out/)"
"${compare[@]}" "$corpus" --quiet -o "$out/report.md" -o "$out/report.html" \
  -o "$out/report.json" -o "$out/report.csv"

say "checking that a second run is byte-identical"
"${compare[@]}" "$corpus" --quiet -o "$out/again/report.md" -o "$out/again/report.html" \
  -o "$out/again/report.json"
for name in report.md report.html report.json; do
  cmp -s "$out/$name" "$out/again/$name" || die "$name differs between two runs of the same corpus"
done

say "checking the JSON report's keys"
python3 - "$out/report.json" "$corpus" <<'PY' || die "the JSON report is missing keys (see above)"
import csv, json, os, sys

report = json.load(open(sys.argv[1], encoding="utf-8"))
manifest = os.path.join(sys.argv[2], "manifest.csv")
problems = []
if os.path.exists(manifest):
    with open(manifest, newline="", encoding="utf-8-sig") as handle:
        outlets = {row["outlet"].strip() for row in csv.DictReader(handle) if row.get("outlet")}
else:
    outlets = set(report["groups"])
frames = ["military_success", "escalation", "diplomacy", "civilian_harm"]
if report.get("schema_version") != "1.0":
    problems.append(f"schema_version is {report.get('schema_version')!r}")
for outlet in sorted(outlets):
    group = report.get("groups", {}).get(outlet)
    if group is None:
        problems.append(f"outlet {outlet!r} is not in the report")
        continue
    for frame in frames:
        cell = group.get("frames", {}).get(frame, {})
        for key in ("share", "interval", "counts"):
            if key not in cell:
                problems.append(f"{outlet}/{frame}: no {key}")
        if len(cell.get("interval") or []) != 2:
            problems.append(f"{outlet}/{frame}: interval is not [low, high]")
for key in ("omnibus", "pairwise", "divergences", "distinctive_terms", "assumptions"):
    if key not in report:
        problems.append(f"no {key}")
for row in report.get("pairwise", []):
    if not {"p_value", "p_holm", "p_bh"} <= set(row):
        problems.append(f"pairwise row without raw and adjusted p-values: {row}")
        break
for problem in problems:
    print(f"  {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY

say "checking the shift gate against the report itself and a doctored copy"
"${compare[@]}" "$corpus" --quiet --baseline "$out/report.json" --fail-on-shift 0 \
  -o "$out/again/unchanged.md" || die "an unchanged baseline did not pass --fail-on-shift 0"
python3 - "$out/report.json" "$out/again/doctored.json" <<'PY'
import json, sys

report = json.load(open(sys.argv[1], encoding="utf-8"))
group = sorted(report["groups"])[0]
cell = report["groups"][group]["frames"]["civilian_harm"]
cell["share"] = 1.0 if cell["share"] < 0.5 else 0.0
json.dump(report, open(sys.argv[2], "w", encoding="utf-8"))
PY
set +e
"${compare[@]}" "$corpus" --quiet --baseline "$out/again/doctored.json" \
  --fail-on-shift 0.1 -o "$out/again/doctored.md" 2>"$out/again/doctored.err"
status=$?
set -e
[ "$status" -eq 1 ] || die "a doctored baseline gave exit code $status, expected 1"
grep -q "over --fail-on-shift 0.1" "$out/again/doctored.err" || die "no gate message on stderr"

if [ -f "$baseline" ]; then
  say "checking shifts since $baseline (at most $max_shift)"
  "${compare[@]}" "$corpus" --quiet --baseline "$baseline" --fail-on-shift "$max_shift" \
    -o "$out/report-vs-baseline.md"
else
  say "no $baseline: skipping the drift check (write one with: framing compare $corpus --format json -o $baseline)"
fi

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$out/report.md" >>"$GITHUB_STEP_SUMMARY"
fi
rm -rf "$out/again"
say "ok: $out/report.{md,html,json,csv}"
