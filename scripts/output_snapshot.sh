#!/usr/bin/env bash
# Every output a refactoring must leave byte for byte alone, written to OUTDIR: classify of
# the shipped articles and of a JSONL file of passages with each method and format, and
# compare of both in every report format. Run it from the root of two checkouts (before and
# after a change), with the same PASSAGES file, then `cmp` the two folders file by file.
#
#   scripts/output_snapshot.sh OUTDIR PASSAGES.jsonl
#
# PASSAGES.jsonl: records with id, text, outlet and date, e.g. 10,000 gold passages:
#   python3 -c 'import json,glob,itertools
#   recs=[json.loads(l) for p in sorted(glob.glob("corpus/gold/*.jsonl")) for l in open(p)]
#   for i,r in zip(range(10000), itertools.cycle(recs)):
#       print(json.dumps({"id": f"{r[\"id\"]}-{i}", "text": r["text"],
#                         "outlet": "abcdefg"[i % 7], "date": f"2025-06-{1 + i % 28:02d}"}))' > p.jsonl
#
# Uses `framing` from .venv/bin when there is one, else from PATH.
set -euo pipefail
out=$1
passages=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
framing=framing
[ -x .venv/bin/framing ] && framing=.venv/bin/framing
mkdir -p "$out"
for m in hybrid lexicon model; do
  "$framing" classify corpus/articles/*.txt --method "$m" --format jsonl -j 1 -o "$out/articles-$m.jsonl"
  "$framing" classify "$passages" --unit whole --method "$m" --format jsonl -j 2 -o "$out/passages-$m.jsonl"
done
"$framing" classify corpus/articles/*.txt --format csv -o "$out/articles.csv"
"$framing" classify corpus/articles/*.txt --format json -o "$out/articles.json"
"$framing" compare corpus --quiet -o "$out/corpus.md" -o "$out/corpus.html" -o "$out/corpus.json" \
  -o "$out/corpus.csv"
"$framing" compare "$passages" --unit whole --quiet --bootstrap 200 --permutations 200 \
  -o "$out/passages.md" -o "$out/passages.html" -o "$out/passages.json" -o "$out/passages.csv"
"$framing" compare "$passages" --unit whole --by date:week --quiet --bootstrap 200 \
  --permutations 200 -o "$out/passages-weekly.json"
echo "output_snapshot: $(ls "$out" | wc -l) files in $out"
