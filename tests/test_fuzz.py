"""Property-based tests and a bounded fuzz of every reader (hypothesis; runs in CI).

The readers (articles, JSONL records, manifests, labelled data, baselines, model files) are
fed arbitrary bytes: each must return data or raise its own error (InputError, or ModelError
for a model), never anything else, and every message is one line naming the input. The
properties of issue 5 follow: spans reproduce the text, adding text never removes a match
elsewhere, intervals contain their point estimate and frame mixes sum to one per group, and
reports keep corpus strings inert. Example counts are bounded so the file runs in seconds
(see ``EXAMPLES``).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from framing.training.agreement import read_labels
from framing.comparison.api import compare_passages
from framing.comparison.gates import load_baseline
from framing.io.corpus import load_corpus
from framing.io.documents import read_documents
from framing.errors import InputError, ModelError, UsageError
from framing.frames import FRAMES
from framing.io.labelled import load_labelled
from framing.lexicon import Lexicon
from oracles import reference_match
from framing.model.storage import load_model
from framing.text.segment import segment

#: Examples per reader in CI; raise it for a longer run by hand, e.g.
#: ``FRAMING_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz.py``.
EXAMPLES = int(os.environ.get("FRAMING_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

#: Bytes that look like the inputs framing meets: text, JSON fragments, BOMs, NULs, UTF-16.
MARKERS = [b"{", b"}", b'"text"', b'"id"', b'"frames"', b'"file"', b'"outlet"', b":", b",",
           b'"', b"\n", b"\r\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"\xe9", b"[", b"]",
           b"diplomacy", b"../", b"/etc/passwd", b"file,outlet\n", b"articles/a.txt"]
fuzz_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(st.one_of(st.sampled_from(MARKERS), st.binary(max_size=8)), max_size=40)
    .map(b"".join),
    st.text(max_size=200).map(lambda s: s.encode("utf-8")),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["text", "id", "frames", "file", "outlet", "date",
                                       "title", "url", "x"]), children, max_size=5),
    max_leaves=12)


def one_line_naming(message: str, name: str) -> None:
    assert "\n" not in message, message
    assert name in message, message


@contextlib.contextmanager
def scratch():
    """A fresh folder per example (function-scoped fixtures are shared across examples)."""
    with tempfile.TemporaryDirectory(prefix="framing-fuzz-") as folder:
        yield Path(folder)


# -- readers -----------------------------------------------------------------------------

@FUZZ
@given(fuzz_bytes, st.sampled_from([".txt", ".jsonl", ".md"]))
def test_read_documents_never_fails_but_with_input_errors(data, suffix):
    with scratch() as folder:
        path = folder / f"input{suffix}"
        path.write_bytes(data)
        errors: list = []
        documents = list(read_documents([str(path)], errors=errors))
        for error in errors:
            assert isinstance(error, InputError)
            one_line_naming(str(error), str(path))
        for document in documents:
            assert document.text.strip() and document.source == str(path)
        assert documents or errors  # every input yields documents or a reason why not
        try:  # strict: the first problem is raised, as an InputError
            list(read_documents([str(path)]))
        except InputError:
            pass


@FUZZ
@given(st.lists(json_values, min_size=1, max_size=6))
def test_jsonl_records_of_any_shape(values):
    with scratch() as folder:
        path = folder / "records.jsonl"
        path.write_text("".join(json.dumps(v) + "\n" for v in values), encoding="utf-8")
        errors: list = []
        documents = list(read_documents([str(path)], errors=errors))
        assert len(documents) + len(errors) == len(values)
        usable = [v for v in values if isinstance(v, dict) and isinstance(v.get("text"), str)
                  and v["text"].strip() and (v.get("id") is None and "id" not in v or
                                             type(v.get("id")) in (str, int))]
        for value, document in zip(usable, documents):
            assert document.text == value["text"].replace("\r\n", "\n")
        for error in errors:
            one_line_naming(str(error), "records.jsonl:")


@FUZZ
@given(fuzz_bytes, st.sampled_from(["manifest.csv", "manifest.jsonl", "records.jsonl"]))
def test_corpus_manifest_of_any_bytes(data, name):
    with scratch() as folder:
        root = folder / "corpus"
        (root / "articles").mkdir(parents=True)
        (root / "articles" / "a.txt").write_text("Talks resumed.", encoding="utf-8")
        (root / name).write_bytes(data)
        try:
            corpus = load_corpus(root if name.startswith("manifest") else root / name, by=None)
        except (InputError, UsageError) as exc:
            assert str(exc).split("\n")[0].strip()
            return
        for document in corpus.documents:
            assert document.text.strip()


path_parts = st.sampled_from(["..", ".", "articles", "a.txt", "b.txt", "link.txt", "loop",
                              "outside", "/", "etc", "passwd", "", "~", "articles/..", "..%2f"])


@FUZZ
@given(st.lists(st.lists(path_parts, min_size=1, max_size=5).map("/".join),
                min_size=1, max_size=5))
def test_manifest_paths_never_leave_the_corpus(files):
    with scratch() as base:
        root = base / "corpus"
        (root / "articles").mkdir(parents=True)
        (base / "outside").mkdir()
        (base / "outside" / "a.txt").write_text("SECRET outside the corpus", encoding="utf-8")
        (root / "articles" / "a.txt").write_text("Talks resumed.", encoding="utf-8")
        (root / "articles" / "link.txt").symlink_to(base / "outside" / "a.txt")
        (root / "articles" / "loop").symlink_to(root / "articles" / "loop")
        (root / "manifest.jsonl").write_text(
            "".join(json.dumps({"file": f, "outlet": "A"}) + "\n" for f in files), encoding="utf-8")
        try:
            corpus = load_corpus(root)
        except InputError as exc:
            assert "SECRET" not in str(exc)
            return
        real_root = os.path.realpath(root)
        for document in corpus.documents:
            assert os.path.realpath(document.source).startswith(real_root + os.sep)
            assert "SECRET" not in document.text


@FUZZ
@given(fuzz_bytes)
def test_labelled_readers_of_any_bytes(data):
    with scratch() as folder:
        path = folder / "labels.jsonl"
        path.write_bytes(data)
        for read in (load_labelled, read_labels):
            try:
                read([path])
            except InputError as exc:
                assert str(exc).strip() and "Traceback" not in str(exc)


@FUZZ
@given(fuzz_bytes)
def test_baseline_of_any_bytes(data):
    with scratch() as folder:
        path = folder / "baseline.json"
        path.write_bytes(data)
        try:
            load_baseline(path)
        except InputError as exc:
            one_line_naming(str(exc), str(path))


@pytest.fixture(scope="module")
def model_files(small_model_dir) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in small_model_dir.iterdir()}


@FUZZ
@given(data=st.data())
def test_model_files_of_any_content(model_files, data):
    """Arbitrary model.json, or the real one with a field replaced by any JSON value (the
    checksum kept valid): the model loads or is refused with a ModelError, nothing else."""
    with scratch() as folder:
        for name, content in model_files.items():
            (folder / name).write_bytes(content)
        document = json.loads(model_files["model.json"])
        choice = data.draw(st.sampled_from(["bytes", "field", "arrays"]))
        if choice == "bytes":
            (folder / "model.json").write_bytes(data.draw(fuzz_bytes))
        elif choice == "field":
            key = data.draw(st.sampled_from(sorted(document)))
            document[key] = data.draw(json_values)
            (folder / "model.json").write_text(json.dumps(document), encoding="utf-8")
        else:
            arrays = data.draw(fuzz_bytes)
            (folder / "model.npz").write_bytes(arrays)
            document["arrays_sha256"] = hashlib.sha256(arrays).hexdigest()
            (folder / "model.json").write_text(json.dumps(document), encoding="utf-8")
        try:
            model = load_model(folder)
        except ModelError as exc:
            assert "\n" not in str(exc)
            return
        model.predict(["Talks resumed in Istanbul."])


# -- segmentation and lexicon --------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400), st.sampled_from(["paragraph", "sentence", "whole"]))
def test_spans_reproduce_any_text(text, unit):
    spans = segment(text, unit)
    previous = 0
    covered = [False] * len(text)
    for start, end in spans:
        passage = text[start:end]
        assert passage and passage == passage.strip()
        assert start >= previous
        previous = end
        covered[start:end] = [True] * (end - start)
    assert all(ch.isspace() for ch, kept in zip(text, covered) if not kept)


LEXICON = Lexicon.load()
_WORDS = sorted({word for term in LEXICON.terms for word in term.text.split()})
cue_text = st.lists(st.sampled_from(_WORDS + ["not", "no", "never", "the", ",", ".", "\n"]),
                    max_size=12).map(" ".join)


def _matches(text: str) -> set:
    return {(m.frame, m.term, m.start, m.end, m.negated) for m in LEXICON.match(text)}


@settings(max_examples=300, deadline=None)
@given(cue_text, cue_text, st.sampled_from([". ", "\n\n", "; ", "! "]),
       st.booleans())
def test_adding_text_never_removes_a_match_elsewhere(first, second, separator, before):
    """Text added after (or before) a break leaves every match of the rest unchanged."""
    if before:
        shift = len(second) + len(separator)
        combined = _matches(second + separator + first)
        alone = {(f, t, s + shift, e + shift, n) for f, t, s, e, n in _matches(first)}
    else:
        combined, alone = _matches(first + separator + second), _matches(first)
    assert alone <= combined


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(cue_text, st.text(max_size=60)), min_size=1, max_size=5))
def test_batched_matching_is_plain_matching(texts):
    if not hasattr(LEXICON, "match_batch"):
        return
    assert LEXICON.match_batch(texts) == [reference_match(LEXICON, text) for text in texts]


# -- statistics --------------------------------------------------------------------------

@st.composite
def passages(draw):
    """Random articles in 1-3 groups, each with 1-6 passages tagged at random."""
    rows = []
    groups = draw(st.lists(st.sampled_from(["Alpha", "Beta", "Gamma"]), min_size=1,
                           max_size=3, unique=True))
    for g in groups:
        for a in range(draw(st.integers(1, 4))):
            for i in range(draw(st.integers(1, 6))):
                frames = [f for f in FRAMES if draw(st.booleans())]
                rows.append({"source": f"{g}/{a}.txt", "document_id": f"{g}-{a}",
                             "passage_index": i, "start": 0, "end": 4, "text": "text",
                             "frames": frames,
                             "scores": {f: 0.9 if f in frames else 0.1 for f in FRAMES},
                             "meta": {"outlet": g}})
    return rows


@settings(max_examples=40, deadline=None)
@given(passages())
def test_intervals_contain_the_estimate_and_mixes_sum_to_one(rows):
    result = compare_passages(rows, bootstrap=30, permutations=30, top_quotes=1, top_terms=1)
    for row in result.shares:
        for name in ("interval", "wilson_interval", "bootstrap_interval"):
            interval = row[name]
            if interval is not None:
                assert interval[0] - 1e-9 <= row["share"] <= interval[1] + 1e-9, (name, row)
                assert 0.0 <= interval[0] <= interval[1] <= 1.0
        low, high = row["article_interval"]
        assert low - 1e-9 <= row["article_share"] <= high + 1e-9
    for group, mix in result.distributions.items():
        values = list(mix.values())
        if all(v is None for v in values):
            assert not any(r["frames"] for r in rows if r["meta"]["outlet"] == group)
        else:
            assert sum(values) == pytest.approx(1.0)


# -- reports -----------------------------------------------------------------------------

class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]


hostile = st.one_of(st.text(max_size=40), st.sampled_from([
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
    "[x](javascript:alert(1))", "**bold** | `tick` @someone", "</style><svg onload=alert(1)>",
    "http://example.org/a?b=<c>", "data:text/html,<b>x</b>", " JaVaScRiPt:alert(1)",
]))


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
@settings(max_examples=10, deadline=None)
@given(hostile, hostile, hostile, hostile)
def test_reports_keep_every_corpus_string_inert(outlet, title, url, text):
    from framing.comparison.report import render
    from framing.comparison.report.html import CONTENT_SECURITY_POLICY

    assume(outlet.strip())
    rows = []
    for g, name in enumerate([outlet, outlet + " 2"]):
        for i in range(3):
            frames = list(FRAMES[: (i + g) % 3])
            rows.append({"source": f"{g}.txt", "document_id": f"{g}", "passage_index": i,
                         "start": 0, "end": len(text), "text": text or "x", "frames": frames,
                         "scores": {f: 0.9 if f in frames else 0.1 for f in FRAMES},
                         "meta": {"outlet": name, "title": title, "url": url}})
    result = compare_passages(rows, bootstrap=0, permutations=0)
    page = render(result, "html")
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags and "iframe" not in parser.tags
    assert not [a for a in parser.attributes if a[1].startswith("on")]
    for tag, name, value in parser.attributes:
        if name in ("href", "src", "action", "formaction"):
            assert re.match(r"https?://|#", value), (tag, name, value)
    assert CONTENT_SECURITY_POLICY in html.unescape(page)
    markdown = render(result, "markdown")
    markdown_it = pytest.importorskip("markdown_it")
    rendered = markdown_it.MarkdownIt("commonmark").enable("table").render(markdown)
    parser = _Tags()
    parser.feed(rendered)
    assert {"script", "img", "iframe", "svg", "style"}.isdisjoint(parser.tags)
    for tag, name, value in parser.attributes:
        if name == "href":
            assert re.match(r"https?://|#", value), value
