"""Issue 14, items 6, 7 and 13 and parts of item 14: long texts cut into sentences, malformed
baselines, duplicate manifest ids, gold ids that are objects, ``classify_texts`` given a
string."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import framing.text.segment
from framing import classify_texts
from framing.cli import cli
from framing.text.segment import sentence_spans, sentence_tokenizer

GOOD_TEXT = ("Delegations met in Istanbul for a new round of peace talks on Monday.\n\n"
             "Russian shelling killed three civilians in Kherson, officials said.\n")
SENTENCE = "Russian shelling killed three civilians in Kherson, officials said on Monday. "


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def check_one_line(result, name: str, fragment: str, code: int = 3) -> None:
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("framing: error: "), lines
    assert name in lines[0] and fragment in lines[0], lines[0]


# -- item 6: --unit sentence on a very long text -------------------------------------------

def test_a_long_paragraph_is_cut_into_sentences_within_nltks_time_limit(
        tmp_path, small_model_dir, monkeypatch):
    """A paragraph too long for one Punkt call within nltk's regex time limit (a 19M-character
    text against the 5 s limit; here 600,000 characters against a 0.1 s limit, to stay fast)
    is segmented window by window, and the run goes on to the next document."""
    import nltk.redos

    monkeypatch.setattr(nltk.redos, "DEFAULT_TIMEOUT", 0.1)
    monkeypatch.setattr(framing.text.segment, "SENTENCE_WINDOW", 20_000)
    long_text = SENTENCE * (600_000 // len(SENTENCE))
    records = tmp_path / "long.jsonl"
    records.write_text(json.dumps({"id": "long", "text": long_text}) + "\n"
                       + json.dumps({"id": "after", "text": GOOD_TEXT}) + "\n",
                       encoding="utf-8")
    result = run("classify", "--model", small_model_dir, "--jobs", "1", "--unit", "sentence",
                 "--method", "lexicon", "--format", "jsonl", records)
    assert result.exit_code == 0, result.stderr
    passages = [json.loads(line) for line in result.stdout.splitlines()]
    long = [p for p in passages if p["document_id"] == "long"]
    assert len(long) == long_text.count(". ")
    assert all(p["text"] == SENTENCE.strip() for p in long)
    assert [p["document_id"] for p in passages[-2:]] == ["after", "after"]


def test_windows_give_the_sentences_of_the_whole_paragraph(gold_files, monkeypatch):
    texts = []
    for path in gold_files:
        for line in path.read_text(encoding="utf-8").splitlines()[:100]:
            text = " ".join(json.loads(line)["text"].split()) if line.strip() else ""
            if text.endswith("."):
                texts.append(text)
    paragraph = " ".join(texts)  # one paragraph of real news sentences
    whole = [(s, e) for s, e in sentence_tokenizer().span_tokenize(paragraph)]
    window = 3 * max(e - s for s, e in whole)
    assert len(paragraph) > 10 * window  # many windows
    monkeypatch.setattr(framing.text.segment, "SENTENCE_WINDOW", window)
    windowed = sentence_spans(paragraph)
    assert [paragraph[s:e] for s, e in windowed] == [paragraph[s:e].strip() for s, e in whole]


def test_a_run_without_any_sentence_end_is_cut_at_spaces(monkeypatch):
    monkeypatch.setattr(framing.text.segment, "SENTENCE_WINDOW", 1_000)
    text = "word " * 1_000  # 5,000 characters, no sentence end
    spans = sentence_spans(text)
    assert 5 <= len(spans) <= 10
    assert all(e - s <= 1_000 for s, e in spans)
    assert " ".join(text[s:e] for s, e in spans).split() == text.split()


def test_a_piece_that_nltk_gives_up_on_is_one_passage(monkeypatch):
    class GivesUp:
        def span_tokenize(self, text):
            raise TimeoutError("regular-expression match exceeded its time limit")

    monkeypatch.setattr(framing.text.segment, "sentence_tokenizer", lambda: GivesUp())
    text = "One sentence. Another one.\n\nA second paragraph."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "One sentence. Another one.", "A second paragraph."]


# -- item 7: malformed --baseline ---------------------------------------------------------

@pytest.fixture(scope="module")
def real_baseline(repo) -> dict:
    return json.loads((repo / "corpus" / "compare-baseline.json").read_text(encoding="utf-8"))


def corpus_with(root: Path, rows: list[str], header: str = "file,outlet") -> Path:
    (root / "articles").mkdir(parents=True, exist_ok=True)
    for i in range(2):
        (root / "articles" / f"good{i}.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (root / "manifest.csv").write_text("\n".join([header] + rows) + "\n", encoding="utf-8")
    return root


TWO_OUTLETS = ["articles/good0.txt,Alpha", "articles/good1.txt,Beta"]


def malformed_baselines(real: dict) -> dict[str, tuple[str, str]]:
    group = next(iter(real["groups"]))
    frame = next(iter(real["groups"][group]["frames"]))
    text = json.dumps(real)
    shares = json.loads(text)
    shares["groups"][group]["frames"][frame]["share"] = "@share@"
    return {
        "settings-list": (json.dumps({**real, "settings": ["outlet"]}), "'settings' must be"),
        "settings-string": (json.dumps({**real, "settings": "outlet"}), "'settings' must be"),
        "settings-empty-list": (json.dumps({**real, "settings": []}), "'settings' must be"),
        "divergences-5": (json.dumps({**real, "divergences": 5}), "'divergences' must be"),
        "divergence-pair-list": (json.dumps({**real, "divergences": [
            {"a": ["x"], "b": "y", "divergence": 0.1}]}), "strings 'a' and 'b'"),
        "5000-digit-integer": (text.replace('"seed": ', '"seed": ' + "9" * 5000 + ', "s": ', 1),
                               "a number in it is too long"),
        "4000-digit-share": (json.dumps(shares).replace('"@share@"', "9" * 4000),
                             "must be a number from 0 to 1"),
        "group-a-list": (json.dumps({**real, "groups": {**real["groups"], group: [1]}}),
                         f"group {group!r} must be an object"),
        "schema-version-object": (json.dumps({**real, "schema_version": {"major": 1}}),
                                  "'schema_version' must be"),
    }


@pytest.mark.parametrize("case", ["settings-list", "settings-string", "settings-empty-list",
                                  "divergences-5", "divergence-pair-list", "5000-digit-integer",
                                  "4000-digit-share", "group-a-list", "schema-version-object"])
def test_malformed_baselines_exit_3_with_one_line(tmp_path, real_baseline, case):
    content, fragment = malformed_baselines(real_baseline)[case]
    baseline = tmp_path / f"{case}.json"
    baseline.write_text(content, encoding="utf-8")
    report = tmp_path / "report.md"
    result = run("compare", corpus_with(tmp_path / "c", TWO_OUTLETS), "-q", "--bootstrap", "0",
                 "--permutations", "0", "--baseline", baseline, "--fail-on-shift", "0.5",
                 "-o", report)
    check_one_line(result, f"{case}.json", fragment)
    assert not report.exists()


def test_the_shipped_baseline_passes_the_schema_check(repo):
    from framing.comparison.gates import load_baseline

    assert load_baseline(repo / "corpus" / "compare-baseline.json")["groups"]


# -- item 13: duplicate ids in a manifest --------------------------------------------------

def compare_corpus(root: Path, tmp_path: Path):
    report = tmp_path / "report.md"
    return run("compare", root, "-q", "--bootstrap", "0", "--permutations", "0",
               "-o", report), report


def test_duplicate_ids_in_a_csv_manifest_are_refused(tmp_path):
    root = corpus_with(tmp_path / "c", ["articles/good0.txt,Alpha,same",
                                        "articles/good1.txt,Beta,same"], "file,outlet,id")
    result, report = compare_corpus(root, tmp_path)
    assert result.exit_code == 3, result.stderr
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr and "nothing was compared" in lines[0]
    assert any("manifest.csv:3" in line and "id 'same' is used twice" in line
               and "manifest.csv:2" in line for line in lines[1:]), lines
    assert not report.exists()


def test_duplicate_ids_in_a_jsonl_manifest_of_files_are_refused(tmp_path):
    root = corpus_with(tmp_path / "c", [])
    (root / "manifest.csv").unlink()
    (root / "manifest.jsonl").write_text(
        json.dumps({"file": "articles/good0.txt", "outlet": "Alpha", "id": "same"}) + "\n"
        + json.dumps({"file": "articles/good1.txt", "outlet": "Beta", "id": "same"}) + "\n",
        encoding="utf-8")
    result, _ = compare_corpus(root, tmp_path)
    assert result.exit_code == 3 and "id 'same' is used twice" in result.stderr


def test_distinct_ids_and_same_file_names_in_two_folders_are_fine(tmp_path):
    root = tmp_path / "c"
    for folder in ("a", "b"):
        (root / folder).mkdir(parents=True)
        (root / folder / "story.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (root / "manifest.csv").write_text("file,outlet\na/story.txt,Alpha\nb/story.txt,Beta\n",
                                       encoding="utf-8")
    result, report = compare_corpus(root, tmp_path)
    assert result.exit_code == 0, result.stderr
    corpus_with(tmp_path / "d", ["articles/good0.txt,Alpha,one", "articles/good1.txt,Beta,two"],
                "file,outlet,id")
    result, report = compare_corpus(tmp_path / "d", tmp_path)
    assert result.exit_code == 0, result.stderr


# -- item 14: gold ids, classify_texts ----------------------------------------------------

@pytest.mark.parametrize("bad_id", [{"nested": 1}, ["a"], None, True, 1.5])
def test_gold_ids_must_be_strings_or_integers_for_train_and_evaluate(tmp_path, small_gold,
                                                                     bad_id):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": bad_id, "text": "Talks resumed in Istanbul.",
                               "frames": ["diplomacy"]}) + "\n", encoding="utf-8")
    for args in (("train", "--gold", small_gold, "--gold", bad, "--output", tmp_path / "model",
                  "--no-cross-validation"),
                 ("evaluate", "--gold", small_gold, "--gold", bad),
                 ("evaluate", "--data", bad, "--model", tmp_path / "never-read")):
        check_one_line(run(*args), "bad.jsonl:1", "'id' must be a string or an integer")
    assert not (tmp_path / "model").exists()


def test_classify_texts_refuses_a_bare_string(small_model_dir):
    from framing.model.storage import load_model

    model = load_model(small_model_dir)
    for bare in ("Talks resumed in Istanbul.", b"Talks resumed in Istanbul."):
        with pytest.raises(TypeError, match=r"for one text pass \[text\]"):
            classify_texts(bare, model=model)
    with pytest.raises(TypeError, match="text 1 is a int"):
        classify_texts(["Talks resumed.", 42], model=model)
    results = classify_texts(["Talks resumed in Istanbul."], model=model)
    assert len(results) == 1 and results[0].text == "Talks resumed in Istanbul."
    assert len(classify_texts(iter(["One.", "Two."]), model=model)) == 2
