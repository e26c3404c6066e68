"""Loading a corpus: manifests (CSV, JSONL), JSONL records, and every way one can be wrong."""

from __future__ import annotations

import json
import os

import pytest

from framing.io.corpus import group_value, load_corpus, parse_by, period_key
from framing.errors import InputError, UsageError

ARTICLE = "Russian shelling of the Kherson region killed three people.\n\nTalks resumed.\n"


def write_corpus(root, rows, header="file,outlet,date,title,url", articles=None):
    (root / "articles").mkdir(parents=True, exist_ok=True)
    for name in articles if articles is not None else ("a.txt", "b.txt", "c.txt"):
        (root / "articles" / name).write_text(ARTICLE, encoding="utf-8")
    (root / "manifest.csv").write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return root


def problems_of(excinfo) -> list[str]:
    lines = str(excinfo.value).split("\n")
    return [line.strip() for line in lines[1:]]


def test_csv_manifest(tmp_path):
    root = write_corpus(tmp_path / "c", [
        "articles/a.txt,AP,2025-06-02,First,https://example.org/a",
        "articles/b.txt,BBC,2025-06-01,,",
        '"articles/c.txt","AP","2025-06-03","Title, with comma",',
    ])
    corpus = load_corpus(root)
    assert [d.document_id for d in corpus.documents] == ["a", "b", "c"]
    first = corpus.documents[0]
    assert first.meta == {"date": "2025-06-02", "outlet": "AP", "title": "First",
                          "url": "https://example.org/a"}
    assert first.source == os.path.join(str(root), "articles", "a.txt")
    assert first.text == ARTICLE
    assert corpus.documents[2].meta["title"] == "Title, with comma"
    assert "url" not in corpus.documents[1].meta  # empty cells are absent, not ""
    assert corpus.fields == ("date", "outlet", "title", "url")
    assert load_corpus(root / "manifest.csv").documents == corpus.documents


def test_extra_columns_are_metadata_and_can_group(tmp_path):
    root = write_corpus(tmp_path / "c", ["articles/a.txt,AP,left", "articles/b.txt,BBC,right"],
                        header="File,Outlet,Leaning", articles=["a.txt", "b.txt"])
    corpus = load_corpus(root, by="leaning")
    assert [d.meta["leaning"] for d in corpus.documents] == ["left", "right"]


def test_jsonl_manifest(tmp_path):
    root = tmp_path / "c"
    write_corpus(root, [], articles=["a.txt", "b.txt"])
    (root / "manifest.csv").unlink()
    (root / "manifest.jsonl").write_text(
        json.dumps({"file": "articles/a.txt", "outlet": "AP", "date": "2025-06-02"}) + "\n\n" +
        json.dumps({"file": "articles/b.txt", "outlet": "BBC", "id": "b-1", "wordcount": 12}) + "\n",
        encoding="utf-8")
    corpus = load_corpus(root)
    assert [d.meta["outlet"] for d in corpus.documents] == ["AP", "BBC"]
    assert corpus.documents[1].document_id == "b-1"
    assert corpus.documents[1].meta["wordcount"] == "12"


def test_jsonl_records(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"id": "r1", "text": "Talks in Istanbul.", "outlet": "AP", "section": "world"},
        {"text": "Shelling hit Kherson.", "outlet": "BBC", "url": "https://example.org/x"},
    ]) + "\n", encoding="utf-8")
    corpus = load_corpus(path)
    assert [d.document_id for d in corpus.documents] == ["r1", "records:2"]
    assert corpus.documents[0].meta == {"outlet": "AP", "section": "world"}
    assert corpus.documents[1].source == str(path)


def test_every_problem_is_listed_at_once(tmp_path):
    root = write_corpus(tmp_path / "c", [
        "articles/a.txt,AP,2025-06-02,,",
        "../../etc/passwd,AP,,,",
        "/etc/passwd,AP,,,",
        "articles/missing.txt,AP,,,",
        "articles/b.txt,,,,",
        "./articles/a.txt,BBC,,,",
        "articles/c.txt,AP,2025-06-02",
    ])
    with pytest.raises(InputError) as excinfo:
        load_corpus(root)
    message = str(excinfo.value)
    first_line = message.split("\n")[0]
    assert first_line == f"corpus {root}: 6 problems, nothing was compared:"
    problems = problems_of(excinfo)
    assert len(problems) == 6
    manifest = os.path.join(str(root), "manifest.csv")
    assert problems[0] == (f"{manifest}:3: '../../etc/passwd' points outside the corpus "
                           "folder; manifest paths must stay inside it")
    assert "absolute path" in problems[1] and ":4:" in problems[1]
    assert "'articles/missing.txt' not found" in problems[2]
    assert problems[3] == (f"{manifest}:6: no outlet (every article needs one to be grouped "
                           "by outlet)")
    assert problems[4].endswith("is listed twice (first at " + manifest + ":2)")
    assert problems[5] == f"{manifest}:8: 3 fields where the header has 5"


