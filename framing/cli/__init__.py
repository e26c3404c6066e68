"""The ``framing`` command line: parse options, call one library function, format the result.

Each command lives in its own module and is registered here explicitly: a command whose
module fails to import breaks ``framing`` loudly instead of vanishing from the list. Heavy
libraries are imported inside the commands, so ``framing --help`` starts fast. Every
:class:`~framing.errors.FramingError` becomes one ``framing: error: ...`` line and its exit
code; no traceback reaches the user.
"""

from __future__ import annotations

import click

from framing import __version__
from framing.cli.agreement import agreement
from framing.cli.annotate import annotate
from framing.cli.classify import classify
from framing.cli.compare import compare_command
from framing.cli.evaluate import evaluate
from framing.cli.sample import sample
from framing.cli.train import train

COMMANDS = (classify, compare_command, sample, annotate, train, evaluate, agreement)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="framing")
def cli():
    """Tag news passages with the war frames they make salient, and compare outlets.

    Frames: military_success, escalation, diplomacy, civilian_harm.
    """


for _command in COMMANDS:
    cli.add_command(_command)


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
