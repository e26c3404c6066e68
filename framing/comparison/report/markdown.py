"""The markdown report: tables for a GitHub job summary, no charts.

Text from the corpus or its manifest (article text, titles, outlet names, URLs, the ``--by``
column's name) is never trusted: :func:`md_text` escapes every character that could start
markup and breaks @-mentions, :func:`md_code` shows text literally in a code span, both show
control characters (ESC sequences, bidirectional overrides) as visible escapes so the report
is safe to print on a terminal, and only ``http``/``https`` URLs become links.
"""

from __future__ import annotations

import re

from framing.comparison.report.common import (PAIRWISE_SHOWN, by_cell, checks_intro,
                                              checks_table, confidence_level,
                                              describe_test, difference_text, frame_name,
                                              group_noun, interval_text, moved_shares, num,
                                              omnibus_rows, p_text, pairwise_header, pct,
                                              safe_url, significant_pairs, small_mark,
                                              small_note, summary_counts, summary_line)
from framing.comparison.report.corrections import Untrusted, accuracy_blocks
from framing.comparison.report.scale import (TABLE_GROUPS, change_blocks, divergent_pairs,
                                             plan_sentence, shown_groups, shown_note,
                                             standout_blocks)
from framing.io.writers import terminal_safe

#: At most this many significant pairwise rows in markdown (a job summary holds 1 MiB).
SIGNIFICANT_SHOWN = 50
#: Up to this many groups markdown shows the divergence matrix; beyond, the largest pairs.
MATRIX_LIMIT = 12
#: Characters of a quote shown in markdown (HTML shows the whole passage).
QUOTE_CHARS = 320
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:=\"'$%^;/?])")


def md_text(value) -> str:
    """Corpus text made inert for GitHub-flavoured markdown: one line, markup escaped."""
    text = terminal_safe(" ".join(str(value).split()))
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("@", "@\u2060")  # no @-mentions


def md_code(value) -> str:
    """Corpus text as an inline code span: shown literally, never read as markup.

    Inside a code span nothing is interpreted except backticks, so the fence is made longer
    than any run of backticks in the text (CommonMark 6.1); ``|`` is escaped for tables."""
    text = terminal_safe(" ".join(str(value).split())).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") or longest else text
    return f"{fence}{padded}{fence}"


def _md_link(text: str, url) -> str:
    safe = safe_url(url)
    if not safe:
        return md_text(text)
    encoded = "".join(ch if ch not in "()<> " else f"%{ord(ch):02X}" for ch in safe)
    return f"[{md_text(text)}](<{encoded}>)"


