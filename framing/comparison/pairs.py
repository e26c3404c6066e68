"""Which pairs of groups a comparison tests, and the pairwise tables themselves.

Every pair of G groups is G(G-1)/2 tests per frame: fine for a handful of outlets, useless
(and quadratic in time and report size) for a thousand outlets or 400 days. So the plan
(:func:`pair_plan`) depends on what the groups are:

- ``all``: every pair (up to :data:`PAIR_LIMIT` groups, or always with ``--pairs all``),
  adjusted (Holm, Benjamini-Hochberg) over all of them, as before;
- ``adjacent``: groups that are dates or periods (``--by date``, ``--by date:week``): each
  period against the next, adjusted over those tests; the largest significant changes of each
  frame are flagged (:func:`flag_changes`);
- ``top``: more than :data:`PAIR_LIMIT` groups that are not dates: per frame the pairs between
  the :data:`TOP_PER_SIDE` groups with the highest and the lowest shares, among groups that
  are not small; their p-values are adjusted by Bonferroni over *every* possible pair (the
  pairs were chosen by looking at the shares, so only an adjustment over all of them is
  honest), and each group is also tested against the rest of the corpus
  (:func:`versus_rest`, linear in groups). Divergences: each group's divergence from the
  pooled mix, and every pair among the :data:`TOP_PER_SIDE` * 3 groups furthest from it.

Cost is linear in groups for ``adjacent`` and ``top`` (plus a constant number of pairs).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from framing.comparison.stats import (bh_adjust, fisher_exact_test, holm_adjust,
                                      jensen_shannon_divergence, newcombe_difference_interval)
from framing.io.corpus import parse_by

#: Beyond this many groups (not dates), only the top pairs are tested unless --pairs all.
PAIR_LIMIT = 30
#: Groups taken from each end of a frame's ranking of shares in ``top`` mode.
TOP_PER_SIDE = 10
#: Largest significant changes flagged per frame in ``adjacent`` mode.
CHANGES_FLAGGED = 3
ALPHA = 0.05


def is_time(by: str) -> bool:
    """True when groups are dates or periods (``date``, ``date:month``, ``published:week``)."""
    field_name, period = parse_by(by)
    return period is not None or field_name == "date"


def pair_plan(names: list[str], settings: dict) -> dict:
    """``{"mode", "groups", "possible"}``: how pairs are chosen (see the module docstring)."""
    count = len(names)
    possible = count * (count - 1) // 2
    if settings.get("pairs", "auto") == "all":
        mode = "all"
    elif is_time(settings.get("by", "outlet")):
        mode = "adjacent"
    elif count > PAIR_LIMIT:
        mode = "top"
    else:
        mode = "all"
    return {"mode": mode, "groups": count, "possible": possible}


def _row(f, a, b, row_a, row_b) -> dict:
    ca, cb = row_a["counts"], row_b["counts"]
    fisher = fisher_exact_test(ca["tagged"], ca["passages"], cb["tagged"], cb["passages"])
    interval = newcombe_difference_interval(row_a["share"], row_a["interval"], row_b["share"],
                                            row_b["interval"])
    return {"frame": f, "a": a, "b": b, "share_a": row_a["share"], "share_b": row_b["share"],
            "difference": row_a["share"] - row_b["share"],
            "difference_interval": list(interval) if interval is not None else None,
            "odds_ratio": fisher["odds_ratio"], "test": "fisher_exact",
            "p_value": fisher["p_value"]}


def _top_pairs(names, frame, share_of, eligible) -> list[tuple[str, str]]:
    pool = [g for g in names if g in eligible] if len(eligible) >= 2 else list(names)
    ranked = sorted(pool, key=lambda g: (share_of[(g, frame)]["share"], g))
    low, high = ranked[:TOP_PER_SIDE], ranked[-TOP_PER_SIDE:]
    order = {g: k for k, g in enumerate(names)}
    pairs = {tuple(sorted((a, b), key=order.get)) for a in high for b in low if a != b}
    return sorted(pairs, key=lambda p: (order[p[0]], order[p[1]]))


def pairwise(names: list[str], frames, share_of: dict, plan: dict,
             eligible: set) -> list[dict]:
    """Fisher's exact test of each frame for the plan's pairs, with adjusted p-values."""
    rows = []
    for f in frames:
        if plan["mode"] == "adjacent":
            chosen = list(zip(names, names[1:]))
        elif plan["mode"] == "top":
            chosen = _top_pairs(names, f, share_of, eligible)
        else:
            chosen = list(itertools.combinations(names, 2))
        rows += [_row(f, a, b, share_of[(a, f)], share_of[(b, f)]) for a, b in chosen]
    raw = [row["p_value"] for row in rows]
    if plan["mode"] == "top":  # Bonferroni over every possible test: the pairs were selected
        everything = plan["possible"] * len(frames)
        for row in rows:
            row["p_holm"] = row["p_bh"] = min(1.0, row["p_value"] * everything)
    else:
        for row, holm, bh in zip(rows, holm_adjust(raw), bh_adjust(raw)):
            row["p_holm"], row["p_bh"] = holm, bh
    return rows


def _divergence_row(a, b, mix_a, mix_b) -> dict:
    jsd = jensen_shannon_divergence(mix_a, mix_b)
    return {"a": a, "b": b, "divergence": jsd,
            "distance": math.sqrt(jsd) if jsd is not None else None}


def divergences(names: list[str], mixes: dict, plan: dict, eligible: set) -> list[dict]:
    """Jensen-Shannon divergence of frame mixes (tag counts per frame) for the plan's pairs."""
    if plan["mode"] == "adjacent":
        chosen = list(zip(names, names[1:]))
    elif plan["mode"] == "top":
        pool = [g for g in names if g in eligible] if len(eligible) >= 2 else list(names)
        pooled = np.sum([mixes[g] for g in pool], axis=0)
        furthest = sorted(pool, key=lambda g: (-(jensen_shannon_divergence(mixes[g], pooled)
                                                 or 0.0), g))[:TOP_PER_SIDE * 3]
        keep = set(furthest)
        chosen = list(itertools.combinations([g for g in names if g in keep], 2))
    else:
        chosen = list(itertools.combinations(names, 2))
    return [_divergence_row(a, b, mixes[a], mixes[b]) for a, b in chosen]


