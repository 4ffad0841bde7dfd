"""Follow-ups resolved against the conversation context (nlp.dialogue), and messages that
must not be taken as follow-ups."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from nlp.dialogue import CLARIFY, converse, is_follow_up
from nlp.reply import ANSWER
from nlp.responder import respond

NOW = 1_000_000.0


def talk(kb: KnowledgeBase, *messages: str, gap: float = 1.0, idle: float = 1800.0):
    """The replies to ``messages`` sent ``gap`` seconds apart in one conversation."""
    state, replies = None, []
    for number, message in enumerate(messages):
        turn = converse(
            kb, message, state, respond=respond, now=NOW + number * gap, idle_seconds=idle
        )
        state = turn.state
        replies.append(turn.reply)
    return replies


@pytest.mark.parametrize(
    "first, follow_up, expected",
    [
        ("인천 홍보대사 예산", "담당 팀은요?", "소통기획담당관실"),
        ("다문화가족 특성화사업", "그거 예산은?", "3,036"),
        ("전북 주민참여예산 사업 있어요?", "인천은요?", "인천광역시"),
        ("인천 규제개혁위원회", "위원장은 누구예요?", "박준하"),
        ("전북 홍보기획과 예산", "국제협력과는요?", "11,815"),
        ("새마을지도자 자녀 장학금 조건", "신청 방법은요?", "신청 방법이 나와 있지 않습니다"),
        ("전주 문화 분야 공약 뭐 있어요", "1번", "종합경기장"),
        ("정무기획과 팀 뭐 있어요", "4번", "자원봉사팀"),
        ("자원봉사 관련 사업 뭐 있어요", "3번 예산은?", "자원봉사"),
        ("전주 벼룩시장 공약 뭐예요", "그 사업 첫 행사 때 몇 명 왔어요?", "벼룩시장"),
        ("다문화가족지원센터 운영", "더 자세히", "다문화가족지원센터"),
        ("전주시 공약 몇 개예요", "다른 거는?", "9."),
        ("전주 반려동물 놀이터 공약", "운영시간은요?", "운영 시간이 나와 있지 않습니다"),
        ("인천 비영리민간단체 공익활동 지원", "신청서류는 뭐 내야 돼?", "구비서류가 나와 있지"),
        ("전주 청년심포 프로젝트", "지원금 얼마 줘요?", "지원 금액이 나와 있지 않습니다"),
        ("전북 국제협력과", "팀 뭐 있어?", "국제협력과 소속 팀은 모두 4개"),  # not all 12 teams
    ],
)
def test_follow_ups_are_answered_about_the_last_answer(
    kb: KnowledgeBase, first, follow_up, expected
):
    reply = talk(kb, first, follow_up)[-1]
    assert reply.band == ANSWER and expected in reply.text


def test_three_turns_a_list_an_item_and_its_field(kb: KnowledgeBase):
    replies = talk(kb, "인천 위원회 종류", "5번", "위원장은?")
    assert "마을공동체만들기위원회" in replies[1].text and "박인서" in replies[2].text


@pytest.mark.parametrize(
    "message, asked",
    [
        ("예산은?", "어떤 사업의 예산을 말씀하시나요?"),
        ("담당 팀은요?", "말씀하시나요?"),
        ("그거 전화번호는?", "어떤 사업의 전화번호를 말씀하시나요?"),
        ("2번", "어느 목록의 2번을 말씀하시나요?"),
        ("2번 자세히 알려줘", "어느 목록의 2번을 말씀하시나요?"),
        ("인천은요?", "인천광역시의 어떤 내용을 알려 드릴까요?"),
        ("더 자세히", "어떤 항목을 자세히 알려 드릴까요?"),
    ],
)
def test_a_follow_up_without_context_is_asked_back(kb: KnowledgeBase, message, asked):
    reply = talk(kb, message)[0]
    assert reply.band == CLARIFY and asked in reply.text and "출처" not in reply.text


def test_the_context_expires_after_the_idle_time(kb: KnowledgeBase):
    fresh = talk(kb, "다문화가족 특성화사업", "그거 예산은?", gap=60, idle=1800)[-1]
    stale = talk(kb, "다문화가족 특성화사업", "그거 예산은?", gap=1801, idle=1800)[-1]
    assert fresh.band == ANSWER and stale.band == CLARIFY


@pytest.mark.parametrize(
    "message",
    [
        "새마을지도자 자녀 장학금 조건",
        "인천 규제개혁위원회 위원장은?",  # names an entry: a new question even after another
        "청년 창업 지원 공약 있어요?",
        "전주 공약 뭐 있어요",  # browsing is always new
        "예산 많은 사업 뭐 있어요",
        "가로등이 고장났어요",
        "안녕하세요",
    ],
)
def test_new_questions_are_not_follow_ups(kb: KnowledgeBase, message):
    assert not is_follow_up(kb, message)
    reply = talk(kb, "다문화가족 특성화사업", message)[-1]
    assert reply == respond(kb, message)


@pytest.mark.parametrize(
    "message",
    [
        "예산은?",
        "담당 팀은요?",
        "2번",
        "인천은요?",
        "그 사업 대상은?",
        "더 자세히",
        "다른 사업은?",
        "전주는 비슷한 거 없어요?",
    ],
)
def test_follow_up_shapes_are_recognised(kb: KnowledgeBase, message):
    assert is_follow_up(kb, message)


def test_a_clarifying_question_keeps_the_context(kb: KnowledgeBase):
    replies = talk(kb, "다문화가족 특성화사업", "5번", "그거 예산은?")
    assert replies[1].band == CLARIFY and "3,036" in replies[2].text


def test_a_browsing_question_naming_its_own_set_is_new_after_a_department(kb: KnowledgeBase):
    """ "팀 뭐 있어?" lists the department's teams; "전주 공약 뭐 있어요" names its own set."""
    reply = talk(kb, "전북 국제협력과", "전주 공약 뭐 있어요")[-1]
    assert reply.text.startswith("전주시") and "국제협력과" not in reply.text.splitlines()[0]