def _md_table(header: list[str], rows: list[list[str]], align: str | None = None) -> list[str]:
    align = align or "l" + "r" * (len(header) - 1)
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    lines = ["| " + " | ".join(header) + " |",
             "| " + " | ".join(marks[a] for a in align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render_markdown(result) -> str:
    """A report that fits a GitHub job summary: tables, no charts, corpus text escaped."""
    noun = group_noun(result)
    nouns = group_noun(result, plural=True)
    level = confidence_level(result)
    out: list[str] = [f"# Frames compared by {md_text(noun)}", ""]
    counts = summary_counts(result)
    out.append(" · ".join(f"{md_text(value)} {md_text(key)}"  # key: the --by name, untrusted
                          if (key, value) in counts
                          else f"{key} {md_code(value)}" for key, value in summary_line(result)))
    out.append("")
    for gate in result.gates:
        mark = "✅" if gate["passed"] else "❌"
        out.append(f"{mark} **{gate['gate']} gate**: {md_text(gate['message'])}  ")
    if result.gates:
        out.append("")
    if result.warnings:
        out += ["> [!WARNING]"] + [f"> - {md_text(w)}" for w in result.warnings] + [""]

    out += ["## Share of passages with each frame", "",
            f"Share of each {md_text(noun)}'s passages tagged with the frame, and its {level}% "
            "interval (Wilson on effective passages; see *What each test assumes*).", ""]
    header = [md_text(noun), "articles", "passages"] + [frame_name(f) for f in result.frames]
    rows = []
    for g in shown_groups(result, TABLE_GROUPS):
        totals = result.group_totals[g]
        cells = [md_text(g) + small_mark(result, g), str(totals["articles"]),
                 str(totals["passages"])]
        for f in result.frames:
            row = result.share(g, f)
            cells.append(f"{pct(row['share'])} ({interval_text(row['interval'])})")
        rows.append(cells)
    out += _md_table(header, rows) + [""]
    note = shown_note(result, nouns, TABLE_GROUPS)
    out += [md_text(note), ""] if note else []
    out += _markdown_checks(result, noun)
    out += _markdown_blocks(accuracy_blocks(result, group_noun(result)))

    out += [f"## Is the frame mix different across {md_text(nouns)}?", ""]
    rows = []
    for name, test in omnibus_rows(result):
        rows.append([name, describe_test(test), num(test.get("statistic"), 2),
                     str(test.get("df") if test.get("df") is not None else "–"),
                     p_text(test.get("p_value")), p_text(test.get("p_value_permutation")),
                     num(test.get("cramers_v")), test.get("note") or ""])
    out += _md_table(["table", "test", "χ²", "df", "p", "p (permutation)", "Cramér's V",
                      "note"], rows, "llrrrrrl") + [""]

    if result.pairwise:
        shown, significant = significant_pairs(result)
        out += ["## Pairwise differences", ""]
        out.append(
            f"{len(shown)} of {len(result.pairwise)} pairwise tests "
            + ("significant at 5% after Benjamini-Hochberg adjustment" if significant else
               "with the smallest p-values; none is significant at 5% after "
               "Benjamini-Hochberg adjustment")
            + (f" (the {SIGNIFICANT_SHOWN} smallest p-values shown)"
               if len(shown) > SIGNIFICANT_SHOWN else "")
            + ". All are in the JSON report.")
        shown = shown[:SIGNIFICANT_SHOWN]
        out.append("")
        plan = plan_sentence(result)
        out += [md_text(plan), ""] if plan else []
        rows = [[frame_name(r["frame"]), md_text(r["a"]), md_text(r["b"]), pct(r["share_a"]),
                 pct(r["share_b"]),
                 difference_text(r),
                 p_text(r["p_value"]), p_text(r["p_holm"]), p_text(r["p_bh"])] for r in shown]
        out += _md_table(pairwise_header(level), rows, "lllrrrrrr") + [""]

        out += [f"## Divergence between {md_text(nouns)}", "",
                "Jensen-Shannon divergence of frame mixes, in bits (0 = same mix).", ""]
        if len(result.groups) <= MATRIX_LIMIT and (result.pairs or {}).get("mode") == "all":
            matrix = {(r["a"], r["b"]): r["divergence"] for r in result.divergences}
            rows = []
            for a in result.groups:
                cells = [md_text(a)]
                for b in result.groups:
                    value = 0.0 if a == b else matrix.get((a, b), matrix.get((b, a)))
                    cells.append(num(value))
                rows.append(cells)
            out += _md_table([""] + [md_text(g) for g in result.groups], rows) + [""]
        else:
            top, without_small = divergent_pairs(result, PAIRWISE_SHOWN)
            out += [f"The {len(top)} most divergent pairs"
                    + (" of groups that are not small" if without_small else "")
                    + " (all pairs tested are in the JSON report):", ""]
            out += _md_table(["a", "b", "divergence"],
                             [[md_text(r["a"]), md_text(r["b"]), num(r["divergence"])]
                              for r in top]) + [""]

    out += _markdown_blocks(standout_blocks(result, noun) + change_blocks(result))

    out += [f"## What distinguishes each {md_text(noun)}", "",
            "Terms over-used within each frame relative to the other "
            f"{md_text(nouns)} (log-odds with informative Dirichlet prior; z in brackets, "
            "**bold** when z ≥ 1.96).", ""]
    note = shown_note(result, nouns)
    out += [md_text(note), ""] if note else []
    terms_of = by_cell(result.distinctive_terms)
    for f in result.frames:
        lines = []
        for g in shown_groups(result):
            terms = terms_of.get((f, g))
            if terms:
                listed = ", ".join((f"**{md_text(t['term'])}**" if t["notable"] else
                                    md_text(t["term"])) + f" ({t['z']:.1f})" for t in terms)
                lines.append(f"- {md_text(g)}: {listed}")
        out += [f"### {frame_name(f)}", ""] + (lines or ["- no distinctive terms"]) + [""]

    out += ["## Typifying quotes", "",
            "Passages with the highest score for each frame (source file and character span).",
            ""]
    quotes = by_cell(result.quotes)
    for f in result.frames:
        block = []
        for g in shown_groups(result):
            for quote in quotes.get((f, g), [])[:1]:
                text = " ".join(quote["text"].split())
                if len(text) > QUOTE_CHARS:
                    text = text[: QUOTE_CHARS - 1].rstrip() + "…"
                where = f"{quote['source']}:{quote['start']}-{quote['end']}"
                title = quote.get("title") or quote.get("url")
                link = f" · {_md_link(title, quote.get('url'))}" if title else ""
                block += [f"> {md_text(text)}", ">",
                          f"> — **{md_text(g)}**, score {quote['score']:.2f}, "
                          f"{md_code(where)}{link}", ""]
        if block:
            out += [f"### {frame_name(f)}", ""] + block

    if result.baseline is not None:
        out += _markdown_baseline(result)

    out += ["## What each test assumes", ""]
    out += [f"- {md_text(text)}" for text in result.assumptions.values()]
    out.append("")
    return "\n".join(out)


def _markdown_blocks(blocks) -> list[str]:
    """Render text blocks (see report/corrections.py): corpus cells escaped, ours as is."""
    out: list[str] = []
    for block in blocks:
        kind = block[0]
        if kind in ("h2", "h3"):
            out += [("## " if kind == "h2" else "### ") + block[1], ""]
        elif kind == "p":  # may quote the model card, which comes with the model folder
            out += [md_text(block[1]), ""]
        elif kind == "table":
            _, header, rows, align = block
            out += _md_table([md_text(h) if isinstance(h, Untrusted) else h for h in header],
                             [[md_text(c) if isinstance(c, Untrusted) else c for c in row]
                              for row in rows], align) + [""]
    return out


def _markdown_baseline(result) -> list[str]:
    baseline = result.baseline
    out = ["## Since the baseline", ""]
    largest = baseline.get("max_shift")
    if largest:
        out.append(f"Largest shift: {largest['change'] * 100:+.1f} points "
                   f"({md_text(largest['group'])}, {frame_name(largest['frame'])}).")
    else:
        out.append("No group in common with the baseline.")
    for key, label in (("added_groups", "New"), ("removed_groups", "Gone")):
        if baseline.get(key):
            out.append(f"{label}: {', '.join(md_text(g) for g in baseline[key])}.")
    out.append("")
    moved = moved_shares(baseline)[:PAIRWISE_SHOWN]
    if moved:
        rows = [[md_text(s["group"]), frame_name(s["frame"]), pct(s["baseline_share"]),
                 pct(s["share"]), f"{s['change'] * 100:+.1f}",
                 "yes" if s["outside_interval"] else "no"] for s in moved]
        out += _md_table([md_text(group_noun(result)), "frame", "baseline", "now", "change (pts)",
                          "outside interval"], rows, "llrrrl") + [""]
    else:
        out += ["No share moved.", ""]
    return out


def _markdown_checks(result, noun: str) -> list[str]:
    """The small groups' footnote, and the table of group sizes and duplicates."""
    out = []
    note = small_note(result)
    if note:  # the notes and intro are our own words: no corpus text in them
        out += [note, ""]
    table = checks_table(result)
    if table:
        header, rows = table
        out += [f"### Size and repeated passages of each {md_text(noun)}", "",
                checks_intro(result), ""]
        out += _md_table([md_text(noun)] + header,
                         [[md_text(row[0])] + row[1:] for row in rows],
                         "l" + "r" * (len(header) - 1) + "l") + [""]
    return out
