import json

import pytest
from hypothesis import given, strategies as st

from framing.io.documents import read_documents
from framing.errors import InputError


def read_all(paths):
    errors = []
    documents = list(read_documents([str(p) for p in paths], errors=errors))
    return documents, [str(e) for e in errors]


def test_txt_is_one_article_with_bom_and_crlf(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"\xef\xbb\xbfFirst.\r\n\r\nSecond.\r\n")
    (document,), errors = read_all([path])
    assert errors == []
    assert document.text == "First.\n\nSecond.\n"
    assert document.document_id == "a"


def test_jsonl_records_keep_id_and_metadata(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"id": "x1", "text": "Talks resumed.", "outlet": "npr", "date": "2025-06-02"})
                    + "\n\n" + json.dumps({"text": "No id here."}) + "\n", encoding="utf-8")
    documents, errors = read_all([path])
    assert errors == []
    assert [d.document_id for d in documents] == ["x1", "p:3"]
    assert documents[0].meta == {"outlet": "npr", "date": "2025-06-02"}


@pytest.mark.parametrize("content, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (b"caf\xe9 au lait", "not UTF-8"),
    (b"\xff\xfeh\x00i\x00", "UTF-16"),
    (b"   \n\n\t ", "empty"),
])
def test_unusable_text_files_are_named_and_skipped(tmp_path, content, message):
    bad, good = tmp_path / "bad.txt", tmp_path / "good.txt"
    bad.write_bytes(content)
    good.write_text("A real paragraph.", encoding="utf-8")
    documents, errors = read_all([bad, good])
    assert [d.document_id for d in documents] == ["good"]
    assert len(errors) == 1 and "bad.txt" in errors[0] and message in errors[0]
    assert "\n" not in errors[0]


@pytest.mark.parametrize("line, message", [
    ('{"text": ', "not valid JSON"),
    ('["text"]', "expected a JSON object"),
    ('{"id": 3}', "no 'text'"),
    ('{"text": 42}', "must be a string"),
    ('{"text": "  "}', "empty"),
    ('{"text": "ok", "id": [1]}', "'id' must be"),
    ("[" * 100000 + "]" * 100000, "JSON"),
])
def test_malformed_records_are_reported_with_line_numbers(tmp_path, line, message):
    path = tmp_path / "r.jsonl"
    path.write_text('{"text": "Fine record."}\n' + line + "\n", encoding="utf-8")
    documents, errors = read_all([path])
    assert len(documents) == 1
    assert len(errors) == 1 and "r.jsonl:2" in errors[0] and message in errors[0]


def test_missing_file_and_directory(tmp_path):
    _, errors = read_all([tmp_path / "nope.txt", tmp_path])
    assert "no such file" in errors[0] and "is a directory" in errors[1]


def test_without_error_list_the_first_problem_raises(tmp_path):
    with pytest.raises(InputError):
        list(read_documents([str(tmp_path / "missing.txt")]))


@given(st.lists(st.fixed_dictionaries({"text": st.text(min_size=1).filter(str.strip),
                                       "id": st.text(min_size=1, max_size=8)}), min_size=1, max_size=5))
def test_jsonl_round_trip(records):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "h.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        documents, errors = read_all([path])
    assert errors == []
    assert [(d.document_id, d.text) for d in documents] == [
        (r["id"], r["text"].replace("\r\n", "\n")) for r in records]


def test_jsonl_bad_line_encoding_and_binary_jsonl(tmp_path):
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(b'{"text": "caf\xe9"}\n{"text": "Good one."}\n')
    binary = tmp_path / "blob.jsonl"
    binary.write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00" + bytes(range(256)))
    documents, errors = read_all([mixed, binary])
    assert [d.text for d in documents] == ["Good one."]
    assert "mixed.jsonl:1" in errors[0] and "not UTF-8" in errors[0]
    assert "blob.jsonl" in errors[1] and "binary" in errors[1]
    assert len(errors) == 2


def test_read_items_keeps_every_problem_in_its_place_and_parses_nothing(tmp_path):
    """What the workers of `classify --jobs` receive: records unparsed, problems as values
    in input order (a file-level problem where that file stands), never raised."""
    from framing.io.documents import Document, RawRecord, documents_of, read_items

    records = tmp_path / "r.jsonl"
    records.write_bytes(b'{"id": "a", "text": "One."}\n\n{not json\n\xff\xfe bad\n'
                        b'{"id": "b", "text": "Two."}\n')
    article = tmp_path / "a.txt"
    article.write_text("An article.\n", encoding="utf-8")
    items = list(read_items([str(records), str(tmp_path / "missing.txt"), str(article)]))
    kinds = [type(item).__name__ for item in items]
    assert kinds == ["RawRecord", "RawRecord", "InputError", "RawRecord", "InputError",
                     "Document"]
    assert [item.line_no for item in items if isinstance(item, RawRecord)] == [1, 3, 5]
    assert "r.jsonl:4" in str(items[2]) and "missing.txt" in str(items[4])
    errors: list = []
    documents = list(documents_of(items, errors))
    assert [d.document_id for d in documents] == ["a", "b", "a"]
    assert all(isinstance(d, Document) for d in documents)
    assert ["r.jsonl:3" in str(errors[0]), "r.jsonl:4" in str(errors[1]),
            "missing.txt" in str(errors[2])] == [True, True, True]  # parsed in order
