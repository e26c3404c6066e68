"""Hostile and broken input, systematically, through every command.

Every case of issue 5 (empty, whitespace-only, binary, badly encoded, huge, truncated,
deeply nested, malformed records, duplicated ids, missing paths, folders, unreadable files,
symbolic link loops, manifest paths leaving the corpus) is fed to ``classify``, ``compare``,
``train``, ``evaluate`` and ``agreement``. Each must give one ``framing: error:`` line naming
the input and the problem (a corpus error lists its problems on indented lines), the
documented exit code (2 usage, 3 input, 4 model), and no traceback.

What happens to the good inputs alongside depends on the command, by design:

- ``classify`` is lenient: every good file and record is still classified (``--strict``
  stops at the first problem instead);
- ``compare``, ``train``, ``evaluate`` and ``agreement`` check all of their input first and
  refuse it whole, listing every problem: a comparison or a model built on silently dropped
  articles or labels would mislead, so nothing is written.
"""

from __future__ import annotations

import builtins
import errno
import gzip
import io
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import framing.io.documents
from framing.cli import cli

GOOD_TEXT = ("Delegations met in Istanbul for a new round of peace talks on Monday.\n\n"
             "Russian shelling killed three civilians in Kherson, officials said.\n")
GOOD_RECORD = {"id": "good-1", "text": "Air defences shot down 40 of 52 drones overnight.",
               "outlet": "Alpha"}

# -- the cases ---------------------------------------------------------------------------

#: Bad contents, with what the message must say (any one of the fragments).
CONTENT = {
    "empty": (b"", ("empty", "no records", "no labelled passages", "lists no articles")),
    "whitespace": (b"  \n\t\n \r\n", ("empty", "no records", "no labelled passages",
                                     "lists no articles")),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", ("binary",)),
    "gzip": (gzip.compress(b'{"text": "compressed"}\n', mtime=0), ("binary",)),
    "nul": (b"Talks resumed.\x00\x00\x00 in Istanbul", ("binary",)),
    "latin1": ("Caf\u00e9 talks resumed in Gen\u00e8ve.".encode("latin-1"), ("not UTF-8",)),
    "utf16": ("Talks resumed in Istanbul.\n".encode("utf-16"), ("UTF-16",)),
    "utf16-no-bom": ("Talks resumed in Istanbul.\n".encode("utf-16-le"), ("UTF-16",)),
}

#: Bad JSONL lines (between two good records).
RECORDS = {
    "truncated": (b'{"id": "t", "text": "Talks resu', ("not valid JSON",)),
    "nested": (b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", ("too deeply nested",)),
    # valid JSON syntax, but not Unicode: no UTF-8 output could hold it
    "lone-surrogate": (b'{"id": "u", "text": "Shelling hit \\ud800 homes.", "frames": []}',
                       ("surrogate",)),
    "no-text": (b'{"id": "n", "title": "no text here", "frames": []}',
                ("no 'text'", "non-empty string 'text'", "needs either 'text'",
                 "need a JSON object with 'id' and 'frames'")),
    "non-string-text": (b'{"id": "s", "text": 42, "frames": []}',
                        ("must be a string", "non-empty string 'text'")),
    "not-an-object": (b'["text", "frames"]', ("expected a JSON object", "non-empty string 'text'",
                                              "need a JSON object")),
}

#: Paths that cannot be read, with their message.
PATHS = {
    "missing": ("no such file", "not found", "no such corpus"),
    "directory": ("is a directory",),
    "symlink-loop": ("symbolic link loop",),
    "broken-symlink": ("broken symbolic link",),
    "unreadable": ("Permission denied",),
}


def make_path(folder: Path, case: str, name: str) -> Path:
    path = folder / name
    if case == "directory":
        path.mkdir()
    elif case == "symlink-loop":
        path.symlink_to(folder / (name + ".other"))
        (folder / (name + ".other")).symlink_to(path)
    elif case == "broken-symlink":
        path.symlink_to(folder / "nowhere" / "gone.txt")
    elif case == "unreadable":
        path.write_text(GOOD_TEXT, encoding="utf-8")
    return path


@pytest.fixture()
def unreadable(monkeypatch):
    """Make chosen paths fail to open with EACCES. The tests run as root in CI, where
    chmod 000 does not stop a read, so the refusal is simulated at open()."""
    refused: set[str] = set()
    real_open, real_io_open = builtins.open, io.open

    def check(file):
        if isinstance(file, (str, os.PathLike)) and \
                os.path.abspath(os.fspath(file)) in refused:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))

    def guarded_open(file, *args, **kwargs):
        check(file)
        return real_open(file, *args, **kwargs)

    def guarded_io_open(file, *args, **kwargs):
        check(file)
        return real_io_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_io_open)
    return lambda path: refused.add(os.path.abspath(path))


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def check_errors(result, name: str, fragments, code: int = 3) -> list[str]:
    """The documented exit code, no traceback, only ``framing: error:`` lines (and the
    indented problem list of a corpus error), one of which names ``name`` and the problem."""
    assert result.exit_code == code, (result.exit_code, result.stderr)
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert lines and all(line.startswith(("framing: error: ", "  ")) for line in lines), lines
    named = [line for line in lines if name in line]
    assert named, f"no message names {name}: {lines}"
    assert any(fragment in line for line in named for fragment in fragments), (fragments, named)
    return lines


