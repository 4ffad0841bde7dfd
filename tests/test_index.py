"""Search index internals that must not change a ranking (nlp.index)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from nlp.index import top_positions

# Few distinct values, so ties (which argsort breaks by position) are common; NaN sorts last.
VALUES = st.lists(st.sampled_from([0.1, 0.5, 0.87, 0.9, -1.0, math.nan]), max_size=60)


@given(VALUES, st.integers(min_value=0, max_value=70))
def test_top_positions_are_a_stable_sorts_first_k(values, k):
    array = np.array(values, dtype=np.float32)
    expected = np.argsort(-array, kind="stable")[:k]
    assert top_positions(array, k).tolist() == expected.tolist()
