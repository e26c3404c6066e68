"""The result of a comparison as plain data, and its JSON serialisation (schema, rounding).

Standard library only at import time (pandas is imported by ``to_dataframe`` alone): the
report writers, which the CLI imports at start-up, build on it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from framing import __version__
from framing.comparison.assumptions import ASSUMPTIONS
from framing.errors import UsageError

SCHEMA_VERSION = "1.0"
#: Significant digits kept for floats in reports, so that results are stable and diffable.
SIGNIFICANT_DIGITS = 6

TABLES = ("shares", "articles", "omnibus", "pairwise", "divergences", "distinctive_terms",
          "quotes", "shifts")


@dataclass
class ComparisonResult:
    """Everything ``framing compare`` reports, as plain data.

    Attributes
    ----------
    settings : options the comparison ran with (by, method, unit, model, seed, ...).
    frames : the frame names, in report order.
    groups : group names in report order (sorted; chronological for dates).
    group_totals : per group, ``{"articles": m, "passages": n}``.
    shares : one row per (group, frame): counts, share, interval and the alternatives.
    distributions : per group, each frame's share of the group's tags (sums to 1).
    articles : one row per article with passages and tagged counts per frame.
    omnibus : ``{"frames": {frame: test}, "mix": test}``.
    pairwise : one row per (frame, pair of groups).
    divergences : one row per pair of groups.
    distinctive_terms : one row per (frame, group, term).
    quotes : one row per (frame, group, passage).
    baseline : what moved since a baseline report, or None.
    gates : the CI gates asked for, each with ``passed``.
    warnings : caveats about this corpus (single-article groups, frames never tagged, ...).
    validation : per group and frame, the coded sample's size, precision and recall (with
        ``--validation``; each shares row then has ``corrected``), or None.
    pairs : which pairs were tested: ``{"mode": "all" | "adjacent" | "top", "groups",
        "possible", "tested", "changes", "versus_rest"}`` (see
        :mod:`framing.comparison.pairs`).
    accuracy : what the model card measured for the method (precision, recall, F1 per frame),
        or None for a model without a card.
    assumptions : what each statistic assumes, keyed by name.
    """

    settings: dict
    frames: tuple[str, ...]
    groups: list[str]
    group_totals: dict
    shares: list[dict]
    distributions: dict
    articles: list[dict]
    omnibus: dict
    pairwise: list[dict]
    divergences: list[dict]
    distinctive_terms: list[dict]
    quotes: list[dict]
    baseline: dict | None = None
    gates: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    validation: dict | None = None
    accuracy: dict | None = None
    pairs: dict | None = None
    assumptions: dict = field(default_factory=lambda: dict(ASSUMPTIONS))

    # -- access ------------------------------------------------------------------------
    def share(self, group: str, frame: str) -> dict:
        """The shares row of one group and frame."""
        for row in self.shares:
            if row["group"] == group and row["frame"] == frame:
                return row
        raise KeyError((group, frame))

    @property
    def confidence_percent(self) -> int:
        """The confidence of the intervals in percent (95), as every report prints it."""
        return int(round(self.settings.get("confidence", 0.95) * 100))

    @property
    def failed_gates(self) -> list[dict]:
        return [gate for gate in self.gates if not gate["passed"]]

    def tables(self) -> dict[str, list[dict]]:
        """Every table as a list of flat-ish rows (plain data)."""
        omnibus_rows = [{"table": frame, **test} for frame, test in self.omnibus["frames"].items()]
        omnibus_rows.append({"table": "mix", **self.omnibus["mix"]})
        return {
            "shares": self.shares,
            "articles": self.articles,
            "omnibus": omnibus_rows,
            "pairwise": self.pairwise,
            "divergences": self.divergences,
            "distinctive_terms": self.distinctive_terms,
            "quotes": self.quotes,
            "shifts": (self.baseline or {}).get("shifts", []),
        }

    def to_dataframe(self, table: str = "shares"):
        """One table as a pandas DataFrame (needs pandas; interval columns split in low/high)."""
        if table not in TABLES:
            raise UsageError(f"unknown table {table!r}; expected one of {', '.join(TABLES)}")
        try:
            import pandas as pd
        except ImportError:
            raise UsageError("pandas is not installed; pip install pandas, or use "
                             "result.tables() for plain rows") from None
        return pd.DataFrame([_flatten(row) for row in self.tables()[table]])

    def to_dict(self) -> dict:
        """The JSON report (schema ``SCHEMA_VERSION``; see docs/compare.md), floats rounded."""
        cells: dict[str, dict] = {group: {} for group in self.groups}
        for row in self.shares:
            cells[row["group"]][row["frame"]] = {k: v for k, v in row.items()
                                                 if k not in ("group", "frame")}
        groups = {
            group: {
                **self.group_totals[group],
                "distribution": self.distributions[group],
                "frames": cells[group],
                **({"validation": self.validation[group]} if self.validation else {}),
            }
            for group in self.groups
        }
        terms: dict = {frame: {group: [] for group in self.groups} for frame in self.frames}
        for row in self.distinctive_terms:
            terms[row["frame"]][row["group"]].append(
                {k: v for k, v in row.items() if k not in ("frame", "group")})
        quotes: dict = {frame: {group: [] for group in self.groups} for frame in self.frames}
        for row in self.quotes:
            quotes[row["frame"]][row["group"]].append(
                {k: v for k, v in row.items() if k not in ("frame", "group")})
        document = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "framing", "command": "compare", "version": __version__},
            "settings": self.settings,
            "summary": {
                "groups": len(self.groups),
                "articles": sum(t["articles"] for t in self.group_totals.values()),
                "passages": sum(t["passages"] for t in self.group_totals.values()),
            },
            "frames": list(self.frames),
            "group_order": list(self.groups),
            "groups": groups,
            "articles": self.articles,
            "omnibus": self.omnibus,
            "pairwise": self.pairwise,
            "divergences": self.divergences,
            "distinctive_terms": terms,
            "quotes": quotes,
            "baseline": self.baseline,
            "gates": self.gates,
            "warnings": self.warnings,
            "corrected": self.validation is not None,
            "pairs": self.pairs,
            "accuracy": self.accuracy,
            "assumptions": self.assumptions,
        }
        return round_floats(document)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False,
                          allow_nan=False) + "\n"


def _flatten(row: dict) -> dict:
    flat = {}
    for key, value in row.items():
        if isinstance(value, (list, tuple)) and len(value) == 2 and key.endswith("interval"):
            flat[f"{key}_low"], flat[f"{key}_high"] = value
        elif isinstance(value, dict):
            for inner, inner_value in value.items():
                flat[f"{key}.{inner}"] = inner_value
        else:
            flat[key] = value
    return flat


def round_floats(value: Any, digits: int = SIGNIFICANT_DIGITS):
    """Round every float in a nested structure to ``digits`` significant digits; NaN -> None."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(f"{value:.{digits}g}") if value else 0.0
    if isinstance(value, dict):
        return {key: round_floats(item, digits) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [round_floats(item, digits) for item in value]
    return value
