"""Coding sheets: JSONL and CSV forms, the round trip through a spreadsheet, and the one-line
errors for sheets that cannot be used."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framing.errors import InputError
from framing.frames import FRAMES
from framing.io.sheets import SHEET_FIELDS, read_sheet, render_sheet, write_sheet

texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
                min_size=1, max_size=80).filter(lambda t: t.strip())


def _record(k, text="A passage.", frames=None, **extra):
    return {"document_id": f"doc-{k}", "passage_index": k, "group": "Alpha",
            "unit": "paragraph", "stratum": "all", "inclusion_probability": 0.5,
            "text": text, "frames": frames, **extra}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(texts, st.one_of(st.none(), st.lists(st.sampled_from(FRAMES),
                                                                  unique=True))),
                min_size=1, max_size=8))
def test_jsonl_and_csv_round_trip(tmp_path_factory, items):
    folder = tmp_path_factory.mktemp("sheets")
    records = [_record(k, text, frames) for k, (text, frames) in enumerate(items)]
    expected = [{**r, "frames": None if r["frames"] is None else
                 [f for f in FRAMES if f in r["frames"]]} for r in records]
    for name in ("sheet.jsonl", "sheet.csv"):
        write_sheet(folder / name, records)
        back = read_sheet(folder / name)
        # texts come back whole (line ends are normalised to \n, as in every input)
        assert [{k: r[k] for k in (*SHEET_FIELDS, "frames")} for r in back] == expected
    assert read_sheet(folder / "sheet.csv") == read_sheet(folder / "sheet.jsonl")


def test_csv_has_one_column_per_frame_blank_until_coded(tmp_path):
    text = render_sheet([_record(0), _record(1, frames=["diplomacy"])], "csv")
    header, first, second = text.splitlines()
    assert header.split(",")[-4:] == list(FRAMES)
    assert first.endswith(",,,,")
    assert second.endswith(",0,0,1,0")


def test_a_spreadsheet_edited_sheet_reads_back(tmp_path):
    """BOM, CRLF, 3.0 for 3, x marks and blanks in a coded row, a formula-guarded text."""
    path = tmp_path / "coded.csv"
    header = ",".join([*SHEET_FIELDS, *FRAMES])
    rows = ["doc-1,3.0,Alpha,paragraph,all,0.5,'=SUM(A1),x,,,X",
            "doc-2,4,Alpha,paragraph,all,0.5,Plain text,0,,,",
            "doc-3,5,Alpha,paragraph,all,0.5,Not coded yet,,,,"]
    path.write_bytes(("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8"))
    records = read_sheet(path)
    assert records[0]["passage_index"] == 3
    assert records[0]["text"] == "=SUM(A1)"
    assert records[0]["frames"] == ["military_success", "civilian_harm"]
    assert records[1]["frames"] == []
    assert records[2]["frames"] is None


@pytest.mark.parametrize("content, message", [
    ("", "no records"),
    ('{"document_id": "a", "passage_index": 0, "text": "x"}\n', "missing frames"),
    ('{"document_id": "a", "passage_index": -1, "text": "x", "frames": null}\n',
     "passage_index must be a whole number"),
    ('{"document_id": "a", "passage_index": 0, "text": "x", "frames": ["peace"]}\n',
     "unknown frame(s) peace"),
    ('{"document_id": "a", "passage_index": 0, "text": "x", "frames": "diplomacy"}\n',
     "frames must be null"),
    ('{"document_id": "a", "passage_index": 0, "text": "x", "frames": null, '
     '"inclusion_probability": 0}\n', "inclusion_probability must be in (0, 1]"),
    ('{"document_id": "a", "passage_index": 0, "text": "x", "frames": null}\n' * 2,
     "on the sheet twice"),
    ("{not json\n", "not valid JSON"),
    ("document_id,text\nx,y\n", "not a coding sheet (no column passage_index"),
])
def test_unusable_sheets_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "sheet.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_sheet(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_bad_mark_in_csv_names_the_row(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text(",".join([*SHEET_FIELDS, *FRAMES]) + "\n"
                    "a,0,G,paragraph,all,1,text,maybe,,,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 1: military_success must be 1 or 0"):
        read_sheet(path)


def test_jsonl_records_keep_field_order(tmp_path):
    write_sheet(tmp_path / "s.jsonl", [_record(0)])
    line = (tmp_path / "s.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert list(json.loads(line)) == [*SHEET_FIELDS, "frames"]
