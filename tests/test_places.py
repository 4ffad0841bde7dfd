"""Questions about a city, county or district the documents do not cover are answered as out of
scope with where to ask; the knowledge base's own places still get their answers (nlp.places)."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from nlp.places import named_district, other_districts
from nlp.reply import OUT_OF_SCOPE
from nlp.responder import respond

# The spellings of a knowledge base covering one province and one city of another.
OWN = frozenset({"전라북도", "전북", "나주시", "나주"})


@pytest.mark.parametrize(
    "text, place",
    [
        ("수원시 청년 월세 지원 받으려면", "수원시"),
        ("성남에서 하는 출산 지원금", "성남"),
        ("해운대구청 주차 단속 문의", "해운대구"),
        ("목포역 근처 공영주차장", "목포"),
        ("춘천 닭갈비 축제 언제 해요", "춘천"),
        ("강남구 어린이집 입소 대기", "강남구"),
        ("달성군 농촌 체험 마을", "달성군"),  # the county, written whole
    ],
)
def test_a_district_outside_the_covered_places_is_named(text, place):
    assert named_district(text, OWN)[1] == place


@pytest.mark.parametrize(
    "text",
    [
        "군산 새만금 관광 사업",  # 군산 is in 전라북도
        "나주 혁신도시 공약",  # a city of its own, though 전라남도 is not covered
        "예산 얼마나 들어요",  # 예산군's stem is a budget
        "목표 달성 현황",  # 달성군's stem is an achievement
        "고양이 입양 지원",
        "봉사하는 사람 비율",  # 사하 inside a word
        "한옥마을 가게에 인증 붙여주는 제도",  # 여주 inside a word
        "공정선거 캠페인",
        "수영 강습 어디서 해요",  # 수영구's stem is swimming
    ],
)
def test_words_that_only_look_like_a_district_are_not_one(text):
    assert named_district(text, OWN) is None


def test_a_name_shared_with_a_covered_place_is_not_another_place():
    # 서구 is a district of 인천광역시 as well as of 부산, 대구, 광주 and 대전.
    assert "서구" not in other_districts(frozenset({"인천광역시"}))
    assert "서구" in other_districts(frozenset({"전라북도"}))


@pytest.mark.parametrize(
    "question, place",
    [
        ("수원시 청년 창업 지원금 신청 방법", "수원시"),
        ("해운대구 다문화가족 방문교육 신청", "해운대구"),
        ("목포 자원봉사센터 전화번호 알려줘", "목포"),
        ("청주시 반려동물 놀이터 어디 있어요", "청주시"),
        ("분당구 주민참여예산 제안하려면", "분당구"),
    ],
)
def test_a_question_about_another_district_says_where_to_ask(kb: KnowledgeBase, question, place):
    reply = respond(kb, question)
    assert not reply.answered and reply.intent == OUT_OF_SCOPE, reply.text
    assert f"{place}의 사업이나 제도는 안내할 수 없습니다" in reply.text
    assert "110" in reply.text


@pytest.mark.parametrize(
    "question",
    [
        "군산 다문화가족 지원 사업 있어요?",
        "인천 부평구 시민 소통 사업",
        "전주 반려동물 놀이터 조성 공약",
        "나주 한전 직원 농촌 봉사 공약",
    ],
)
def test_a_question_about_a_covered_place_is_not_sent_elsewhere(kb: KnowledgeBase, question):
    assert respond(kb, question).intent != OUT_OF_SCOPE


@pytest.mark.parametrize(
    "question",
    [
        "블로그 글 잘 쓰는 요령 알려줘",  # shares 블로그 with the blog's visit count
        "자원봉사 1365 아이디 찾는 법",  # shares 자원봉사 with the volunteering rate
    ],
)
def test_an_indicator_is_not_the_answer_to_a_question_asking_no_figure(
    kb: KnowledgeBase, question
):
    assert not respond(kb, question).answered


@pytest.mark.parametrize(
    "question",
    [
        "전북 자원봉사 활동률 목표가 몇 %예요",
        "전북 대표 블로그 방문횟수 실적",
        "전북 대표 블로그 방문횟수 담당 팀",
    ],
)
def test_an_indicator_answers_its_figure_and_who_keeps_it(kb: KnowledgeBase, question):
    reply = respond(kb, question)
    assert reply.answered and "성과지표" in reply.text, reply.text