# -- classify: the good inputs alongside are classified ------------------------------------

@pytest.fixture()
def good_txt(tmp_path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text(GOOD_TEXT, encoding="utf-8")
    return path


def classify(model, *args):
    return run("classify", "--model", model, "--jobs", "1", "--format", "jsonl", *args)


@pytest.mark.parametrize("suffix", [".txt", ".jsonl"])
@pytest.mark.parametrize("case", sorted(CONTENT))
def test_classify_bad_content(tmp_path, small_model_dir, good_txt, case, suffix):
    data, fragments = CONTENT[case]
    bad = tmp_path / f"bad-{case}{suffix}"
    bad.write_bytes(data)
    result = classify(small_model_dir, bad, good_txt)
    check_errors(result, bad.name, fragments)
    assert [r["source"] for r in records(result.stdout)] == [str(good_txt)] * 2
    strict = classify(small_model_dir, "--strict", bad, good_txt)
    assert strict.exit_code == 3 and strict.stdout == ""
    assert len(strict.stderr.splitlines()) == 1


@pytest.mark.parametrize("case", sorted(RECORDS))
def test_classify_bad_records_keep_the_good_ones(tmp_path, small_model_dir, good_txt, case):
    line, fragments = RECORDS[case]
    path = tmp_path / "records.jsonl"
    path.write_bytes(json.dumps(GOOD_RECORD).encode() + b"\n" + line + b"\n" +
                     json.dumps({**GOOD_RECORD, "id": "good-2"}).encode() + b"\n")
    result = classify(small_model_dir, "--unit", "whole", path, good_txt)
    lines = check_errors(result, "records.jsonl:2", fragments)
    assert len(lines) == 2  # the problem, then the summary
    assert [r["document_id"] for r in records(result.stdout)] == ["good-1", "good-2", "good"]
    strict = classify(small_model_dir, "--strict", "--unit", "whole", path, good_txt)
    assert strict.exit_code == 3 and len(strict.stderr.splitlines()) == 1
    # nothing after the problem (what came before it may be out already, batch by batch)
    assert {r["document_id"] for r in records(strict.stdout)} <= {"good-1"}


@pytest.mark.parametrize("case", sorted(PATHS))
def test_classify_bad_paths(tmp_path, small_model_dir, good_txt, unreadable, case):
    bad = make_path(tmp_path, case, "article.txt")
    if case == "unreadable":
        unreadable(bad)
    result = classify(small_model_dir, bad, good_txt)
    check_errors(result, "article.txt", PATHS[case])
    assert [r["source"] for r in records(result.stdout)] == [str(good_txt)] * 2


def test_classify_with_worker_processes_reports_the_same(tmp_path, small_model_dir, good_txt):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(CONTENT["png"][0])
    result = run("classify", "--model", small_model_dir, "--jobs", "2", "--format", "jsonl",
                 bad, good_txt)
    check_errors(result, "bad.txt", ("binary",))
    assert len(records(result.stdout)) == 2


def test_classify_duplicated_ids_pass_through(tmp_path, small_model_dir):
    """Ids in classify input are labels the user gets back, not keys: duplicates are kept."""
    path = tmp_path / "dup.jsonl"
    path.write_text("".join(json.dumps({**GOOD_RECORD, "text": t}) + "\n"
                            for t in ("Talks resumed.", "Shelling resumed.")), encoding="utf-8")
    result = classify(small_model_dir, "--unit", "whole", path)
    assert result.exit_code == 0 and result.stderr == ""
    assert [r["document_id"] for r in records(result.stdout)] == ["good-1", "good-1"]


def test_classify_huge_single_line_article(tmp_path, small_model_dir, good_txt):
    """A 20 MB single line (1 GB in benchmarks/load.py, see the README) is refused by size."""
    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:
        handle.write(b"drones " * (3 * 1024 * 1024))
    result = classify(small_model_dir, big, good_txt)
    check_errors(result, "big.txt", ("over the limit",))
    assert len(records(result.stdout)) == 2


def test_classify_huge_jsonl_line_is_skipped_in_flat_memory(tmp_path, small_model_dir,
                                                            monkeypatch):
    """A JSONL line over the limit is skipped without being held, and reading resumes on the
    next line (limit lowered here to 1 MiB so that a 20 MB line is enough)."""
    monkeypatch.setattr(framing.io.documents, "MAX_LINE_BYTES", 1024 * 1024)
    path = tmp_path / "big.jsonl"
    with open(path, "wb") as handle:
        handle.write(json.dumps(GOOD_RECORD).encode() + b"\n")
        handle.write(b'{"text": "' + b"x" * (20 * 1024 * 1024) + b'"}\n')
        handle.write(json.dumps({**GOOD_RECORD, "id": "after"}).encode() + b"\n")
    result = classify(small_model_dir, "--unit", "whole", path)
    check_errors(result, "big.jsonl:2", ("over the 1,048,576-byte limit",))
    assert [r["document_id"] for r in records(result.stdout)] == ["good-1", "after"]


def test_classify_thousands_of_tiny_files(tmp_path, small_model_dir):
    """2,000 tiny files in one run, one of them bad (100,000 in benchmarks/load.py)."""
    folder = tmp_path / "many"
    folder.mkdir()
    paths = []
    for i in range(2000):
        path = folder / f"{i:05d}.txt"
        path.write_text(f"Talks resumed in Istanbul, day {i}.", encoding="utf-8")
        paths.append(path)
    paths[1234].write_bytes(b"\x00\x01")
    result = classify(small_model_dir, *paths)
    check_errors(result, "01234.txt", ("binary",))
    assert len(records(result.stdout)) == 1999


def test_classify_binary_and_empty_stdin(small_model_dir):
    binary = CliRunner().invoke(cli, ["classify", "--model", str(small_model_dir), "--jobs", "1",
                                      "-"], input=b"\x89PNG\r\n\x1a\n\x00\x00")
    check_errors(binary, "-", ("binary",))
    empty = CliRunner().invoke(cli, ["classify", "--model", str(small_model_dir), "--jobs", "1",
                                     "-"], input=b"")
    check_errors(empty, "-", ("empty",))


# -- compare: the corpus is checked whole and refused, listing every problem ---------------

def corpus_with(root: Path, extra_rows: list[str]) -> Path:
    (root / "articles").mkdir(parents=True, exist_ok=True)
    rows = ["file,outlet"]
    for i, outlet in enumerate(["Alpha", "Beta"]):
        (root / "articles" / f"good{i}.txt").write_text(GOOD_TEXT, encoding="utf-8")
        rows.append(f"articles/good{i}.txt,{outlet}")
    (root / "manifest.csv").write_text("\n".join(rows + extra_rows) + "\n", encoding="utf-8")
    return root


def compare(corpus, tmp_path, *args):
    report = tmp_path / "report.html"
    result = run("compare", corpus, "-o", report, "-q", "--bootstrap", "0",
                 "--permutations", "0", *args)
    return result, report


def check_refused(result, report: Path, name: str, fragments) -> None:
    lines = check_errors(result, name, fragments)
    assert "nothing was compared" in lines[0] or len(lines) == 1
    assert not report.exists()
    assert not list(report.parent.glob(".*.tmp"))


@pytest.mark.parametrize("case", sorted(CONTENT))
def test_compare_bad_article(tmp_path, case):
    data, fragments = CONTENT[case]
    root = corpus_with(tmp_path / "c", ["articles/bad.txt,Alpha"])
    (root / "articles" / "bad.txt").write_bytes(data)
    check_refused(*compare(root, tmp_path), "bad.txt", fragments)


@pytest.mark.parametrize("case", sorted(PATHS))
def test_compare_bad_article_path(tmp_path, unreadable, case):
    root = corpus_with(tmp_path / "c", ["articles/bad.txt,Alpha"])
    bad = make_path(root / "articles", case, "bad.txt")
    if case == "unreadable":
        unreadable(bad)
    check_refused(*compare(root, tmp_path), "bad.txt", PATHS[case])


@pytest.mark.parametrize("case", sorted(CONTENT))
def test_compare_bad_manifest(tmp_path, case):
    data, fragments = CONTENT[case]
    for name in ("manifest.csv", "records.jsonl"):
        root = tmp_path / name.split(".")[0]
        root.mkdir()
        (root / name).write_bytes(data)
        target = root if name == "manifest.csv" else root / name
        fragments_here = fragments + ("empty manifest", "no 'file' column")
        check_refused(*compare(target, tmp_path), name, fragments_here)


@pytest.mark.parametrize("case", sorted(RECORDS))
def test_compare_bad_records(tmp_path, case):
    line, fragments = RECORDS[case]
    path = tmp_path / "records.jsonl"
    path.write_bytes(json.dumps(GOOD_RECORD).encode() + b"\n" + line + b"\n")
    check_refused(*compare(path, tmp_path), "records.jsonl:2", fragments)


@pytest.mark.parametrize("case", ["missing", "symlink-loop", "broken-symlink"])
def test_compare_bad_corpus_path(tmp_path, case):
    target = make_path(tmp_path, case, "corpus")
    check_refused(*compare(target, tmp_path), "corpus", PATHS[case])


@pytest.mark.parametrize("row", [
    "../../etc/passwd", "articles/../../../etc/passwd", "/etc/passwd", "articles/link.txt",
    "articles/../../c2/secret.txt",
])
def test_compare_manifest_cannot_leave_the_corpus(tmp_path, row):
    root = corpus_with(tmp_path / "c", [f"{row},Alpha"])
    (root / "articles" / "link.txt").symlink_to("/etc/passwd")
    (tmp_path / "c2").mkdir()
    (tmp_path / "c2" / "secret.txt").write_text("root:x:0:0 secret", encoding="utf-8")
    result, report = compare(root, tmp_path)
    check_refused(result, report, row, ("outside the corpus folder", "absolute path"))
    assert "root:" not in result.stderr + result.stdout


def test_compare_duplicated_ids_and_files(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(GOOD_RECORD) + "\n" + json.dumps(GOOD_RECORD) + "\n",
                    encoding="utf-8")
    check_refused(*compare(path, tmp_path), "records.jsonl:2", ("used twice",))
    root = corpus_with(tmp_path / "c", ["articles/good0.txt,Beta"])
    check_refused(*compare(root, tmp_path), "manifest.csv:4", ("listed twice",))


def test_compare_nul_and_control_characters_in_manifest_paths(tmp_path):
    path = tmp_path / "c" / "manifest.jsonl"
    corpus_with(tmp_path / "c", [])
    (tmp_path / "c" / "manifest.csv").unlink()
    path.write_text(json.dumps({"file": "articles/good0.txt\u0000.txt", "outlet": "A"}) + "\n" +
                    json.dumps({"file": "articles/\u001b[31mred.txt", "outlet": "A"}) + "\n",
                    encoding="utf-8")
    result, report = compare(path.parent, tmp_path)
    check_refused(result, report, "manifest.jsonl:1", ("control characters",))
    assert "\x1b" not in result.stderr  # no terminal escapes from the corpus reach the screen


def test_compare_huge_article_and_many_tiny_ones(tmp_path):
    root = corpus_with(tmp_path / "c", ["articles/big.txt,Alpha"])
    with open(root / "articles" / "big.txt", "wb") as handle:
        handle.write(b"drones " * (3 * 1024 * 1024))
    check_refused(*compare(root, tmp_path), "big.txt", ("over the limit",))
    many = tmp_path / "many"
    (many / "articles").mkdir(parents=True)
    rows = ["file,outlet"]
    for i in range(2000):
        (many / "articles" / f"{i}.txt").write_text(f"Talks resumed, day {i}.", encoding="utf-8")
        rows.append(f"articles/{i}.txt,{'AB'[i % 2]}")
    (many / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result, report = compare(many, tmp_path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(report.read_text(encoding="utf-8"))["groups"]["A"]["articles"] == 1000


def test_compare_bad_baseline(tmp_path):
    root = corpus_with(tmp_path / "c", [])
    for case, content in (("png", CONTENT["png"][0]), ("nested", b"[" * 100_000)):
        baseline = tmp_path / f"{case}.json"
        baseline.write_bytes(content)
        result, report = compare(root, tmp_path, "--baseline", baseline)
        check_refused(result, report, baseline.name, ("not JSON",))
    for case in ("missing", "directory", "symlink-loop"):
        baseline = make_path(tmp_path, case, f"{case}-baseline.json")
        result, report = compare(root, tmp_path, "--baseline", baseline)
        check_refused(result, report, baseline.name,
                      ("not found", "Is a directory", "Too many levels of symbolic links"))


# -- train, evaluate, agreement: labelled data is checked whole and refused -----------------

def labelled_line(record_id: str = "g1", text: str = "Talks resumed in Istanbul.") -> bytes:
    return json.dumps({"id": record_id, "text": text, "frames": ["diplomacy"]}).encode()


GOLD_COMMANDS = {
    "train": lambda tmp, bad, good: ("train", "--gold", good, "--gold", bad,
                                     "--output", tmp / "model", "--no-cross-validation"),
    "evaluate-cv": lambda tmp, bad, good: ("evaluate", "--gold", good, "--gold", bad),
    "evaluate-data": lambda tmp, bad, good: ("evaluate", "--data", bad, "--model", tmp / "none"),
    "agreement": lambda tmp, bad, good: ("agreement", good, bad, "--second", good),
}


def check_gold_refused(result, tmp_path: Path, name: str, fragments) -> None:
    check_errors(result, name, fragments)
    assert not (tmp_path / "model").exists()


@pytest.mark.parametrize("command", sorted(GOLD_COMMANDS))
@pytest.mark.parametrize("case", sorted(CONTENT))
def test_labelled_bad_content(tmp_path, small_gold, command, case):
    data, fragments = CONTENT[case]
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(data)
    result = run(*GOLD_COMMANDS[command](tmp_path, bad, small_gold))
    check_gold_refused(result, tmp_path, "bad.jsonl", fragments)


@pytest.mark.parametrize("command", sorted(GOLD_COMMANDS))
@pytest.mark.parametrize("case", sorted(RECORDS))
def test_labelled_bad_records(tmp_path, small_gold, command, case):
    line, fragments = RECORDS[case]
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(labelled_line("x1") + b"\n" + line + b"\n")
    result = run(*GOLD_COMMANDS[command](tmp_path, bad, small_gold))
    if command == "agreement" and case in ("no-text", "non-string-text"):
        assert result.exit_code == 0, result.stderr  # labels need no text: a valid record
        return
    check_gold_refused(result, tmp_path, "bad.jsonl:2",
                       fragments + ("'frames' must be a list",))


@pytest.mark.parametrize("command", sorted(GOLD_COMMANDS))
@pytest.mark.parametrize("case", sorted(PATHS))
def test_labelled_bad_paths(tmp_path, small_gold, unreadable, command, case):
    bad = make_path(tmp_path, case, "bad.jsonl")
    if case == "unreadable":
        unreadable(bad)
    result = run(*GOLD_COMMANDS[command](tmp_path, bad, small_gold))
    check_gold_refused(result, tmp_path, "bad.jsonl", PATHS[case])


@pytest.mark.parametrize("command", sorted(GOLD_COMMANDS))
def test_labelled_duplicated_ids_are_an_error(tmp_path, small_gold, command):
    """Gold ids are keys (CV groups, agreement pairs): a duplicate is refused, naming both."""
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(labelled_line("same") + b"\n" + labelled_line("same", "Other text.") + b"\n")
    result = run(*GOLD_COMMANDS[command](tmp_path, bad, small_gold))
    check_gold_refused(result, tmp_path, "bad.jsonl:2", ("duplicate id 'same'",))


@pytest.mark.parametrize("command", sorted(GOLD_COMMANDS))
def test_labelled_huge_single_line(tmp_path, small_gold, command, monkeypatch):
    """Labelled files are read whole, up to a size limit (lowered here to 1 MiB)."""
    monkeypatch.setattr(framing.io.documents, "MAX_FILE_BYTES", 1024 * 1024)
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(labelled_line("big", "drones " * (3 * 1024 * 1024)))
    result = run(*GOLD_COMMANDS[command](tmp_path, bad, small_gold))
    check_gold_refused(result, tmp_path, "bad.jsonl", ("over the 1,048,576-byte limit",))


@pytest.mark.parametrize("command", ["train", "evaluate-cv"])
@pytest.mark.parametrize("size", [1, 3, 25])
def test_labelled_set_too_small_to_train(tmp_path, gold_files, command, size):
    """A valid but tiny gold set is refused with the counts per frame, not a scikit-learn
    traceback from deep inside the nested cross-validation."""
    lines = gold_files[1].read_text(encoding="utf-8").splitlines()[:size]
    tiny = tmp_path / "tiny.jsonl"
    tiny.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = {"train": ("train", "--gold", tiny, "--output", tmp_path / "model"),
            "evaluate-cv": ("evaluate", "--gold", tiny)}[command]
    result = run(*args)
    lines = check_errors(result, "labelled data too small to train", ("positive and",))
    assert len(lines) == 1 and not (tmp_path / "model").exists()


def test_labelled_unknown_frames_and_control_characters(tmp_path, small_gold):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "u", "text": "x", "frames": ["peace\nframing: error: x"]})
                   + "\n", encoding="utf-8")
    result = run("train", "--gold", bad, "--output", tmp_path / "model")
    lines = check_errors(result, "bad.jsonl:1", ("unknown frame",))
    assert len(lines) == 1  # the hostile frame name cannot forge a second message line


