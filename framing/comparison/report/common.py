"""What every report format shares: number formats, wording, and the choice of rows.

The helpers here return plain text; each writer escapes it for its own format.
"""

from __future__ import annotations

from urllib.parse import urlsplit

#: Pairwise rows shown in markdown and HTML when none is significant (all are in JSON).
PAIRWISE_SHOWN = 12
ALPHA = 0.05


def pct(value, digits: int = 0) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def interval_text(interval) -> str:
    if not interval:
        return "–"
    return f"{interval[0] * 100:.0f}–{interval[1] * 100:.0f}"


def difference_text(row: dict, digits: int = 0) -> str:
    """``+19 [-7, +37]``: a difference of shares in points with its interval."""
    text = f"{row['difference'] * 100:+.{digits}f}"
    interval = row.get("difference_interval")
    if interval:
        text += f" [{interval[0] * 100:+.0f}, {interval[1] * 100:+.0f}]"
    return text


def p_text(value) -> str:
    if value is None:
        return "–"
    if value < 0.001:
        return "<0.001"
    return f"{value:.3f}"


def num(value, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def frame_name(frame: str) -> str:
    return frame.replace("_", " ")


def group_noun(result, plural: bool = False) -> str:
    by = str(result.settings.get("by", "group")).split(":")[0]
    noun = by.replace("_", " ")
    if plural:
        return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")
    return noun


def safe_url(url) -> str | None:
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


def significant_pairs(result) -> tuple[list[dict], bool]:
    """Pairwise rows to show: those significant after BH, else the smallest p-values."""
    rows = [row for row in result.pairwise if row["p_bh"] is not None and row["p_bh"] < ALPHA]
    if rows:
        return sorted(rows, key=lambda r: (r["p_value"], r["frame"], r["a"], r["b"])), True
    ranked = sorted((r for r in result.pairwise if r["p_value"] is not None),
                    key=lambda r: (r["p_value"], r["frame"], r["a"], r["b"]))
    return ranked[:PAIRWISE_SHOWN], False


def omnibus_rows(result):
    for frame in result.frames:
        yield frame_name(frame), result.omnibus["frames"][frame]
    yield "frame mix (all four)", result.omnibus["mix"]


def describe_test(test: dict) -> str:
    if not test or not test.get("test"):
        return "not tested"
    if test["test"] == "permutation":
        permutation = test.get("permutation") or {}
        kind = "exact" if permutation.get("exact") else "Monte Carlo"
        return f"permutation ({kind}, {permutation.get('resamples', 0):,} relabellings)"
    return "chi-square"


def summary_line(result) -> list[tuple[str, str]]:
    totals = result.group_totals.values()
    settings = result.settings
    parts = [
        ("articles", f"{sum(t['articles'] for t in totals):,}"),
        ("passages", f"{sum(t['passages'] for t in totals):,}"),
        (group_noun(result, plural=True), f"{len(result.groups):,}"),
    ]
    for key in ("method", "unit", "model"):
        if settings.get(key) is not None:
            parts.append((key, str(settings[key])))
    return parts


def confidence_level(result) -> int:
    """The confidence of the intervals in percent (95)."""
    return int(round(result.settings.get("confidence", 0.95) * 100))


def pairwise_header(level: int) -> list[str]:
    """Column names of the pairwise table."""
    return ["frame", "a", "b", "share a", "share b", f"a − b, points [{level}% CI]", "p", "p Holm",
            "p BH"]


def by_cell(rows: list[dict]) -> dict:
    """Rows (distinctive terms, quotes) listed per (frame, group), in their order."""
    cells: dict = {}
    for row in rows:
        cells.setdefault((row["frame"], row["group"]), []).append(row)
    return cells


def moved_shares(baseline: dict) -> list[dict]:
    """The shifts since the baseline that are not 0, largest first."""
    moved = sorted(baseline.get("shifts", []), key=lambda s: (-abs(s["change"]), s["group"],
                                                                s["frame"]))
    return [s for s in moved if abs(s["change"]) > 0]
