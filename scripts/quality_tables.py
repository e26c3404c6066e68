"""Print the README's quality tables from a model card: the grouped cross-validation and the
frozen test, per frame and per unit, for every method.

    python scripts/quality_tables.py models/framing-default/card.json

The card's figures come from `framing train -o models/framing-default --frozen-test corpus/gold/test/real_test.jsonl`
(see the README); tests/test_readme.py checks that the README shows exactly these tables.
"""

from __future__ import annotations

import json
import sys

FRAMES = ("military_success", "escalation", "diplomacy", "civilian_harm")


def table(report: dict) -> str:
    """One row per method: F1 per frame, macro precision, recall and F1, and macro-F1 per
    unit where the report has units."""
    units = list(report.get("by_unit", {}))
    header = (["method"] + [f"F1 {f}" for f in FRAMES] + ["macro P", "macro R", "**macro-F1**"]
              + [f"macro-F1 {u}s ({report['by_unit'][u]['passages']:,})" for u in units])
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    for method, result in report["methods"].items():
        cells = [method] + [f"{result['per_frame'][f]['f1']:.3f}" for f in FRAMES]
        cells += [f"{result['macro_precision']:.3f}", f"{result['macro_recall']:.3f}",
                  f"**{result['macro_f1']:.3f}**"]
        cells += [f"{report['by_unit'][u]['methods'][method]['macro_f1']:.3f}" for u in units]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    card = json.load(open(sys.argv[1], encoding="utf-8"))
    for key in ("cross_validation", "frozen_test"):
        if key in card:
            print(f"{key}: {card[key]['procedure']}; {card[key]['passages']:,} passages\n")
            print(table(card[key]) + "\n")
