"""Grouping unanswered questions by similarity (nlp.grouping), on both sides of the threshold."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import fuzz

from nlp.grouping import GROUP_SIMILARITY, QuestionGroup, group_questions
from nlp.normalizer import compact


@pytest.mark.parametrize(
    "a, b, together",
    [
        ("다문화가족지원센터어디서해요", "다문화가족 지원센터 어디서 해요", True),  # spacing
        ("여권 재발급 수수료 얼마예요", "여권 재발급 수수로 얼마예요", True),  # one typo
        ("주민등록등본 어디서 떼나요", "주민등록등본 어디서 떼나요??", True),
        ("인천 규제개혁위원회 위원 몇명임?", "인천 규제개혁위원회 위원장", False),  # ratio 81
        (
            "전라북도새마을지도자자녀장학금예산얼마예요",
            "인천새마을지도자자녀학자금예산얼마예요",
            False,
        ),
        ("가로등 고장", "여권 재발급", False),
    ],
)
def test_similar_wordings_group_and_different_questions_do_not(a, b, together):
    groups = group_questions([a, a, b])
    assert (len(groups) == 1) is together
    assert groups[0].count == (3 if together else 2) and groups[0].leader == " ".join(a.split())


def test_the_threshold_sits_between_the_measured_pairs():
    ratio = fuzz.ratio(
        compact("인천 규제개혁위원회 위원 몇명임?"), compact("인천 규제개혁위원회 위원장")
    )
    assert ratio < GROUP_SIMILARITY
    assert fuzz.ratio(
        compact("여권 재발급 수수료 얼마예요"), compact("여권 재발급 수수로 얼마예요")
    ) >= (GROUP_SIMILARITY)


def test_groups_come_most_asked_first_with_each_wording_counted():
    groups = group_questions(["가로등 고장 신고", "여권 수수료", "여권  수수료", "여권수수료"])
    assert groups == [
        QuestionGroup((("여권 수수료", 3),)),
        QuestionGroup((("가로등 고장 신고", 1),)),
    ]


@given(st.lists(st.text(max_size=40), max_size=20))
def test_every_question_with_letters_lands_in_exactly_one_group(texts):
    groups = group_questions(texts)
    assert sum(g.count for g in groups) == sum(1 for t in texts if compact(t))
