"""Asked facts the entry lacks are named first, with where to ask (nlp.fields)."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from nlp.fields import HOW_TO_APPLY, PHONE, RECRUITING, asked_facts, object_particle
from nlp.responder import respond


@pytest.mark.parametrize(
    "question, labels",
    [
        ("전자민원 모니터 모집 기간", ["모집·신청 기간"]),
        ("장학금 신청은 어떻게 하나요?", ["신청 방법"]),
        ("자원봉사팀 전화번호", ["전화번호"]),
        ("공론화위원회 홈페이지 주소", ["홈페이지"]),
        ("행복투어버스 운행 시간 알려줘", ["운행 시간"]),
        ("주민참여예산 사업 있어요?", []),  # 예산 is part of the name, not a question about money
        ("새마을지도자 자녀 장학금 대상이 누구예요", ["지원 대상"]),
        ("새마을지도자 자녀 장학금 조건", []),  # answered by 지원조건, asks no extra fact
        ("신청서류는 뭐 내야 돼?", ["구비서류"]),
        ("제출서류 뭐예요", ["구비서류"]),
        ("청년심포 프로젝트 지원금 얼마 줘요?", ["지원 금액"]),
        ("장학금 얼마나 받아요", ["지원 금액"]),
        ("홍보대사 예산 얼마예요", ["예산"]),  # the program's budget, not what a citizen gets
        ("다문화어울림축제 언제 열려요?", ["개최 일정"]),
        ("다문화가족 특성화사업 언제 해요?", []),  # a program's 사업기간 answers this one
    ],
)
def test_the_asked_fact_is_recognised(question, labels):
    title = "주민참여예산" if "주민참여예산" in question else ""
    assert [f.label for f in asked_facts(question, title=title)] == labels


@pytest.mark.parametrize(
    "question, sentence, where",
    [
        (
            "전자민원 모니터 모집 기간",
            "'전자민원 모니터 운영'의 모집·신청 기간이 나와 있지 않습니다.",
            "전라북도 정무기획과에 문의해 주세요.",
        ),
        (
            "전북 자원봉사팀 전화번호",
            "'자원봉사팀'의 전화번호가 나와 있지 않습니다.",
            "정무기획과",
        ),
        ("전북사랑도민증 어떻게 가입해요", "의 신청 방법이 나와 있지 않습니다.", "대외국제소통국"),
        ("새마을지도자 자녀 장학금 신청 방법", "의 신청 방법이 나와 있지 않습니다.", "정무기획과"),
        (
            "청년 공유주택 예산은?",
            "'청년 공유주택 건립 지원'의 예산이 나와 있지 않습니다.",
            "대표 민원실",
        ),
        (
            "인천 규제개혁위원회 전화번호",
            "'규제개혁위원회'의 전화번호가 나와 있지 않습니다.",
            "혁신담당관실",
        ),
        (
            "전북 다문화어울림축제 언제 열려요?",  # not the program's 사업기간 2021–2025
            "'결혼이민자 사회통합정책'의 개최 일정이 나와 있지 않습니다.",
            "국제협력과",
        ),
        (
            "전주 행복투어버스 운행 시간 알려줘",
            "의 운행 시간이 나와 있지 않습니다.",
            "대표 민원실",
        ),
    ],
)
def test_a_missing_fact_is_said_in_the_first_sentence(
    kb: KnowledgeBase, question, sentence, where
):
    first = respond(kb, question).text.splitlines()[0]
    assert first.startswith("이 자료에는 ") and sentence in first and where in first


def test_a_missing_fact_without_a_department_names_the_regions_own_contact(kb: KnowledgeBase):
    """A representative contact an admin put in regions.yaml replaces the 110 fallback."""
    import dataclasses

    regions = tuple(
        dataclasses.replace(r, phone="063-222-1000", note="전주시청 민원콜센터")
        if r.name == "전주시"
        else r
        for r in kb.regions
    )
    first = respond(
        dataclasses.replace(kb, regions=regions), "전주 행복투어버스 운행 시간 알려줘"
    ).text.splitlines()[0]
    assert "전주시 대표 전화(063-222-1000, 전주시청 민원콜센터)로 문의해 주세요." in first


def test_the_project_period_never_stands_in_for_the_recruitment_period(kb: KnowledgeBase):
    text = respond(kb, "전자민원 모니터 모집 기간").text
    assert "사업기간" not in text and "2021년01월01일" not in text


@pytest.mark.parametrize(
    "question, fact",
    [
        ("인천광역시 새마을회 전화번호", "433-4054"),  # the document gives it
        ("규제개혁위원회 위원장 누구예요", "박준하"),
        ("한스타일 공간연출사업 예산 얼마예요", "360"),
    ],
)
def test_a_recorded_fact_is_answered_not_called_missing(kb: KnowledgeBase, question, fact):
    first = respond(kb, question).text.splitlines()[0]
    assert "나와 있지 않습니다" not in first and fact in first


@pytest.mark.parametrize(
    "word, particle",
    [("예산", "을"), ("신청 방법", "을"), ("담당 부서", "를"), ("전화번호", "를")],
)
def test_object_particle(word, particle):
    assert object_particle(word) == particle


def test_facts_shadow_the_broader_ones():
    assert asked_facts("신청 기간 언제예요") == (RECRUITING,)
    assert asked_facts("신청 방법 알려주세요") == (HOW_TO_APPLY,)
    assert asked_facts("담당자 전화번호") == (PHONE,)


@pytest.mark.parametrize(
    "question, row, other",
    [
        (
            "시민토론회 개최 예산 얼마",
            "예산 중 시민토론회 개최는 '19년 106백만원, '20년 146백만원입니다.",
            "시민정책자문단 운영: '19년 27백만원",
        ),
        (
            "인천 시민정책자문단 운영 예산",
            "예산 중 시민정책자문단 운영은 '19년 27백만원, '20년 31백만원입니다.",
            "시민토론회 개최: '19년 106백만원",
        ),
    ],
)
def test_only_the_budget_row_asked_for_answers(kb: KnowledgeBase, question, row, other):
    text = respond(kb, question).text
    assert row in text.splitlines()[0] and other not in text
