"""Comparisons show each region's side with the asked field (nlp.comparison, nlp.answer)."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from nlp.comparison import (
    comparison_sides,
    contrast_fields,
    find_comparison,
    is_comparison,
    region_spans,
)
from nlp.responder import respond


@pytest.mark.parametrize(
    "question",
    [
        "전북이랑 인천 주민참여예산 차이",
        "전북 인터넷방송이랑 인천 인터넷방송 둘 다 알려줘",
        "홍보대사 전북이랑 인천 각각 어떻게 운영해요",
        "전북 대외협력국 예산이랑 인천 소통협력관 예산 누가 더 많아?",
        "전북 정무기획과랑 인천 시민정책담당관실 예산 어디가 더 많아요",
        "전북 홍보대사는 누구고 인천 홍보대사 추천위원회 위원장은 누구예요?",
        "지역별 자원봉사 사업",
        # two regions' things joined by 랑, with no word of comparing
        "전북 홍보기획과랑 인천 소통기획담당관실 예산",
        "전북 해외 자매결연이랑 나주 자매결연은 같은 거예요?",  # the same thing or not
    ],
)
def test_comparisons_are_recognised(kb: KnowledgeBase, question):
    assert is_comparison(kb, question)


@pytest.mark.parametrize(
    "question",
    [
        "전북 주민참여예산 차이",  # one region
        "인천 주민자치센터를 밤이나 주말에도 열면 지원 받을 수 있어요?",  # 밤이나 is not 나주
        "전주 집이나 주거 관련 공약 알려줘",  # nor 집이나
        # 전북생생TV is a name, not a region, and both sides find the same entry
        "전북 인터넷방송이랑 전북생생TV 둘 다 알려줘",
        "전북이랑 인천 주민참여예산 알려줘",  # two regions, nothing compared: a list
        "다른 점",
        # 하고 joins two verbs here, not two things compared
        "인천시에서 시민단체 지원하고 공론화 맡는 부서 어디예요 담당관은 누구고",
        "미세먼지 마스크 KF94랑 KF80 차이",  # neither side names an entry
        "공론화위원회랑 규제개혁위원회 위원장 알려줘",  # two things, nothing compared
    ],
)
def test_other_questions_are_no_comparisons(kb: KnowledgeBase, question):
    assert not is_comparison(kb, question) or find_comparison(kb, question) is None


def test_a_region_is_named_only_at_the_start_of_a_word(kb: KnowledgeBase):
    spans = region_spans(kb, "전북 도청이랑 인천시 굿모닝인천")
    assert [region for _, _, region in spans] == ["전라북도", "전라북도", "인천광역시"]


@pytest.mark.parametrize(
    "question, topics",
    [
        ("전북이랑 인천 주민참여예산 차이", ["주민참여예산", "주민참여예산"]),
        ("전북 파워블로거랑 인천 블로그기자단 뭐가 달라요", ["파워블로거", "블로그기자단"]),
        # the head both sides share goes to both; a side's own modifier stays its own
        ("전북 sns랑 인천 sns 홍보 어떻게 달라요?", ["sns 홍보", "sns 홍보"]),
        ("전주 한옥마을 공론화랑 인천 공론화 뭐가 달라요", ["한옥마을 공론화", "공론화"]),
        # words before the first region belong to every side
        ("자매결연 전북 도청이 하는 거랑 나주시가 하는 거 어떻게 달라요", ["자매결연"] * 2),
        ("홍보대사 전북이랑 인천 각각 어떻게 운영해요", ["홍보대사 운영"] * 2),
        (
            "전북 대외협력국 예산이랑 인천 소통협력관 예산 누가 더 많아?",
            ["대외협력국 예산", "소통협력관 예산"],
        ),
        # the comparing words leave nothing of theirs ("많아" of "더 많아", "똑같아")
        ("홍보 예산 전북이 더 많아 인천이 더 많아", ["홍보 예산"] * 2),
        ("전북 주민참여예산이랑 인천 거랑 똑같아?", ["주민참여예산"] * 2),
    ],
)
def test_each_region_is_looked_up_with_the_words_of_its_side(kb: KnowledgeBase, question, topics):
    assert [side.topic for side in comparison_sides(kb, question)] == topics


@pytest.mark.parametrize(
    "question, shown",
    [
        (
            "전북 대외협력국이랑 인천 소통협력관 정원 비교",
            [
                "■ 전라북도: 대외협력국\n   · 정원: 55명",
                "■ 인천광역시: 소통협력관\n   · 정원: 67명",
            ],
        ),
        (
            "전북 대외협력국 예산이랑 인천 소통협력관 예산 누가 더 많아?",
            ["· 예산: 19,134백만원", "· 예산: '20년 11,815백만원"],
        ),
        (  # each side asks its own question
            "전북 홍보대사는 누구고 인천 홍보대사 추천위원회 위원장은 누구예요?",
            ["김성한", "■ 인천광역시: 홍보대사추천위원회\n   · 위원장: 박인서"],
        ),
        (
            "전북 대외협력국 과들이랑 인천 소통협력관 담당관실들 비교해줘",
            ["· 하위부서: 정무기획과, 홍보기획과, 국제협력과", "· 하위부서: 시민정책담당관실"],
        ),
        (  # no field asked: the line that holds the side's words
            "전북 인터넷방송이랑 인천 인터넷방송 둘 다 알려줘",
            ["■ 전라북도:", "전북생생TV", "■ 인천광역시: 뉴미디어를 통한 소통과 정책홍보"],
        ),
        (  # a fact the entry lacks is said to be missing, never replaced by another field
            "전북 대외협력국이랑 인천 소통협력관 전화번호 비교",
            ["■ 전라북도: 대외협력국\n   · 전화번호: 이 자료에는 나와 있지 않습니다"],
        ),
        (
            "인천 새마을회랑 전북 새마을회 연락처 비교",
            ["■ 인천광역시: 인천광역시 새마을회\n   · 전화번호: 433-4054"],
        ),
        (  # a body the side does not name (홍보대사추천위원회) does not stand for its work
            "전북 홍보대사랑 인천 홍보대사 운영 어떻게 달라요",
            ["■ 인천광역시: 시민중심의 직접 소통 강화", "홍보대사 운영: '19년 20백만원"],
        ),
        (  # an indicator named for more of the side's words than the region's work
            "전북 도정 인지도 조사랑 인천 시민만족도 조사 비교해줘",
            ["■ 전라북도: 도정 핵심사업 인지도(%)", "■ 인천광역시: 소통협력 분야 시민만족도"],
        ),
    ],
)
def test_each_side_shows_the_asked_field(kb: KnowledgeBase, question, shown):
    reply = respond(kb, question)
    assert reply.answered and "지역별로 비교합니다" in reply.text.splitlines()[0]
    assert all(part in reply.text for part in shown), reply.text
    assert len(reply.items) >= 2


@pytest.mark.parametrize(
    "question, stand_in",
    [
        ("전북이랑 인천 주민참여예산 차이", "· 예산:"),  # 예산 is in the name, not asked
        ("전북 대외협력국이랑 인천 소통협력관 전화번호 비교", "· 예산:"),
        ("전북 대외협력국이랑 인천 소통협력관 정원 비교", "소통협력관: 신봉훈"),  # the title's
    ],
)
def test_no_other_field_stands_in_for_the_asked_one(kb: KnowledgeBase, question, stand_in):
    assert stand_in not in respond(kb, question).text


@pytest.mark.parametrize(
    "question, shown, not_shown",
    [
        (  # 공론화 does not name 공론화위원회: 인천's work on 공론화 speaks for it
            "전주 한옥마을 공론화랑 인천 공론화 뭐가 달라요",
            "■ 인천광역시: 참여와 숙의를 통한 인천형 공론화 추진",
            "■ 인천광역시: 공론화위원회",
        ),
        (  # 전주's kind (공약) is none of 전북's: its work, not the team's card
            "전북 다문화 지원이랑 전주시 다문화 청소년 공약 차이",
            "■ 전주시: 다문화 청소년 자립지원",
            "■ 전라북도: 다문화지원팀",
        ),
    ],
)
def test_a_side_is_the_regions_work_unless_it_names_a_body(
    kb: KnowledgeBase, question, shown, not_shown
):
    text = respond(kb, question).text
    assert shown in text and not_shown not in text, text


def test_a_committee_named_for_a_side_is_shown_beside_its_regions_work(kb: KnowledgeBase):
    text = respond(kb, "인천 공론화랑 전주 한옥마을 공론화 비교").text
    assert "■ 인천광역시: 참여와 숙의를 통한 인천형 공론화 추진" in text
    assert "· 관련 위원회: 공론화위원회" in text and len(text) <= 600


def test_every_region_shows_only_entries_named_for_the_topic(kb: KnowledgeBase):
    """A 전주 pledge on local currency mentions 자원봉사 once: it does not speak for 전주."""
    text = respond(kb, "지역별 자원봉사 사업").text
    assert "■ 전라북도:" in text and "지역화폐" not in text


@pytest.mark.parametrize(
    "question",
    [
        "전북이랑 인천 주민참여예산 차이",
        "새마을지도자 자녀 학비 지원 전북이랑 인천 둘 다 있어요? 비교해줘",
        "전북 온라인 홍보랑 인천 뉴미디어 홍보 비교",
        "지역별 홍보 사업",
    ],
)
def test_a_comparison_stays_short(kb: KnowledgeBase, question):
    assert len(respond(kb, question).text) <= 600


@pytest.mark.parametrize(
    "question, regions",
    [
        ("새마을지도자 자녀 학비 지원 전북vs인천", ["전라북도", "인천광역시"]),  # vs glued
        ("sns 홍보 전북이랑 인천 지역별로 비교", ["전라북도", "인천광역시"]),  # the two named
    ],
)
def test_the_regions_named_are_compared(kb: KnowledgeBase, question, regions):
    comparison = find_comparison(kb, question)
    assert comparison is not None and not comparison.named
    assert [region for region, _, _ in comparison.rows] == regions
    assert "로'" not in comparison.topic  # "지역별로" names no topic


@pytest.mark.parametrize(
    "question, shown",
    [
        (  # two departments, with the asked field each
            "홍보기획과랑 국제협력과 예산 비교",
            [
                "'홍보기획과'와 '국제협력과'를 나란히 비교합니다.",
                "■ 홍보기획과 (전라북도 · 부서)\n   · 예산: 3,453백만원",
                "■ 국제협력과 (전라북도 · 부서)\n   · 예산: 11,815백만원",
            ],
        ),
        (  # the field asked once, of both
            "공론화위원회랑 규제개혁위원회 위원장 각각 누구예요",
            ["· 위원장: 원혜욱", "· 위원장: 박준하"],
        ),
        (  # two fields asked, in a part that names nothing else
            "공론화위원회랑 규제개혁위원회 비교 위원장이랑 인원",
            ["· 위원장: 원혜욱 / 구성: 계 15명", "· 위원장: 박준하 / 구성: 계 18명"],
        ),
        (  # a side naming only a variant takes the other's words; "vs" splits the sides
            "다문화가족 정착지원 직접 vs 시군 뭐가 달라",
            ["■ 다문화가족 정착지원(직접)", "■ 다문화가족 정착지원(시군)"],
        ),
        (  # a figure asked of two entries with no field for it: the line holding it
            "전주 장애인 일자리랑 예술인 일자리 각각 몇 명이야",
            ["장애인일자리 사업 추진(295명)", "문화예술인 일자리 지원 (530명)"],
        ),
        (  # 현원 (the staff there now) asked, not 정원 (the posts)
            "국제협력과랑 정무기획과 현원 비교해줘",
            ["■ 국제협력과 (전라북도 · 부서)\n   · 현원: 17명", "· 현원: 20명"],
        ),
        (  # no field asked: what sets two entries of one kind apart
            "자원봉사 코디네이터 도 자원봉사센터랑 시군 차이",
            ["지원조건: 국비 50%, 도비 50%", "지원조건: 국비 50%, 도비 20%, 시군비 30%"],
        ),
    ],
)
def test_two_named_things_are_shown_side_by_side(kb: KnowledgeBase, question, shown):
    reply = respond(kb, question)
    assert reply.answered and len(reply.items) == 2
    assert all(part in reply.text for part in shown), reply.text
    assert len(reply.text) <= 600


def test_the_fields_that_differ_are_what_sets_entries_apart(kb: KnowledgeBase):
    one, other = (kb.get(i) for i in ("jb-program-cd4486da", "jb-program-315bcb44"))
    fields = contrast_fields([one, other])
    assert "지원조건" in fields and "사업기간" not in fields  # the same period sets nothing apart
    assert contrast_fields([one, kb.get("ic-committee-34820a46")]) == ()  # kinds differ


def test_a_side_shows_the_row_of_a_table_it_names(kb: KnowledgeBase):
    text = respond(kb, "전북 인터넷방송이랑 인천 인터넷방송 예산 비교").text
    assert "· 예산(인터넷방송 운영): '19년 350백만원, '20년 400백만원" in text, text
    # the 전북 entry's name holds no word of the side: the line that does says why it is there
    assert "전북생생TV" in text and text.count("인터넷방송 운영:") == 0


def test_a_close_runner_up_is_offered_under_its_region(kb: KnowledgeBase):
    text = respond(kb, "전북 sns 홍보랑 인천 sns 홍보 뭐가 달라").text
    lines = text.splitlines()
    shown = lines.index("■ 전라북도: 파워블로거 활용 도정 홍보")
    assert any(line.startswith("   · 비슷한 항목: ") for line in lines[shown + 1 : shown + 3])
    assert len(text) <= 600


@pytest.mark.parametrize(
    "question, regions",
    [
        # the region the question opens with is where the other side is looked for first
        ("인천 마을공동체 공모사업이랑 지원센터 운영 예산 비교", ["인천광역시", "인천광역시"]),
        ("나주 자매결연 교류활동 이행률이랑 행사개최 이행률 비교", ["나주시", "나주시"]),
        # a region named inside a side is that side's only ("도에서 내는 소식지랑 인천 시 잡지")
        ("도에서 내는 소식지랑 인천 시 잡지 비교", [None, "인천광역시"]),
    ],
)
def test_a_side_naming_no_region_is_looked_for_in_the_one_the_question_opens_with(
    kb: KnowledgeBase, question, regions
):
    assert [side.region for side in comparison_sides(kb, question)] == regions
