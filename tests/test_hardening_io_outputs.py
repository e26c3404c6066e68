"""Issue 14, items 1, 3 and 5: where output goes, and what it must never destroy.

1. ``-o`` never replaces anything but a regular file: a character device or a FIFO is written
   as a stream and stays what it was; ``/dev/stdout``, ``/dev/fd/1`` and ``/proc/self/fd/1``
   write to the inherited standard output; a symbolic link's *target* is written and the
   link stays; a block device or a socket is refused (exit 2).
3. An output that is one of the inputs (same device and inode: by name, link or hard link,
   or standard output appended to an input) is refused before any work (exit 2), the input
   byte for byte intact.
5. A closed standard input, a closed or full standard output give one ``framing: error:``
   line and exit 3; the other inputs are still processed.

No test here can replace a system file: the devices written to are private nodes made in
``tmp_path`` (``mknod``, as root), and the real ``/dev/null``, ``/dev/full`` and
``/dev/stdout`` are used only after the same command has left a private copy in place, and
checked to be character devices afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from framing.cli import cli

GOOD_TEXT = "Russian shelling killed three civilians in Kherson, officials said.\n"
SCRIPT = Path(sys.executable).parent / "framing"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "framing"]


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def shell(script: str, *args, cwd=None, stdout=subprocess.PIPE, timeout=300):
    """``script`` run by sh with $0 the framing command and $1... ``args``: for what only
    real file descriptors show (``<&-``, ``>&-``, ``>/dev/full``, ``>>``)."""
    assert len(COMMAND) == 1, "these tests need the installed console script"
    return subprocess.run(["sh", "-c", script, COMMAND[0], *map(str, args)], cwd=cwd,
                          stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=timeout)


def one_error_line(stderr: str, *fragments: str) -> str:
    lines = stderr.splitlines()
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    assert lines and all(line.startswith("framing: error: ") for line in lines), lines
    assert any(all(f in line for f in fragments) for line in lines), (fragments, lines)
    return stderr


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture()
def good(tmp_path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text(GOOD_TEXT, encoding="utf-8")
    return path


def private_device(folder: Path, name: str, like: str) -> Path:
    """A character device node in ``folder`` with the numbers of ``like`` (/dev/null,
    /dev/full): what the code must not replace, without risking the system's own."""
    info = os.stat(like)
    path = folder / name
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, info.st_rdev)
        with open(path, "wb"):
            pass
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here ({exc}); needs root")
    return path


def still_device(path: Path, like: str) -> None:
    info = os.lstat(path)
    assert stat.S_ISCHR(info.st_mode), f"{path} was replaced by a regular file"
    assert info.st_rdev == os.stat(like).st_rdev


# -- item 1: special files and symbolic links --------------------------------------------

def test_classify_to_a_character_device_writes_it_in_place(tmp_path, good):
    null = private_device(tmp_path, "null", "/dev/null")
    result = run("classify", good, "-o", null)
    assert result.exit_code == 0, result.stderr
    still_device(null, "/dev/null")
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_full_device_is_an_error_and_stays_a_device(tmp_path, good):
    full = private_device(tmp_path, "full", "/dev/full")
    result = run("classify", good, "-o", full)
    assert result.exit_code == 3
    one_error_line(result.stderr, "No space left on device")
    still_device(full, "/dev/full")


def test_the_real_dev_null_and_dev_full_are_never_replaced(tmp_path, good):
    # the same run on private copies first: a regression stops here, before /dev is touched
    test_classify_to_a_character_device_writes_it_in_place(tmp_path, good)
    test_a_full_device_is_an_error_and_stays_a_device(tmp_path, good)
    assert run("classify", good, "-o", "/dev/null").exit_code == 0
    still_device(Path("/dev/null"), "/dev/null")
    full = run("classify", good, "-o", "/dev/full")
    assert full.exit_code == 3 and "No space left" in full.stderr
    still_device(Path("/dev/full"), "/dev/full")


