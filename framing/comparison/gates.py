"""The baseline and the CI gates: what moved since a previous report, and whether it may.

:func:`load_baseline` reads a previous JSON report, :func:`compare_with_baseline` measures
the shifts since it, and :func:`evaluate_gates` checks the thresholds of ``--fail-on-shift``
and ``--fail-on-divergence``.
"""

from __future__ import annotations

import json
import math
import os

from framing.comparison.result import SCHEMA_VERSION, ComparisonResult, round_floats
from framing.errors import InputError
from framing.io.documents import MAX_FILE_BYTES


def load_baseline(path: str | os.PathLike) -> dict:
    """Read a previous JSON report of ``framing compare`` to compare against."""
    where = os.fspath(path)
    try:
        with open(where, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{where}: baseline not found; write one with "
                         "framing compare CORPUS --format json --output FILE") from None
    except OSError as exc:
        raise InputError(f"{where}: cannot read the baseline ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{where}: over the {MAX_FILE_BYTES:,}-byte limit for a baseline; "
                         "pass a report written with --format json")
    try:
        report = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise InputError(f"{where}: baseline is not JSON; pass a report written with "
                         "--format json") from None
    except ValueError:  # e.g. an integer of thousands of digits (Python's conversion limit)
        raise InputError(f"{where}: baseline is not a usable JSON report (a number in it is "
                         "too long); pass a report written with --format json") from None
    if not isinstance(report, dict) or "schema_version" not in report or \
            not isinstance(report.get("groups"), dict):
        raise InputError(f"{where}: not a framing compare JSON report (no schema_version or "
                         "groups); pass a report written with --format json")
    problem = baseline_problem(report)
    if problem:
        raise InputError(f"{where}: not a framing compare JSON report ({problem}); pass a "
                         "report written with --format json")
    major = str(report["schema_version"]).split(".")[0]
    if major != SCHEMA_VERSION.split(".")[0]:
        raise InputError(f"{where}: baseline has schema {report['schema_version']}, this "
                         f"framing writes {SCHEMA_VERSION}; regenerate the baseline")
    report.setdefault("_path", where)
    return report


