#!/usr/bin/env bash
# Inter-coder agreement as measured, before adjudication changed any first-pass label:
# the first pass is read from the gold files at commit REV (default: the last commit before
# the adjudication), each second pass from corpus/gold/labels/. Run from the repository root
# with `framing` on PATH:   scripts/agreement_before_adjudication.sh [REV]
set -euo pipefail
rev=${1:-6b4e7a1}
first=$(mktemp -d)
trap 'rm -rf "$first"' EXIT
for path in $(git ls-tree --name-only "$rev" corpus/gold/ | grep '\.jsonl$'); do
  git show "$rev:$path" > "$first/$(basename "$path")"
done
for pass in b c d; do
  echo "== second pass $pass (corpus/gold/labels/second_pass_$pass.jsonl)"
  framing agreement "$first"/*.jsonl --second "corpus/gold/labels/second_pass_$pass.jsonl" --format table
done
echo "== all second passes b, c, d together"
framing agreement "$first"/*.jsonl --second corpus/gold/labels/second_pass_b.jsonl \
  --second corpus/gold/labels/second_pass_c.jsonl --second corpus/gold/labels/second_pass_d.jsonl --format table
