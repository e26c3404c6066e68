"""``framing compare --format html`` rendered by a real browser (headless Chromium).

End to end: a small corpus whose article text, title and outlet name carry markup goes through
the real CLI, and the HTML report is loaded by Chromium from a file:// URL.

- ``--dump-dom`` (the DOM after the page ran): no ``<script>`` and no ``<img>`` element exists,
  the hostile text is there as text, and the document title is not ``pwned`` -- both for the
  report as written and for a copy without its Content-Security-Policy, so the escaping alone
  keeps the text inert. A control page with the same markup live proves the harness notices
  when it does run.
- ``--screenshot``: the PNG shows the charts -- thousands of pixels of each frame's colour (the
  stacked bars and the share bars) and of the heat map's blues -- so a blank or broken render
  fails.

Skipped when no Chromium binary (``chromium``, ``chromium-browser``, ``google-chrome``) is on
PATH; ``.ci/run`` installs Debian's ``chromium`` when it can.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from framing.comparison.charts import FRAME_COLOURS
from framing.cli import cli

CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)
if CHROMIUM is None and os.environ.get("CI") == "true":
    # CI installs Chromium (.ci/run); a missing browser there is a broken CI, not a skip
    raise RuntimeError("CI=true but no Chromium binary on PATH: the HTML report cannot be "
                       "checked in a browser (apt-get install chromium)")
if CHROMIUM is None:
    pytest.skip("no Chromium binary on PATH (chromium, chromium-browser or google-chrome); "
                "install one (Debian: apt-get install chromium) to render the HTML report",
                allow_module_level=True)

TIMEOUT = 60  # seconds, for each Chromium run
WINDOW = (1280, 2400)
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--hide-scrollbars")

SCRIPT = "<script>window.__pwned=1</script>"
IMG = "\"><img src=x onerror=\"document.title='pwned'\">"
OUTLET = "<b>Evil</b> \"><img src=y onerror=\"document.title='pwned'\">"
HOSTILE = ("Residents said the strike on the hospital killed two children and wounded dozens of "
           f"civilians. {SCRIPT}\n\n{IMG} Civilians fled the shelling of apartment blocks, and "
           "aid workers counted the dead in the rubble.\n\nDiplomats met in Geneva for ceasefire "
           "talks and urged negotiations.\n")


def chromium(*args: str, profile: Path) -> bytes:
    """Run headless Chromium with a fresh profile; its standard output, or fail on a timeout."""
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the launcher and every child it started
        process.communicate()
        pytest.fail(f"Chromium took more than {TIMEOUT} s: {' '.join(command)}")
    assert process.returncode == 0, err.decode("utf-8", "replace")[-2000:]
    return out


class _Dom(HTMLParser):
    """Element names, the <title> text and the visible text of a serialized DOM."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.title = ""
        self.text: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._open.append(tag)

    def handle_endtag(self, tag):
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag):]

    def handle_data(self, data):
        if self._open and self._open[-1] == "title":
            self.title += data
        self.text.append(data)