def _number(value, low: float = -math.inf, high: float = math.inf) -> bool:
    """A finite JSON number from ``low`` to ``high`` (an integer too large for a float is not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        value = float(value)
    except OverflowError:
        return False
    return math.isfinite(value) and low <= value <= high


def baseline_problem(report: dict) -> str | None:
    """What in a parsed baseline report does not have the shape of a compare JSON report
    (every field that the shifts and gates read), or None."""
    version = report.get("schema_version")
    if not isinstance(version, str) and not _number(version):
        return "'schema_version' must be a string such as '1.0'"
    if report.get("settings") is not None and not isinstance(report["settings"], dict):
        return "'settings' must be an object"
    for group, row in report["groups"].items():
        if not isinstance(row, dict) or not isinstance(row.get("frames", {}), dict):
            return f"group {group!r} must be an object with an object 'frames'"
        for frame, cell in row.get("frames", {}).items():
            if not isinstance(cell, dict) or not (cell.get("share") is None
                                                  or _number(cell["share"], 0.0, 1.0)):
                return (f"the share of {frame!r} in group {group!r} must be a number from 0 "
                        "to 1, or null")
    divergences = report.get("divergences")
    if divergences is not None and not isinstance(divergences, list):
        return "'divergences' must be a list"
    for row in divergences or []:
        if not isinstance(row, dict) or not isinstance(row.get("a"), str) or \
                not isinstance(row.get("b"), str) or \
                not (row.get("divergence") is None or _number(row["divergence"], 0.0)):
            return ("each of 'divergences' must be an object with strings 'a' and 'b' and a "
                    "number or null 'divergence'")
    return None


def _baseline_share(report: dict, group: str, frame: str):
    try:
        value = report["groups"][group]["frames"][frame]["share"]
    except (KeyError, TypeError):
        return None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def compare_with_baseline(report: dict, settings: dict, groups, frames, share_of, divergences,
                          warnings: list[str]) -> dict:
    """Shifts in every share, and changes in divergences, since the baseline report."""
    base_settings = report.get("settings") or {}
    if base_settings.get("by") not in (None, settings.get("by")):
        raise InputError(f"{report.get('_path', 'baseline')}: baseline grouped by "
                         f"{base_settings.get('by')!r}, this comparison by "
                         f"{settings.get('by')!r}; compare like with like")
    for key in ("method", "unit", "model"):
        if key in base_settings and key in settings and base_settings[key] != settings[key]:
            warnings.append(f"baseline used {key} {base_settings[key]!r}, this report "
                            f"{settings[key]!r}: shifts may come from that change")
    base_groups = [g for g in report["groups"] if isinstance(g, str)]
    shifts = []
    for g in groups:
        if g not in report["groups"]:
            continue
        for f in frames:
            before = _baseline_share(report, g, f)
            row = share_of[(g, f)]
            if before is None or row["share"] is None:
                continue
            # Compare what the reports say (rounded alike), so an unchanged corpus shifts by 0.
            change = round_floats(row["share"]) - before
            interval = row["interval"]
            shifts.append({
                "group": g, "frame": f, "share": row["share"], "baseline_share": before,
                "change": change,
                "outside_interval": bool(interval and not interval[0] <= before <= interval[1]),
            })
    largest = max(shifts, key=lambda s: abs(s["change"]), default=None)
    base_divergence = {}
    for row in report.get("divergences") or []:
        if isinstance(row, dict) and isinstance(row.get("divergence"), (int, float)):
            base_divergence[(row.get("a"), row.get("b"))] = float(row["divergence"])
    divergence_changes = []
    for row in divergences:
        before = base_divergence.get((row["a"], row["b"]))
        if before is None or row["divergence"] is None:
            continue
        divergence_changes.append({"a": row["a"], "b": row["b"], "divergence": row["divergence"],
                                   "baseline_divergence": before,
                                   "change": round_floats(row["divergence"]) - before})
    return {
        "path": report.get("_path"),
        "schema_version": report.get("schema_version"),
        "shifts": shifts,
        "max_shift": ({"group": largest["group"], "frame": largest["frame"],
                       "change": largest["change"]} if largest else None),
        "added_groups": [g for g in groups if g not in report["groups"]],
        "removed_groups": sorted(g for g in base_groups if g not in set(groups)),
        "divergence_changes": divergence_changes,
    }


def evaluate_gates(result: ComparisonResult, fail_on_shift: float | None,
                   fail_on_divergence: float | None) -> list[dict]:
    """The CI gates asked for, each ``{"gate", "threshold", "value", "where", "passed",
    "message"}``.

    ``shift``: the largest absolute change of any group's share of any frame since the
    baseline must not exceed the threshold (and the baseline must share a group with this
    report). ``divergence``: the Jensen-Shannon divergence between every pair of groups must
    not exceed the threshold.
    """
    gates = []
    if fail_on_shift is not None:
        baseline = result.baseline or {}
        largest = baseline.get("max_shift")
        if largest is None:
            gates.append({"gate": "shift", "threshold": fail_on_shift, "value": None,
                          "where": None, "passed": False,
                          "message": "no group of this report is in the baseline, so no "
                                     "shift can be measured (regenerate the baseline?)"})
        else:
            value = abs(largest["change"])
            where = f"{largest['group']} / {largest['frame']}"
            row = result.share(largest["group"], largest["frame"])
            before = row["share"] - largest["change"]
            passed = value <= fail_on_shift
            gates.append({
                "gate": "shift", "threshold": fail_on_shift, "value": value, "where": where,
                "passed": passed,
                "message": (f"largest shift since the baseline is {value:.3f} ({where}: "
                            f"{before:.3f} -> {row['share']:.3f}), "
                            f"{'within' if passed else 'over'} --fail-on-shift "
                            f"{fail_on_shift:g}"),
            })
    if fail_on_divergence is not None:
        scored = [row for row in result.divergences if row["divergence"] is not None]
        if not scored:
            gates.append({"gate": "divergence", "threshold": fail_on_divergence, "value": None,
                          "where": None, "passed": True,
                          "message": "fewer than two groups with tagged passages: no "
                                     "divergence to check"})
        else:
            top = max(scored, key=lambda row: row["divergence"])
            value = top["divergence"]
            passed = value <= fail_on_divergence
            gates.append({
                "gate": "divergence", "threshold": fail_on_divergence, "value": value,
                "where": f"{top['a']} / {top['b']}", "passed": passed,
                "message": (f"largest Jensen-Shannon divergence is {value:.3f} (between "
                            f"{top['a']} and {top['b']}), "
                            f"{'within' if passed else 'over'} --fail-on-divergence "
                            f"{fail_on_divergence:g}"),
            })
    return gates
