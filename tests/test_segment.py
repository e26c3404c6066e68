from hypothesis import given, strategies as st

from framing.text.segment import paragraph_spans, segment, sentence_spans


def texts_of(text, spans):
    return [text[s:e] for s, e in spans]


def test_blank_line_paragraphs():
    text = "First para.\n\nSecond para,\nstill second.\n\n\n  Third.  \n"
    assert texts_of(text, paragraph_spans(text)) == ["First para.", "Second para,\nstill second.", "Third."]


def test_one_paragraph_per_line_files():
    text = "One line is one paragraph.\nAnother paragraph here.\nAnd a third."
    assert texts_of(text, paragraph_spans(text)) == [
        "One line is one paragraph.", "Another paragraph here.", "And a third."]


def test_hard_wrapped_paragraph_stays_whole():
    text = ("Russian and Ukrainian officials met in Istanbul on\nMonday for a second round of "
            "peace talks, only a day\nafter the drone attacks.\n\nNext paragraph.")
    spans = paragraph_spans(text)
    assert len(spans) == 2
    assert texts_of(text, spans)[0].endswith("drone attacks.")


def test_sentences_keep_news_abbreviations():
    text = "Maj. Gen. Mykhailo Drapatyi resigned. Mr. Zelenskyy met U.S. envoys on Monday. St. Petersburg was calm."
    assert texts_of(text, sentence_spans(text)) == [
        "Maj. Gen. Mykhailo Drapatyi resigned.", "Mr. Zelenskyy met U.S. envoys on Monday.",
        "St. Petersburg was calm."]


def test_sentences_do_not_cross_paragraphs():
    text = "A first paragraph without a full stop\n\nA second one."
    assert texts_of(text, sentence_spans(text)) == ["A first paragraph without a full stop", "A second one."]


def test_whole_is_one_stripped_passage():
    text = "\n  Two paragraphs.\n\nStill one passage.  \n"
    assert texts_of(text, segment(text, "whole")) == ["Two paragraphs.\n\nStill one passage."]


def test_unknown_unit_is_refused():
    import pytest

    with pytest.raises(ValueError):
        segment("x", "chapter")


news_text = st.text(alphabet=st.sampled_from(list("ab .?!\n\t\r'\"Mr.U.S.é—")), max_size=300)


@given(news_text, st.sampled_from(["paragraph", "sentence", "whole"]))
def test_spans_reproduce_the_text(text, unit):
    spans = segment(text, unit)
    previous_end = 0
    for start, end in spans:
        passage = text[start:end]
        assert passage and passage == passage.strip()
        assert start >= previous_end
        previous_end = end
    # nothing but whitespace is lost between passages
    covered = set()
    for start, end in spans:
        covered.update(range(start, end))
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered) or unit == "sentence"
