"""``framing annotate``: code a sheet in the terminal, one key per answer, saved as you go."""

from __future__ import annotations

import sys

import click

from framing.cli.options import reports_errors


def _read_key() -> str:
    """One key press; from standard input when there is no terminal (e.g. a pipe)."""
    try:
        return click.getchar()
    except OSError:  # no terminal to read raw keys from
        return sys.stdin.read(1)


@click.command("annotate")
@click.argument("sheet", type=click.Path())
@reports_errors
def annotate(sheet):
    """Code the passages of SHEET (from framing sample) in the terminal.

    Shows one passage and a one-line definition of each frame; keys 1-4 toggle a frame,
    Enter saves and moves on, 0 saves "no frame", b goes back, s skips, q quits. The sheet
    is saved (atomically) after every answer; run it again to resume at the first passage
    not yet coded.
    """
    from framing.io.coding import CodingSession, run_session

    session = CodingSession(sheet)
    saved = run_session(session, _read_key, lambda text: click.echo("\n" + text))
    click.echo(f"framing: {saved} answer(s) saved to {sheet}", err=True)
