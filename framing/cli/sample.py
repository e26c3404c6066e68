"""``framing sample``: draw a coding sheet of random passages per group, for people to code."""

from __future__ import annotations

import click

from framing.cli.options import reports_errors
from framing.comparison.options import DEFAULT_SEED  # standard library only
from framing.frames import METHODS
from framing.io.sheets import SHEET_FORMATS
from framing.text.segment import UNITS


@click.command("sample")
@click.argument("corpus", type=click.Path())
@click.option("--by", default="outlet", show_default=True,
              help="Draw within each group of this field (as for framing compare).")
@click.option("--per-group", type=int, required=True,
              help="Passages to draw from each group (all of a smaller group).")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="Seed of the draw: the same seed gives the same sheet.")
@click.option("--unit", type=click.Choice(UNITS), default="paragraph", show_default=True,
              help="Passage unit (use the one you will compare with).")
@click.option("--near-threshold", type=int, default=0, show_default=True,
              help="Of the --per-group passages, this many from those scored near a "
                   "frame's threshold (the corpus is classified first); inclusion "
                   "probabilities are recorded so estimates stay unbiased.")
@click.option("--model", "model_path", type=click.Path(), default=None,
              help="Model folder for --near-threshold (default: the shipped model).")
@click.option("--method", type=click.Choice(METHODS), default="hybrid", show_default=True,
              help="Method whose scores --near-threshold uses.")
@click.option("--format", "fmt", type=click.Choice(SHEET_FORMATS), default=None,
              help="Sheet format [default: from the --output suffix (.csv), else jsonl].")
@click.option("--output", "-o", required=True, type=click.Path(),
              help="The coding sheet to write (atomically).")
@reports_errors
def sample(corpus, by, per_group, seed, unit, near_threshold, model_path, method, fmt, output):
    """Draw a coding sheet from CORPUS: PER_GROUP random passages of each group, with
    frames left empty for coders (framing annotate, or a spreadsheet with --format csv).
    Tags and scores are not on the sheet: coders must not see them."""
    from framing.comparison.sampling import draw_sample
    from framing.io.atomic import check_output
    from framing.io.sheets import write_sheet

    check_output(output)
    records = draw_sample(corpus, per_group=per_group, by=by, seed=seed, unit=unit,
                          near_threshold=near_threshold, model=model_path, method=method,
                          outputs=[output])
    write_sheet(output, records, fmt)
    groups = len({r["group"] for r in records})
    click.echo(f"framing: wrote {output} ({len(records)} passages from {groups} "
               f"group{'s' if groups != 1 else ''}; code them with framing annotate {output})",
               err=True)
