"""Search index internals that must not change a ranking (nlp.index)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.model import Entry, Source
from nlp.index import SearchIndex, _in_names, top_positions

# Few distinct values, so ties (which argsort breaks by position) are common; NaN sorts last.
VALUES = st.lists(st.sampled_from([0.1, 0.5, 0.87, 0.9, -1.0, math.nan]), max_size=60)


@given(VALUES, st.integers(min_value=0, max_value=70))
def test_top_positions_are_a_stable_sorts_first_k(values, k):
    array = np.array(values, dtype=np.float32)
    expected = np.argsort(-array, kind="stable")[:k]
    assert top_positions(array, k).tolist() == expected.tolist()


@pytest.mark.parametrize(
    "word, inside",
    [
        ("가족센터", True),
        ("족센", True),
        ("센터운영", False),  # the end of one name and the start of the next
        ("운영지원", True),
        ("원가", False),
    ],
)
def test_a_word_is_in_the_names_only_inside_one_of_them(tokenizer, word: str, inside: bool):
    """The names are searched as one joined string: a word must not match across two."""
    entry = Entry(
        "e1",
        "program",
        "전라북도",
        "가족센터",
        Source("t.txt", 1, 1, "시험"),
        aliases=("운영지원",),
    )
    index = SearchIndex.build([entry], tokenizer)
    (doc,) = index._docs
    assert _in_names(doc, word, apart=True) is inside
    assert _in_names(doc, word, apart=False) is inside