def test_classify_to_a_fifo_streams_into_it(tmp_path, good):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run("classify", good, "-o", fifo, "--format", "jsonl")
    reader.join(timeout=60)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced by a regular file"
    assert received and jsonl(received[0].decode())[0]["source"] == str(good)


@pytest.mark.parametrize("target", ["link", "/dev/fd/1", "/proc/self/fd/1"])
def test_standard_output_by_name_is_written_as_a_stream(tmp_path, good, target):
    if target == "link":  # a link of ours to /dev/stdout
        target = tmp_path / "out.jsonl"
        target.symlink_to("/dev/stdout")
    result = shell('exec "$0" classify "$1" -o "$2"', good, target)
    assert result.returncode == 0, result.stderr
    assert jsonl(result.stdout)[0]["text"] == GOOD_TEXT.strip()
    if isinstance(target, Path):
        assert os.readlink(target) == "/dev/stdout"


def test_dev_stdout_appends_to_what_the_shell_opened(tmp_path, good):
    test_standard_output_by_name_is_written_as_a_stream(tmp_path, good, "/dev/fd/1")  # guard
    log = tmp_path / "log.jsonl"
    log.write_text('{"earlier": true}\n', encoding="utf-8")
    result = shell('exec "$0" classify "$1" -o /dev/stdout >> "$2"', good, log, stdout=None)
    assert result.returncode == 0, result.stderr
    rows = jsonl(log.read_text(encoding="utf-8"))
    assert rows[0] == {"earlier": True} and rows[1]["text"] == GOOD_TEXT.strip()
    assert os.readlink("/dev/stdout") == "/proc/self/fd/1"
    closed = shell('exec "$0" classify "$1" -o /dev/stdout >&-', good)
    assert closed.returncode == 3
    one_error_line(closed.stderr, "/dev/stdout", "closed")


def test_a_symbolic_link_output_writes_its_target_and_stays_a_link(tmp_path, good):
    target = tmp_path / "reports" / "latest.jsonl"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "out.jsonl"
    link.symlink_to(target)
    assert run("classify", good, "-o", link, "--format", "jsonl").exit_code == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert jsonl(target.read_text(encoding="utf-8"))[0]["source"] == str(good)
    assert not list(tmp_path.glob(".*.tmp")) and not list(target.parent.glob(".*.tmp"))

    dangling = tmp_path / "new.jsonl"
    dangling.symlink_to("created.jsonl")  # a link to a file not there yet: it is created
    assert run("classify", good, "-o", dangling, "--format", "jsonl").exit_code == 0
    assert dangling.is_symlink() and (tmp_path / "created.jsonl").is_file()

    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    loop = run("classify", good, "-o", tmp_path / "loop1")
    assert loop.exit_code == 2
    one_error_line(loop.stderr, "symbolic link loop")
    assert (tmp_path / "loop1").is_symlink()


def test_a_socket_or_block_device_output_is_refused(tmp_path, good):
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        result = run("classify", good, "-o", path)
        assert result.exit_code == 2
        one_error_line(result.stderr, "is a socket")
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        server.close()
    block = tmp_path / "disk"
    try:
        os.mknod(block, stat.S_IFBLK | 0o600, os.makedev(7, 200))
    except OSError:
        return  # not root: the socket case above is enough
    result = run("classify", good, "-o", block)
    assert result.exit_code == 2
    one_error_line(result.stderr, "is a block device")
    assert stat.S_ISBLK(os.lstat(block).st_mode)


# -- a small corpus, for compare ---------------------------------------------------------

ARTICLES = {
    "a1.txt": ("Alpha", "Russian shelling killed three civilians in Kherson, officials said.\n\n"
                        "Rescuers pulled children from the rubble of an apartment block.\n"),
    "a2.txt": ("Alpha", "Delegations met in Istanbul for a new round of peace talks.\n\n"
                        "Diplomats said a ceasefire could be agreed within weeks.\n"),
    "b1.txt": ("Beta", "Ukrainian forces recaptured two villages near Bakhmut.\n\n"
                       "Air defences shot down 40 of 52 drones overnight.\n"),
    "b2.txt": ("Beta", "Moscow warned of escalation after new long-range missiles arrived.\n\n"
                       "The Kremlin threatened a response to the strikes on its territory.\n"),
}


