"""``framing classify``: tag every passage of files or records."""

from __future__ import annotations

import os

import click

from framing.errors import EXIT_INPUT
from framing.frames import METHODS
from framing.text.segment import UNITS
from framing.cli.options import (PrintingErrors, fail, output_options, parallel_options,
                                 reports_errors, resolve_format)

@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--unit", type=click.Choice(UNITS), default="paragraph", show_default=True,
              help="Passage unit: blank-line/one-per-line paragraphs, Punkt sentences, or "
                   "each input text whole (for pre-cut passages in JSONL).")
@click.option("--method", type=click.Choice(METHODS), default="hybrid", show_default=True)
@click.option("--model", "model_path", type=click.Path(), default=None,
              help="Model folder (default: the shipped model).")
@click.option("--titles", is_flag=True,
              help="Also tag each record's title (JSONL 'title') as its own passage, of kind "
                   "'title', before the body; every record then says its kind.")
@click.option("--strict", is_flag=True, help="Stop at the first unusable file or record.")
@parallel_options
@output_options()
@reports_errors
def classify(files, unit, method, model_path, titles, strict, jobs, scheduler, fmt, output):
    """Tag every passage of FILE... (.txt articles, .jsonl records, - for stdin)."""
    from framing.io.atomic import check_output, refuse_overwriting_inputs
    from framing.run.classify import classify_files, jsonl_bytes
    from framing.model.storage import load_model
    from framing.io.writers import open_output, write, write_lines

    check_output(output)
    refuse_overwriting_inputs([output], files)
    fmt = resolve_format(fmt, output)
    errors = None if strict else PrintingErrors()
    lines = fmt == "jsonl"  # rendered in the workers when there are several
    results = classify_files(files, model=load_model(model_path), method=method, unit=unit,
                             errors=errors, jobs=jobs, scheduler=scheduler, titles=titles,
                             transform=jsonl_bytes if lines else None)
    with open_output(output) as out:
        if lines:
            write_lines(results, out)
        elif fmt == "table":
            write((_table_row(r) for r in results), fmt, out, wrap_column="text",
                  table_columns=[("source", 22), ("#", 3), ("frames", 44), ("text", 0)])
        else:
            write((r.to_dict() for r in results), fmt, out)
    if errors:
        fail(f"{len(errors)} input problem(s); the other inputs were classified", EXIT_INPUT)


def _table_row(result) -> dict:
    frames = ", ".join(f"{f} {result.scores[f]:.2f}" for f in result.frames) or "-"
    return {"source": f"{os.path.basename(result.source)}:{result.document_id}"
            if result.source.endswith((".jsonl", ".ndjson")) else os.path.basename(result.source),
            "#": result.passage_index, "frames": frames, "text": result.text}
