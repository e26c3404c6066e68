"""The lexicon: negation by any "n't" contraction (the suite only used contractions a process
has usually seen already, and the matcher caches which words negate) and the file format's
notes, line numbers and paths. Found by mutation testing: these mutants survived the suite."""

from __future__ import annotations

import random
import string

import pytest

from framing.errors import ModelError
from framing.lexicon import Lexicon

LEXICON = Lexicon.from_text("frame\tterm\tweight\tnote\n"
                            "military_success\tintercept\t1.0\t\n"
                            "civilian_harm\tcivilians killed\t1.0\t\n"
                            "diplomacy\ttalks\t1.0\t\n")


def fresh_contraction() -> str:
    """A word ending in n't that no text has used before (so no cache knows it)."""
    letters = "".join(random.SystemRandom().choice(string.ascii_lowercase) for _ in range(12))
    return f"q{letters}n't"


def test_any_word_ending_in_nt_negates_a_following_cue():
    for _ in range(3):
        word = fresh_contraction()
        text = f"Crews {word} intercept the drones, and envoys {word} hold talks."
        matches = {m.term: m.negated for m in LEXICON.match(text)}
        assert matches == {"intercept": True, "talks": False}  # diplomacy is never negated
        scores = Lexicon.frame_scores(LEXICON.match(text))
        assert scores["military_success"] == 0.0 and scores["diplomacy"] == 1.0


def test_a_fresh_contraction_negates_in_a_batch_too():
    word = fresh_contraction()
    texts = ["Civilians killed in the strike.", f"Officials say they {word} see civilians killed."]
    rows = LEXICON.match_batch(texts)
    assert [[(m.term, m.negated) for m in row] for row in rows] == [
        [("civilians killed", False)], [("civilians killed", True)]]


def test_a_plain_word_does_not_negate():
    letters = fresh_contraction()[:-3]  # the same kind of fresh word, without n't
    matches = LEXICON.match(f"Crews {letters} intercept the drones.")
    assert [(m.term, m.negated) for m in matches] == [("intercept", False)]


# -- the file format ---------------------------------------------------------------------

GOOD = ("# version: 2.0.1\n"
        "frame\tterm\tweight\tnote\n"
        "diplomacy\tpeace talks\t1.5\tnegotiation rounds\n"
        "escalation\twarned\t0.5\n")


def test_notes_and_version_survive_a_round_trip():
    lexicon = Lexicon.from_text(GOOD)
    assert [(t.frame, t.text, t.weight, t.note) for t in lexicon.terms] == [
        ("diplomacy", "peace talks", 1.5, "negotiation rounds"), ("escalation", "warned", 0.5, "")]
    again = Lexicon.from_text(lexicon.to_text())
    assert again.terms == lexicon.terms and again.version == "2.0.1"
    assert again.checksum == lexicon.checksum


def test_a_malformed_row_is_named_by_its_line_number():
    with pytest.raises(ModelError, match=r"^<string>:4: unknown frame 'peace'"):
        Lexicon.from_text(GOOD.replace("escalation\twarned", "peace\twarned"))


@pytest.mark.parametrize("kind", [str, "path"])
def test_a_lexicon_file_loads_from_a_string_or_a_path(tmp_path, kind):
    from pathlib import Path

    target = tmp_path / "lexicon.tsv"
    target.write_text(GOOD, encoding="utf-8")
    lexicon = Lexicon.load(str(target) if kind is str else Path(target))
    assert lexicon.terms == Lexicon.from_text(GOOD).terms and lexicon.version == "2.0.1"
    target.write_text(GOOD + "diplomacy\ttruce\tmuch\n", encoding="utf-8")
    with pytest.raises(ModelError, match=rf"^{target}:5: weight 'much' is not a number"):
        Lexicon.load(str(target) if kind is str else Path(target))