def test_lexicon_and_model_paths(tmp_path, small_gold, unreadable):
    for case in sorted(PATHS):
        lexicon = make_path(tmp_path, case, f"{case}.tsv")
        if case == "unreadable":
            unreadable(lexicon)
        result = run("train", "--gold", small_gold, "--lexicon", lexicon,
                     "--output", tmp_path / "model", "--no-cross-validation")
        check_errors(result, f"{case}.tsv", PATHS[case] + ("cannot read lexicon",), code=4)
    binary = tmp_path / "binary.tsv"
    binary.write_bytes(CONTENT["latin1"][0])
    result = run("train", "--gold", small_gold, "--lexicon", binary, "--output", tmp_path / "m")
    check_errors(result, "binary.tsv", ("not UTF-8",), code=4)


# -- model files -------------------------------------------------------------------------

class Payload:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture()
def model_copy(tmp_path, small_model_dir) -> Path:
    target = tmp_path / "model-copy"
    shutil.copytree(small_model_dir, target)
    return target


def _reseal(folder: Path, data: bytes | None = None, **changes) -> None:
    """Rewrite model.npz (and model.json's checksum) as an attacker who knows the format."""
    import hashlib

    document = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    if data is not None:
        (folder / "model.npz").write_bytes(data)
        document["arrays_sha256"] = hashlib.sha256(data).hexdigest()
    document.update(changes)
    (folder / "model.json").write_text(json.dumps(document), encoding="utf-8")


