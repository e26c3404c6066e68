"""Issue 14, items 8, 9, 10, 12 and two of 14: what input text and odd input files can do.

8.  ``--lexicon`` is read like every other input: a device (/dev/zero) or a FIFO is refused
    at once (exit 4), never read to the end of memory nor waited on; a file is read up to
    the 64 MiB limit.
9.  ``classify --format csv`` neutralises every text cell a spreadsheet would run as a
    formula, and its columns are the union of every record's (a ``meta.outlet`` first seen on
    a later record is not dropped).
10. Human-readable output (the classify table, compare's markdown, any report or CSV on a
    terminal) shows control characters and ESC sequences as visible escapes.
12. The ``--by`` name is escaped in the markdown summary line and the baseline table header.
14. ``/dev/zero`` as an article is reported as binary; ``classify - -`` says that standard
    input is given twice.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from framing.cli import cli
from framing.errors import ModelError
from framing.io import writers
from framing.lexicon import Lexicon

SCRIPT = Path(sys.executable).parent / "framing"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "framing"]
GOOD_TEXT = "Russian shelling killed three civilians in Kherson, officials said.\n"
#: What a hostile text may carry to a terminal: clear screen, reset (ESC c), a window title
#: (OSC ... BEL), a one-character CSI (U+009B), a right-to-left override.
ESCAPES = "\x1b[2J\x1bc\x1b]0;owned\x07\u009b31m\u202e"
UNSAFE = ("\x1b", "\x07", "\u009b", "\u202e")


def run(*args, input=None, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, env=env,
                              catch_exceptions=False)


def error_lines(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    assert "Traceback" not in stderr
    assert lines and all(line.startswith("framing: error: ") for line in lines), lines
    return lines


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def on_a_terminal(args: list, cwd) -> str:
    """What the installed ``framing`` writes with its standard output on a terminal."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(COMMAND + [str(a) for a in args], cwd=cwd, stdout=follower,
                                   stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    finally:
        os.close(follower)
    chunks: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(leader, chunks), daemon=True)
    reader.start()
    _, stderr = process.communicate(timeout=300)
    reader.join(timeout=30)
    os.close(leader)
    assert process.returncode == 0, stderr
    return b"".join(chunks).decode("utf-8")


def _drain(fd: int, chunks: list) -> None:
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the terminal's other end is closed
            return
        if not data:
            return
        chunks.append(data)


# -- item 8: --lexicon ----------------------------------------------------------------------

def _memory_limit() -> None:  # a regression reads /dev/zero into MemoryError, not the host's RAM
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


@pytest.mark.parametrize("kind", ["dev-zero", "fifo"])
def test_a_lexicon_that_is_a_device_or_fifo_is_refused_at_once(tmp_path, small_gold, kind):
    lexicon = "/dev/zero"
    if kind == "fifo":
        lexicon = tmp_path / "lexicon.tsv"
        os.mkfifo(lexicon)  # nobody ever writes to it
    result = subprocess.run(COMMAND + ["train", "--gold", str(small_gold), "--lexicon",
                                       str(lexicon), "-o", str(tmp_path / "model"),
                                       "--no-cross-validation"],
                            capture_output=True, text=True, timeout=120,
                            preexec_fn=_memory_limit)
    assert result.returncode == 4, result.stderr
    [line] = error_lines(result.stderr)
    assert str(lexicon) in line and "not a regular file" in line
    assert not (tmp_path / "model").exists()


def test_a_lexicon_over_the_input_limit_is_refused(tmp_path, monkeypatch):
    import framing.io.documents

    path = tmp_path / "big.tsv"
    path.write_text("frame\tterm\tweight\n" + "diplomacy\ttalks\t0.5\n" * 100, encoding="utf-8")
    assert Lexicon.load(path).terms  # under the limit: read
    monkeypatch.setattr(framing.io.documents, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ModelError, match="over the 1,000-byte limit for a lexicon"):
        Lexicon.load(path)


# -- item 9: classify --format csv ------------------------------------------------------------

