"""Checks on the groups of a comparison: groups too small to read, passages repeated.

Two things make a group's figures look surer than they are, and neither shows in a share:

- **Few passages.** A group with fewer than ``min_group_size`` passages (default
  :data:`~framing.comparison.options.DEFAULT_MIN_GROUP_SIZE`, 30) is flagged ``small``: its
  intervals are wide, and its frame mix, divergences and distinctive terms rest on a handful
  of tags. The limit counts passages, not articles, because passages are what every share,
  interval and divergence is computed from (a single long article still gives a usable
  share, which its design effect and interval qualify; ten one-line articles do not). At 30
  passages a share's 95% Wilson interval is still about ±17 points wide (at a share of 50%).
- **Exact duplicates.** Passages whose normal form (:mod:`framing.text.dedupe`) was already
  seen in the same group (syndicated copy, repeated headlines, boilerplate). Each copy counts
  in shares, terms and quotes; ``dedupe`` drops them (the first one, in corpus order, is
  kept).

:func:`check_groups` writes ``small``, ``duplicates`` and ``dropped`` into each group's
totals (so into ``groups[G]`` of the JSON report) and adds a warning for each problem.
"""

from __future__ import annotations

from framing.comparison.accumulate import Accumulator

#: Groups named in one warning at most.
NAMED = 10


def _named(counts: dict) -> str:
    items = [f"{g} {n:,}" if isinstance(n, int) and not isinstance(n, bool) else g
             for g, n in list(counts.items())[:NAMED]]
    return ", ".join(items) + (", ..." if len(counts) > NAMED else "")


def _passages(n: int) -> str:
    return f"{n:,} passage" + ("" if n == 1 else "s")


def check_groups(result, acc: Accumulator, min_group_size: int, dedupe: bool) -> None:
    """Flag small groups and count duplicates per group in ``result.group_totals``; add a
    warning for small groups and for duplicates kept."""
    totals = result.group_totals
    for g in result.groups:
        totals[g]["small"] = totals[g]["passages"] < min_group_size
        totals[g]["duplicates"] = acc.duplicates[g]
        totals[g]["dropped"] = acc.dropped[g]
    small = {g: totals[g]["passages"] for g in result.groups if totals[g]["small"]}
    if small:
        verb = "1 group has" if len(small) == 1 else f"{len(small)} groups have"
        result.warnings.append(
            f"{verb} fewer than {min_group_size} passages ({_named(small)}; marked †): "
            "their intervals are wide, and their frame mix, divergences and distinctive terms "
            "rest on a few tags; --min-group-size sets the limit")
    repeated = {g: acc.duplicates[g] for g in result.groups if acc.duplicates[g]}
    if repeated and not dedupe:
        total = sum(repeated.values())
        result.warnings.append(
            f"{_passages(total)} repeat{'s' if total == 1 else ''} an earlier passage of "
            f"{'its' if total == 1 else 'their'} group word for word ({_named(repeated)}; case, "
            "spacing and punctuation at the ends ignored): each copy counts in shares, "
            "distinctive terms and quotes; --dedupe drops them")
