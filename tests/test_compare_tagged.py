"""Issue 13, item 6: ``framing compare`` reads ``framing classify --format jsonl`` output and
uses its tags (the same report as classifying the raw records); ``classify`` keeps every
scalar field of an input record in ``meta``."""

from __future__ import annotations

import json

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import framing
from framing.cli import cli
from framing.errors import InputError
from framing.frames import FRAMES
from framing.io.tagged import TAGGED_KEYS, is_tagged_file, tagged_passage
from framing.run.classify import PassageResult

TEXTS = [
    "Air defences shot down 40 of 52 drones overnight, the air force said.",
    "Negotiators met in Istanbul for talks on a ceasefire and a prisoner exchange.",
    "A missile strike on a residential block killed six civilians, including two children.",
    "Russia threatened to widen the war after the strike on the refinery.",
]


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    """Raw records from three outlets in two sections, with string, number and null fields
    (what a corpus may hold: it refuses true/false, lists and objects)."""
    lines = []
    for i in range(24):
        paragraphs = [TEXTS[(i + k) % 4] + f" Report {i}-{k}." for k in range(1 + i % 3)]
        lines.append(json.dumps({
            "id": f"r{i}", "text": "\n\n".join(paragraphs), "outlet": "ABC"[i % 3],
            "section": "world" if i % 2 else "europe", "Desk": "Kyiv" if i % 4 else "Lviv",
            "note": None,
            "page": i, "weight": 0.5}))
    path = tmp_path_factory.mktemp("tagged") / "raw.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _cli(*args):
    return CliRunner().invoke(cli, [*map(str, args)])


@pytest.fixture(scope="module")
def tagged(raw, small_model_dir):
    target = raw.parent / "tagged.jsonl"
    result = _cli("classify", "--model", small_model_dir, "--format", "jsonl", "-j", "1",
                  "-o", target, raw)
    assert result.exit_code == 0, result.stderr
    return target


def _compare(corpus, *args):
    result = _cli("compare", corpus, "--format", "json", "--bootstrap", "100",
                  "--permutations", "100", "-j", "1", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# -- classify keeps every scalar field --------------------------------------------------------

def test_classify_keeps_every_scalar_field_in_meta(tagged, tmp_path, small_model_dir):
    first = json.loads(tagged.read_text(encoding="utf-8").splitlines()[0])
    assert first["meta"] == {"outlet": "A", "section": "europe", "Desk": "Lviv", "note": None,
                             "page": 0, "weight": 0.5}
    assert first["document_id"] == "r0"
    assert list(first) == ["source", "document_id", "passage_index", "start", "end", "text",
                           "frames", "scores", "evidence", "meta"]
    path = tmp_path / "types.jsonl"
    path.write_text(json.dumps({"id": 5, "text": TEXTS[0], "wire": True, "rank": 1.5,
                                "none": None, "tags": ["x"], "extra": {"a": 1}}) + "\n",
                    encoding="utf-8")
    result = _cli("classify", "--model", small_model_dir, "--format", "jsonl", path)
    record = json.loads(result.stdout)
    assert record["meta"] == {"wire": True, "rank": 1.5, "none": None}  # no text, id, list, object
    assert record["document_id"] == "5"


def test_the_four_known_fields_stay_strings(tmp_path, small_model_dir):
    path = tmp_path / "numbers.jsonl"
    path.write_text(json.dumps({"text": TEXTS[0], "outlet": 7, "date": None, "title": 2.5,
                                "url": "https://example.org/a"}) + "\n", encoding="utf-8")
    result = _cli("classify", "--model", small_model_dir, "--format", "jsonl", path)
    assert json.loads(result.stdout)["meta"] == {"outlet": "7", "title": "2.5",
                                                 "url": "https://example.org/a"}


# -- compare reads the tags ---------------------------------------------------------------

@pytest.mark.parametrize("by", ["outlet", "section"])
def test_comparing_the_tagged_file_equals_classifying_the_raw_records(raw, tagged,
                                                                       small_model_dir, by):
    computed = _compare(raw, "--model", small_model_dir, "--by", by)
    read = _compare(tagged, "--by", by)
    assert read["settings"]["tags"] == "read"
    assert not {"method", "unit", "model"} & set(read["settings"])
    assert computed["settings"]["method"] == "hybrid" and "tags" not in computed["settings"]
    assert read["group_order"] == computed["group_order"] and len(read["group_order"]) > 1
    for key in set(computed) - {"settings"}:
        assert read[key] == computed[key], key


def test_the_python_api_reads_tags_too(raw, tagged, small_model_dir):
    options = {"bootstrap": 50, "permutations": 50, "by": "desk", "dedupe": True}
    computed = framing.compare(raw, model=small_model_dir, **options)
    read = framing.compare(tagged, **options)
    assert read.shares == computed.shares
    assert read.groups == computed.groups == ["Kyiv", "Lviv"]  # "Desk" read as "desk"
    assert read.settings["tags"] == "read" and read.settings["dedupe"] is True


def test_the_markdown_summary_says_the_tags_were_read(tagged):
    result = _cli("compare", tagged, "--bootstrap", "0", "--permutations", "0")
    assert result.exit_code == 0, result.stderr
    assert "tags `read`" in result.stdout.splitlines()[2]
    assert "method" not in result.stdout.splitlines()[2]


# -- refusals: one line, no output ----------------------------------------------------------

def _refused(tmp_path, corpus, *args, code=3):
    output = tmp_path / "report.json"
    result = _cli("compare", corpus, "-o", output, *args)
    assert result.exit_code == code, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("framing: error: "), result.stderr
    assert not output.exists()
    return lines[0]


def _lines(tagged):
    return tagged.read_text(encoding="utf-8").splitlines()


def test_a_raw_record_among_tagged_ones_is_refused(tmp_path, tagged):
    mixed = tmp_path / "mixed.jsonl"
    lines = _lines(tagged)
    mixed.write_text("\n".join(lines[:3] + [json.dumps({"text": TEXTS[0], "outlet": "A"})]
                               + lines[3:]) + "\n", encoding="utf-8")
    message = _refused(tmp_path, mixed)
    assert f"{mixed}:4: a raw record (no tags) in a file of tagged passages" in message
    assert "not a mix" in message


def test_a_tagged_record_among_raw_ones_is_refused(tmp_path, raw, tagged, small_model_dir):
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join(_lines(raw)[:2] + _lines(tagged)[:1]) + "\n", encoding="utf-8")
    result = _cli("compare", mixed, "--model", small_model_dir)
    assert result.exit_code == 3
    assert f"{mixed}:3: a tagged passage (framing classify output) among raw records" \
        in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("change,expected", [
    (lambda r: r.pop("scores"), "not a tagged passage of framing classify --format jsonl "
                                "(no 'scores')"),
    (lambda r: r.update(passage_index="0"), "'passage_index' must be an integer, got str"),
    (lambda r: r.update(frames="escalation"), "'frames' must be a list, got str"),
    (lambda r: r.update(frames=[1]), "'frames' must be a list of frame names"),
    (lambda r: r.update(scores={"escalation": "high"}), "'scores' must map frame names to "
                                                        "numbers"),
    (lambda r: r.update(meta=[1]), "'meta' must be an object, got list"),
])
def test_a_record_that_is_not_classify_output_is_refused(tmp_path, tagged, change, expected):
    lines = _lines(tagged)
    record = json.loads(lines[5])
    change(record)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines[:5] + [json.dumps(record)] + lines[6:]) + "\n",
                   encoding="utf-8")
    message = _refused(tmp_path, bad)
    assert message == f"framing: error: {bad}:6: {expected}"


