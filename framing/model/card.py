"""The model card for people: what the model is, its data, its measured quality, and the
checksum that loading verifies."""

from __future__ import annotations

import json


def card_markdown(card: dict, arrays_sha256: str | None = None) -> str:
    """The model card for people: what the model is, its data, its measured quality, and the
    checksum that loading verifies."""
    data = card.get("training_data", {})
    lines = [f"# Model card: {card.get('name', 'framing model')}", "",
             card.get("description", ""), "",
             "## Training data", "",
             f"- passages: {data.get('passages')} (provenance: "
             + ", ".join(f"{k} {v}" for k, v in data.get("provenance", {}).items()) + ")",
             "- label counts: " + ", ".join(f"{k} {v}" for k, v in data.get("label_counts", {}).items()),
             f"- sha256 of the gold files: `{data.get('sha256')}`",
             f"- lexicon: version {card.get('lexicon', {}).get('version')}, "
             f"{card.get('lexicon', {}).get('terms')} terms", "",
             "## Settings", "", "```json", json.dumps(card.get("settings", {}), indent=2), "```", ""]
    cv = card.get("cross_validation")
    if cv:
        lines += ["## Cross-validated quality", "", cv["procedure"] + ".", "",
                  "| method | frame | precision | recall | F1 |", "|---|---|---|---|---|"]
        for method, result in cv["methods"].items():
            for frame, v in result["per_frame"].items():
                lines.append(f"| {method} | {frame} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} |")
            lines.append(f"| {method} | **macro** | {result['macro_precision']:.3f} | "
                         f"{result['macro_recall']:.3f} | **{result['macro_f1']:.3f}** |")
        lines.append("")
    if arrays_sha256:
        lines += ["## Integrity", "",
                  f"- sha256 of `model.npz`: `{arrays_sha256}`. `model.json` records it, and "
                  "loading refuses the model (exit 4) when the arrays do not match it. Nothing in "
                  "a model folder is unpickled or executed.", ""]
    lines += ["## Thresholds", "", "```json", json.dumps(card.get("thresholds", {}), indent=2), "```", "",
              "## Versions", "", "```json", json.dumps(card.get("versions", {}), indent=2), "```", "",
              "## Limits", "",
              "The gold passages are the seed articles' paragraphs plus passages written by the "
              "project's annotators; quality on other outlets and other wars is expected to be "
              "lower than these cross-validated figures. Reproduce them with "
              "`framing train` (or `framing evaluate`) from the repository root.", ""]
    return "\n".join(lines)