def _npz(**arrays) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def every_model_command(model: Path, tmp_path: Path, small_gold: Path, good: Path):
    root = corpus_with(tmp_path / "mc", [])
    yield run("classify", "--model", model, "--jobs", "1", good)
    yield run("compare", root, "--model", model, "-q", "-o", tmp_path / "r.md")
    yield run("evaluate", "--data", small_gold, "--model", model)


def test_crafted_pickles_never_run(tmp_path, small_gold, good_txt, model_copy):
    import pickle

    import numpy as np

    marker = tmp_path / "pwned"
    blob = pickle.dumps(Payload(str(marker)))
    evil = tmp_path / "evil"
    evil.mkdir()
    for name in ("model.json", "model.npz", "card.json", "model.pkl"):
        (evil / name).write_bytes(blob)
    # an object array (a pickle inside the .npy) in an archive whose checksum matches
    objects = model_copy
    _reseal(objects, _npz(idf=np.array([Payload(str(marker))], dtype=object),
                          coef=np.zeros((4, 1)), intercept=np.zeros(4),
                          calibration_a=np.zeros(4), calibration_b=np.zeros(4)))
    for model in (evil, objects):
        for result in every_model_command(model, tmp_path, small_gold, good_txt):
            check_errors(result, str(model), ("not a framing model", "malformed model"), code=4)
    assert not marker.exists()


