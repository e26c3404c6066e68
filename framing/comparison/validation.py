"""What a coded sample adds to a comparison: corrected shares, per-group accuracy, warnings.

:class:`CodedSample` holds the coded sheet, keyed by passage; the accumulator hands it every
passage that is on the sheet (:meth:`CodedSample.match`), with the tagger's tags and the
article it belongs to. :func:`apply_validation` then puts, next to each raw share, the
corrected share (:func:`framing.comparison.corrected.ppi_share`), the coded sample's precision
and recall per group, corrected pairwise differences, and warnings where the tagger's error
differs between groups enough to move a comparison. Without a sheet,
:func:`model_card_accuracy` says what the model card measured, and ``adjust="model-card"``
adds an adjusted classify-and-count as a sensitivity check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from framing.comparison.corrected import (Coded, adjusted_count, agreement, difference_test,
                                          heterogeneity, ppi_share, tagger_bias)
from framing.comparison.stats import bh_adjust, holm_adjust
from framing.errors import InputError, UsageError
from framing.io.sheets import read_sheet

#: Groups with fewer coded passages than this are left out of the heterogeneity test.
MIN_CODED_FOR_BIAS = 5
#: Pairs whose conclusion changes named in one warning, at most.
PAIRS_NAMED = 5
ALPHA = 0.05


def _norm(text: str) -> str:
    return " ".join(str(text).split())


@dataclass
class CodedSample:
    """A coded sheet and, as passages stream by, what the tagger said about each coded one."""

    records: dict                      # (document_id, passage_index) -> sheet record
    source: str
    uncoded: int = 0
    matched: list = field(default_factory=list)   # (group, article index, record, tags)
    problems: list = field(default_factory=list)

    @classmethod
    def load(cls, validation, unit: str | None) -> "CodedSample":
        """From a sheet path or a list of sheet records; records with ``frames`` null (not yet
        coded) are counted and left out. A sheet drawn with another unit is refused."""
        if isinstance(validation, CodedSample):
            return validation
        if isinstance(validation, (list, tuple)):
            records, source = list(validation), "the validation records"
        else:
            records, source = read_sheet(validation), str(validation)
        units = {r.get("unit") for r in records} - {None}
        if unit is not None and units and units != {unit}:
            raise UsageError(f"{source}: the sheet was drawn with --unit "
                             f"{', '.join(sorted(units))} and the comparison uses --unit "
                             f"{unit}; draw and compare with the same unit")
        coded = {(str(r["document_id"]), int(r["passage_index"])): r for r in records
                 if r.get("frames") is not None}
        if not coded:
            raise InputError(f"{source}: no passage on the sheet is coded yet (frames is null "
                             "everywhere); code it with framing annotate or a spreadsheet")
        return cls(coded, source, uncoded=len(records) - len(coded))

    def spawn(self) -> "CodedSample":
        """The same sheet, nothing matched yet (for a partition of the corpus)."""
        return CodedSample(self.records, self.source, uncoded=self.uncoded)

    def absorb(self, other: "CodedSample", shift: int = 0) -> None:
        """Add what ``other`` (a :meth:`spawn` of this one) matched, its article numbers
        shifted by ``shift``."""
        self.matched += [(group, article + shift, record, tags)
                         for group, article, record, tags in other.matched]
        self.problems += other.problems

    def match(self, document_id: str, passage_index: int, text: str, group: str,
              article: int, tags) -> None:
        record = self.records.get((document_id, passage_index))
        if record is None:
            return
        if _norm(record["text"]) != _norm(text):
            self.problems.append(f"passage {passage_index} of {document_id!r} reads "
                                 "differently in the corpus")
            return
        self.matched.append((group, article, record, frozenset(tags)))

    def check(self) -> None:
        """After the corpus: every coded passage must have been found, with the same text."""
        found = {(r["document_id"], r["passage_index"]) for _, _, r, _ in self.matched}
        missing = [key for key in self.records if key not in found]
        for document_id, index in missing[:3]:
            self.problems.append(f"passage {index} of {document_id!r} is not in the corpus")
        if missing[3:]:
            self.problems.append(f"... and {len(missing) - 3} more not in the corpus")
        if self.problems:
            raise InputError(f"{self.source}: the sheet does not match the corpus (was it drawn "
                             f"from another corpus or unit?): {'; '.join(self.problems[:4])}")

    def coded_for(self, group: str, frame: str) -> Coded | None:
        rows = [(r, tags, article) for g, article, r, tags in self.matched if g == group]
        if not rows:
            return None
        return Coded(truth=np.array([frame in r["frames"] for r, _, _ in rows], dtype=float),
                     tag=np.array([frame in tags for _, tags, _ in rows], dtype=float),
                     weight=np.array([1.0 / float(r.get("inclusion_probability") or 1.0)
                                      for r, _, _ in rows]),
                     article=np.array([article for _, _, article in rows]))


def apply_validation(sample: CodedSample, groups, frames, shares: list[dict],
                     pairwise: list[dict], confidence: float) -> tuple[dict, list[str]]:
    """Add ``corrected`` to each share row and corrected columns to each pairwise row;
    return per group and frame the validation figures, and the warnings."""
    share_of = {(row["group"], row["frame"]): row for row in shares}
    validation: dict = {}
    biases: dict = {f: {} for f in frames}
    for g in groups.names:
        validation[g] = {}
        for k, f in enumerate(frames):
            coded = sample.coded_for(g, f)
            row = share_of[(g, f)]
            if coded is None:
                row["corrected"] = None
                validation[g][f] = {"coded": 0, "precision": None, "recall": None}
                continue
            row["corrected"] = ppi_share(coded, groups.tagged[g][:, k], groups.passages[g],
                                         confidence)
            validation[g][f] = agreement(coded)
            if len(coded) >= MIN_CODED_FOR_BIAS:
                biases[f][g] = tagger_bias(coded)
    warnings = _uncoded_warnings(sample, groups.names)
    for f in frames:
        warnings += _bias_warning(f, biases[f], heterogeneity(biases[f]))
    warnings += _corrected_pairwise(pairwise, share_of, confidence)
    for g in validation:
        for f in validation[g]:
            cell = validation[g][f]
            if share_of[(g, f)]["corrected"] is not None:
                cell["bias"] = share_of[(g, f)]["share"] - share_of[(g, f)]["corrected"]["share"]
    return validation, warnings


def _uncoded_warnings(sample: CodedSample, names) -> list[str]:
    warnings = []
    if sample.uncoded:
        warnings.append(f"{sample.uncoded} passage(s) on the sheet are not coded yet and were "
                        "left out: if coders skipped hard passages, the coded ones are no "
                        "longer a random sample")
    covered = {g for g, *_ in sample.matched}
    bare = [g for g in names if g not in covered]
    if bare:
        warnings.append(f"{len(bare)} group(s) have no coded passage ({', '.join(bare[:5])}"
                        f"{', ...' if len(bare) > 5 else ''}): their shares are not corrected")
    return warnings


def _bias_warning(frame: str, biases: dict, test: dict | None) -> list[str]:
    if test is None or test["p_value"] >= ALPHA:
        return []
    low = min(biases, key=lambda g: biases[g][0])
    high = max(biases, key=lambda g: biases[g][0])
    return [f"{frame}: the tagger's error differs between groups (tags minus coded truth from "
            f"{biases[low][0] * 100:+.0f} points in {low} to {biases[high][0] * 100:+.0f} in "
            f"{high}; Cochran's Q = {test['statistic']:.1f}, df {test['df']}, "
            f"p = {test['p_value']:.3g}): raw differences mix framing with tagger error, "
            "compare the corrected shares"]


def _corrected_pairwise(pairwise: list[dict], share_of: dict, confidence: float) -> list[str]:
    """Corrected difference, interval and p-values (Holm, BH over all corrected tests) on each
    pairwise row; a warning naming pairs whose conclusion the correction changes."""
    tested = []
    for row in pairwise:
        a = share_of[(row["a"], row["frame"])]["corrected"]
        b = share_of[(row["b"], row["frame"])]["corrected"]
        if a is None or b is None:
            row.update(corrected_difference=None, corrected_difference_interval=None,
                       corrected_p_value=None, corrected_p_holm=None, corrected_p_bh=None)
            continue
        test = difference_test(a, b, confidence)
        row.update(corrected_difference=a["share"] - b["share"],
                   corrected_difference_interval=test["interval"],
                   corrected_p_value=test["p_value"])
        tested.append(row)
    raw = [row["corrected_p_value"] for row in tested]
    for row, holm, bh in zip(tested, holm_adjust(raw), bh_adjust(raw)):
        row["corrected_p_holm"], row["corrected_p_bh"] = holm, bh
    changed = []
    for row in tested:
        raw_sig, corrected_sig = row["p_bh"] < ALPHA, row["corrected_p_bh"] < ALPHA
        flipped = raw_sig and corrected_sig and \
            (row["difference"] > 0) != (row["corrected_difference"] > 0)
        if raw_sig != corrected_sig or flipped:
            changed.append(f"{row['frame']} {row['a']} vs {row['b']} ("
                           + ("the direction reverses" if flipped else
                              "significant raw, not corrected" if raw_sig else
                              "significant corrected, not raw") + ")")
    if not changed:
        return []
    return [f"{len(changed)} pairwise comparison(s) change their conclusion once the tagger's "
            f"error is corrected: {'; '.join(changed[:PAIRS_NAMED])}"
            f"{'; ...' if len(changed) > PAIRS_NAMED else ''}"]


def model_card_accuracy(card: dict | None, method: str) -> dict | None:
    """Per frame the precision, recall and F1 the model card measured for ``method`` (its
    cross-validation, and its frozen test when it has one); None without a card."""
    if not card:
        return None
    accuracy = {"source": "model card", "method": method}
    for key in ("cross_validation", "frozen_test"):
        report = card.get(key) or {}
        measured = (report.get("methods") or {}).get(method)
        if measured:
            accuracy[key] = {"procedure": report.get("procedure"),
                             "passages": report.get("passages"),
                             "macro_f1": measured.get("macro_f1"),
                             "per_frame": measured.get("per_frame")}
    return accuracy if len(accuracy) > 2 else None


def apply_adjustment(shares: list[dict], card: dict | None, method: str) -> list[str]:
    """``adjusted`` on each share row: adjusted classify-and-count from the card's
    cross-validated error rates (a sensitivity check); warnings where it cannot be made."""
    report = (card or {}).get("cross_validation") or {}
    measured = ((report.get("methods") or {}).get(method) or {}).get("per_frame") or {}
    if not measured:
        raise UsageError("--adjust model-card needs a model card with cross-validated "
                         f"precision and recall for --method {method}; this model has none")
    skipped = set()
    for row in shares:
        frame = measured.get(row["frame"]) or {}
        row["adjusted"] = adjusted_count(row["share"], row["interval"], frame.get("precision"),
                                         frame.get("recall"), int(frame.get("support") or 0),
                                         int(report.get("passages") or 0))
        if row["adjusted"] is None:
            skipped.add(row["frame"])
    return [f"{f}: no adjusted share; the card's error rates do not tell the frame apart well "
            "enough (true-positive rate within 0.05 of the false-positive rate)"
            for f in sorted(skipped)]

