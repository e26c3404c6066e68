"""The HTML report: one self-contained page with inline CSS and SVG charts, and no script.

Text from the corpus or its manifest (article text, titles, outlet names, URLs) is never
trusted: everything is escaped with :func:`html.escape`, only ``http``/``https`` URLs become
links, and the page ships a Content-Security-Policy that forbids scripts, remote resources
and forms.
"""

from __future__ import annotations

from html import escape

from framing.comparison.charts import FRAME_COLOURS, all_charts
from framing.comparison.report.common import (PAIRWISE_SHOWN, by_cell, checks_intro,
                                              checks_table, confidence_level, describe_test,
                                              difference_text, frame_name, group_noun,
                                              interval_text, moved_shares, num, omnibus_rows,
                                              p_text, pairwise_header, pct, safe_url,
                                              significant_pairs, small_mark, small_note,
                                              summary_line)
from framing.comparison.report.corrections import accuracy_blocks
from framing.comparison.report.scale import (TABLE_GROUPS, change_blocks, divergent_pairs,
                                             plan_sentence, shown_groups, shown_note,
                                             standout_blocks)
from framing.comparison.result import SCHEMA_VERSION

#: Rows of the full pairwise table folded into the HTML page at most.
HTML_PAIRWISE_LIMIT = 2000
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                           "base-uri 'none'; form-action 'none'")
_STYLE = """
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink);
       margin: 0 auto; padding: 24px; max-width: 1180px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 8px;
     border-bottom: 1px solid var(--line); padding-bottom: 4px; } h3 { font-size: 15px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.meta span { margin-right: 14px; white-space: nowrap; }
table { border-collapse: collapse; margin: 8px 0 12px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; }
th { background: var(--bg); text-align: left; font-weight: 600; }
td.n { text-align: right; white-space: nowrap; }
.ci { color: var(--muted); font-size: 12px; }
.warn { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 8px 14px; }
.gate { border-radius: 6px; padding: 8px 14px; margin: 6px 0; font-weight: 600; }
.gate.pass { background: #dafbe1; border: 1px solid #4ac26b; }
.gate.fail { background: #ffebe9; border: 1px solid #ff8182; }
figure { margin: 12px 0 20px; } svg.chart { max-width: 100%; height: auto; }
blockquote { margin: 8px 0; padding: 6px 12px; border-left: 4px solid var(--line);
             background: var(--bg); white-space: pre-wrap; }
.cite { color: var(--muted); font-size: 12px; margin: 0 0 14px; }
.terms li { margin: 2px 0; } .z { color: var(--muted); font-size: 12px; }
.notable { font-weight: 600; }
details summary { cursor: pointer; color: var(--muted); }
code { font-size: 12px; background: var(--bg); padding: 1px 4px; border-radius: 4px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
          margin-right: 5px; vertical-align: baseline; }
"""


def _h(value) -> str:
    return escape("" if value is None else str(value), quote=True)


def _html_link(text, url) -> str:
    safe = safe_url(url)
    if not safe:
        return _h(text)
    return f'<a href="{_h(safe)}" rel="noopener noreferrer nofollow">{_h(text)}</a>'


