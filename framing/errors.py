"""Errors a user can act on, each with the exit code the CLI maps it to.

The CLI prints ``str(error)`` on one line and exits with ``error.exit_code``; it never shows a
traceback for these. Library callers catch :class:`FramingError`.
"""

EXIT_OK = 0
EXIT_FAILURE = 1  # a gate failed (e.g. ``--fail-on-shift``), not an input problem
EXIT_USAGE = 2  # bad options or arguments (click's own code for usage errors)
EXIT_INPUT = 3  # an input file or record could not be read or is malformed
EXIT_MODEL = 4  # a model file is missing, corrupt, tampered with or foreign


class FramingError(Exception):
    """Base class: a problem the user can fix, reported in one line."""

    exit_code = EXIT_FAILURE


class UsageError(FramingError):
    exit_code = EXIT_USAGE


class InputError(FramingError):
    """An input (file, record, manifest) cannot be used; the message names it."""

    exit_code = EXIT_INPUT


class ModelError(FramingError):
    """A model or lexicon file cannot be loaded safely; the message says how to fix it."""

    exit_code = EXIT_MODEL


class GateError(FramingError):
    """A CI gate (shift or divergence threshold) was exceeded."""

    exit_code = EXIT_FAILURE


class OutputError(FramingError):
    """An output file cannot be written (no such folder, disk full, read-only); the previous
    file, if any, is left as it was."""

    exit_code = EXIT_INPUT