HOSTILE_RECORDS = [
    {"id": "1", "text": '=HYPERLINK("http://x.example","talks") Delegations met in Istanbul.'},
    {"id": "2", "text": "+1 diplomats met for peace talks.", "outlet": "@SUM(A1:A9)"},
    {"id": "-3", "text": "-2 drones were shot down overnight.", "outlet": "Beta",
     "title": "=cmd|' /C calc'!A0"},
]


def test_classify_csv_neutralises_formulas_and_keeps_every_column(tmp_path):
    path = write_jsonl(tmp_path / "hostile.jsonl", HOSTILE_RECORDS)
    result = run("classify", path, "--unit", "whole", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    header, body = rows[0], rows[1:]
    assert len(body) == 3
    # the columns of every record, metadata together at the end, first-seen order
    assert header[-2:] == ["meta.outlet", "meta.title"]
    assert len(set(header)) == len(header)
    for row in body:
        assert len(row) == len(header)
        assert not [cell for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    by_name = [dict(zip(header, row)) for row in body]
    assert by_name[0]["text"].startswith("'=HYPERLINK")
    assert by_name[0]["meta.outlet"] == "" and by_name[0]["meta.title"] == ""
    assert by_name[1]["meta.outlet"] == "'@SUM(A1:A9)" and by_name[1]["text"].startswith("'+1")
    assert by_name[2]["document_id"] == "'-3" and by_name[2]["meta.title"].startswith("'=cmd")
    for row in by_name:  # numbers stay numbers
        float(row["scores.diplomacy"])
        int(row["start"])


def test_csv_columns_are_the_union_even_when_the_rows_spill_to_disk(monkeypatch):
    monkeypatch.setattr(writers, "CSV_SPOOL_BYTES", 256)
    records = [{"n": k, "text": f"passage {k}", "scores": {"a": 0.5}} for k in range(2000)]
    records[-1]["meta"] = {"outlet": "=late"}
    records[1000]["extra"] = "-x"
    out = io.StringIO()
    writers.write_csv(iter(records), out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["n", "text", "scores.a", "extra", "meta.outlet"]
    assert len(rows) == 2001
    assert rows[1] == ["0", "passage 0", "0.5", "", ""]
    assert rows[1001][3] == "'-x" and rows[-1][4] == "'=late"


# -- item 10: terminal escapes ----------------------------------------------------------------

def test_classify_table_shows_control_characters_as_escapes(tmp_path):
    article = tmp_path / "evil\x1b]0;title\x07.txt"
    article.write_text(f"Talks resumed in Istanbul {ESCAPES} as delegations met.\n",
                       encoding="utf-8")
    result = run("classify", article, "--format", "table", env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.stderr
    assert not [ch for ch in UNSAFE if ch in result.stdout], repr(result.stdout)
    assert "\\x1b[2J" in result.stdout and "\\x1bc" in result.stdout
    assert "\\u202e" in result.stdout and "\\u009b31m" in result.stdout


def test_classify_on_a_terminal_escapes_control_characters(tmp_path):
    path = write_jsonl(tmp_path / "r.jsonl", [{"id": "x", "text": f"Peace talks {ESCAPES}.",
                                               "outlet": f"Alpha{ESCAPES}"}])
    for fmt in ("table", "csv"):
        shown = on_a_terminal(["classify", path, "--unit", "whole", "--format", fmt], tmp_path)
        assert not [ch for ch in UNSAFE if ch in shown], (fmt, repr(shown))
        assert "\\x1b[2J" in shown


@pytest.fixture()
def hostile_corpus(tmp_path) -> Path:
    root = tmp_path / "c"
    (root / "articles").mkdir(parents=True)
    articles = {
        "a1.txt": ("Alpha", f"Russian shelling killed three civilians in Kherson {ESCAPES}."),
        "a2.txt": ("Alpha", "Delegations met in Istanbul for a new round of peace talks."),
        "b1.txt": (f"Beta{ESCAPES}", "Ukrainian forces recaptured two villages near Bakhmut."),
        "b2.txt": (f"Beta{ESCAPES}", "Moscow warned of escalation after missiles arrived."),
    }
    rows = ["file,outlet"]
    for name, (outlet, text) in articles.items():
        (root / "articles" / name).write_text(text + "\n", encoding="utf-8")
        rows.append(f'articles/{name},"{outlet}"')
    (root / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def test_compare_markdown_shows_control_characters_as_escapes(tmp_path, hostile_corpus,
                                                              small_model_dir):
    report = tmp_path / "r.md"
    result = run("compare", hostile_corpus, "-q", "--bootstrap", "0", "--permutations", "0",
                 "--model", small_model_dir, "-o", report)
    assert result.exit_code == 0, result.stderr
    text = report.read_text(encoding="utf-8")
    assert not [ch for ch in UNSAFE if ch in text], repr(text)
    assert "Beta\\\\x1b" in text  # the escape, with its backslash escaped for markdown


@pytest.mark.parametrize("fmt", ["markdown", "csv", "html", "json"])
def test_compare_on_a_terminal_shows_control_characters_as_escapes(tmp_path, hostile_corpus,
                                                                   small_model_dir, fmt):
    shown = on_a_terminal(["compare", hostile_corpus, "-q", "--bootstrap", "0",
                           "--permutations", "0", "--model", small_model_dir,
                           "--format", fmt], tmp_path)
    assert "Beta" in shown
    assert not [ch for ch in UNSAFE if ch in shown], repr(shown[:2000])
    if fmt == "json":  # escaped the JSON way: still the same report
        assert f"Beta{ESCAPES}" in json.loads(shown)["groups"]


# -- item 12: the --by name in markdown -------------------------------------------------------

BY = "<img src=x onerror=alert(1)>"


def test_the_by_name_is_escaped_in_the_markdown_summary_and_baseline(tmp_path,
                                                                     small_model_dir):
    root = tmp_path / "c"
    (root / "articles").mkdir(parents=True)
    texts = ["Russian shelling killed three civilians in Kherson.",
             "Delegations met in Istanbul for a new round of peace talks.",
             "Ukrainian forces recaptured two villages near Bakhmut.",
             "Moscow warned of escalation after missiles arrived."]
    for k, text in enumerate(texts):
        (root / "articles" / f"{k}.txt").write_text(text + "\n", encoding="utf-8")

    def manifest(groups):
        rows = [f"file,{BY}"] + [f"articles/{k}.txt,{g}" for k, g in enumerate(groups)]
        (root / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")

    options = ["-q", "--bootstrap", "0", "--permutations", "0", "--model", small_model_dir,
               "--by", BY]
    manifest(["one", "one", "two", "two"])
    baseline = tmp_path / "baseline.json"
    assert run("compare", root, *options, "-o", baseline).exit_code == 0
    manifest(["one", "two", "one", "two"])  # every share moves
    result = run("compare", root, *options, "--baseline", baseline, "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "## Since the baseline" in text and "change (pts)" in text
    assert "<img" not in text and "&lt;img" in text
    summary = next(line for line in text.splitlines() if line.startswith(("1", "2", "3", "4")))
    assert "&lt;img" in summary  # "4 articles · 8 passages · 2 <by>s": escaped
    header = next(line for line in text.splitlines() if "change (pts)" in line)
    assert "&lt;img" in header


# -- item 14: /dev/zero as an article; stdin twice -------------------------------------------

def test_dev_zero_as_an_article_is_binary(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(GOOD_TEXT, encoding="utf-8")
    result = run("classify", "/dev/zero", good, "--format", "jsonl")
    assert result.exit_code == 3
    [line, summary] = error_lines(result.stderr)
    assert "/dev/zero" in line and "binary" in line and "limit" not in line
    assert [json.loads(r)["source"] for r in result.stdout.splitlines()] == [str(good)]


def test_standard_input_given_twice_is_flagged(tmp_path):
    result = run("classify", "-", "-", "--format", "jsonl", input=GOOD_TEXT)
    assert result.exit_code == 3
    lines = error_lines(result.stderr)
    assert "standard input is given more than once" in lines[0]
    assert [json.loads(r)["source"] for r in result.stdout.splitlines()] == ["-"]
