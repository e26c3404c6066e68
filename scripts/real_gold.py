"""Build the gold set of paraphrased real news items from its pieces (corpus/gold/real/).

    python scripts/real_gold.py sheet OUT.jsonl      disagreements of the two blind passes,
                                                     for an adjudicator
    python scripts/real_gold.py agreement            Krippendorff's alpha per frame and unit

Pieces: `texts/*.jsonl` (the writers' paraphrases, with outlet, url and date),
`labels/batch1_c*.jsonl` (the blind coding chunks: id, text, unit), `labels/pass_A_c*.jsonl`
and `labels/pass_B_c*.jsonl` (the two blind passes), `labels/adjudication*.jsonl` (the
adjudicator's decision on every record the passes disagree on).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

REAL = Path(__file__).resolve().parent.parent / "corpus" / "gold" / "real"


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def chunks() -> list[str]:
    """Chunks both of whose passes are complete."""
    done = []
    for batch in sorted((REAL / "labels").glob("batch1_c*.jsonl")):
        name = batch.stem.split("_")[-1]
        a, b = REAL / "labels" / f"pass_A_{name}.jsonl", REAL / "labels" / f"pass_B_{name}.jsonl"
        if a.exists() and b.exists():
            done.append(name)
    return done


def passes(names: list[str]) -> tuple[dict, dict, dict]:
    texts, first, second = {}, {}, {}
    for name in names:
        texts.update({r["id"]: r for r in read(REAL / "labels" / f"batch1_{name}.jsonl")})
        first.update({r["id"]: sorted(r["frames"]) for r in read(REAL / "labels" / f"pass_A_{name}.jsonl")})
        second.update({r["id"]: sorted(r["frames"]) for r in read(REAL / "labels" / f"pass_B_{name}.jsonl")})
    return texts, first, second


def sheet(out: str) -> None:
    texts, first, second = passes(chunks())
    rows = [{"id": i, "unit": texts[i]["unit"], "text": texts[i]["text"],
             "coder_1": first[i], "coder_2": second[i]}
            for i in sorted(texts) if first[i] != second[i]]
    Path(out).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                         encoding="utf-8")
    print(f"{len(rows)} disagreements of {len(texts)} records in {len(chunks())} chunks")


def agreement() -> None:
    names = chunks()
    texts, first, second = passes(names)
    for unit in ("all", "paragraph", "headline"):
        ids = [i for i in texts if unit == "all" or texts[i]["unit"] == unit]
        with tempfile.TemporaryDirectory() as tmp:
            a, b = Path(tmp) / "a.jsonl", Path(tmp) / "b.jsonl"
            a.write_text("".join(json.dumps({"id": i, "frames": first[i]}) + "\n" for i in ids))
            b.write_text("".join(json.dumps({"id": i, "frames": second[i]}) + "\n" for i in ids))
            result = subprocess.run(["framing", "agreement", str(a), "--second", str(b),
                                     "--format", "json"], capture_output=True, text=True,
                                    check=True)
        report = json.loads(result.stdout)
        print(unit, report["passages"], {f: v["alpha"] for f, v in report["per_frame"].items()},
              "exact", report["exact_match_percent"])


if __name__ == "__main__":
    {"sheet": lambda: sheet(sys.argv[2]), "agreement": agreement}[sys.argv[1]]()
