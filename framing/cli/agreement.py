"""``framing agreement``: Krippendorff's alpha between two labelling passes."""

from __future__ import annotations

import click

from framing.cli.options import output_options, reports_errors, resolve_format

@click.command()
@click.argument("first", nargs=-1, required=True, type=click.Path())
@click.option("--second", multiple=True, required=True, type=click.Path(),
              help="A file of the other labelling pass (repeatable).")
@output_options(("table", "json"))
@reports_errors
def agreement(first, second, fmt, output):
    """Krippendorff's alpha per frame between two labelling passes.

    FIRST... are the files of one pass, --second those of the other (JSONL with id and
    frames; passages are matched by id, and only those both passes coded count).
    """
    from framing.training.agreement import agreement as compute, read_labels
    from framing.io.atomic import check_output
    from framing.io.writers import open_output, write

    check_output(output)
    report = compute(read_labels(first), read_labels(second))
    with open_output(output) as out:
        if resolve_format(fmt, output, fallback="json") == "json":
            import json

            out.write(json.dumps(report, indent=2) + "\n")
        else:
            out.write(f"{report['passages']} passages coded twice; exact match "
                      f"{report['exact_match_percent']}%, mean alpha {report['mean_alpha']}\n")
            rows = [{"frame": f, **v} for f, v in report["per_frame"].items()]
            write(rows, "table", out, table_columns=[("frame", 17), ("alpha", 6), ("kappa", 6),
                  ("percent_agreement", 17), ("positives_first", 15), ("positives_second", 16)])