@pytest.fixture()
def corpus(tmp_path) -> Path:
    root = tmp_path / "c"
    (root / "articles").mkdir(parents=True)
    rows = ["file,outlet"]
    for name, (outlet, text) in ARTICLES.items():
        (root / "articles" / name).write_text(text, encoding="utf-8")
        rows.append(f"articles/{name},{outlet}")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def compare(*args, model=None):
    extra = ["--model", model] if model else []
    return run("compare", *args, "-q", "--bootstrap", "0", "--permutations", "0", *extra)


def test_compare_to_a_device_writes_it_in_place(tmp_path, corpus, small_model_dir):
    null = private_device(tmp_path, "null", "/dev/null")
    result = compare(corpus, "-o", null, model=small_model_dir)
    assert result.exit_code == 0, result.stderr
    still_device(null, "/dev/null")
    link = tmp_path / "null.md"  # several outputs, one of them a device behind a link
    link.symlink_to(null)
    result = compare(corpus, "-o", link, "-o", tmp_path / "r.json", model=small_model_dir)
    assert result.exit_code == 0, result.stderr
    still_device(null, "/dev/null")
    assert link.is_symlink()
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["groups"]
    full = private_device(tmp_path, "full", "/dev/full")
    result = compare(corpus, "-o", full, model=small_model_dir)
    assert result.exit_code == 3
    one_error_line(result.stderr, "No space left on device")
    still_device(full, "/dev/full")


# -- item 3: an output that is an input ---------------------------------------------------

def snapshot(*paths: Path) -> dict:
    return {path: path.read_bytes() for path in paths}


@pytest.mark.parametrize("how", ["same-name", "symlink", "hard-link"])
def test_classify_refuses_to_overwrite_an_input(tmp_path, good, how):
    records = tmp_path / "a.jsonl"
    records.write_text('{"id": "1", "text": "Talks resumed in Istanbul."}\n', encoding="utf-8")
    output = {"same-name": records, "symlink": tmp_path / "link.jsonl",
              "hard-link": tmp_path / "hard.jsonl"}[how]
    if how == "symlink":
        output.symlink_to(records)
    elif how == "hard-link":
        os.link(records, output)
    before = snapshot(records, good)
    result = run("classify", good, records, "-o", output)
    assert result.exit_code == 2, result.stderr
    one_error_line(result.stderr, f"--output {output}", f"is the input {records}")
    assert snapshot(records, good) == before
    assert result.stdout == "" and not list(tmp_path.glob(".*.tmp"))


def test_classify_refuses_standard_input_or_output_that_is_an_input(tmp_path):
    records = tmp_path / "a.jsonl"
    records.write_text('{"id": "1", "text": "Talks resumed in Istanbul."}\n', encoding="utf-8")
    before = records.read_bytes()
    from_stdin = shell('exec "$0" classify - -o "$1" < "$1"', records)
    assert from_stdin.returncode == 2
    one_error_line(from_stdin.stderr, "is the input standard input")
    # appending the output to the input would read it back for ever
    appended = shell('exec "$0" classify "$1" >> "$1"', records, timeout=60)
    assert appended.returncode == 2
    one_error_line(appended.stderr, "standard output is the input", str(records))
    assert records.read_bytes() == before


@pytest.mark.parametrize("which", ["manifest", "article", "manifest-by-hard-link"])
def test_compare_refuses_to_overwrite_the_corpus(tmp_path, corpus, small_model_dir, which):
    files = [corpus / "manifest.csv", *sorted((corpus / "articles").iterdir())]
    before = snapshot(*files)
    output = {"manifest": corpus / "manifest.csv", "article": corpus / "articles" / "b1.txt",
              "manifest-by-hard-link": tmp_path / "report.csv"}[which]
    if which == "manifest-by-hard-link":
        os.link(corpus / "manifest.csv", output)
    also = [] if which == "article" else ["-o", tmp_path / "fine.md"]  # .txt: one output
    result = compare(corpus, *also, "-o", output, model=small_model_dir)
    assert result.exit_code == 2, result.stderr
    one_error_line(result.stderr, f"--output {output}", "is the input")
    assert snapshot(*files) == before
    assert not (tmp_path / "fine.md").exists()