def test_an_unknown_frame_and_bad_json_are_refused(tmp_path, tagged):
    lines = _lines(tagged)
    record = json.loads(lines[2])
    record["frames"] = ["victory"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([lines[0], json.dumps(record)]) + "\n", encoding="utf-8")
    assert "unknown frame(s) victory" in _refused(tmp_path, bad)
    bad.write_text("\n".join([lines[0], "{oops"]) + "\n", encoding="utf-8")
    assert f"{bad}:2: not valid JSON" in _refused(tmp_path, bad)


@pytest.mark.parametrize("option", [["--model", "models/framing-default"],
                                    ["--method", "lexicon"], ["--unit", "sentence"]])
def test_classifier_options_are_refused_for_tagged_input(tmp_path, tagged, option):
    message = _refused(tmp_path, tagged, *option, code=2)
    assert message.startswith(f"framing: error: {option[0]}: {tagged} holds tagged passages")


def test_grouping_by_a_field_no_passage_has_names_the_fields(tmp_path, tagged):
    message = _refused(tmp_path, tagged, "--by", "desk_name", code=2)
    assert "no passage of" in message
    assert "the fields it has are: desk, outlet, page, section, weight" in message


def test_labelled_gold_and_raw_records_are_not_tagged(gold_files, raw, tagged, tmp_path):
    assert is_tagged_file(tagged)
    assert not is_tagged_file(raw)
    assert not any(is_tagged_file(path) for path in gold_files)
    assert not is_tagged_file(tmp_path / "missing.jsonl")
    (tmp_path / "empty.jsonl").write_text("", encoding="utf-8")
    assert not is_tagged_file(tmp_path / "empty.jsonl")


# -- the record parser ---------------------------------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.text(max_size=8),
                    st.floats(allow_nan=False, allow_infinity=False))


@given(st.lists(st.sampled_from(FRAMES), unique=True),
       st.dictionaries(st.text(min_size=1, max_size=6), scalars, max_size=4),
       st.text(min_size=1, max_size=30))
@settings(deadline=None)
def test_every_classify_record_reads_back(frames, meta, text):
    result = PassageResult("s.jsonl", "d", 2, 0, len(text), text, frames,
                           {f: 0.5 for f in FRAMES}, {}, meta)
    record = orjson.loads(orjson.dumps(result.to_dict()))
    passage = tagged_passage(record, "f:1")
    assert {key: passage[key] for key in TAGGED_KEYS} == \
        {key: record[key] for key in TAGGED_KEYS}
    for key, value in meta.items():  # read as the corpus loader reads a record's fields
        if value is not None and str(value).strip():
            assert passage["meta"][key.strip().lower()] in \
                {str(v).strip() for k, v in meta.items() if k.strip().lower() == key.strip().lower()}
    for key in TAGGED_KEYS:
        broken = dict(record)
        del broken[key]
        with pytest.raises(InputError, match="^f:1: "):
            tagged_passage(broken, "f:1")
