"""What every command shares: one error line and exit code per failure, output and
parallelism options, format resolution. Only click and the standard library are imported."""

from __future__ import annotations

import functools
import os
import sys

import click

from framing.errors import FramingError, UsageError

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


def output_options(formats=FORMATS, piped: str = "jsonl"):
    """``--output`` and ``--format``; without ``--format``, a table on a terminal, else
    ``piped`` (what :func:`resolve_format` must be given as its ``fallback``)."""

    def decorate(command):
        command = click.option("--output", "-o", type=click.Path(), default=None,
                               help="Write here (atomically) instead of stdout.")(command)
        command = click.option("--format", "fmt", type=click.Choice(formats), default=None,
                               help="Output format [default: table on a terminal, else "
                                    f"{piped}].")(command)
        return command

    return decorate


def resolve_format(fmt: str | None, output: str | None, fallback: str = "jsonl") -> str:
    from framing.io.writers import default_format

    if fmt:
        return fmt
    chosen = default_format(output)
    return chosen if chosen == "table" else fallback


def parallel_options(command):
    """``--jobs`` and ``--scheduler`` (same results, in the same order, however run).

    ``--jobs 0`` means all usable cores, as the default does; a negative value is a usage
    error; more jobs than usable cores run on the usable cores, with a note on stderr
    (never hundreds of processes)."""

    @functools.wraps(command)
    def checked(*args, jobs=None, scheduler=None, **kwargs):
        return command(*args, jobs=_checked_jobs(jobs, scheduler), scheduler=scheduler, **kwargs)

    checked = click.option(
        "--scheduler", default=None, metavar="ADDRESS", envvar="FRAMING_SCHEDULER",
        help="Run on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786) "
             "[env FRAMING_SCHEDULER]; needs pip install 'framing[dask]'.")(checked)
    checked = click.option(
        "--jobs", "-j", type=int, default=None, metavar="N",
        help="Worker processes, at most the usable cores [default: all usable cores; 0: "
             "the same]; 1 runs in this process, as does any input too small to gain from "
             "workers (under 4 MB of text).")(checked)
    return checked


def _checked_jobs(jobs: int | None, scheduler: str | None) -> int | None:
    if jobs is None or jobs == 0:
        return None
    if jobs < 0:
        fail(f"--jobs {jobs}: must be 0 (all usable cores) or more", UsageError.exit_code)
    from framing.run.parallel import usable_cores  # lazy: joblib's neighbours

    cores = usable_cores()
    if jobs > cores and not scheduler:
        click.echo(f"framing: note: --jobs {jobs} is more than the {cores} usable core(s); "
                   f"running {cores} worker process(es)", err=True)
        return cores
    return jobs


def gold_files(gold: tuple[str, ...]) -> list[str]:
    from framing.io.labelled import gold_paths  # lazy: numpy

    if gold:
        return list(gold)
    if not os.path.isdir(DEFAULT_GOLD):
        raise UsageError(f"no --gold given and no {DEFAULT_GOLD}/ here; run from the repository "
                         "root or pass --gold FILE.jsonl")
    return [str(p) for p in gold_paths(DEFAULT_GOLD)]


def training_settings(**overrides):
    from framing.training.fitting import Settings  # lazy: scikit-learn

    return Settings(**{k: v for k, v in overrides.items() if v is not None})
