"""Kill real runs mid-way: the previous output survives whole and no temporary file is left.

Each test starts the real console entry point (``framing.cli.main``, which installs the
SIGTERM handler) in a subprocess through a small wrapper that pauses the run at a chosen
moment: inside classification (the first ``FrameModel.predict``), or after the N-th ``fsync``
of an output file, i.e. with the new output complete in its temporary file but not yet renamed
into place. The test waits for the pause, sends the signal, and checks what is on disk.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from framing.model.storage import load_model

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL") or os.name != "posix",
                                reason="POSIX signals are needed to interrupt a run")

HOOK = '''
import importlib, os, sys, time

marker, when = os.environ["HOOK_MARKER"], os.environ["HOOK_AT"]
pause = os.environ.get("HOOK_PAUSE", "1") == "1"
kind, _, rest = when.partition(":")
target, _, count = rest.rpartition(":") if kind == "call" else ("", "", rest)
calls = [0]


def arrive():
    calls[0] += 1
    if calls[0] == int(count or 1):
        with open(marker + ".part", "w") as handle:
            handle.write(str(os.getpid()))
        os.replace(marker + ".part", marker)
        if pause:
            time.sleep(120)


def wrap(real, before):
    def hooked(*args, **kwargs):
        if before:
            arrive()
        result = real(*args, **kwargs)
        if not before:
            arrive()
        return result
    return hooked


if kind == "fsync":  # after the N-th fsync of a file being written
    os.fsync = wrap(os.fsync, before=False)
else:  # call:module:Class.attribute:N, before the N-th call
    module, _, name = target.partition(":")
    owner = importlib.import_module(module)
    *path, attribute = name.split(".")
    for part in path:
        owner = getattr(owner, part)
    setattr(owner, attribute, wrap(getattr(owner, attribute), before=True))

from framing.cli import main

sys.argv[0] = "framing"
main()
'''

PREDICT = "call:framing.model.frame_model:FrameModel.predict:1"
ARTICLE = ("Russian shelling of the Kherson region killed three civilians overnight, the regional "
           "governor said.\n\nDelegations met in Istanbul for a new round of peace talks.\n\n"
           "Air defences shot down 40 of 52 drones, the air force said.\n")


@pytest.fixture()
def corpus(tmp_path) -> Path:
    root = tmp_path / "corpus"
    (root / "articles").mkdir(parents=True)
    rows = ["file,outlet"]
    for i in range(12):
        (root / "articles" / f"a{i}.txt").write_text(ARTICLE * (1 + i % 3), encoding="utf-8")
        rows.append(f"articles/a{i}.txt,{['Alpha', 'Beta', 'Gamma'][i % 3]}")
    (root / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def start(tmp_path: Path, args: list[str], at: str, cwd: Path,
          pause: bool = True) -> tuple[subprocess.Popen, Path]:
    hook = tmp_path / "hook.py"
    hook.write_text(HOOK, encoding="utf-8")
    marker = tmp_path / "paused"
    env = {**os.environ, "HOOK_MARKER": str(marker), "HOOK_AT": at,
           "HOOK_PAUSE": "1" if pause else "0", "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen([sys.executable, str(hook), *args], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not marker.exists():
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the run ended (code {process.returncode}) before the pause: {err}")
        if time.monotonic() > deadline:  # pragma: no cover - a hung run
            process.kill()
            pytest.fail("the run never reached the pause")
        time.sleep(0.02)
    return process, marker


def stop(process: subprocess.Popen, sig: int) -> tuple[int, str]:
    process.send_signal(sig)
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # pragma: no cover
        process.kill()
        pytest.fail("the run did not stop after the signal")
    return process.returncode, err


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*.tmp"))


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_compare_killed_while_writing_keeps_the_old_report(tmp_path, corpus, sig, code):
    report = tmp_path / "report.html"
    report.write_text("<p>previous report</p>\n", encoding="utf-8")
    process, _ = start(tmp_path, ["compare", str(corpus), "-o", str(report), "-q",
                                  "--bootstrap", "50", "--permutations", "50"],
                       at="fsync:1", cwd=tmp_path)
    assert temporaries(tmp_path), "the new report should be waiting in a temporary file"
    returncode, err = stop(process, sig)
    assert returncode == code, err
    assert err.strip() == "framing: error: interrupted; no output file was changed"
    assert "Traceback" not in err
    assert report.read_text(encoding="utf-8") == "<p>previous report</p>\n"
    assert temporaries(tmp_path) == []


def test_compare_killed_mid_classification_writes_nothing(tmp_path, corpus):
    outputs = [tmp_path / "report.html", tmp_path / "report.json"]
    for path in outputs:
        path.write_text("previous\n", encoding="utf-8")
    args = ["compare", str(corpus), "-q", "--bootstrap", "50", "--permutations", "50"]
    for path in outputs:
        args += ["-o", str(path)]
    process, _ = start(tmp_path, args, at=PREDICT, cwd=tmp_path)
    returncode, err = stop(process, signal.SIGTERM)
    assert returncode == 143, err
    assert [p.read_text(encoding="utf-8") for p in outputs] == ["previous\n", "previous\n"]
    assert temporaries(tmp_path) == []


def test_several_reports_change_together_or_not_at_all(tmp_path, corpus):
    """Killed after the first report's temporary file is complete but before any rename:
    neither report changes (they are renamed together)."""
    outputs = [tmp_path / "report.md", tmp_path / "report.json"]
    for path in outputs:
        path.write_text("previous\n", encoding="utf-8")
    args = ["compare", str(corpus), "-q", "--bootstrap", "50", "--permutations", "50",
            "-o", str(outputs[0]), "-o", str(outputs[1])]
    process, _ = start(tmp_path, args, at="fsync:2", cwd=tmp_path)
    assert len(temporaries(tmp_path)) == 2
    returncode, _ = stop(process, signal.SIGINT)
    assert returncode == 130
    assert [p.read_text(encoding="utf-8") for p in outputs] == ["previous\n", "previous\n"]
    assert temporaries(tmp_path) == []


def test_sigkill_never_damages_the_old_report(tmp_path, corpus):
    """SIGKILL cannot be caught: a temporary file may stay behind, but the report is whole."""
    report = tmp_path / "report.html"
    report.write_text("previous\n", encoding="utf-8")
    process, _ = start(tmp_path, ["compare", str(corpus), "-o", str(report), "-q",
                                  "--bootstrap", "50", "--permutations", "50"],
                       at="fsync:1", cwd=tmp_path)
    returncode, _ = stop(process, signal.SIGKILL)
    assert returncode == -signal.SIGKILL
    assert report.read_text(encoding="utf-8") == "previous\n"
    assert all(name.startswith(".report.html.") for name in temporaries(tmp_path))


@pytest.fixture()
def previous_model(tmp_path, small_model_dir) -> Path:
    target = tmp_path / "model"
    shutil.copytree(small_model_dir, target)
    return target


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("sig, code, at", [
    (signal.SIGTERM, 143, "fsync:4"),  # all four new files written, none renamed yet
    (signal.SIGINT, 130, "fsync:1"),   # the arrays written, the rest not yet
])
def test_train_killed_while_saving_keeps_the_old_model(tmp_path, small_gold, previous_model,
                                                        sig, code, at):
    # a different training set, so the new model would differ from the old one
    lines = small_gold.read_text(encoding="utf-8").splitlines()[:120]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _snapshot(previous_model)
    process, _ = start(tmp_path, ["train", "--gold", str(gold), "--output", str(previous_model),
                                  "--no-cross-validation"], at=at, cwd=tmp_path)
    assert temporaries(previous_model)
    returncode, err = stop(process, sig)
    assert returncode == code, err
    assert "Traceback" not in err
    assert _snapshot(previous_model) == before
    assert temporaries(tmp_path) == []
    load_model(previous_model)  # still whole: its checksum matches its arrays


def test_train_killed_mid_training_writes_no_model_folder(tmp_path, small_gold):
    target = tmp_path / "new-model"
    # signalled as soon as the gold data is loaded, while training (with cross-validation)
    process, _ = start(tmp_path, ["train", "--gold", str(small_gold), "--output", str(target)],
                       at="call:framing.lexicon:Lexicon.load:1", cwd=tmp_path, pause=False)
    returncode, err = stop(process, signal.SIGTERM)
    assert returncode == 143, err
    assert not target.exists()
    assert temporaries(tmp_path) == []


def test_classify_killed_while_writing_keeps_the_old_output(tmp_path, corpus, small_model_dir):
    output = tmp_path / "tags.jsonl"
    output.write_text(json.dumps({"previous": True}) + "\n", encoding="utf-8")
    articles = [str(p) for p in sorted(corpus.glob("articles/*.txt"))]
    process, _ = start(tmp_path, ["classify", "--model", str(small_model_dir), "--jobs", "1",
                                  "-o", str(output), *articles], at="fsync:1", cwd=tmp_path)
    returncode, err = stop(process, signal.SIGTERM)
    assert returncode == 143, err
    assert json.loads(output.read_text(encoding="utf-8")) == {"previous": True}
    assert temporaries(tmp_path) == []
