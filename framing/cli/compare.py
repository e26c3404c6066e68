"""``framing compare``: parse options, call :func:`framing.comparison.compare`, write the report.

Only click and the standard library are imported at start-up; the comparison, its statistics
and charts are imported when the command runs.
"""

from __future__ import annotations

import sys

import click

from framing.cli.options import parallel_options, reports_errors
from framing.comparison.options import (ADJUSTMENTS, DEFAULT_MIN_GROUP_SIZE,  # stdlib only
                                        DEFAULT_RESAMPLES, DEFAULT_SEED, PAIRS_CHOICES)
from framing.errors import UsageError
from framing.frames import METHODS
from framing.comparison.report import FORMATS  # standard library only
from framing.text.segment import UNITS


def _progress(quiet: bool):
    """A progress callback drawing click's bar on stderr, or None when quiet or not a TTY."""
    if quiet or not sys.stderr.isatty():
        return None
    state: dict = {}

    def update(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = click.progressbar(length=total, label="classifying",
                                                   file=sys.stderr, show_pos=True)
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    return update


def _targets(fmt: str | None, outputs: tuple[str, ...]) -> list[tuple[str | None, str]]:
    """(path or None for stdout, format) for each report to write; checked before any work."""
    from framing.comparison.report import SUFFIX_FORMATS, format_for
    from framing.io.atomic import check_output

    if len(outputs) <= 1:
        output = outputs[0] if outputs else None
        targets = [(None if output in (None, "-") else output, format_for(fmt, output))]
    else:
        if fmt:
            raise UsageError("--format goes with one --output; with several, each file's "
                             "suffix names its format (.md, .html, .json, .csv)")
        targets = []
        for output in outputs:
            chosen = format_for(None, output) if output != "-" else None
            if output == "-" or not output.lower().endswith(tuple(SUFFIX_FORMATS)):
                raise UsageError(f"--output {output}: with several outputs each needs a suffix "
                                 "naming its format (.md, .html, .json, .csv)")
            targets.append((output, chosen))
    for output, _ in targets:
        check_output(output)  # a folder, a block device, a missing folder; closed stdout
    return targets


def _write_stdout(text: str) -> None:
    """A report on standard output; on a terminal with control characters (ESC sequences)
    shown as escapes, so the corpus cannot drive the terminal."""
    from framing.io.writers import is_terminal, open_output, terminal_safe

    with open_output(None) as out:
        out.write(terminal_safe(text) if is_terminal(out) else text)


@click.command("compare")
@click.argument("corpus", type=click.Path())
@click.option("--by", default="outlet", show_default=True,
              help="Group articles by this manifest column; date groups by day, "
                   "date:week / date:month / date:year by period.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Report format [default: from the --output suffix, else markdown].")
@click.option("--output", "-o", "outputs", type=click.Path(), multiple=True,
              help="Write the report here (atomically) instead of stdout. Repeat it to write "
                   "several formats from one run, each named by its suffix "
                   "(-o r.md -o r.html -o r.json).")
@click.option("--model", "model_path", type=click.Path(), default=None,
              help="Model folder (default: the shipped model).")
@click.option("--method", type=click.Choice(METHODS), default=None,
              help="Scoring method [default: hybrid].")
@click.option("--unit", type=click.Choice(UNITS), default=None,
              help="Passage unit [default: paragraph].")
@click.option("--baseline", type=click.Path(), default=None,
              help="A previous JSON report: report what moved since it.")
@click.option("--fail-on-shift", type=float, default=None, metavar="X",
              help="Exit 1 if any group's share of any frame moved by more than X (0..1) "
                   "since --baseline.")
@click.option("--fail-on-divergence", type=float, default=None, metavar="X",
              help="Exit 1 if the Jensen-Shannon divergence (bits) between any two groups "
                   "exceeds X (0..1).")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="Seed of the bootstrap and permutation draws.")
@click.option("--bootstrap", type=click.IntRange(0), default=DEFAULT_RESAMPLES,
              show_default=True, help="Bootstrap resamples of articles (0: none).")
@click.option("--permutations", type=click.IntRange(0), default=DEFAULT_RESAMPLES,
              show_default=True, help="Permutations for the small-count tests (0: none).")
@click.option("--validation", type=click.Path(), default=None, metavar="CODED",
              help="A coded sheet (framing sample, then framing annotate or a spreadsheet): "
                   "adds corrected shares whose intervals include the tagger's error, and "
                   "each group's precision and recall.")
@click.option("--adjust", type=click.Choice(ADJUSTMENTS), default=None,
              help="Add adjusted classify-and-count shares from the model card's error "
                   "rates (a sensitivity check; --validation is the real correction).")
@click.option("--min-group-size", type=click.IntRange(0), default=DEFAULT_MIN_GROUP_SIZE,
              show_default=True, metavar="N",
              help="Flag groups with fewer than N passages as small, in every format (0: "
                   "none).")
@click.option("--pairs", type=click.Choice(PAIRS_CHOICES), default="auto", show_default=True,
              help="Which pairs of groups to test: auto = every pair of up to 30 groups, "
                   "adjacent periods by date, the top pairs beyond 30 groups; all = every "
                   "pair (quadratic in groups).")
@click.option("--dedupe", is_flag=True,
              help="Drop a passage that repeats an earlier one of its group word for word "
                   "(case, spacing and punctuation at the ends ignored); the first is kept. "
                   "Without it, such duplicates are counted and reported.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@parallel_options
@reports_errors
def compare_command(corpus, by, fmt, outputs, model_path, method, unit, baseline, fail_on_shift,
                    fail_on_divergence, seed, bootstrap, permutations, validation, adjust,
                    min_group_size, pairs, dedupe,
                    quiet, jobs, scheduler):
    """Compare how groups of articles in CORPUS use the four frames.

    CORPUS is a folder with manifest.csv or manifest.jsonl (file,outlet,date,title,url), a
    manifest file, a JSONL file of records with text and outlet, or the JSONL output of
    framing classify, whose tags are then read, not computed again. The report gives each
    group's share of passages per frame with intervals, tests of difference, divergences,
    distinctive terms and typifying quotes.
    """
    from framing.io.atomic import write_files_atomic
    from framing.comparison.api import compare
    from framing.errors import GateError
    from framing.comparison.report import render

    targets = _targets(fmt, outputs)
    result = compare(corpus, model=model_path, method=method, unit=unit, by=by,
                     baseline=baseline, fail_on_shift=fail_on_shift,
                     fail_on_divergence=fail_on_divergence, seed=seed, bootstrap=bootstrap,
                     permutations=permutations, min_group_size=min_group_size,
                     dedupe=dedupe, pairs=pairs, progress=_progress(quiet), jobs=jobs,
                     scheduler=scheduler, validation=validation, adjust=adjust,
                     outputs=[output for output, _ in targets])
    reports = [(output, render(result, chosen)) for output, chosen in targets]
    # every report file is renamed into place together: an interrupted run changes none
    write_files_atomic([(output, text) for output, text in reports if output is not None])
    for output, text in reports:
        if output is None:
            _write_stdout(text)
    failed = result.failed_gates
    if failed:
        raise GateError("; ".join(gate["message"] for gate in failed))
