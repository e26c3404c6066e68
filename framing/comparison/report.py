"""Write a :class:`~framing.comparison.ComparisonResult` as markdown, HTML, JSON or CSV.

Every writer is a pure function of the result, so the same result gives the same bytes: no
timestamps, keys sorted in JSON, floats rounded, groups and frames in one fixed order.

Text that comes from the corpus or its manifest (article text, titles, outlet names, URLs) is
never trusted: markdown escapes every character that could start markup (and breaks
@-mentions), HTML escapes everything with :func:`html.escape`, turns only ``http``/``https``
URLs into links, and ships a Content-Security-Policy that forbids scripts, remote resources
and forms; CSV prefixes cells that a spreadsheet would run as a formula with ``'``.
"""

from __future__ import annotations

import csv
import io
import re
from html import escape
from urllib.parse import urlsplit

FORMATS = ("markdown", "html", "json", "csv")
#: File suffixes that choose a format when --format is not given.
SUFFIX_FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html",
                  ".json": "json", ".csv": "csv"}
CSV_COLUMNS = ("group", "frame", "articles", "articles_tagged", "passages", "tagged", "share",
               "low", "high", "design_effect", "wilson_low", "wilson_high", "bootstrap_low",
               "bootstrap_high", "article_share", "article_low", "article_high", "mean_score")
#: Pairwise rows shown in markdown and HTML when none is significant (all are in JSON).
PAIRWISE_SHOWN = 12
#: At most this many significant pairwise rows in markdown (a job summary holds 1 MiB).
SIGNIFICANT_SHOWN = 50
#: Rows of the full pairwise table folded into the HTML page at most.
HTML_PAIRWISE_LIMIT = 2000
#: Up to this many groups markdown shows the divergence matrix; beyond, the largest pairs.
MATRIX_LIMIT = 12
#: Characters of a quote shown in markdown (HTML shows the whole passage).
QUOTE_CHARS = 320
ALPHA = 0.05
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                           "base-uri 'none'; form-action 'none'")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:=\"'$%^;/?])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def format_for(fmt: str | None, output: str | None) -> str:
    """The format asked for, else the one the output file's suffix names, else markdown."""
    if fmt:
        return fmt
    if output and output != "-":
        for suffix, name in SUFFIX_FORMATS.items():
            if output.lower().endswith(suffix):
                return name
    return "markdown"


def render(result, fmt: str) -> str:
    """The report in ``fmt`` (one of :data:`FORMATS`) as text."""
    writers = {"markdown": render_markdown, "html": render_html, "json": render_json,
               "csv": render_csv}
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return writers[fmt](result)


# -- shared helpers ----------------------------------------------------------------------

def _pct(value, digits: int = 0) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def _interval(interval) -> str:
    if not interval:
        return "–"
    return f"{interval[0] * 100:.0f}–{interval[1] * 100:.0f}"


def _difference(row: dict, digits: int = 0) -> str:
    """``+19 [-7, +37]``: a difference of shares in points with its interval."""
    text = f"{row['difference'] * 100:+.{digits}f}"
    interval = row.get("difference_interval")
    if interval:
        text += f" [{interval[0] * 100:+.0f}, {interval[1] * 100:+.0f}]"
    return text


def _p(value) -> str:
    if value is None:
        return "–"
    if value < 0.001:
        return "<0.001"
    return f"{value:.3f}"


