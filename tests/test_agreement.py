import pytest
from hypothesis import given, strategies as st

from framing.training.agreement import agreement
from framing.errors import InputError
from framing.frames import FRAMES


def test_alpha_matches_a_hand_computed_value():
    # military_success coded 1,1,0,0 by one pass and 1,0,0,0 by the other:
    # Do = 2/8, De = 2*3*5/(8*7), alpha = 1 - Do/De = 1 - 14/30
    first = {"a": {"military_success"}, "b": {"military_success"}, "c": set(), "d": set()}
    second = {"a": {"military_success"}, "b": set(), "c": set(), "d": set()}
    report = agreement(first, second)
    assert report["per_frame"]["military_success"]["alpha"] == pytest.approx(1 - 14 / 30, abs=1e-4)
    assert report["per_frame"]["military_success"]["percent_agreement"] == 75.0
    assert report["passages"] == 4


def test_only_shared_ids_count_and_too_few_is_an_error():
    with pytest.raises(InputError):
        agreement({"a": set()}, {"b": set()})


labels = st.sets(st.sampled_from(FRAMES))


@given(st.dictionaries(st.text(min_size=1, max_size=4), labels, min_size=2, max_size=30))
def test_identical_passes_agree_perfectly(coded):
    report = agreement(coded, dict(coded))
    # alpha is 1, or undefined (None) where one value was given everywhere (issue 14)
    assert all((v["alpha"] == 1.0 or v["positives_first"] in (0, report["passages"]) and
                v["alpha"] is None) and v["percent_agreement"] == 100.0
               for v in report["per_frame"].values())
    assert report["exact_match_percent"] == 100.0