@pytest.mark.parametrize("tamper, fragment", [
    ("truncate-npz", "checksum"),
    ("flip-byte", "checksum"),
    ("truncate-json", "not a framing model"),
    ("foreign-json", "not a framing model"),
    ("other-version", "framing train"),
    ("foreign-archive", "not the five arrays"),
    ("archive-bomb", "more than its vocabulary allows"),
    ("nan-arrays", "finite"),
    ("huge-ngrams", "ngram_max"),
    ("lexicon-not-text", "lexicon"),
])
def test_damaged_or_foreign_models_are_refused(tmp_path, small_gold, good_txt, model_copy,
                                               tamper, fragment):
    import numpy as np

    npz, document = model_copy / "model.npz", model_copy / "model.json"
    with np.load(npz) as arrays:
        real = {name: arrays[name] for name in arrays.files}
    if tamper == "truncate-npz":
        npz.write_bytes(npz.read_bytes()[:-100])
    elif tamper == "flip-byte":
        data = bytearray(npz.read_bytes())
        data[len(data) // 3] ^= 0x55
        npz.write_bytes(bytes(data))
    elif tamper == "truncate-json":
        document.write_bytes(document.read_bytes()[:1000])
    elif tamper == "foreign-json":
        document.write_text(json.dumps({"format": "something-else", "weights": [1, 2]}))
    elif tamper == "other-version":
        _reseal(model_copy, format_version=99)
    elif tamper == "foreign-archive":
        _reseal(model_copy, _npz(weights=np.zeros(3)))
    elif tamper == "archive-bomb":  # small on disk, 400 MB once decompressed
        _reseal(model_copy, _npz(**{**real, "idf": np.zeros(50_000_000)}))
    elif tamper == "nan-arrays":
        _reseal(model_copy, _npz(**{**real, "coef": real["coef"] * np.nan}))
    elif tamper == "huge-ngrams":
        _reseal(model_copy, ngram_max=10**9)
    elif tamper == "lexicon-not-text":
        _reseal(model_copy, lexicon={"frame": "x"})
    for result in every_model_command(model_copy, tmp_path, small_gold, good_txt):
        check_errors(result, "model-copy", (fragment,), code=4)


# -- outputs -------------------------------------------------------------------------------

def test_output_paths_are_checked_before_any_work(tmp_path, small_model_dir, good_txt,
                                                  small_gold):
    missing = tmp_path / "no-folder" / "out.jsonl"
    for args in (("classify", "--model", small_model_dir, good_txt, "-o", missing),
                 ("evaluate", "--data", small_gold, "--model", small_model_dir, "-o", missing),
                 ("compare", corpus_with(tmp_path / "c", []), "-o", missing)):
        check_errors(run(*args), "no-folder", ("does not exist",))
    check_errors(run("classify", "--model", small_model_dir, good_txt, "-o", tmp_path),
                 str(tmp_path), ("is a folder",), code=2)
    check_errors(run("train", "--gold", small_gold, "-o", good_txt), "good.txt",
                 ("is a file",), code=2)
    assert not list(tmp_path.rglob(".*.tmp"))


def test_disk_full_leaves_the_old_file(tmp_path, small_model_dir, good_txt, small_gold,
                                       monkeypatch):
    outputs = {"classify": tmp_path / "tags.jsonl", "compare": tmp_path / "report.md",
               "model": tmp_path / "model"}
    outputs["classify"].write_text("old tags\n")
    outputs["compare"].write_text("old report\n")
    shutil.copytree(small_model_dir, outputs["model"])
    before = {p.name: p.read_bytes() for p in outputs["model"].iterdir()}

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    check_errors(run("classify", "--model", small_model_dir, "--jobs", "1", good_txt,
                     "-o", outputs["classify"]), "tags.jsonl", ("No space left on device",))
    check_errors(run("compare", corpus_with(tmp_path / "c", []), "-q", "--bootstrap", "0",
                     "--permutations", "0", "-o", outputs["compare"]), "report.md",
                 ("No space left on device",))
    tiny_gold = tmp_path / "tiny.jsonl"  # quick to train: the failure is at the save
    tiny_gold.write_text("\n".join(small_gold.read_text().splitlines()[::2]) + "\n")
    check_errors(run("train", "--gold", tiny_gold, "--no-cross-validation",
                     "-o", outputs["model"]), "model", ("No space left on device",))
    assert outputs["classify"].read_text() == "old tags\n"
    assert outputs["compare"].read_text() == "old report\n"
    assert {p.name: p.read_bytes() for p in outputs["model"].iterdir()} == before
    assert not list(tmp_path.rglob(".*.tmp"))


def test_exception_mid_write_leaves_the_old_file(tmp_path, small_model_dir, monkeypatch):
    """An error after part of the output was written: nothing of it reaches the file."""
    from framing.model.frame_model import FrameModel

    output = tmp_path / "tags.jsonl"
    output.write_text("old tags\n")
    article = tmp_path / "long.txt"  # 600 one-line paragraphs: three batches of passages
    article.write_text("".join(f"Talks resumed, round {i}.\n" for i in range(600)))
    real_predict, calls = FrameModel.predict, []

    def failing(self, texts, method="hybrid"):
        calls.append(len(texts))
        if len(calls) > 1:
            raise framing.errors.ModelError("simulated failure in the second batch")
        return real_predict(self, texts, method)

    monkeypatch.setattr(FrameModel, "predict", failing)
    result = run("classify", "--model", small_model_dir, "--jobs", "1", article, "-o", output)
    check_errors(result, "simulated failure", ("second batch",), code=4)
    assert calls[0] > 0 and len(calls) == 2  # the first batch was written to the temporary file
    assert output.read_text() == "old tags\n"
    assert sorted(os.listdir(tmp_path)) == ["long.txt", "tags.jsonl"]
