"""Search index internals that must not change a ranking (nlp.index)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import fuzz

from nlp.index import _fuzzy_scores, top_positions
from nlp.jamo import to_jamo

# Few distinct values, so ties (which argsort breaks by position) are common; NaN sorts last.
VALUES = st.lists(st.sampled_from([0.1, 0.5, 0.87, 0.9, -1.0, math.nan]), max_size=60)


@given(VALUES, st.integers(min_value=0, max_value=70))
def test_top_positions_are_a_stable_sorts_first_k(values, k):
    array = np.array(values, dtype=np.float32)
    expected = np.argsort(-array, kind="stable")[:k]
    assert top_positions(array, k).tolist() == expected.tolist()


# Names and questions in jamo from a few syllables, so partial matches of every degree occur.
SYLLABLES = ["청년", "월세", "지원", "장학", "금", "센터", " "]
JAMO_TEXT = st.lists(st.sampled_from(SYLLABLES), max_size=8)


@given(st.lists(st.lists(JAMO_TEXT, max_size=4), max_size=8), JAMO_TEXT)
def test_batched_fuzzy_scores_are_each_names_best_partial_ratio(names, question):
    """One process.cdist call for every candidate's names gives the very floats the per-name
    fuzz.partial_ratio loop gave (the fuzzy part of a score)."""
    docs = [SimpleNamespace(names_jamo=tuple(to_jamo("".join(n)) for n in ns)) for ns in names]
    query = to_jamo("".join(question))
    expected = [
        max((fuzz.partial_ratio(n, query) / 100 for n in doc.names_jamo), default=0.0)
        for doc in docs
    ]
    assert _fuzzy_scores(docs, query) == expected