def versus_rest(names: list[str], frames, share_of: dict) -> list[dict]:
    """Each group against all the others, per frame (Fisher's exact test, Benjamini-Hochberg
    over all of them): which groups stand out, in tests linear in the number of groups."""
    rows = []
    for f in frames:
        total_tagged = sum(share_of[(g, f)]["counts"]["tagged"] for g in names)
        total = sum(share_of[(g, f)]["counts"]["passages"] for g in names)
        for g in names:
            counts = share_of[(g, f)]["counts"]
            rest_tagged, rest = total_tagged - counts["tagged"], total - counts["passages"]
            if rest <= 0:
                continue
            p_value = fisher_exact_test(counts["tagged"], counts["passages"], rest_tagged,
                                        rest)["p_value"]
            rows.append({"frame": f, "group": g, "share": share_of[(g, f)]["share"],
                         "share_rest": rest_tagged / rest,
                         "difference": share_of[(g, f)]["share"] - rest_tagged / rest,
                         "test": "fisher_exact", "p_value": p_value})
    for row, bh in zip(rows, bh_adjust([row["p_value"] for row in rows])):
        row["p_bh"] = bh
    return rows


def flag_changes(rows: list[dict]) -> list[dict]:
    """Per frame the adjacent periods whose share changes most, among changes significant
    after adjustment; each such pairwise row gets ``flagged: true`` and is listed."""
    flagged = []
    for frame in dict.fromkeys(row["frame"] for row in rows):
        significant = [r for r in rows if r["frame"] == frame and r["p_bh"] is not None
                       and r["p_bh"] < ALPHA]
        significant.sort(key=lambda r: (-abs(r["difference"]), r["a"]))
        for row in significant[:CHANGES_FLAGGED]:
            row["flagged"] = True
            flagged.append({"frame": frame, "from": row["a"], "to": row["b"],
                            "change": -row["difference"], "p_bh": row["p_bh"]})
    return flagged
