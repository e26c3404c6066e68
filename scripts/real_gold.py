"""Build the gold set of paraphrased real news items from its pieces (corpus/gold/real/).

    python scripts/real_gold.py sheet OUT.jsonl      disagreements of the two blind passes,
                                                     for an adjudicator
    python scripts/real_gold.py agreement            Krippendorff's alpha per frame and unit
    python scripts/real_gold.py build                the labelled files: corpus/gold/real_train.jsonl
                                                     and the frozen test corpus/gold/test/real_test.jsonl

Pieces: `texts/*.jsonl` (the writers' paraphrases, with outlet, url and date),
`labels/batch1_c*.jsonl` (the blind coding chunks: id, text, unit), `labels/pass_A_c*.jsonl`
and `labels/pass_B_c*.jsonl` (the two blind passes), `labels/adjudication*.jsonl` (the
adjudicator's decision on every record the passes disagree on).
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REAL = REPO / "corpus" / "gold" / "real"
#: Outlets are ordered by this salted hash and the first FROZEN_SHARE of them are the frozen
#: test set: fixed before any label was read, and independent of labels and model.
FROZEN_SALT, FROZEN_SHARE = "framing-frozen-test-v1", 0.21
ANNOTATOR = ("two blind coders (AI annotators, Claude subagents, codebook 1.3, each seeing only "
             "the codebook and the texts); an AI adjudicator where they disagreed")


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


FROZEN_LIST = REPO / "corpus" / "gold" / "test" / "frozen_outlets.txt"


def frozen_outlets(outlets: set[str]) -> set[str]:
    """The outlets held out entirely. Chosen once, when the test set was made, as the first
    FROZEN_SHARE (rounded up) of the outlets by salted hash, and written to FROZEN_LIST; from
    then on read from it, so that outlets added later cannot move the line."""
    if FROZEN_LIST.exists():
        return {line.strip() for line in FROZEN_LIST.read_text(encoding="utf-8").splitlines()
                if line.strip()}
    ordered = sorted(outlets, key=lambda o: hashlib.sha256(f"{FROZEN_SALT}:{o}".encode()).hexdigest())
    chosen = set(ordered[:math.ceil(FROZEN_SHARE * len(ordered))])
    FROZEN_LIST.parent.mkdir(exist_ok=True)
    FROZEN_LIST.write_text("".join(f"{o}\n" for o in sorted(chosen)), encoding="utf-8")
    return chosen


def build() -> None:
    sys.path.insert(0, str(REPO))
    from framing.io.labelled import outlet_key

    names = chunks()
    _, first, second = passes(names)
    unsure = {}
    for name in names:
        for pass_name in ("A", "B"):
            for r in read(REAL / "labels" / f"pass_{pass_name}_{name}.jsonl"):
                if r.get("unsure"):
                    unsure.setdefault(r["id"], []).append(pass_name)
    decisions = {}
    for path in sorted((REAL / "labels").glob("adjudication*.jsonl")):
        decisions.update({r["id"]: r for r in read(path)})
    records = [r for path in sorted((REAL / "texts").glob("*.jsonl")) for r in read(path)]
    outlets = {outlet_key(r["outlet"]) for r in records}
    frozen = frozen_outlets(outlets)
    test_file = REPO / "corpus" / "gold" / "test" / "real_test.jsonl"
    #: the test set is frozen by its ids too: a later record of a frozen outlet joins nothing
    frozen_ids = {r["id"] for r in read(test_file)} if test_file.exists() else None
    train, test, missing, dropped = [], [], [], []
    for r in records:
        rid = r["id"]
        if rid not in first or rid not in second:
            missing.append(rid)
            continue
        if first[rid] == second[rid]:
            frames, adjudication = first[rid], None
        elif rid in decisions:
            frames, adjudication = sorted(decisions[rid]["frames"]), decisions[rid]["reason"]
        else:
            missing.append(rid)
            continue
        out = {"id": rid, "text": r["text"], "frames": frames, "unit": r["unit"],
               "outlet": r["outlet"], "source_url": r["source_url"], "date": r["date"],
               "article": r["article"], "paragraph": r.get("paragraph"), "topic": r["topic"],
               "provenance": "paraphrase", "writer": r["writer"], "annotator": ANNOTATOR,
               "coders": {"a": first[rid], "b": second[rid]}}
        if rid in unsure:
            out["unsure"] = unsure[rid]
        if adjudication is not None:
            out["adjudicated"] = adjudication
        if outlet_key(r["outlet"]) not in frozen:
            train.append(out)
        elif frozen_ids is None or rid in frozen_ids:
            test.append(out)
        else:
            dropped.append(rid)
    if missing:
        raise SystemExit(f"{len(missing)} records lack both passes or an adjudication, e.g. "
                         f"{missing[:5]}")
    (REPO / "corpus" / "gold" / "test").mkdir(exist_ok=True)
    for path, rows in ((REPO / "corpus" / "gold" / "real_train.jsonl", train),
                       (REPO / "corpus" / "gold" / "test" / "real_test.jsonl", test)):
        path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in rows),
                        encoding="utf-8")
    print(f"train {len(train)} records from {len(outlets - frozen)} outlets; frozen test "
          f"{len(test)} records from {len(frozen)} outlets; {len(dropped)} later records of "
          f"frozen outlets left out")


if __name__ == "__main__":
    {"sheet": lambda: sheet(sys.argv[2]), "agreement": agreement,
     "build": build}[sys.argv[1]]()
