import pytest
from hypothesis import given, strategies as st

from framing.errors import ModelError
from framing.lexicon import Lexicon
from oracles import reference_match

TSV = """# test lexicon
# version: 9.9.9
frame\tterm\tweight\tnote
military_success\tdestroy\t0.8\t
military_success\tshot down\t1.0\t
diplomacy\tswap\t0.4\t
diplomacy\tprisoner swap\t1.0\t
civilian_harm\tcivilians\t0.9\t
civilian_harm\tsoldiers\t-0.5\tcounter-cue
"""


@pytest.fixture()
def lexicon():
    return Lexicon.from_text(TSV)


def terms(matches, negated=False):
    return [m.term for m in matches if m.negated == negated]


def test_version_and_terms(lexicon):
    assert lexicon.version == "9.9.9"
    assert len(lexicon.terms) == 6


def test_stemmed_matching_finds_inflections(lexicon):
    assert terms(lexicon.match("They destroyed two tanks and were destroying a third.")) == ["destroy", "destroy"]


def test_phrases_and_spans(lexicon):
    text = "Air defences shot down 40 drones."
    (match,) = lexicon.match(text)
    assert match.term == "shot down" and text[match.start:match.end] == "shot down"


def test_longest_phrase_wins_within_a_frame(lexicon):
    assert terms(lexicon.match("A prisoner swap was agreed.")) == ["prisoner swap"]


def test_negation_marks_and_does_not_count(lexicon):
    matches = lexicon.match("Moscow said no civilians were hurt and it did not destroy the bridge.")
    assert terms(matches, negated=True) == ["civilians", "destroy"]
    assert Lexicon.frame_scores(matches)["civilian_harm"] == 0


def test_negation_stops_at_a_clause_break(lexicon):
    matches = lexicon.match("It was not clear, but civilians fled.")
    assert terms(matches) == ["civilians"]


def test_negative_weights_are_counter_cues(lexicon):
    scores = Lexicon.frame_scores(lexicon.match("Soldiers and civilians were hurt."))
    assert scores["civilian_harm"] == pytest.approx(0.4)


@pytest.mark.parametrize("bad, message", [
    ("frame\tterm\tweight\nmilitary_succes\tx\t1\n", "unknown frame"),
    ("frame\tterm\tweight\ndiplomacy\ttalks\tmany\n", "not a number"),
    ("frame\tterm\tweight\ndiplomacy\ttalks\n", "expected frame"),
    ("# only comments\n", "no terms"),
])
def test_malformed_lexicon_is_refused(bad, message):
    with pytest.raises(ModelError, match=message):
        Lexicon.from_text(bad)


def test_shipped_lexicon_loads_with_a_version_and_all_frames():
    lexicon = Lexicon.load()
    assert lexicon.version != "unversioned"
    from framing.frames import FRAMES

    assert {t.frame for t in lexicon.terms} == set(FRAMES)
    assert Lexicon.from_text(lexicon.to_text()).terms == lexicon.terms


words = st.sampled_from(["destroyed", "shot", "down", "prisoner", "swap", "not", "civilians",
                         "soldiers", "the", "and", "no"])
sentences = st.lists(words, max_size=12).map(" ".join)


@given(sentences, sentences)
def test_adding_text_never_removes_a_match_elsewhere(first, second):
    lexicon = Lexicon.from_text(TSV)
    alone = [(m.term, m.start, m.end, m.negated) for m in lexicon.match(first)]
    combined = [(m.term, m.start, m.end, m.negated) for m in lexicon.match(first + ". " + second)]
    assert set(alone) <= set(combined)


NESTED_TSV = TSV + """diplomacy\tprisoner swap deal\t1.2\t
escalation\tdown\t0.3\tanother frame inside a phrase
escalation\tshot down the\t0.2\t
civilian_harm\tthe civilians\t0.7\t
"""
pieces = st.sampled_from(["destroyed", "shot", "down", "prisoner", "swap", "deal", "not",
                          "civilians", "soldiers", "the", "and", "no", "didn't", "never", ",",
                          ".", "\n\n", "—", "Shot", "DOWN", "prisoner's", "swaps"])
texts = st.lists(pieces, max_size=16).map(" ".join)


@given(st.lists(texts, min_size=1, max_size=6))
def test_batched_matching_equals_the_reference_matcher(batch):
    """match_batch (numpy look-up, negation reach, joined phrase gaps) is an optimisation of
    match: the same matches, spans, negation and order, whatever the texts around them."""
    from framing.text.batch import split_batch

    lexicon = Lexicon.from_text(NESTED_TSV)
    expected = [reference_match(lexicon, text) for text in batch]
    assert lexicon.match_batch(batch) == expected
    parts_lists, stem_lists = split_batch(batch)
    assert lexicon.match_batch(batch, stem_lists, parts_lists) == expected
