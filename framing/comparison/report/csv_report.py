"""The CSV report: one tidy row per (group, frame), for spreadsheets and data frames.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) are prefixed with ``'``; floats are rounded as in the JSON report.
"""

from __future__ import annotations

import csv
import io

from framing.comparison.result import round_floats
from framing.io.writers import csv_safe

CSV_COLUMNS = ("group", "frame", "articles", "articles_tagged", "passages", "tagged", "share",
               "low", "high", "design_effect", "wilson_low", "wilson_high", "bootstrap_low",
               "bootstrap_high", "article_share", "article_low", "article_high", "mean_score",
               "corrected_share", "corrected_low", "corrected_high", "coded", "precision",
               "recall", "adjusted_share", "adjusted_low", "adjusted_high", "small",
               "duplicates", "dropped")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(round_floats(value))
    return csv_safe(str(value))  # the rule of every CSV framing writes


def _estimate(name: str, estimate: dict | None) -> dict:
    interval = (estimate or {}).get("interval") or (None, None)
    return {f"{name}_share": (estimate or {}).get("share"), f"{name}_low": interval[0],
            f"{name}_high": interval[1]}


def _validation(result, group: str, frame: str) -> dict:
    """The coded sample's size, precision and recall (empty cells without --validation)."""
    cell = ((result.validation or {}).get(group) or {}).get(frame) or {}
    return {"coded": cell.get("coded"), "precision": cell.get("precision"),
            "recall": cell.get("recall")}


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
            **_estimate("corrected", row.get("corrected")),
            **_estimate("adjusted", row.get("adjusted")),
            **_validation(result, row["group"], row["frame"]),
            **_group_checks(result.group_totals[row["group"]]),
        })
    return rows


def _group_checks(totals: dict) -> dict:
    """The group's columns of framing.comparison.checks: small (true/false), duplicates and
    dropped (passages); empty cells for a result that was not checked."""
    small = totals.get("small")
    return {"small": None if small is None else ("true" if small else "false"),
            "duplicates": totals.get("duplicates"), "dropped": totals.get("dropped")}


def render_csv(result) -> str:
    """The tidy table of :func:`csv_rows` as CSV text, with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(result):
        writer.writerow([_csv_cell(row[column]) for column in CSV_COLUMNS])
    return buffer.getvalue()