def test_symlink_out_of_the_corpus_is_refused(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    root = write_corpus(tmp_path / "c", ["articles/link.txt,AP"], header="file,outlet",
                        articles=[])
    (root / "articles" / "link.txt").symlink_to(outside)
    with pytest.raises(InputError, match="points outside the corpus folder"):
        load_corpus(root)


def test_unreadable_article_is_reported_with_its_row(tmp_path):
    root = write_corpus(tmp_path / "c", ["articles/a.txt,AP", "articles/bad.txt,AP",
                                         "articles/empty.txt,AP"], header="file,outlet",
                        articles=["a.txt"])
    (root / "articles" / "bad.txt").write_bytes(b"caf\xe9 au lait")
    (root / "articles" / "empty.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(InputError) as excinfo:
        load_corpus(root)
    problems = problems_of(excinfo)
    assert len(problems) == 2
    assert ":3:" in problems[0] and "not UTF-8" in problems[0]
    assert ":4:" in problems[1] and "empty text" in problems[1]


@pytest.mark.parametrize("content, expected", [
    ("", "empty manifest"),
    ("outlet,date\nAP,2025-06-01\n", "header has no 'file' column"),
    ("file,outlet,file\na.txt,AP,b.txt\n", "named twice"),
    ("file,outlet\n", "lists no articles"),
])
def test_malformed_csv_manifest(tmp_path, content, expected):
    (tmp_path / "manifest.csv").write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=expected):
        load_corpus(tmp_path)


def test_malformed_jsonl(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text('{"text": "ok", "outlet": "AP"}\n{not json\n[1, 2]\n'
                    '{"text": "t", "file": "a.txt", "outlet": "AP"}\n{"outlet": "AP"}\n'
                    '{"text": "x", "outlet": ["AP"]}\n{"text": "no outlet"}\n'
                    '{"id": "d", "text": "a", "outlet": "AP"}\n{"id": "d", "text": "b", "outlet": "AP"}\n',
                    encoding="utf-8")
    with pytest.raises(InputError) as excinfo:
        load_corpus(path)
    problems = problems_of(excinfo)
    assert [p.split(": ")[0].rsplit(":", 1)[1] for p in problems] == \
        ["2", "3", "4", "5", "6", "7", "9"]
    assert "not valid JSON" in problems[0]
    assert "expected a JSON object" in problems[1]
    assert "not both" in problems[2] and "not neither" in problems[3]
    assert "must be a string or a number" in problems[4]
    assert "no outlet" in problems[5]
    assert "id 'd' is used twice" in problems[6]


def test_folder_without_manifest_says_how_to_fix(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    with pytest.raises(InputError, match="no manifest.csv or manifest.jsonl.*file,outlet"):
        load_corpus(tmp_path)


def test_two_manifests_are_ambiguous(tmp_path):
    write_corpus(tmp_path, ["articles/a.txt,AP"], header="file,outlet")
    (tmp_path / "manifest.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="both manifest.csv and manifest.jsonl"):
        load_corpus(tmp_path)


def test_missing_corpus_and_wrong_kind_of_file(tmp_path):
    with pytest.raises(InputError, match="no such corpus"):
        load_corpus(tmp_path / "nope")
    (tmp_path / "x.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="expected a corpus folder"):
        load_corpus(tmp_path / "x.txt")


def test_manifest_listing_jsonl_is_refused(tmp_path):
    write_corpus(tmp_path, ["articles/a.jsonl,AP"], header="file,outlet", articles=["a.jsonl"])
    with pytest.raises(InputError, match="is JSONL"):
        load_corpus(tmp_path)


def test_by_date_checks_every_date(tmp_path):
    root = write_corpus(tmp_path / "c", ["articles/a.txt,AP,2025-06-02",
                                         "articles/b.txt,AP,June 2nd",
                                         "articles/c.txt,AP,"], header="file,outlet,date")
    assert len(load_corpus(root)) == 3  # dates only matter when grouping by them
    with pytest.raises(InputError) as excinfo:
        load_corpus(root, by="date")
    problems = problems_of(excinfo)
    assert "'June 2nd' is not an ISO 8601 date" in problems[0]
    assert problems[1].endswith(":4: no date (every article needs one to be grouped by date)")


def test_parse_by_and_periods():
    assert parse_by("outlet") == ("outlet", None)
    assert parse_by("Date") == ("date", "day")
    assert parse_by("date:month") == ("date", "month")
    assert parse_by("published:week") == ("published", "week")
    for bad in ("", "text", "date:fortnight"):
        with pytest.raises(UsageError):
            parse_by(bad)
    assert period_key("2025-06-02", "day") == "2025-06-02"
    assert period_key("2025-06-02T23:30:00+03:00", "day") == "2025-06-02"
    assert period_key("2025-06-02", "week") == "2025-W23"
    assert period_key("2024-12-30", "week") == "2025-W01"  # ISO week-year
    assert period_key("2025-06", "month") == "2025-06"
    assert period_key("2025-06-02", "year") == "2025"
    with pytest.raises(ValueError):
        period_key("2025-06", "day")
    assert group_value({"outlet": " AP "}, "outlet", None) == "AP"
    with pytest.raises(ValueError, match="no outlet"):
        group_value({"outlet": ""}, "outlet", None)
