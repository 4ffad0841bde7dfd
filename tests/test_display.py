"""Times and widths as people see them (display.py), shared by Telegram, web and shell."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.constants import MessageLimit

from display import MAX_NOTE_UNITS, TELEGRAM_TEXT_UNITS, display_width, kst_text, pad, pad_left


@pytest.mark.parametrize(
    "stored, shown",
    [
        ("2025-03-01T05:05:00+00:00", "2025-03-01 14:05"),
        ("2025-03-01T15:00:00+00:00", "2025-03-02 00:00"),  # the next day in Korea
        ("2025-03-01T14:05:00+09:00", "2025-03-01 14:05"),
    ],
)
def test_kst_text_shows_korean_local_time(stored, shown):
    assert kst_text(stored) == shown


@pytest.mark.parametrize(
    "text, width",
    [("", 0), ("abc", 3), ("접수", 4), ("010-1234", 8), ("가a", 3), ("ｆｕｌｌ", 8)],
)
def test_display_width_counts_wide_characters_twice(text, width):
    assert display_width(text) == width


@pytest.mark.parametrize(
    "text, width, left, right",
    [
        ("상태", 6, "상태  ", "  상태"),
        ("id", 4, "id  ", "  id"),
        ("처리기한", 4, "처리기한", " 처리기한"),  # too wide: no padding, but one space apart
    ],
)
def test_pad_and_pad_left_align_columns(text, width, left, right):
    assert (pad(text, width), pad_left(text, width)) == (left, right)


@given(st.text(max_size=20), st.integers(min_value=0, max_value=40))
def test_padding_reaches_the_width_and_keeps_the_text(text, width):
    padded = pad(text, width)
    assert padded[: len(text)] == text and set(padded[len(text) :]) <= {" "}
    assert display_width(padded) == max(width, display_width(text))


def test_the_message_limit_written_out_is_telegrams():
    assert TELEGRAM_TEXT_UNITS == MessageLimit.MAX_TEXT_LENGTH
    assert 0 < MAX_NOTE_UNITS < TELEGRAM_TEXT_UNITS
