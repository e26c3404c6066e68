"""Write a :class:`~framing.comparison.result.ComparisonResult` as markdown, HTML, JSON or CSV.

One module per format (:mod:`.markdown`, :mod:`.html`, :mod:`.json_report`,
:mod:`.csv_report`), helpers they share in :mod:`.common`. Every writer is a pure function of
the result, so the same result gives the same bytes: no timestamps, keys sorted in JSON,
floats rounded, groups and frames in one fixed order. Text that comes from the corpus or its
manifest is never trusted; each writer says how it makes it inert.

Standard library only at import time (matplotlib is imported when the HTML charts are drawn):
the CLI imports this package at start-up.
"""

from __future__ import annotations

from framing.comparison.report.csv_report import render_csv
from framing.comparison.report.html import render_html
from framing.comparison.report.json_report import render_json
from framing.comparison.report.markdown import render_markdown

FORMATS = ("markdown", "html", "json", "csv")
#: File suffixes that choose a format when --format is not given.
SUFFIX_FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html",
                  ".json": "json", ".csv": "csv"}


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
