"""Write the texts (ids and text only, no labels) for the second, blind labelling pass:
every seed paragraph in article order, then a seeded random sample of written passages from
each writer's file. Usage: python scripts/blind_sample.py OUT.jsonl PER_WRITER_FILE [FILES...]"""

import json
import random
import sys
from pathlib import Path

out, per_file, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
rows = []
for path in files:
    records = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    if records and records[0].get("provenance") == "seed":
        rows += records
    else:
        rows += random.Random(f"blind-{Path(path).name}").sample(records, min(per_file, len(records)))
Path(out).write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n"
                             for r in rows), encoding="utf-8")
print(len(rows), "passages to", out)
