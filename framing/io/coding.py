"""A coding session over a sheet: show a passage, toggle frames, save after every answer.

:class:`CodingSession` is the state (which passage, which frames are marked) and the file:
every answer rewrites the sheet atomically, so an interrupted session loses nothing and a
new one resumes at the first passage not yet coded. :func:`run_session` is the loop
``framing annotate`` runs; it takes a key reader and a writer, so it works on any terminal
(single key presses, no curses, fine over ssh) and under test.
"""

from __future__ import annotations

import os
import textwrap
from typing import Callable

from framing.frames import FRAME_DEFINITIONS, FRAMES
from framing.io.sheets import read_sheet_and_format, write_sheet
from framing.io.writers import terminal_safe

KEYS_HELP = ("keys: 1-4 toggle a frame · Enter save and next · 0 no frame (save and next) · "
             "b back · s skip · q quit")
ENTER = ("\r", "\n")


class CodingSession:
    """The passages of one sheet, the one being coded and the frames marked on it."""

    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        self.records, self.format = read_sheet_and_format(self.path)
        self.position = self.first_uncoded()
        self.marked: set = self._saved_frames()

    # -- state -------------------------------------------------------------------------
    def first_uncoded(self, start: int = 0) -> int:
        """The first passage at or after ``start`` with no answer (len when none is left)."""
        for k in range(start, len(self.records)):
            if self.records[k]["frames"] is None:
                return k
        return len(self.records)

    @property
    def done(self) -> bool:
        return self.position >= len(self.records)

    @property
    def coded(self) -> int:
        return sum(r["frames"] is not None for r in self.records)

    def _saved_frames(self) -> set:
        if self.done:
            return set()
        return set(self.records[self.position]["frames"] or ())

    def _go(self, position: int) -> None:
        self.position = position
        self.marked = self._saved_frames()

    # -- answers -----------------------------------------------------------------------
    def toggle(self, frame: str) -> None:
        self.marked ^= {frame}

    def save(self, frames=None) -> None:
        """Record the marked frames (or ``frames``) for this passage, write the sheet
        atomically, and move to the next passage."""
        chosen = self.marked if frames is None else set(frames)
        self.records[self.position]["frames"] = [f for f in FRAMES if f in chosen]
        write_sheet(self.path, self.records, self.format)
        self._go(self.position + 1)

    def skip(self) -> None:
        self._go(self.position + 1)

    def back(self) -> None:
        self._go(max(0, self.position - 1))

    # -- display -----------------------------------------------------------------------
    def screen(self, width: int = 88) -> str:
        """What the coder sees: progress, the passage, each frame with its definition."""
        if self.done:
            return (f"{self.coded} of {len(self.records)} passages coded; "
                    f"{len(self.records) - self.coded} left. The sheet is saved: {self.path}")
        record = self.records[self.position]
        status = "" if record["frames"] is None else "  (coded before; Enter keeps the marks)"
        lines = [f"passage {self.position + 1} of {len(self.records)} · "
                 f"{self.coded} coded · group {terminal_safe(str(record['group']))}{status}", ""]
        for paragraph in terminal_safe(record["text"]).split("\n"):
            lines += textwrap.wrap(paragraph, width) or [""]
        lines.append("")
        for k, frame in enumerate(FRAMES, start=1):
            mark = "x" if frame in self.marked else " "
            lines.append(f"  {k} [{mark}] {frame.replace('_', ' ')}: {FRAME_DEFINITIONS[frame]}")
        return "\n".join(lines + ["", KEYS_HELP])


def run_session(session: CodingSession, read_key: Callable[[], str],
                write: Callable[[str], None]) -> int:
    """Show passages and take keys until every passage is answered, ``q``, Ctrl-C or the end
    of input; returns how many answers were saved."""
    saved = 0
    while not session.done:
        write(session.screen())
        try:
            key = read_key()
        except (EOFError, KeyboardInterrupt):
            break
        if not key or key in ("q", "Q", "\x03", "\x04"):
            break
        if key in ("1", "2", "3", "4"):
            session.toggle(FRAMES[int(key) - 1])
        elif key in ENTER:
            session.save()
            saved += 1
        elif key == "0":
            session.save(frames=())
            saved += 1
        elif key in ("s", "S"):
            session.skip()
        elif key in ("b", "B"):
            session.back()
    write(session.screen())
    return saved
