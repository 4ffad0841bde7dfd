"""Normalization: typos, repeats, emoji, width — and it never fails on any string."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.normalizer import MAX_QUESTION_CHARS, compact, is_meaningful, normalize


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("세마을지도자 장학금", "새마을지도자 장학금"),
        ("다문화가족지원쎈터", "다문화가족지원센터"),
        ("투어버스 예약 어찌 해", "투어버스 예약 어떻게 해"),
        ("센터 전번 좀", "센터 전화번호 좀"),
        ("센터 홈피 주소", "센터 홈페이지 주소"),
        ("ㅋㅋㅋㅋㅋㅋ", "ㅋㅋ"),
        ("알려주세요!!!!!", "알려주세요!!"),
        ("  전주   한옥마을\t관광  ", "전주 한옥마을 관광"),
        ("ＡＢＣ１２３", "ABC123"),  # full-width → NFKC
        ("예산\u200b얼마", "예산 얼마"),  # zero-width space
        ("장학금 😀🎉 조건", "장학금 조건"),
        ("몃 명이에요", "몇 명이에요"),
        ("젼북 쳥년 쟝학금", "전북 청년 장학금"),  # a y-vowel after ㅈ/ㅊ with a final consonant
        ("가졌어요 쳤다 그렇죠 가져와", "가졌어요 쳤다 그렇죠 가져와"),  # correct spellings stay
    ],
)
def test_normalize_fixes_what_citizens_type(raw, expected):
    assert normalize(raw) == expected


def test_compact_removes_spaces_and_lowercases():
    assert compact("다문화 가족 지원 센터 D-2") == "다문화가족지원센터d-2"


@pytest.mark.parametrize(
    "text, meaningful",
    [
        ("새마을", True),
        ("D-2", True),
        ("2021", True),
        ("ㅋㅋㅋㅋ", False),
        ("😀😀😀", False),
        ("   ", False),
        ("?!.", False),
        ("", False),
    ],
)
def test_is_meaningful(text, meaningful):
    assert is_meaningful(text) is meaningful


@given(st.text(max_size=5000))
@settings(max_examples=300)
def test_normalize_never_fails_and_is_bounded(text):
    out = normalize(text)
    assert len(out) <= MAX_QUESTION_CHARS
    assert out == out.strip()
    assert normalize(out) == out