def _html_table(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """``header`` and ``rows`` cells must already be escaped HTML."""
    head = "".join(f"<th>{cell}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(result) -> str:
    """One self-contained page: inline CSS and SVG charts, no script, everything escaped."""
    noun = group_noun(result)
    nouns = group_noun(result, plural=True)
    level = confidence_level(result)
    charts = all_charts(result, shown_groups(result))
    parts: list[str] = []
    add = parts.append
    add(f"<h1>Frames compared by {_h(noun)}</h1>")
    add('<p class="meta">' + "".join(f"<span><b>{_h(value)}</b> {_h(key)}</span>"
                                     for key, value in summary_line(result)) + "</p>")
    for gate in result.gates:
        status = "pass" if gate["passed"] else "fail"
        add(f'<div class="gate {status}">{"✔" if gate["passed"] else "✘"} '
            f'{_h(gate["gate"])} gate: {_h(gate["message"])}</div>')
    if result.warnings:
        add('<div class="warn"><b>Read with care</b><ul>'
            + "".join(f"<li>{_h(w)}</li>" for w in result.warnings) + "</ul></div>")

    add("<h2>Share of passages with each frame</h2>")
    if "time" in charts:
        add(f"<figure>{charts['time']}</figure>")
    add(f"<figure>{charts['mix']}</figure>")
    add(f"<figure>{charts['shares']}</figure>")
    note = shown_note(result, nouns)
    if note:
        add(f'<p class="ci">Charts: {_h(note)}</p>')
    header = [_h(noun), "articles", "passages"] + [
        f'<span class="swatch" style="background:{FRAME_COLOURS.get(f, "#999")}"></span>'
        f"{_h(frame_name(f))}" for f in result.frames]
    rows = []
    for g in shown_groups(result, TABLE_GROUPS):
        totals = result.group_totals[g]
        cells = [_h(g + small_mark(result, g)), str(totals["articles"]),
                 str(totals["passages"])]
        for f in result.frames:
            row = result.share(g, f)
            cells.append(f"{pct(row['share'], 1)} <span class=\"ci\">"
                         f"[{interval_text(row['interval'])}] · {row['counts']['tagged']}/"
                         f"{row['counts']['passages']}</span>")
        rows.append(cells)
    add(_html_table(header, rows, numeric=set(range(1, 3 + len(result.frames)))))
    add(f'<p class="ci">Brackets: {level}% interval (Wilson on effective passages, '
        "allowing for passages of one article being alike). Per article: see the JSON report."
        "</p>")
    note = shown_note(result, nouns, TABLE_GROUPS)
    if note:
        add(f'<p class="ci">Table: {_h(note)}</p>')
    add(_html_checks(result, noun))
    add(_html_blocks(accuracy_blocks(result, noun), charts))

    add(f"<h2>Is the frame mix different across {_h(nouns)}?</h2>")
    rows = [[_h(name), _h(describe_test(t)), num(t.get("statistic"), 2),
             _h(t.get("df") if t.get("df") is not None else "–"), p_text(t.get("p_value")),
             p_text(t.get("p_value_permutation")), num(t.get("cramers_v")), _h(t.get("note") or "")]
            for name, t in omnibus_rows(result)]
    add(_html_table(["table", "test", "χ²", "df", "p", "p (permutation)", "Cramér's V", "note"],
                    rows, numeric={2, 3, 4, 5, 6}))

    if result.pairwise:
        shown, significant = significant_pairs(result)
        add("<h2>Pairwise differences</h2>")
        add(f"<p>{len(shown)} of {len(result.pairwise)} pairwise tests "
            + ("significant at 5% after Benjamini-Hochberg adjustment." if significant else
               "with the smallest p-values; none is significant at 5% after Benjamini-Hochberg "
               "adjustment.") + "</p>")
        plan = plan_sentence(result)
        if plan:
            add(f"<p>{_h(plan)}</p>")
        add(_html_table(pairwise_header(level), [_pairwise_cells(r) for r in shown],
                        numeric=set(range(3, 9))))
        if len(shown) < len(result.pairwise):
            listed = result.pairwise[:HTML_PAIRWISE_LIMIT]
            more = (f" (the first {len(listed)}; all are in the JSON report)"
                    if len(listed) < len(result.pairwise) else "")
            add(f"<details><summary>All {len(result.pairwise)} pairwise tests{more}</summary>"
                + _html_table(pairwise_header(level), [_pairwise_cells(r) for r in listed],
                              numeric=set(range(3, 9))) + "</details>")
        add(f"<h2>Divergence between {_h(nouns)}</h2>")
        if "divergence" in charts:
            add(f"<figure>{charts['divergence']}</figure>")
        else:
            top, without_small = divergent_pairs(result, PAIRWISE_SHOWN)
            add(f"<p>The {len(top)} most divergent pairs"
                + (" of groups that are not small" if without_small else "")
                + " (Jensen-Shannon divergence of frame mixes, bits; all pairs tested are in "
                "the JSON report).</p>")
            add(_html_table(["a", "b", "divergence"],
                            [[_h(r["a"]), _h(r["b"]), num(r["divergence"])] for r in top],
                            numeric={2}))
    add(_html_blocks(standout_blocks(result, noun) + change_blocks(result), charts))

    add(f"<h2>What distinguishes each {_h(noun)}</h2>")
    add(f"<p>Words and phrases over-used within each frame relative to the other {_h(nouns)}: "
        "log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi &amp; Quinn 2008),"
        " z-score in grey, <b>bold</b> when z ≥ 1.96.</p>")
    cells = by_cell(result.distinctive_terms)
    for f in result.frames:
        add(f"<h3>{_h(frame_name(f))}</h3><ul class=\"terms\">")
        listed = False
        for g in shown_groups(result):
            terms = cells.get((f, g))
            if terms:
                listed = True
                add(f"<li><b>{_h(g)}</b>: " + ", ".join(
                    f'<span class="{"notable" if t["notable"] else ""}">{_h(t["term"])}</span>'
                    f' <span class="z">{t["z"]:.1f}</span>' for t in terms) + "</li>")
        if not listed:
            add("<li>no distinctive terms</li>")
        add("</ul>")

    add("<h2>Typifying quotes</h2>")
    quotes = by_cell(result.quotes)
    for f in result.frames:
        block = []
        for g in shown_groups(result):
            for quote in quotes.get((f, g), []):
                where = f"{quote['source']}:{quote['start']}-{quote['end']}"
                title = quote.get("title") or quote.get("url")
                link = f" · {_html_link(title, quote.get('url'))}" if title else ""
                block.append(f"<blockquote>{_h(quote['text'])}</blockquote>"
                             f'<p class="cite">— <b>{_h(g)}</b> #{quote["rank"]}, score '
                             f"{quote['score']:.2f} · <code>{_h(where)}</code>{link}</p>")
        if block:
            add(f"<h3>{_h(frame_name(f))}</h3>" + "".join(block))

    if result.baseline is not None:
        add(_html_baseline(result))

    add("<h2>What each test assumes</h2><ul>"
        + "".join(f"<li>{_h(text)}</li>" for text in result.assumptions.values()) + "</ul>")
    settings = ", ".join(f"{_h(k)}={_h(v)}" for k, v in sorted(result.settings.items()))
    add(f'<p class="ci">Settings: {settings}. JSON schema {_h(SCHEMA_VERSION)}.</p>')

    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
            '<meta name="referrer" content="no-referrer">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>Frames compared by {_h(noun)}</title>\n<style>{_STYLE}</style>\n"
            "</head>\n<body>\n" + "\n".join(parts) + "\n</body>\n</html>\n")


def _html_blocks(blocks, charts: dict) -> str:
    """Render text blocks (see report/corrections.py), every cell escaped."""
    parts = []
    for block in blocks:
        kind = block[0]
        if kind in ("h2", "h3", "p"):
            parts.append(f"<{kind}>{_h(block[1])}</{kind}>")
        elif kind == "chart" and block[1] in charts:
            parts.append(f"<figure>{charts[block[1]]}</figure>")
        elif kind == "table":
            _, header, rows, align = block
            parts.append(_html_table([_h(h) for h in header],
                                     [[_h(c) for c in row] for row in rows],
                                     numeric={k for k, a in enumerate(align) if a == "r"}))
    return "\n".join(parts)


def _pairwise_cells(row: dict) -> list[str]:
    return [_h(frame_name(row["frame"])), _h(row["a"]), _h(row["b"]), pct(row["share_a"], 1),
            pct(row["share_b"], 1),
            difference_text(row, 1),
            p_text(row["p_value"]), p_text(row["p_holm"]), p_text(row["p_bh"])]


def _html_baseline(result) -> str:
    baseline = result.baseline
    parts = ["<h2>Since the baseline</h2>"]
    largest = baseline.get("max_shift")
    if largest:
        parts.append(f"<p>Largest shift: {largest['change'] * 100:+.1f} points "
                     f"({_h(largest['group'])}, {_h(frame_name(largest['frame']))}).</p>")
    else:
        parts.append("<p>No group in common with the baseline.</p>")
    for key, label in (("added_groups", "New"), ("removed_groups", "Gone")):
        if baseline.get(key):
            parts.append(f"<p>{label}: {', '.join(_h(g) for g in baseline[key])}.</p>")
    moved = moved_shares(baseline)
    if moved:
        rows = [[_h(s["group"]), _h(frame_name(s["frame"])), pct(s["baseline_share"], 1),
                 pct(s["share"], 1), f"{s['change'] * 100:+.1f}",
                 "yes" if s["outside_interval"] else "no"] for s in moved]
        parts.append(_html_table([_h(group_noun(result)), "frame", "baseline", "now",
                                  "change (pts)", "outside interval"], rows,
                                 numeric={2, 3, 4}))
    else:
        parts.append("<p>No share moved.</p>")
    return "".join(parts)


def _html_checks(result, noun: str) -> str:
    """The small groups' footnote, and the table of group sizes and duplicates."""
    parts = []
    note = small_note(result)
    if note:
        parts.append(f'<p class="ci">{_h(note)}</p>')
    table = checks_table(result)
    if table:
        header, rows = table
        parts.append(f"<h3>Size and repeated passages of each {_h(noun)}</h3>"
                     f"<p>{_h(checks_intro(result))}</p>")
        parts.append(_html_table([_h(noun)] + [_h(h) for h in header],
                                 [[_h(cell) for cell in row] for row in rows],
                                 numeric=set(range(1, len(header)))))
    return "".join(parts)
