"""The ``framing`` command line: parse options, call one library function, format the result.

Heavy libraries are imported inside the commands that need them, so ``framing --help`` starts
fast. Every :class:`~framing.errors.FramingError` becomes one ``framing: error: ...`` line and
its exit code; no traceback reaches the user.
"""

from __future__ import annotations

import functools
import os
import sys

import click

from framing import __version__
from framing.errors import EXIT_INPUT, FramingError, UsageError
from framing.frames import METHODS
from framing.text.segment import UNITS

FORMATS = ("table", "json", "jsonl", "csv")
DEFAULT_GOLD = os.path.join("corpus", "gold")
DEFAULT_MODEL_OUTPUT = os.path.join("models", "framing-default")


def fail(message: str, code: int) -> None:
    click.echo(f"framing: error: {message}", err=True)
    sys.exit(code)


def reports_errors(command):
    """Turn library errors, Ctrl-C and a closed pipe into one line and an exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except FramingError as exc:
            fail(str(exc), exc.exit_code)
        except KeyboardInterrupt as exc:
            fail("interrupted; no output file was changed", getattr(exc, "exit_code", 130))
        except BrokenPipeError:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)

    return wrapper


class PrintingErrors(list):
    """Collects input problems and prints each as it happens, so long runs show them early."""

    def append(self, error) -> None:
        click.echo(f"framing: error: {error}", err=True)
        super().append(error)


def output_options(formats=FORMATS):
    def decorate(command):
        command = click.option("--output", "-o", type=click.Path(), default=None,
                               help="Write here (atomically) instead of stdout.")(command)
        command = click.option("--format", "fmt", type=click.Choice(formats), default=None,
                               help="Output format [default: table on a terminal, else "
                                    f"{'jsonl' if 'jsonl' in formats else formats[0]}].")(command)
        return command

    return decorate


def resolve_format(fmt: str | None, output: str | None, fallback: str = "jsonl") -> str:
    from framing.io.writers import default_format

    if fmt:
        return fmt
    chosen = default_format(output)
    return chosen if chosen == "table" else fallback


def parallel_options(command):
    """``--jobs`` and ``--scheduler`` (same results, in the same order, however run)."""
    command = click.option(
        "--scheduler", default=None, metavar="ADDRESS", envvar="FRAMING_SCHEDULER",
        help="Run on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786) "
             "[env FRAMING_SCHEDULER]; needs pip install 'framing[dask]'.")(command)
    command = click.option(
        "--jobs", "-j", type=int, default=None, metavar="N",
        help="Worker processes [default: all cores]; 1 runs in this process.")(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="framing")
def cli():
    """Tag news passages with the war frames they make salient, and compare outlets.

    Frames: military_success, escalation, diplomacy, civilian_harm.
    """


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--unit", type=click.Choice(UNITS), default="paragraph", show_default=True,
              help="Passage unit: blank-line/one-per-line paragraphs, Punkt sentences, or "
                   "each input text whole (for pre-cut passages in JSONL).")
@click.option("--method", type=click.Choice(METHODS), default="hybrid", show_default=True)
@click.option("--model", "model_path", type=click.Path(), default=None,
              help="Model folder (default: the shipped model).")
@click.option("--strict", is_flag=True, help="Stop at the first unusable file or record.")
@parallel_options
@output_options()
@reports_errors
def classify(files, unit, method, model_path, strict, jobs, scheduler, fmt, output):
    """Tag every passage of FILE... (.txt articles, .jsonl records, - for stdin)."""
    from framing.io.atomic import check_output
    from framing.run.classify import classify_files, jsonl_bytes
    from framing.model.frame_model import load_model
    from framing.io.writers import open_output, write, write_lines

    check_output(output)
    fmt = resolve_format(fmt, output)
    errors = None if strict else PrintingErrors()
    lines = fmt == "jsonl"  # rendered in the workers when there are several
    results = classify_files(files, model=load_model(model_path), method=method, unit=unit,
                             errors=errors, jobs=jobs, scheduler=scheduler,
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


def _gold_files(gold: tuple[str, ...]) -> list[str]:
    from framing.io.labelled import gold_paths

    if gold:
        return list(gold)
    if not os.path.isdir(DEFAULT_GOLD):
        raise UsageError(f"no --gold given and no {DEFAULT_GOLD}/ here; run from the repository "
                         "root or pass --gold FILE.jsonl")
    return [str(p) for p in gold_paths(DEFAULT_GOLD)]


def _settings(**overrides):
    from framing.training.fitting import Settings

    return Settings(**{k: v for k, v in overrides.items() if v is not None})


@cli.command()
@click.option("--gold", multiple=True, type=click.Path(),
              help=f"Labelled JSONL (repeatable) [default: {DEFAULT_GOLD}/*.jsonl].")
@click.option("--lexicon", "lexicon_path", type=click.Path(), default=None,
              help="Lexicon TSV (default: the shipped lexicon).")
@click.option("--output", "-o", default=DEFAULT_MODEL_OUTPUT, show_default=True,
              type=click.Path(), help="Model folder to write (atomically).")
@click.option("--seed", type=int, default=None, help="Seed for CV splits [default: 13].")
@click.option("--no-cross-validation", is_flag=True, help="Skip the CV figures in the card.")
@reports_errors
def train(gold, lexicon_path, output, seed, no_cross_validation):
    """Train the lexicon thresholds, model and hybrid; write the model and its card."""
    from framing.io.atomic import check_output
    from framing.io.labelled import load_labelled
    from framing.lexicon import Lexicon
    from framing.training.train import train_model

    check_output(output, folder=True)
    data = load_labelled(_gold_files(gold))
    model = train_model(data, Lexicon.load(lexicon_path), _settings(seed=seed),
                        cross_validation=not no_cross_validation)
    model.save(output)
    click.echo(f"framing: wrote {output} ({len(data)} passages)", err=True)
    cv = model.card.get("cross_validation")
    if cv:
        for method, result in cv["methods"].items():
            click.echo(f"  CV macro-F1 {method:<8} {result['macro_f1']:.3f}", err=True)


@cli.command()
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
@output_options(("table", "json", "csv"))
@reports_errors
def evaluate(gold, data_path, model_path, holdout, leave_out, folds, seed, fmt, output):
    """Per-frame precision, recall and F1 of lexicon, model and hybrid."""
    from framing.io.atomic import check_output
    from framing.training.evaluate import (cross_validate, holdout_evaluate, leave_article_out, score_labelled,
                           summary_rows)
    from framing.io.labelled import load_labelled
    from framing.lexicon import Lexicon
    from framing.model.frame_model import load_model
    from framing.io.writers import open_output, write

    check_output(output)
    fmt = resolve_format(fmt, output, fallback="json")
    if data_path:
        data = load_labelled([data_path])
        report = score_labelled(load_model(model_path), data)
    else:
        data = load_labelled(_gold_files(gold))
        settings = _settings(folds=folds, seed=seed)
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
            write(summary_rows(report), "table", out, table_columns=[
                ("method", 8), ("frame", 17), ("precision", 9), ("recall", 6), ("f1", 6),
                ("support", 7)])
        else:
            write(summary_rows(report), fmt, out)


@cli.command()
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


def _register_optional_commands() -> None:
    try:
        from framing.cli.compare import compare_command
    except ImportError:  # pragma: no cover - compare is part of the package once built
        return
    cli.add_command(compare_command)


_register_optional_commands()


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every atomic write removes its temporary file."""

    exit_code = 128 + 15


def _terminate(signum, frame) -> None:
    raise Terminated()


def main() -> None:  # console-script entry point
    import signal

    # Python's default SIGTERM kills at once, with no cleanup; make it unwind like Ctrl-C.
    signal.signal(signal.SIGTERM, _terminate)
    cli(prog_name="framing")