def _num(value, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _frame(frame: str) -> str:
    return frame.replace("_", " ")


def _group_noun(result, plural: bool = False) -> str:
    by = str(result.settings.get("by", "group")).split(":")[0]
    noun = by.replace("_", " ")
    if plural:
        return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")
    return noun


def _safe_url(url) -> str | None:
    """The URL if it is plain http(s) with a host and no whitespace or control characters."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _significant_pairs(result) -> tuple[list[dict], bool]:
    """Pairwise rows to show: those significant after BH, else the smallest p-values."""
    rows = [row for row in result.pairwise if row["p_bh"] is not None and row["p_bh"] < ALPHA]
    if rows:
        return sorted(rows, key=lambda r: (r["p_value"], r["frame"], r["a"], r["b"])), True
    ranked = sorted((r for r in result.pairwise if r["p_value"] is not None),
                    key=lambda r: (r["p_value"], r["frame"], r["a"], r["b"]))
    return ranked[:PAIRWISE_SHOWN], False


def _omnibus_rows(result):
    for frame in result.frames:
        yield _frame(frame), result.omnibus["frames"][frame]
    yield "frame mix (all four)", result.omnibus["mix"]


def _test_name(test: dict) -> str:
    if not test or not test.get("test"):
        return "not tested"
    if test["test"] == "permutation":
        permutation = test.get("permutation") or {}
        kind = "exact" if permutation.get("exact") else "Monte Carlo"
        return f"permutation ({kind}, {permutation.get('resamples', 0):,} relabellings)"
    return "chi-square"


def _summary_line(result) -> list[tuple[str, str]]:
    totals = result.group_totals.values()
    settings = result.settings
    parts = [
        ("articles", f"{sum(t['articles'] for t in totals):,}"),
        ("passages", f"{sum(t['passages'] for t in totals):,}"),
        (_group_noun(result, plural=True), f"{len(result.groups):,}"),
    ]
    for key in ("method", "unit", "model"):
        if settings.get(key) is not None:
            parts.append((key, str(settings[key])))
    return parts


# -- markdown ----------------------------------------------------------------------------

def md_text(value) -> str:
    """Corpus text made inert for GitHub-flavoured markdown: one line, markup escaped."""
    text = " ".join(str(value).split())
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("@", "@\u2060")  # no @-mentions


def md_code(value) -> str:
    """Corpus text as an inline code span: shown literally, never read as markup.

    Inside a code span nothing is interpreted except backticks, so the fence is made longer
    than any run of backticks in the text (CommonMark 6.1); ``|`` is escaped for tables."""
    text = " ".join(str(value).split()).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") or longest else text
    return f"{fence}{padded}{fence}"


def _md_link(text: str, url) -> str:
    safe = _safe_url(url)
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
    noun = _group_noun(result)
    nouns = _group_noun(result, plural=True)
    level = int(round(result.settings.get("confidence", 0.95) * 100))
    out: list[str] = [f"# Frames compared by {md_text(noun)}", ""]
    out.append(" · ".join(f"{md_text(value)} {key}" if key in ("articles", "passages") or
                          key == nouns else f"{key} {md_code(value)}"
                          for key, value in _summary_line(result)))
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
    header = [md_text(noun), "articles", "passages"] + [_frame(f) for f in result.frames]
    rows = []
    for g in result.groups:
        totals = result.group_totals[g]
        cells = [md_text(g), str(totals["articles"]), str(totals["passages"])]
        for f in result.frames:
            row = result.share(g, f)
            cells.append(f"{_pct(row['share'])} ({_interval(row['interval'])})")
        rows.append(cells)
    out += _md_table(header, rows) + [""]

    out += [f"## Is the frame mix different across {md_text(nouns)}?", ""]
    rows = []
    for name, test in _omnibus_rows(result):
        rows.append([name, _test_name(test), _num(test.get("statistic"), 2),
                     str(test.get("df") if test.get("df") is not None else "–"),
                     _p(test.get("p_value")), _p(test.get("p_value_permutation")),
                     _num(test.get("cramers_v")), test.get("note") or ""])
    out += _md_table(["table", "test", "χ²", "df", "p", "p (permutation)", "Cramér's V",
                      "note"], rows, "llrrrrrl") + [""]

    if result.pairwise:
        shown, significant = _significant_pairs(result)
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
        rows = [[_frame(r["frame"]), md_text(r["a"]), md_text(r["b"]), _pct(r["share_a"]),
                 _pct(r["share_b"]),
                 _difference(r),
                 _p(r["p_value"]), _p(r["p_holm"]), _p(r["p_bh"])] for r in shown]
        out += _md_table(["frame", "a", "b", "share a", "share b", f"a − b, points [{level}% CI]", "p",
                          "p Holm", "p BH"], rows, "lllrrrrrr") + [""]

        out += [f"## Divergence between {md_text(nouns)}", "",
                "Jensen-Shannon divergence of frame mixes, in bits (0 = same mix).", ""]
        if len(result.groups) <= MATRIX_LIMIT:
            matrix = {(r["a"], r["b"]): r["divergence"] for r in result.divergences}
            rows = []
            for a in result.groups:
                cells = [md_text(a)]
                for b in result.groups:
                    value = 0.0 if a == b else matrix.get((a, b), matrix.get((b, a)))
                    cells.append(_num(value))
                rows.append(cells)
            out += _md_table([""] + [md_text(g) for g in result.groups], rows) + [""]
        else:
            top = sorted((r for r in result.divergences if r["divergence"] is not None),
                         key=lambda r: (-r["divergence"], r["a"], r["b"]))[:PAIRWISE_SHOWN]
            out += [f"The {len(top)} most divergent pairs (all in the JSON report):", ""]
            out += _md_table(["a", "b", "divergence"],
                             [[md_text(r["a"]), md_text(r["b"]), _num(r["divergence"])]
                              for r in top]) + [""]

    out += [f"## What distinguishes each {md_text(noun)}", "",
            "Terms over-used within each frame relative to the other "
            f"{md_text(nouns)} (log-odds with informative Dirichlet prior; z in brackets, "
            "**bold** when z ≥ 1.96).", ""]
    by_cell: dict = {}
    for row in result.distinctive_terms:
        by_cell.setdefault((row["frame"], row["group"]), []).append(row)
    for f in result.frames:
        lines = []
        for g in result.groups:
            terms = by_cell.get((f, g))
            if terms:
                listed = ", ".join((f"**{md_text(t['term'])}**" if t["notable"] else
                                    md_text(t["term"])) + f" ({t['z']:.1f})" for t in terms)
                lines.append(f"- {md_text(g)}: {listed}")
        out += [f"### {_frame(f)}", ""] + (lines or ["- no distinctive terms"]) + [""]

    out += ["## Typifying quotes", "",
            "Passages with the highest score for each frame (source file and character span).",
            ""]
    by_cell = {}
    for row in result.quotes:
        by_cell.setdefault((row["frame"], row["group"]), []).append(row)
    for f in result.frames:
        block = []
        for g in result.groups:
            for quote in by_cell.get((f, g), [])[:1]:
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
            out += [f"### {_frame(f)}", ""] + block

    if result.baseline is not None:
        out += _markdown_baseline(result)

    out += ["## What each test assumes", ""]
    out += [f"- {md_text(text)}" for text in result.assumptions.values()]
    out.append("")
    return "\n".join(out)


def _markdown_baseline(result) -> list[str]:
    baseline = result.baseline
    out = ["## Since the baseline", ""]
    largest = baseline.get("max_shift")
    if largest:
        out.append(f"Largest shift: {largest['change'] * 100:+.1f} points "
                   f"({md_text(largest['group'])}, {_frame(largest['frame'])}).")
    else:
        out.append("No group in common with the baseline.")
    for key, label in (("added_groups", "New"), ("removed_groups", "Gone")):
        if baseline.get(key):
            out.append(f"{label}: {', '.join(md_text(g) for g in baseline[key])}.")
    out.append("")
    moved = sorted(baseline.get("shifts", []), key=lambda s: (-abs(s["change"]), s["group"],
                                                                s["frame"]))
    moved = [s for s in moved if abs(s["change"]) > 0][:PAIRWISE_SHOWN]
    if moved:
        rows = [[md_text(s["group"]), _frame(s["frame"]), _pct(s["baseline_share"]),
                 _pct(s["share"]), f"{s['change'] * 100:+.1f}",
                 "yes" if s["outside_interval"] else "no"] for s in moved]
        out += _md_table([_group_noun(result), "frame", "baseline", "now", "change (pts)",
                          "outside interval"], rows, "llrrrl") + [""]
    else:
        out += ["No share moved.", ""]
    return out


# -- HTML --------------------------------------------------------------------------------

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
    safe = _safe_url(url)
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
    from framing.comparison.charts import FRAME_COLOURS, all_charts

    noun = _group_noun(result)
    nouns = _group_noun(result, plural=True)
    level = int(round(result.settings.get("confidence", 0.95) * 100))
    charts = all_charts(result)
    parts: list[str] = []
    add = parts.append
    add(f"<h1>Frames compared by {_h(noun)}</h1>")
    add('<p class="meta">' + "".join(f"<span><b>{_h(value)}</b> {_h(key)}</span>"
                                     for key, value in _summary_line(result)) + "</p>")
    for gate in result.gates:
        status = "pass" if gate["passed"] else "fail"
        add(f'<div class="gate {status}">{"✔" if gate["passed"] else "✘"} '
            f'{_h(gate["gate"])} gate: {_h(gate["message"])}</div>')
    if result.warnings:
        add('<div class="warn"><b>Read with care</b><ul>'
            + "".join(f"<li>{_h(w)}</li>" for w in result.warnings) + "</ul></div>")

    add("<h2>Share of passages with each frame</h2>")
    add(f"<figure>{charts['mix']}</figure>")
    add(f"<figure>{charts['shares']}</figure>")
    header = [_h(noun), "articles", "passages"] + [
        f'<span class="swatch" style="background:{FRAME_COLOURS.get(f, "#999")}"></span>'
        f"{_h(_frame(f))}" for f in result.frames]
    rows = []
    for g in result.groups:
        totals = result.group_totals[g]
        cells = [_h(g), str(totals["articles"]), str(totals["passages"])]
        for f in result.frames:
            row = result.share(g, f)
            cells.append(f"{_pct(row['share'], 1)} <span class=\"ci\">"
                         f"[{_interval(row['interval'])}] · {row['counts']['tagged']}/"
                         f"{row['counts']['passages']}</span>")
        rows.append(cells)
    add(_html_table(header, rows, numeric=set(range(1, 3 + len(result.frames)))))
    add(f'<p class="ci">Brackets: {level}% interval (Wilson on effective passages, '
        "allowing for passages of one article being alike). Per article: see the JSON report."
        "</p>")

    add(f"<h2>Is the frame mix different across {_h(nouns)}?</h2>")
    rows = [[_h(name), _h(_test_name(t)), _num(t.get("statistic"), 2),
             _h(t.get("df") if t.get("df") is not None else "–"), _p(t.get("p_value")),
             _p(t.get("p_value_permutation")), _num(t.get("cramers_v")), _h(t.get("note") or "")]
            for name, t in _omnibus_rows(result)]
    add(_html_table(["table", "test", "χ²", "df", "p", "p (permutation)", "Cramér's V", "note"],
                    rows, numeric={2, 3, 4, 5, 6}))

    if result.pairwise:
        shown, significant = _significant_pairs(result)
        add("<h2>Pairwise differences</h2>")
        add(f"<p>{len(shown)} of {len(result.pairwise)} pairwise tests "
            + ("significant at 5% after Benjamini-Hochberg adjustment." if significant else
               "with the smallest p-values; none is significant at 5% after Benjamini-Hochberg "
               "adjustment.") + "</p>")
        add(_html_table(_pairwise_header(level), [_pairwise_cells(r) for r in shown],
                        numeric=set(range(3, 9))))
        if len(shown) < len(result.pairwise):
            listed = result.pairwise[:HTML_PAIRWISE_LIMIT]
            more = (f" (the first {len(listed)}; all are in the JSON report)"
                    if len(listed) < len(result.pairwise) else "")
            add(f"<details><summary>All {len(result.pairwise)} pairwise tests{more}</summary>"
                + _html_table(_pairwise_header(level), [_pairwise_cells(r) for r in listed],
                              numeric=set(range(3, 9))) + "</details>")
        add(f"<h2>Divergence between {_h(nouns)}</h2>")
        if "divergence" in charts:
            add(f"<figure>{charts['divergence']}</figure>")

    add(f"<h2>What distinguishes each {_h(noun)}</h2>")
    add(f"<p>Words and phrases over-used within each frame relative to the other {_h(nouns)}: "
        "log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi &amp; Quinn 2008),"
        " z-score in grey, <b>bold</b> when z ≥ 1.96.</p>")
    cells: dict = {}
    for row in result.distinctive_terms:
        cells.setdefault((row["frame"], row["group"]), []).append(row)
    for f in result.frames:
        add(f"<h3>{_h(_frame(f))}</h3><ul class=\"terms\">")
        listed = False
        for g in result.groups:
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
    quotes: dict = {}
    for row in result.quotes:
        quotes.setdefault((row["frame"], row["group"]), []).append(row)
    for f in result.frames:
        block = []
        for g in result.groups:
            for quote in quotes.get((f, g), []):
                where = f"{quote['source']}:{quote['start']}-{quote['end']}"
                title = quote.get("title") or quote.get("url")
                link = f" · {_html_link(title, quote.get('url'))}" if title else ""
                block.append(f"<blockquote>{_h(quote['text'])}</blockquote>"
                             f'<p class="cite">— <b>{_h(g)}</b> #{quote["rank"]}, score '
                             f"{quote['score']:.2f} · <code>{_h(where)}</code>{link}</p>")
        if block:
            add(f"<h3>{_h(_frame(f))}</h3>" + "".join(block))

    if result.baseline is not None:
        add(_html_baseline(result))

    add("<h2>What each test assumes</h2><ul>"
        + "".join(f"<li>{_h(text)}</li>" for text in result.assumptions.values()) + "</ul>")
    settings = ", ".join(f"{_h(k)}={_h(v)}" for k, v in sorted(result.settings.items()))
    add(f'<p class="ci">Settings: {settings}. JSON schema {_h(_schema_version())}.</p>')

    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
            '<meta name="referrer" content="no-referrer">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>Frames compared by {_h(noun)}</title>\n<style>{_STYLE}</style>\n"
            "</head>\n<body>\n" + "\n".join(parts) + "\n</body>\n</html>\n")


def _schema_version() -> str:
    from framing.comparison.analysis import SCHEMA_VERSION

    return SCHEMA_VERSION


def _pairwise_header(level: int) -> list[str]:
    return ["frame", "a", "b", "share a", "share b", f"a − b, points [{level}% CI]", "p", "p Holm",
            "p BH"]


def _pairwise_cells(row: dict) -> list[str]:
    return [_h(_frame(row["frame"])), _h(row["a"]), _h(row["b"]), _pct(row["share_a"], 1),
            _pct(row["share_b"], 1),
            _difference(row, 1),
            _p(row["p_value"]), _p(row["p_holm"]), _p(row["p_bh"])]


def _html_baseline(result) -> str:
    baseline = result.baseline
    parts = ["<h2>Since the baseline</h2>"]
    largest = baseline.get("max_shift")
    if largest:
        parts.append(f"<p>Largest shift: {largest['change'] * 100:+.1f} points "
                     f"({_h(largest['group'])}, {_h(_frame(largest['frame']))}).</p>")
    else:
        parts.append("<p>No group in common with the baseline.</p>")
    for key, label in (("added_groups", "New"), ("removed_groups", "Gone")):
        if baseline.get(key):
            parts.append(f"<p>{label}: {', '.join(_h(g) for g in baseline[key])}.</p>")
    moved = sorted(baseline.get("shifts", []), key=lambda s: (-abs(s["change"]), s["group"],
                                                                s["frame"]))
    moved = [s for s in moved if abs(s["change"]) > 0]
    if moved:
        rows = [[_h(s["group"]), _h(_frame(s["frame"])), _pct(s["baseline_share"], 1),
                 _pct(s["share"], 1), f"{s['change'] * 100:+.1f}",
                 "yes" if s["outside_interval"] else "no"] for s in moved]
        parts.append(_html_table([_h(_group_noun(result)), "frame", "baseline", "now",
                                  "change (pts)", "outside interval"], rows,
                                 numeric={2, 3, 4}))
    else:
        parts.append("<p>No share moved.</p>")
    return "".join(parts)


# -- JSON and CSV ------------------------------------------------------------------------

def render_json(result) -> str:
    """Everything, machine-readable: see docs/compare.md for the schema."""
    return result.to_json()


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        from framing.comparison.analysis import round_floats

        return repr(round_floats(value))
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_rows(result) -> list[dict]:
    """The tidy table: one row per (group, frame), the columns of :data:`CSV_COLUMNS`."""
    rows = []
    for row in result.shares:
        interval = row["interval"] or (None, None)
        wilson = row["wilson_interval"] or (None, None)
        boot = row["bootstrap_interval"] or (None, None)
        article = row["article_interval"] or (None, None)
        counts = row["counts"]
        rows.append({
            "group": row["group"], "frame": row["frame"], "articles": counts["articles"],
            "articles_tagged": counts["articles_tagged"], "passages": counts["passages"],
            "tagged": counts["tagged"], "share": row["share"], "low": interval[0],
            "high": interval[1], "design_effect": row["design_effect"],
            "wilson_low": wilson[0], "wilson_high": wilson[1], "bootstrap_low": boot[0],
            "bootstrap_high": boot[1], "article_share": row["article_share"],
            "article_low": article[0], "article_high": article[1],
            "mean_score": row["mean_score"],
        })
    return rows


def render_csv(result) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(result):
        writer.writerow([_csv_cell(row[column]) for column in CSV_COLUMNS])
    return buffer.getvalue()
