"""What the human reports say about which pairs were tested, and the summary views that
replace the all-pairs tables when there are many groups or the groups are periods.

Plain text blocks (as :mod:`framing.comparison.report.corrections`); each writer escapes
:class:`Untrusted` cells (group names) for its format.
"""

from __future__ import annotations

from framing.comparison.report.common import ALPHA, frame_name, p_text, pct
from framing.comparison.report.corrections import Untrusted

#: Rows of the "stand out" and "largest changes" tables shown in markdown and HTML.
SUMMARY_ROWS = 20
#: Past this many groups, per-group sections (terms, quotes, charts) show the largest groups.
GROUPS_SHOWN = 30
#: Past this many groups, the markdown and HTML share tables show the largest groups.
TABLE_GROUPS = 200


def plan_sentence(result) -> str | None:
    """One sentence on how the pairs were chosen, or None when every pair was tested."""
    plan = result.pairs or {}
    mode = plan.get("mode")
    if mode == "adjacent":
        return (f"The groups are periods, so each one is tested against the next "
                f"({plan.get('groups', 0) - 1:,} pairs per frame), not every pair; the periods "
                "where a frame's share changes most are listed below. --pairs all tests every "
                "pair.")
    if mode == "top":
        possible = plan.get("possible", 0)
        return (f"With {plan.get('groups', 0):,} groups every pair would be {possible:,} tests "
                "per frame. Per frame, the pairs between the 10 groups with the highest and the "
                "10 with the lowest shares (among groups that are not small) are tested, with "
                f"p-values adjusted by Bonferroni over all {possible * len(result.frames):,} "
                "possible tests, since the pairs were chosen by their shares. Each group is "
                "also tested against the rest of the corpus. --pairs all tests every pair "
                "(JSON and CSV hold them all).")
    return None


def standout_blocks(result, noun: str) -> list[tuple]:
    """Groups whose share differs most from the rest of the corpus (top mode)."""
    rows = (result.pairs or {}).get("versus_rest")
    if rows is None:
        return []
    significant = sorted((r for r in rows if r["p_bh"] is not None and r["p_bh"] < ALPHA),
                         key=lambda r: (-abs(r["difference"]), r["frame"], r["group"]))
    sentence = (f"{len(significant):,} of {len(rows):,} tests of a {noun} against all the "
                "others are significant at 5% after Benjamini-Hochberg adjustment"
                + (f"; the {SUMMARY_ROWS} largest differences:" if significant else "."))
    blocks = [("h2", "Which groups stand out?"), ("p", sentence)]
    if significant:
        blocks.append(("table", [Untrusted(noun), "frame", "share", "the rest", "difference",
                                 "p BH"],
                       [[Untrusted(r["group"]), frame_name(r["frame"]), pct(r["share"]),
                         pct(r["share_rest"]), f"{r['difference'] * 100:+.0f}",
                         p_text(r["p_bh"])] for r in significant[:SUMMARY_ROWS]],
                       "llrrrr"))
    return blocks


def change_blocks(result) -> list[tuple]:
    """The periods where each frame's share changes most (adjacent mode)."""
    changes = (result.pairs or {}).get("changes")
    if changes is None:
        return []
    blocks = [("h2", "Where the shares change most")]
    if not changes:
        return blocks + [("p", "No change between adjacent periods is significant at 5% "
                               "after Benjamini-Hochberg adjustment.")]
    blocks.append(("p", "Per frame, the largest changes between one period and the next that "
                        "are significant at 5% after Benjamini-Hochberg adjustment."))
    blocks.append(("table", ["frame", "from", "to", "change (points)", "p BH"],
                   [[frame_name(c["frame"]), Untrusted(c["from"]), Untrusted(c["to"]),
                     f"{c['change'] * 100:+.1f}", p_text(c["p_bh"])] for c in changes],
                   "lllrr"))
    return blocks


def divergent_pairs(result, limit: int) -> tuple[list[dict], bool]:
    """The most divergent pairs, leaving out pairs with a small group when there are others;
    and whether small groups were left out."""
    scored = [r for r in result.divergences if r["divergence"] is not None]
    totals = result.group_totals
    large = [r for r in scored if not totals[r["a"]].get("small")
             and not totals[r["b"]].get("small")]
    chosen = large if large else scored
    chosen = sorted(chosen, key=lambda r: (-r["divergence"], r["a"], r["b"]))[:limit]
    return chosen, bool(large) and len(large) < len(scored)


def shown_groups(result, limit: int = GROUPS_SHOWN) -> list[str]:
    """Groups given their own lines in per-group sections: all of them, or past ``limit``
    the largest by passages (report order kept)."""
    if len(result.groups) <= limit:
        return list(result.groups)
    largest = sorted(result.groups, key=lambda g: (-result.group_totals[g]["passages"], g))
    keep = set(largest[:limit])
    return [g for g in result.groups if g in keep]


def shown_note(result, noun_plural: str, limit: int = GROUPS_SHOWN) -> str | None:
    if len(result.groups) <= limit:
        return None
    return (f"The {limit} largest of {len(result.groups):,} {noun_plural} shown; the JSON and "
            "CSV reports hold all of them.")

