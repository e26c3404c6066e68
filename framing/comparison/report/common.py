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


def summary_counts(result) -> list[tuple[str, str]]:
    """(noun, count) of articles, passages and groups, each noun agreeing with its count."""
    totals = result.group_totals.values()
    articles = sum(t["articles"] for t in totals)
    passages = sum(t["passages"] for t in totals)
    return [("article" if articles == 1 else "articles", f"{articles:,}"),
            ("passage" if passages == 1 else "passages", f"{passages:,}"),
            (group_noun(result, plural=len(result.groups) != 1), f"{len(result.groups):,}")]


def summary_line(result) -> list[tuple[str, str]]:
    settings = result.settings
    parts = summary_counts(result)
    for key in ("method", "unit", "model", "tags"):
        if settings.get(key) is not None:
            parts.append((key, str(settings[key])))
    return parts


def confidence_level(result) -> int:
    """The confidence of the intervals in percent (95)."""
    return result.confidence_percent


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


#: Marks a small group (fewer passages than --min-group-size) in tables and charts.
SMALL_MARK = "†"


def small_mark(result, group: str) -> str:
    """`` †`` after a small group's name, else nothing."""
    return f" {SMALL_MARK}" if result.group_totals[group].get("small") else ""


def small_note(result) -> str | None:
    """The footnote of :data:`SMALL_MARK`, when some group is small."""
    if not any(result.group_totals[g].get("small") for g in result.groups):
        return None
    limit = result.settings.get("min_group_size")
    return (f"{SMALL_MARK} fewer than {limit} passages (--min-group-size): wide intervals, "
            "and a frame mix, divergences and distinctive terms that rest on a few tags.")


def checks_table(result) -> tuple[list[str], list[list[str]]] | None:
    """The "size and duplicates" table (plain text cells): per group its passages, tags,
    passages repeating an earlier one word for word, those dropped (with --dedupe), and
    whether it is small; None when no group is small and none has a duplicate."""
    totals = result.group_totals
    dedupe = bool(result.settings.get("dedupe"))
    if not dedupe and not any(totals[g].get("small") or totals[g].get("duplicates")
                              for g in result.groups):
        return None
    header = ["passages", "tags", "repeated passages"] + (["dropped"] if dedupe else []) \
        + ["small"]
    rows = []
    for g in result.groups:
        tags = sum(row["counts"]["tagged"] for row in result.shares if row["group"] == g)
        cells = [g, f"{totals[g]['passages']:,}", f"{tags:,}",
                 f"{totals[g].get('duplicates', 0):,}"]
        if dedupe:
            cells.append(f"{totals[g].get('dropped', 0):,}")
        rows.append(cells + ["yes" if totals[g].get("small") else ""])
    return header, rows


def checks_intro(result) -> str:
    """The sentence above the "size and duplicates" table."""
    limit = result.settings.get("min_group_size")
    text = (f"Passages and frame tags per group; small: fewer than {limit} passages "
            "(--min-group-size). Repeated passages: those whose text, with case, spacing and "
            "punctuation at the ends ignored, was already seen in the group")
    if result.settings.get("dedupe"):
        return text + "; --dedupe dropped them (the first of each kept), and the figures " \
            "of this report are without them."
    return text + "; each copy counts in this report (--dedupe drops them)."
