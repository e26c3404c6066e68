"""Write files so that a reader never sees a half-written one.

Everything framing writes goes to a temporary file in the destination folder and is renamed
into place only once complete, so Ctrl-C, SIGTERM, a full disk or an exception mid-way leaves
the previous file intact and no fragment behind. Files that belong together (a model's arrays
and the JSON holding their checksum; the reports of one ``compare`` run) are all written to
temporary files first and then renamed together with SIGINT and SIGTERM held back, so an
interruption leaves either every old file or every new one.

A failure to write (no such folder, disk full, read-only file system) is an
:class:`~framing.errors.OutputError` naming the file.

What stands at the path decides how it is written (:func:`resolve_output`), and nothing but a
regular file is ever replaced:

- a regular file, or no file yet: a temporary file renamed over it;
- a symbolic link: its target is written (renamed over, as above), the link stays;
- a character device (``/dev/null``) or a FIFO, or a path that goes through one of the
  system's links in ``/dev`` or ``/proc`` (``/dev/stdout``, ``/dev/fd/1``,
  ``/proc/self/fd/1``): written as a stream, opened for appending, never created, truncated or
  replaced;
- a folder, a block device or a socket: refused before any work (a usage error).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import sys
import tempfile
from pathlib import Path
from typing import IO, Iterable, Iterator, NamedTuple

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


class Destination(NamedTuple):
    """Where an output goes: ``path`` written as a stream, or a regular file there replaced."""

    path: Path
    stream: bool


#: Symbolic links below these folders belong to the system and name open streams
#: (``/dev/stdout`` -> ``/proc/self/fd/1`` -> a pipe, a terminal or the file a shell opened).
_SYSTEM_LINK_FOLDERS = ("/dev/", "/proc/")
_MAX_LINKS = 40


def _through_system_link(path: str) -> bool:
    """Whether ``path`` is, or leads through, a symbolic link of ``/dev`` or ``/proc``."""
    current = os.path.abspath(path)
    for _ in range(_MAX_LINKS):
        try:
            if not os.path.islink(current):
                return False
            if current.startswith(_SYSTEM_LINK_FOLDERS):
                return True
            current = os.path.normpath(os.path.join(os.path.dirname(current),
                                                    os.readlink(current)))
        except (OSError, ValueError):
            return False
    return False


def resolve_output(path: str | os.PathLike) -> Destination:
    """How ``path`` is written (see the module's docstring); a folder, a block device, a
    socket or a symbolic link loop is refused with a UsageError naming ``path``."""
    given = os.fspath(path)
    if _through_system_link(given):
        return Destination(Path(given), True)
    try:
        real = Path(os.path.realpath(given))
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return Destination(real, False)  # a new file (for a dangling link: its target)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UsageError(f"--output {given}: symbolic link loop; give a file name") from None
        raise OutputError(f"{given}: cannot write ({exc.strerror or exc})") from None
    except ValueError:
        raise UsageError(f"--output {given!r}: not a valid file name") from None
    if stat.S_ISREG(mode):
        return Destination(real, False)
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return Destination(real, True)
    if stat.S_ISDIR(mode):
        raise UsageError(f"--output {given}: is a folder; give a file name")
    kind = "a block device" if stat.S_ISBLK(mode) else \
        "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
    raise UsageError(f"--output {given}: is {kind}; framing writes to files, character "
                     "devices and pipes only")


@contextlib.contextmanager
def stream_writer(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8",
                  newline: str | None = "\n") -> Iterator[IO]:
    """Write to a device, a FIFO or an inherited stream (``/dev/stdout``) in place: opened
    for appending, never created, truncated or replaced. A failure is an OutputError."""
    target = Path(path)
    binary = "b" in mode
    in_body = False
    try:
        fd = os.open(target, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else encoding,
                       newline=None if binary else newline) as handle:
            in_body = True
            yield handle
            in_body = False
            handle.flush()
    except OSError as exc:
        if not in_body or exc.errno in WRITE_ERRNOS or isinstance(exc, BrokenPipeError):
            reason = exc.strerror or str(exc)
            raise OutputError(f"{target}: cannot write ({reason}); the output is "
                              "incomplete") from None
        raise


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
    """Open a temporary sibling of ``path``; on success fsync and rename it over ``path``.

    A symbolic link's target is written; a device or a FIFO is written as a stream
    (:func:`stream_writer`), never replaced (see :func:`resolve_output`)."""
    target, stream = resolve_output(path)
    if stream:
        with stream_writer(target, mode, encoding, newline) as handle:
            yield handle
        return
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
    (text is written as UTF-8). On any failure or interruption no target is touched.

    A symbolic link's target is written; a device or a FIFO (see :func:`resolve_output`) is
    written as a stream once the files are in place."""
    written: list[tuple[str, Path]] = []
    streams: list[tuple[Path, str | bytes]] = []
    target = None
    try:
        for path, content in files:
            target, stream = resolve_output(path)
            if stream:
                streams.append((target, content))
                continue
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
    for target, content in streams:
        with stream_writer(target, "wb") as handle:
            handle.write(content.encode("utf-8") if isinstance(content, str) else content)


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
        check_stdout()
        return
    if folder:
        if Path(path).exists() and not Path(path).is_dir():
            raise UsageError(f"--output {path}: is a file; give a folder for the model")
        return
    target, stream = resolve_output(path)
    if stream:
        if not os.path.exists(target):  # /dev/stdout of a closed standard output
            raise OutputError(f"--output {path}: cannot write ({missing_stream(path)})")
        return
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"--output {path}: folder {parent} does not exist")


def missing_stream(path) -> str:
    """Why a stream output cannot be opened: for /dev/stdout and the like, it is closed."""
    return "the stream it names is closed" if _through_system_link(os.fspath(path)) \
        else "no such file"


def check_stdout() -> None:
    """Refuse to start work whose output would go to a closed standard output (``>&-``)."""
    if sys.stdout is None:
        raise OutputError("standard output is closed; give --output FILE or redirect it")


def refuse_overwriting_inputs(outputs: Iterable[str | os.PathLike | None],
                              inputs: Iterable[str | os.PathLike]) -> None:
    """A UsageError, before any work, when an output is the same file (device and inode, so
    whatever the path or link that names it) as an input: writing it would destroy the input.
    An output of None or ``-`` is standard output, an input ``-`` standard input; only
    regular files are compared."""
    seen: dict[tuple[int, int], str] = {}
    for given in inputs:
        given = os.fspath(given)
        if given == "-" and sys.stdin is None:
            continue
        key = _file_key(given, 0 if given == "-" else None)
        if key is not None:
            seen.setdefault(key, given)
    if not seen:
        return
    for output in outputs:
        to_stdout = output is None or os.fspath(output) == "-"
        if to_stdout and sys.stdout is None:
            continue
        key = _file_key(None if to_stdout else os.fspath(output), 1 if to_stdout else None)
        if key is None or key not in seen:
            continue
        source = seen[key]
        source = "standard input" if source == "-" else source
        if to_stdout:
            raise UsageError(f"standard output is the input {source} (the same file); "
                             "redirect it elsewhere, nothing was done")
        raise UsageError(f"--output {os.fspath(output)}: is the input {source} (the same "
                         "file); write the output elsewhere, nothing was done")


def _file_key(path: str | None, fd: int | None) -> tuple[int, int] | None:
    """(device, inode) of a regular file at ``path`` (or open as ``fd``), else None."""
    try:
        info = os.fstat(fd) if fd is not None else os.stat(path)
    except (OSError, ValueError, TypeError):
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISREG(info.st_mode) else None
