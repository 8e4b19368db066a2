"""partnercenter.params: what a page reads from a request, and how it refuses what it cannot use."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from partnercenter.params import MalformedInput, id_param, text_param


def test_text_is_trimmed_and_cut_and_a_nul_is_refused_naming_the_parameter():
    assert text_param(QueryDict("q=%20north%20"), "q") == "north"
    assert text_param(QueryDict("q=" + "x" * 500), "q", max_length=200) == "x" * 200
    assert text_param(QueryDict(""), "q", default="all") == "all"
    with pytest.raises(MalformedInput) as refused:
        text_param(QueryDict("q=a%00b"), "q")
    assert refused.value.name == "q" and "NUL" in refused.value.message


@pytest.mark.parametrize("value", ["abc", "1x", "-1", "0", "1.5", "99999999999999999999999", "١٢", "1\x00"])
def test_an_id_is_a_positive_whole_number_in_range(value):
    with pytest.raises(MalformedInput) as refused:
        id_param({"assignment": value}, "assignment")
    assert "“assignment” must be the id of an existing item" in refused.value.message


def test_a_valid_or_optional_id():
    assert id_param({"grant": " 42 "}, "grant") == 42
    assert id_param({}, "grant", required=False) is None
    with pytest.raises(MalformedInput):
        id_param({}, "grant")
