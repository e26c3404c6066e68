"""The accuracy sections every human report shares: how accurate the tags are, and the shares
corrected for their error. Plain text only; each writer escapes it for its format.

Without a coded sample the report says what the model card measured and that the shares are
uncorrected; with one (``--validation``) it sets each raw share next to its corrected share,
with the coded sample's size, precision and recall per group, and the pairwise differences
that hold once the error is corrected.
"""

from __future__ import annotations

from framing.comparison.report.common import ALPHA, frame_name, interval_text, num, p_text, pct

#: Corrected pairwise rows shown in markdown and HTML (all are in the JSON report).
CORRECTED_PAIRS_SHOWN = 20


class Untrusted(str):
    """A cell from the corpus (a group's name): writers escape it as corpus text."""


def _cell(estimate: dict | None) -> str:
    if not estimate:
        return "–"
    return f"{pct(estimate['share'])} ({interval_text(estimate.get('interval'))})"


def accuracy_section(result) -> tuple[str, list[str], list[list[str]]] | None:
    """(sentence, header, rows) saying how accurate the tags are and that shares are raw;
    None when the report has corrected shares, or no model card to quote."""
    if result.validation is not None:
        return None
    accuracy = result.accuracy
    sentence = ("These shares count the tagger's tags and are not corrected for its errors. "
                "To correct them, code a random sample of this corpus (framing sample, then "
                "framing annotate) and pass it with --validation.")
    if not accuracy:
        return sentence + " The model card records no measured accuracy for this method.", [], []
    cv, frozen = accuracy.get("cross_validation"), accuracy.get("frozen_test")
    parts = []
    for label, report in (("cross-validation", cv), ("frozen test", frozen)):
        if report:
            parts.append(f"{label}: {report.get('procedure') or ''}, "
                         f"{report.get('passages')} passages, macro-F1 "
                         f"{num(report.get('macro_f1'))}")
    sentence += (f" The model card measured method {accuracy['method']} on gold passages "
                 f"({'; '.join(parts)}); accuracy differs between outlets, so a difference "
                 "between groups can be the tagger's.")
    header = ["frame", "precision", "recall", "F1"] + (["F1 frozen test"] if frozen else [])
    rows = []
    for frame, figures in (cv or frozen or {}).get("per_frame", {}).items():
        row = [frame_name(frame), num(figures.get("precision")), num(figures.get("recall")),
               num(figures.get("f1"))]
        if frozen:
            row.append(num((frozen.get("per_frame") or {}).get(frame, {}).get("f1")))
        rows.append(row)
    return sentence, header, rows


def corrected_rows(result) -> tuple[list[str], list[list[str]]]:
    """Header and rows (group, frame) of raw next to corrected shares, with the coded
    sample's size, precision and recall; an adjusted column when ``--adjust`` was used."""
    adjusted = any(row.get("adjusted") for row in result.shares)
    header = ["group", "frame", "raw (interval)", "corrected (interval)", "coded",
              "precision", "recall"] + (["adjusted (model card)"] if adjusted else [])
    rows = []
    for g in result.groups:
        for f in result.frames:
            share = result.share(g, f)
            check = ((result.validation or {}).get(g) or {}).get(f) or {}
            row = [Untrusted(g), frame_name(f), _cell(share), _cell(share.get("corrected")),
                   str(check.get("coded", 0)), num(check.get("precision"), 2),
                   num(check.get("recall"), 2)]
            if adjusted:
                row.append(_cell(share.get("adjusted")))
            rows.append(row)
    return header, rows


def adjusted_only(result) -> bool:
    return result.validation is None and any(row.get("adjusted") for row in result.shares)


def corrected_pairs(result) -> tuple[str, list[str], list[list[str]]]:
    """(sentence, header, rows) of pairwise differences of corrected shares: those
    significant after Benjamini-Hochberg, else none (the sentence says so)."""
    tested = [r for r in result.pairwise if r.get("corrected_p_bh") is not None]
    significant = sorted((r for r in tested if r["corrected_p_bh"] < ALPHA),
                         key=lambda r: (r["corrected_p_value"], r["frame"], r["a"], r["b"]))
    level = result.confidence_percent
    if not tested:
        return "No pair of groups has corrected shares on both sides.", [], []
    sentence = (f"{len(significant)} of {len(tested)} pairwise differences of corrected "
                "shares are significant at 5% after Benjamini-Hochberg adjustment (Wald tests "
                "on the corrected estimates)"
                + (f"; the {CORRECTED_PAIRS_SHOWN} smallest p-values shown" if
                   len(significant) > CORRECTED_PAIRS_SHOWN else "") + ".")
    header = ["frame", "a", "b", "raw a − b", f"corrected a − b [{level}% CI]", "p BH raw",
              "p BH corrected"]
    rows = []
    for r in significant[:CORRECTED_PAIRS_SHOWN]:
        low, high = r["corrected_difference_interval"]
        rows.append([frame_name(r["frame"]), Untrusted(r["a"]), Untrusted(r["b"]), f"{r['difference'] * 100:+.0f}",
                     f"{r['corrected_difference'] * 100:+.0f} [{low * 100:+.0f}, "
                     f"{high * 100:+.0f}]", p_text(r["p_bh"]), p_text(r["corrected_p_bh"])])
    return sentence, header, rows


CORRECTED_INTRO = (
    "Each raw share (tags counted) next to the share a coder would give, estimated from the "
    "coded sample with prediction-powered inference (PPI++): its interval includes the "
    "tagger's error. Precision and recall are the tagger's on the group's coded passages. "
    "The method and its assumption (a random sample of this corpus) are in docs/compare.md.")
ADJUSTED_INTRO = (
    "Adjusted classify-and-count: each raw share and its interval mapped through the model "
    "card's cross-validated true- and false-positive rates. A sensitivity check, not a "
    "correction: the card's error rates are those of its training outlets, not of this corpus.")


def accuracy_blocks(result, noun: str) -> list[tuple]:
    """The accuracy sections as blocks each writer renders: ``("h2", text)``,
    ``("h3", text)``, ``("p", text)``, ``("table", header, rows, align)`` and
    ``("chart", name)``; cells of type :class:`Untrusted` come from the corpus."""
    section = accuracy_section(result)
    if section is not None:
        sentence, header, rows = section
        blocks = [("h2", "How accurate are the tags?"), ("p", sentence)]
        if rows:
            blocks.append(("table", header, rows, "l" + "r" * (len(header) - 1)))
        if adjusted_only(result):
            header, rows = corrected_rows(result)
            keep = [0, 1, 2, len(header) - 1]
            blocks += [("h3", "Adjusted shares (sensitivity check)"), ("p", ADJUSTED_INTRO),
                       ("table", [Untrusted(noun)] + [header[k] for k in keep[1:]],
                        [[r[k] for k in keep] for r in rows], "llrr")]
        return blocks
    header, rows = corrected_rows(result)
    blocks = [("h2", "Corrected for the tagger's error"), ("p", CORRECTED_INTRO),
              ("chart", "corrected"),
              ("table", [Untrusted(noun)] + header[1:], rows, "ll" + "r" * (len(header) - 2))]
    sentence, header, rows = corrected_pairs(result)
    blocks.append(("p", sentence))
    if rows:
        blocks.append(("table", header, rows, "lllrrrr"))
    return blocks
