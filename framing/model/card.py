"""The model card for people: what the model is, its data, its measured quality, and the
checksum that loading verifies."""

from __future__ import annotations

import json


#: Who wrote and who labelled the data: said on every card, whatever the data.
ANNOTATORS = (
    "All gold passages were written and labelled by AI annotators (Claude subagents), not by "
    "people. Paragraphs of the five seed articles are real text; every other passage was "
    "written by an AI annotator, either as a close paraphrase of one real news item (facts, "
    "length, structure and register kept, every sentence in new words, its source_url "
    "recorded; provenance `paraphrase`) or invented in the style of news copy (provenance "
    "`written`). Labels come from two blind AI coders per paraphrased item, who saw only the "
    "codebook and the texts, with an AI adjudicator where they disagreed; the agreement "
    "figures are in corpus/README.md.")


def figure(value) -> str:
    """A precision, recall or F1 for people: three decimals, "undefined" for None (a zero
    denominator, e.g. the recall of a frame with no positive passage)."""
    return "undefined" if value is None else f"{value:.3f}"


def _metrics_table(result_methods: dict) -> list[str]:
    lines = ["| method | frame | precision | recall | F1 |", "|---|---|---|---|---|"]
    for method, result in result_methods.items():
        for frame, v in result["per_frame"].items():
            lines.append(f"| {method} | {frame} | {figure(v['precision'])} | "
                         f"{figure(v['recall'])} | {figure(v['f1'])} |")
        lines.append(f"| {method} | **macro** | {figure(result['macro_precision'])} | "
                     f"{figure(result['macro_recall'])} | **{figure(result['macro_f1'])}** |")
    return lines


def _evaluation_section(title: str, report: dict) -> list[str]:
    lines = [f"## {title}", "", report["procedure"] + f"; {report['passages']} passages.", ""]
    lines += _metrics_table(report["methods"]) + [""]
    for unit, part in report.get("by_unit", {}).items():
        macro = ", ".join(f"{m} {figure(r['macro_f1'])}" for m, r in part["methods"].items())
        lines.append(f"- {unit}s ({part['passages']}): macro-F1 {macro}")
    return lines + [""] if report.get("by_unit") else lines


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
             "## Who wrote and labelled the data", "", ANNOTATORS, "",
             "## Settings", "", "```json", json.dumps(card.get("settings", {}), indent=2), "```", ""]
    if card.get("cross_validation"):
        lines += _evaluation_section("Cross-validated quality", card["cross_validation"])
    if card.get("frozen_test"):
        lines += _evaluation_section("Frozen test (outlets never seen in training)",
                                     card["frozen_test"])
    if arrays_sha256:
        lines += ["## Integrity", "",
                  f"- sha256 of `model.npz`: `{arrays_sha256}`. `model.json` records it, and "
                  "loading refuses the model (exit 4) when the arrays do not match it. Nothing in "
                  "a model folder is unpickled or executed.", ""]
    lines += ["## Thresholds", "", "```json", json.dumps(card.get("thresholds", {}), indent=2), "```", "",
              "## Versions", "", "```json", json.dumps(card.get("versions", {}), indent=2), "```", "",
              "## Limits", "",
              "The passages are paraphrases of real items and AI-written copy, labelled by AI "
              "coders: quality on real text coded by people may differ from these figures. "
              "Figures for other wars, other languages and other kinds of text (social media, "
              "transcripts) are not measured. Reproduce the figures with `framing train` and "
              "`framing evaluate` from the repository root (see the README).", ""]
    return "\n".join(lines)
