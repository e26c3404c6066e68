"""``framing train``: fit the methods on labelled passages and write a model folder."""

from __future__ import annotations

import click

from framing.cli.options import (DEFAULT_GOLD, DEFAULT_MODEL_OUTPUT, gold_files, reports_errors,
                                 training_settings)
from framing.errors import UsageError


@click.command()
@click.option("--gold", multiple=True, type=click.Path(),
              help=f"Labelled JSONL (repeatable) [default: {DEFAULT_GOLD}/*.jsonl].")
@click.option("--lexicon", "lexicon_path", type=click.Path(), default=None,
              help="Lexicon TSV (default: the shipped lexicon).")
@click.option("--output", "-o", default=None, type=click.Path(),
              help="Model folder to write (atomically); required, so that no run replaces a "
                   f"model by default. Maintainers rebuild the shipped one with "
                   f"-o {DEFAULT_MODEL_OUTPUT}.")
@click.option("--seed", type=int, default=None, help="Seed for CV splits [default: 13].")
@click.option("--no-cross-validation", is_flag=True, help="Skip the CV figures in the card.")
@click.option("--frozen-test", "frozen_test", type=click.Path(), default=None,
              help="For a release: record the trained model's figures on this labelled file "
                   "(e.g. corpus/gold/test/real_test.jsonl) in the card. It shapes nothing.")
@reports_errors
def train(gold, lexicon_path, output, seed, no_cross_validation, frozen_test):
    """Train the lexicon thresholds, model and hybrid; write the model and its card to the
    folder --output names (required)."""
    from framing.io.atomic import check_output
    from framing.io.labelled import load_labelled
    from framing.lexicon import Lexicon
    from framing.model.card import figure
    from framing.model.storage import save_model
    from framing.training.train import train_model

    if not output:
        raise UsageError("no --output given; name the model folder to write, e.g. -o my-model "
                         f"(-o {DEFAULT_MODEL_OUTPUT} rebuilds the shipped model)")
    check_output(output, folder=True)
    data = load_labelled(gold_files(gold))
    test = load_labelled([frozen_test]) if frozen_test else None
    model = train_model(data, Lexicon.load(lexicon_path), training_settings(seed=seed),
                        cross_validation=not no_cross_validation, frozen_test=test)
    save_model(model, output)
    click.echo(f"framing: wrote {output} ({len(data)} passages)", err=True)
    cv = model.card.get("cross_validation")
    if cv:
        for method, result in cv["methods"].items():
            click.echo(f"  CV macro-F1 {method:<8} {figure(result['macro_f1'])}", err=True)
    for method, result in model.card.get("frozen_test", {}).get("methods", {}).items():
        click.echo(f"  frozen-test macro-F1 {method:<8} {figure(result['macro_f1'])}",
                   err=True)
