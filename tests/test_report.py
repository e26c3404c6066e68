"""Report writers and charts: hostile corpus text stays inert, output is deterministic."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest

from framing.comparison.charts import all_charts
from framing.run.classify import PassageResult
from framing.comparison.api import compare_passages
from framing.frames import FRAMES
from framing.comparison.report import FORMATS, format_for, render
from framing.comparison.report.csv_report import CSV_COLUMNS
from framing.comparison.report.html import CONTENT_SECURITY_POLICY
from framing.comparison.report.markdown import md_code, md_text

HOSTILE = ('<script>alert(1)</script> "><img src=x onerror=alert(1)> [click](javascript:alert(2)) '
           "**bold** | pipe `tick` @someone $x$")


def _passages():
    out = []
    outlets = {"AP": [0.8, 0.2], "<b>Evil</b> | $x$": [0.3, 0.7], "=HYPERLINK(1)": [0.5, 0.5]}
    for outlet, (ch, di) in outlets.items():
        for a in range(3):
            for i in range(6):
                frames = [f for f, on in (("civilian_harm", (i + a) / 6 < ch),
                                          ("diplomacy", (i * 2 + a) % 6 / 6 < di)) if on]
                text = f"{HOSTILE} passage {i} shelling talks"
                out.append(PassageResult(
                    f"corpus/{a}<x>.txt", f"{outlet}-{a}", i, 0, len(text), text,
                    [f for f in FRAMES if f in frames],
                    {f: (0.8 if f in frames else 0.2) for f in FRAMES}, {},
                    {"outlet": outlet, "title": '"><svg onload=alert(3)>',
                     "url": ["javascript:alert(4)", "https://example.org/a?b=1&c=<2>",
                             "data:text/html,x"][a]}))
    return out


@pytest.fixture(scope="module")
def result():
    return compare_passages(_passages(), bootstrap=100, permutations=100)


@pytest.fixture(scope="module")
def reports(result):
    return {fmt: render(result, fmt) for fmt in FORMATS}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, name, value) for name, value in attrs]

    def handle_data(self, data):
        self.text.append(data)


def test_html_keeps_hostile_text_inert(reports):
    page = reports["html"]
    parsed = _Collector()
    parsed.feed(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not any(name.startswith("on") for _, name, _ in parsed.attrs)
    assert not [v for t, n, v in parsed.attrs if n == "href" and not v.startswith("https://")]
    assert 'onerror=alert(1)' in "".join(parsed.text)  # shown as text, not run
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img" in page
    # Only the https URL becomes a link (escaped); javascript: and data: stay text.
    links = [v for t, n, v in parsed.attrs if t == "a" and n == "href"]
    assert links and set(links) == {"https://example.org/a?b=1&c=<2>"}
    assert 'href="https://example.org/a?b=1&amp;c=&lt;2&gt;"' in page
    assert f'content="{CONTENT_SECURITY_POLICY}"' in page
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY and "script-src" not in \
        CONTENT_SECURITY_POLICY
    # The outlet name in the inline SVG charts is escaped too.
    assert "&lt;b&gt;Evil&lt;/b&gt;" in page and "<b>Evil" not in page


def test_html_is_self_contained_with_inline_charts(reports):
    page = reports["html"]
    assert page.count('<svg role="img"') == 3
    # Nothing is fetched: references are in-page (#id), embedded (data:image/png, the heat
    # map's raster) or the article link a reader may follow.
    for target in re.findall(r'(?:src|href)="([^"]*)', page):
        assert target.startswith(("#", "data:image/png;base64,")) or \
            target == "https://example.org/a?b=1&amp;c=&lt;2&gt;", target
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page


def test_markdown_neutralises_markup(reports):
    page = reports["markdown"]
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "](javascript" not in page
    assert "@someone" not in page  # mention broken by a word joiner
    assert "[<b>" not in page


def test_markdown_renders_as_plain_text():
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark").enable("table")
    html = md.render(md_text(HOSTILE))
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "<strong>" not in html and "<code>" not in html
    table = md.render(f"| a | b |\n|--|--|\n| {md_text('x|y')} | {md_code('p|q `r`')} |\n")
    assert "<td>x|y</td>" in table and "<td><code>p|q `r`</code></td>" in table


def test_md_helpers():
    assert md_text("a\n\n b") == "a b"
    assert md_text("<i>") == "&lt;i&gt;"
    assert md_text("*x*") == r"\*x\*"
    assert md_code("a`b") == "`` a`b ``"
    assert md_code("plain") == "`plain`"


def test_csv_is_the_tidy_table_and_defuses_formulas(reports, result):
    rows = list(csv.reader(io.StringIO(reports["csv"])))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0][:9] == ["group", "frame", "articles", "articles_tagged", "passages", "tagged",
                           "share", "low", "high"]
    assert len(rows) == 1 + len(result.groups) * len(FRAMES)
    groups = {row[0] for row in rows[1:]}
    assert "'=HYPERLINK(1)" in groups and "=HYPERLINK(1)" not in groups
    ap = next(row for row in rows if row[0] == "AP" and row[1] == "civilian_harm")
    share = result.share("AP", "civilian_harm")
    assert float(ap[6]) == pytest.approx(share["share"], rel=1e-6)
    assert [float(ap[7]), float(ap[8])] == pytest.approx(share["interval"], rel=1e-6)


def test_json_is_sorted_and_valid(reports):
    text = reports["json"]
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert "NaN" not in text


def test_every_format_is_byte_identical_across_runs(reports):
    again = compare_passages(_passages(), bootstrap=100, permutations=100)
    for fmt in FORMATS:
        assert render(again, fmt) == reports[fmt], fmt


def test_charts_are_deterministic_svg(result):
    first = all_charts(result)
    second = all_charts(result)
    assert first == second
    assert set(first) == {"mix", "shares", "divergence"}
    for svg in first.values():
        assert svg.startswith('<svg role="img"') and svg.rstrip().endswith("</svg>")
        assert "<dc:date>" not in svg
    assert "$x$" in first["shares"]  # drawn as written, not as mathtext


def test_one_group_has_no_divergence_chart():
    single = compare_passages([p for p in _passages() if p.meta["outlet"] == "AP"],
                              bootstrap=0, permutations=0)
    assert set(all_charts(single)) == {"mix", "shares"}
    assert "Pairwise" not in render(single, "markdown")


def test_format_for():
    assert format_for(None, None) == "markdown"
    assert format_for(None, "out/report.HTML") == "html"
    assert format_for(None, "r.json") == "json"
    assert format_for("csv", "r.json") == "csv"
    assert format_for(None, "r.txt") == "markdown"
    with pytest.raises(ValueError):
        render(None, "pdf")
