"""``framing evaluate``: per-frame precision, recall and F1 of every method."""

from __future__ import annotations

import click

from framing.errors import UsageError
from framing.cli.options import (DEFAULT_GOLD, gold_files, output_options, reports_errors,
                                 resolve_format, training_settings)

@click.command()
@click.option("--gold", multiple=True, type=click.Path(),
              help=f"Labelled JSONL for cross-validation [default: {DEFAULT_GOLD}/*.jsonl].")
@click.option("--data", "data_path", type=click.Path(), default=None,
              help="Score the trained model on this labelled JSONL instead of cross-validating.")
@click.option("--model", "model_path", type=click.Path(), default=None,
              help="Model folder for --data (default: the shipped model).")
@click.option("--holdout", default=None, metavar="PROVENANCE",
              help="Instead of CV, train on the other passages and test on those of this "
                   "provenance (e.g. seed: real articles, unseen in training).")
@click.option("--leave-article-out", "leave_out", default=None, metavar="PROVENANCE",
              help="Instead of CV, test each article of this provenance on a model trained "
                   "on all other passages (e.g. seed), and pool the predictions.")
@click.option("--folds", type=click.IntRange(2, 20), default=None, help="CV folds [default: 5].")
@click.option("--seed", type=int, default=None, help="Seed for CV splits [default: 13].")
@output_options(("table", "json", "csv"), piped="json")
@reports_errors
def evaluate(gold, data_path, model_path, holdout, leave_out, folds, seed, fmt, output):
    """Per-frame precision, recall and F1 of lexicon, model and hybrid.

    A figure whose denominator is zero (precision with no predicted positives, recall with no
    positive passage, F1 with neither) is undefined: null in JSON, blank in CSV, "undefined"
    in the table, and left out of the macro averages.
    """
    from framing.io.atomic import check_output
    from framing.training.evaluate import (cross_validate, holdout_evaluate, leave_article_out, score_labelled,
                           summary_rows)
    from framing.io.labelled import load_labelled
    from framing.lexicon import Lexicon
    from framing.model.storage import load_model
    from framing.io.writers import open_output, write

    check_output(output)
    fmt = resolve_format(fmt, output, fallback="json")
    if data_path:
        data = load_labelled([data_path])
        report = score_labelled(load_model(model_path), data)
    else:
        data = load_labelled(gold_files(gold))
        settings = training_settings(folds=folds, seed=seed)
        if holdout and leave_out:
            raise UsageError("--holdout and --leave-article-out are two different evaluations: "
                             "give one")
        if holdout:
            report = holdout_evaluate(data, Lexicon.load(), holdout, settings)
        elif leave_out:
            report = leave_article_out(data, Lexicon.load(), leave_out, settings)
        else:
            report = cross_validate(data, Lexicon.load(), settings)
    with open_output(output) as out:
        if fmt == "json":
            import json

            out.write(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        elif fmt == "table":
            out.write(f"{report['procedure']}; {report['passages']} passages\n")
            rows = [{k: "undefined" if v is None else v for k, v in row.items()}
                    for row in summary_rows(report)]  # null in JSON, blank in CSV
            write(rows, "table", out, table_columns=[
                ("subset", 9), ("method", 8), ("frame", 17), ("precision", 9), ("recall", 9), ("f1", 9),
                ("support", 7)])
        else:
            write(summary_rows(report), fmt, out)