def test_compare_refuses_to_overwrite_a_jsonl_corpus(tmp_path, small_model_dir):
    records = tmp_path / "records.jsonl"
    records.write_text("".join(json.dumps({"text": text, "outlet": outlet}) + "\n"
                               for outlet, text in ARTICLES.values()), encoding="utf-8")
    before = records.read_bytes()
    result = compare(records, "-o", records, "--format", "json", model=small_model_dir)
    assert result.exit_code == 2
    one_error_line(result.stderr, "is the input")
    assert records.read_bytes() == before


def test_compare_may_replace_its_baseline(tmp_path, corpus, small_model_dir):
    """By design: a rolling baseline is read whole before any work and replaced at the end."""
    baseline = tmp_path / "baseline.json"
    assert compare(corpus, "-o", baseline, model=small_model_dir).exit_code == 0
    again = compare(corpus, "--baseline", baseline, "-o", baseline, model=small_model_dir)
    assert again.exit_code == 0, again.stderr
    assert json.loads(baseline.read_text(encoding="utf-8"))["baseline"] is not None


# -- item 5: closed and full standard streams ---------------------------------------------

def test_closed_standard_input_is_one_input_error_and_the_rest_is_classified(tmp_path, good):
    result = shell('exec "$0" classify - "$1" --format jsonl <&-', good)
    assert result.returncode == 3
    one_error_line(result.stderr, "-: standard input is closed")
    assert [row["source"] for row in jsonl(result.stdout)] == [str(good)]


def test_closed_standard_output_is_refused_before_any_work(tmp_path, good, small_gold,
                                                           small_model_dir, corpus):
    for script, args in [('exec "$0" classify "$1" >&-', [good]),
                         ('exec "$0" compare "$1" -q --bootstrap 0 --permutations 0 '
                          '--model "$2" >&-', [corpus, small_model_dir]),
                         ('exec "$0" evaluate --data "$1" --model "$2" >&-',
                          [small_gold, small_model_dir])]:
        result = shell(script, *args)
        assert result.returncode == 3, (script, result.stderr)
        one_error_line(result.stderr, "standard output is closed")
    to_file = shell('exec "$0" classify "$1" -o "$2" >&-', good, tmp_path / "out.jsonl")
    assert to_file.returncode == 0, to_file.stderr
    assert jsonl((tmp_path / "out.jsonl").read_text(encoding="utf-8"))


def test_full_standard_output_is_one_error_line(tmp_path, good, small_gold, small_model_dir,
                                                corpus):
    cases = [('exec "$0" classify "$1" >/dev/full', [good]),
             ('exec "$0" classify "$1" --format table >/dev/full', [good]),
             ('exec "$0" classify "$1" --format csv >/dev/full', [good]),
             ('exec "$0" compare "$1" -q --bootstrap 0 --permutations 0 --model "$2" '
              '>/dev/full', [corpus, small_model_dir]),
             ('exec "$0" evaluate --data "$1" --model "$2" >/dev/full',
              [small_gold, small_model_dir])]
    for script, args in cases:
        result = shell(script, *args)
        assert result.returncode == 3, (script, result.stderr)
        one_error_line(result.stderr, "standard output", "No space left on device")
        still_device(Path("/dev/full"), "/dev/full")


def test_closed_standard_error_still_gives_the_exit_code(tmp_path, good):
    result = shell('exec "$0" classify "$1" "$2" --format jsonl 2>&-', tmp_path / "missing.txt",
                   good)
    assert result.returncode == 3
    assert [row["source"] for row in jsonl(result.stdout)] == [str(good)]
