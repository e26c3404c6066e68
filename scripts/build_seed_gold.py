"""Rebuild corpus/gold/seeds.jsonl: every paragraph of the seed articles (as framing's
paragraph segmenter cuts them, with spans) joined with coder A's labels from
corpus/gold/labels/seed_labels_a.jsonl. Run from the repository root."""

import json
from pathlib import Path

from framing.io.documents import read_documents
from framing.text.segment import segment

ARTICLES = sorted(Path("corpus/articles").glob("*.txt"))
labels = {}
for line in Path("corpus/gold/labels/seed_labels_a.jsonl").read_text(encoding="utf-8").splitlines():
    record = json.loads(line)
    labels[record["id"]] = record

out = []
for document in read_documents([str(p) for p in ARTICLES]):
    article = document.document_id[:3]
    for index, (start, end) in enumerate(segment(document.text)):
        passage_id = f"seed-{article}-p{index:03d}"
        label = labels[passage_id]
        record = {"id": passage_id, "text": document.text[start:end], "frames": label["frames"],
                  "provenance": "seed", "annotator": label["annotator"],
                  "source": f"corpus/articles/{document.document_id}.txt",
                  "start": start, "end": end, "note": label.get("note", "")}
        for history in ("revised", "adjudicated"):  # label changes and why
            if label.get(history):
                record[history] = label[history]
        out.append(record)
assert len(out) == len(labels), "segmentation changed: relabel the seed paragraphs"
Path("corpus/gold/seeds.jsonl").write_text(
    "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
print(f"wrote {len(out)} seed passages")
