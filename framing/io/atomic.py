"""Write files so that a reader never sees a half-written one.

Everything framing writes goes to a temporary file in the destination folder and is renamed
into place only once complete, so Ctrl-C, SIGTERM, a full disk or an exception mid-way leaves
the previous file intact and no fragment behind. Files that belong together (a model's arrays
and the JSON holding their checksum; the reports of one ``compare`` run) are all written to
temporary files first and then renamed together with SIGINT and SIGTERM held back, so an
interruption leaves either every old file or every new one.

A failure to write (no such folder, disk full, read-only file system) is an
:class:`~framing.errors.OutputError` naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import tempfile
from pathlib import Path
from typing import IO, Iterable, Iterator

from framing.errors import OutputError, UsageError

#: errno values of a write that failed for lack of room or permission, whatever raised them.
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})
_HELD_SIGNALS = {signal.SIGINT, getattr(signal, "SIGTERM", signal.SIGINT)}


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM (delivered on exit) where the platform allows it."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _output_error(target: Path, exc: OSError) -> OutputError:
    if isinstance(exc, FileNotFoundError) and not target.parent.is_dir():
        reason = f"folder {target.parent} does not exist"
    else:
        reason = exc.strerror or str(exc)
    return OutputError(f"{target}: cannot write ({reason}); no output file was changed")


def _temporary(target: Path) -> tuple[int, str]:
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        os.chmod(tmp_name, _mode_for(target))
    except BaseException:
        os.close(fd)
        os.unlink(tmp_name)
        raise
    return fd, tmp_name


def _commit(pairs: list[tuple[str, Path]]) -> None:
    """Rename every temporary file over its target, signals held, then sync the folders."""
    with signals_held():
        for tmp_name, target in pairs:
            os.replace(tmp_name, target)
    for directory in {target.parent for _, target in pairs}:
        _fsync_folder(directory)


def _fsync_folder(directory: Path) -> None:
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory if str(directory) else ".", os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _discard(tmp_names: Iterable[str]) -> None:
    with signals_held():
        for tmp_name in tmp_names:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8",
                  newline: str | None = "\n") -> Iterator[IO]:
    """Open a temporary sibling of ``path``; on success fsync and rename it over ``path``."""
    target = Path(path)
    binary = "b" in mode
    tmp_name = None
    in_body = False
    try:
        with signals_held():
            fd, tmp_name = _temporary(target)
        with os.fdopen(fd, mode, encoding=None if binary else encoding,
                       newline=None if binary else newline) as handle:
            in_body = True
            yield handle
            in_body = False
            handle.flush()
            os.fsync(handle.fileno())
        _commit([(tmp_name, target)])
    except BaseException as exc:
        if tmp_name is not None:
            _discard([tmp_name])
        if isinstance(exc, OSError) and (not in_body or exc.errno in WRITE_ERRNOS):
            raise _output_error(target, exc) from None
        raise


def write_files_atomic(files: Iterable[tuple[str | os.PathLike, str | bytes]]) -> None:
    """Write several files as one: all to temporary files, then all renamed into place
    (text is written as UTF-8). On any failure or interruption no target is touched."""
    written: list[tuple[str, Path]] = []
    target = None
    try:
        for path, content in files:
            target = Path(path)
            with signals_held():
                fd, tmp_name = _temporary(target)
                written.append((tmp_name, target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(content.encode("utf-8") if isinstance(content, str) else content)
                handle.flush()
                os.fsync(handle.fileno())
        _commit(written)
    except BaseException as exc:
        _discard(tmp_name for tmp_name, _ in written)
        if isinstance(exc, OSError) and target is not None:
            raise _output_error(target, exc) from None
        raise


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0666 less the umask
    (mkstemp alone would make it private)."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def check_output(path: str | os.PathLike | None, *, folder: bool = False) -> None:
    """Refuse an output path that cannot work before any work is done: a folder where a file
    is expected (or the reverse) is a usage error, a missing parent folder an OutputError."""
    if path is None or os.fspath(path) == "-":
        return
    target = Path(path)
    if folder:
        if target.exists() and not target.is_dir():
            raise UsageError(f"--output {path}: is a file; give a folder for the model")
        return
    if target.is_dir():
        raise UsageError(f"--output {path}: is a folder; give a file name")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"--output {path}: folder {parent} does not exist")
