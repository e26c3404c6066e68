"""``framing agreement``: Krippendorff's alpha between two labelling passes."""

from __future__ import annotations

import click

from framing.cli.options import output_options, reports_errors, resolve_format

@click.command()
@click.argument("first", nargs=-1, required=True, type=click.Path())
@click.option("--second", multiple=True, required=True, type=click.Path(),
              help="A file of the other labelling pass (repeatable).")
@output_options(("table", "json"), piped="json")
@reports_errors
def agreement(first, second, fmt, output):
    """Krippendorff's alpha per frame between two labelling passes.

    FIRST... are the files of one pass, --second those of the other (JSONL with id and
    frames; passages are matched by id, and only those both passes coded count: how many of
    each pass had no counterpart is reported). Alpha and kappa are undefined (null) for a
    frame both passes gave one value everywhere.
    """
    from framing.training.agreement import agreement as compute, read_labels
    from framing.io.atomic import check_output
    from framing.io.writers import open_output, write

    check_output(output)
    report = compute(read_labels(first), read_labels(second))
    unmatched = report["unmatched_first"] + report["unmatched_second"]
    if unmatched:
        click.echo(f"framing: note: {report['unmatched_first']} passage(s) of the first pass "
                   f"and {report['unmatched_second']} of the second have no counterpart in "
                   "the other pass; left out", err=True)
    with open_output(output) as out:
        if resolve_format(fmt, output, fallback="json") == "json":
            import json

            out.write(json.dumps(report, indent=2) + "\n")
        else:
            out.write(f"{report['passages']} passages coded twice"
                      + (f" ({report['unmatched_first']} only in the first pass, "
                         f"{report['unmatched_second']} only in the second: left out)"
                         if unmatched else "")
                      + f"; exact match {report['exact_match_percent']}%, mean alpha "
                      f"{_figure(report['mean_alpha'])}\n")
            rows = [{"frame": f, **v, "alpha": _figure(v["alpha"]),
                     "kappa": _figure(v["kappa"])} for f, v in report["per_frame"].items()]
            write(rows, "table", out, table_columns=[("frame", 17), ("alpha", 9), ("kappa", 9),
                  ("percent_agreement", 17), ("positives_first", 15), ("positives_second", 16)])


def _figure(value) -> str:
    return "undefined" if value is None else str(value)