def parse_dom(dump: bytes) -> _Dom:
    parser = _Dom()
    parser.feed(dump.decode("utf-8"))
    parser.close()
    return parser


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, repo):
    """Four shipped articles under two outlets, plus a hostile article from a hostile outlet."""
    root = tmp_path_factory.mktemp("browser-corpus")
    (root / "articles").mkdir()
    rows = [["file", "outlet", "date", "title", "url"]]
    for i, path in enumerate(sorted((repo / "corpus" / "articles").glob("*.txt"))[:4]):
        shutil.copy(path, root / "articles" / path.name)
        rows.append([f"articles/{path.name}", "Alpha" if i % 2 == 0 else "Beta",
                     f"2025-06-0{1 + i % 2}", f"Article {i}", f"https://example.org/{i}"])
    (root / "articles" / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    rows.append(["articles/hostile.txt", OUTLET, "2025-06-02", f"<i>title</i> {SCRIPT}",
                 "javascript:document.title='pwned'"])
    with open(root / "manifest.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return root


@pytest.fixture(scope="module")
def report(corpus, small_model_dir, tmp_path_factory) -> Path:
    """The HTML report of the corpus, written by the real CLI."""
    path = tmp_path_factory.mktemp("browser-report") / "report.html"
    result = CliRunner().invoke(
        cli, ["compare", str(corpus), "--model", str(small_model_dir), "--format", "html",
              "-o", str(path), "--bootstrap", "200", "--permutations", "200", "--jobs", "1"],
        catch_exceptions=False)
    assert result.exit_code == 0, result.output
    page = path.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "window.__pwned" in page
    return path


def _assert_inert(dump: bytes) -> None:
    dom = parse_dom(dump)
    assert "html" in dom.tags and "svg" in dom.tags, "the page did not load"
    assert "script" not in dom.tags, "a <script> element was created"
    assert "img" not in dom.tags, "an <img> element was created from corpus text"
    assert dom.title.strip() == "Frames compared by outlet"
    text = "".join(dom.text)
    for hostile in (SCRIPT, IMG, OUTLET):
        assert hostile in text, f"{hostile!r} is not shown as text"


def test_control_page_with_live_markup_is_noticed(tmp_path):
    """The harness can fail: the same markup, unescaped and without a CSP, does run."""
    page = tmp_path / "control.html"
    page.write_text(f"<!DOCTYPE html><html><head><title>ok</title></head><body><p>{HOSTILE}"
                    "</p></body></html>", encoding="utf-8")
    dom = parse_dom(chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile"))
    assert "script" in dom.tags and "img" in dom.tags
    assert dom.title == "pwned"


def test_hostile_text_stays_text_in_the_browser(report, tmp_path):
    _assert_inert(chromium("--dump-dom", report.as_uri(), profile=tmp_path / "profile"))


def test_escaping_alone_keeps_it_inert_without_the_csp(report, tmp_path):
    page = report.read_text(encoding="utf-8")
    meta = page[page.index('<meta http-equiv="Content-Security-Policy"'):]
    meta = meta[:meta.index(">\n") + 2]
    bare = tmp_path / "no-csp.html"
    bare.write_text(page.replace(meta, ""), encoding="utf-8")
    assert "Content-Security-Policy" not in bare.read_text(encoding="utf-8")
    _assert_inert(chromium("--dump-dom", bare.as_uri(), profile=tmp_path / "profile"))


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def test_screenshot_shows_the_charts(report, tmp_path):
    import numpy as np
    from PIL import Image

    shot = tmp_path / "shot.png"
    chromium(f"--screenshot={shot}", f"--window-size={WINDOW[0]},{WINDOW[1]}", report.as_uri(),
             profile=tmp_path / "profile")
    with Image.open(shot) as image:
        assert image.size == WINDOW
        pixels = np.asarray(image.convert("RGB")).astype(int)
    red, green, blue = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    # Bars of each frame's colour: the stacked mix chart and the share panels. The table's
    # swatches are 10x10 pixels each, far below this.
    for frame, colour in FRAME_COLOURS.items():
        close = (np.abs(pixels - np.array(_hex(colour))).max(axis=2) <= 12).sum()
        assert close >= 3000, f"{frame}: only {close} pixels of {colour}: chart not drawn?"
    # The divergence heat map (matplotlib's Blues) and colour bar: blue-dominant pixels that
    # are neither white nor the military-success bars.
    bluish = ((blue - red >= 25) & (blue >= green) & (blue < 250)
              & (np.abs(pixels - np.array(_hex(FRAME_COLOURS["military_success"]))).max(axis=2)
                 > 12)).sum()
    assert bluish >= 5000, f"only {bluish} heat-map pixels: divergence chart not drawn?"
    # A page of charts, not a blank or error page: a substantial share is coloured.
    coloured = ((pixels.max(axis=2) - pixels.min(axis=2)) >= 40).sum()
    assert coloured >= 0.03 * WINDOW[0] * WINDOW[1], f"only {coloured} coloured pixels"
