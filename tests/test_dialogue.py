"""Follow-ups resolved against the conversation context (nlp.dialogue), and messages that
must not be taken as follow-ups."""

from __future__ import annotations

import threading

import pytest

from concept_encoder import ConceptEncoder
from knowledge.base import KnowledgeBase
from nlp import dialogue, responder
from nlp.dialogue import CLARIFY, converse, is_follow_up
from nlp.reply import ANSWER, QUESTION, SUGGEST, Reply
from nlp.responder import respond
from nlp.retrieval import build_knowledge_base
from nlp.semantic import SemanticIndex

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
        ("그 부서 다른 사업은?", "말씀하시나요?"),
        ("그 사람 경력은?", "말씀하시나요?"),
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


@pytest.mark.parametrize(
    "turns, expected, absent",
    [
        # the next page of the last list, whatever words ask for it
        (("전주시 공약 몇 개예요", "다른 건 더 없어요?"), "9–16번째", ""),
        (("전주시 공약 몇 개예요", "또 다른 거?"), "9–16번째", ""),
        # every item shown: the list again, saying that is all (not "찾지 못했습니다")
        (("인천 혁신담당관실 업무계획 뭐 있어?", "다른 사업은?"), "앞에 보여 드린 3개가 전부", ""),
        # "다 보여줘": the whole list at once, from its first item
        (("인천 위원회 뭐 있어", "나머지도 다 보여줘"), "9. 규제개혁위원회", "[더 보기]"),
        # after a department: its own work, not the other departments
        (("인천 혁신담당관실", "다른 사업은 뭐 있어요?"), "제안활성화", "시민정책담당관실"),
        # after one pledge: the set the question asked about, not every pledge of the city
        (("전주 어르신 공약 알려줘", "다른 것도 있어?"), "'어르신' 관련 공약은 모두 3개", ""),
        # a new answer replaces the list: "다른 사업은?" is not the old list's next page
        (("인천 위원회 종류", "새마을지도자 자녀 장학금 조건", "다른 사업은?"), "", "위원회"),
    ],
)
def test_others_after_a_list_or_an_entry(kb: KnowledgeBase, turns, expected, absent):
    reply = talk(kb, *turns)[-1]
    assert reply.band == ANSWER and expected in reply.text
    assert not absent or absent not in reply.text


def test_a_few_asked_for_shows_a_short_page_and_the_rest_follows(kb: KnowledgeBase):
    first, rest = talk(kb, "전북 다문화 관련 사업 몇 개만 알려줘", "다른 사업은?")
    assert [line[:2] for line in first.text.splitlines()[1:4]] == ["1.", "2.", "3."]
    assert "4. " not in first.text and "4–11번째" in rest.text.splitlines()[0]


@pytest.mark.parametrize(
    "turns, expected",
    [
        # a numbered item with a question of its own words
        (("인천 위원회 종류", "5번 위원장은 누구예요?"), "박인서"),
        # "그중에 …": the item the words name
        (("인천 위원회 종류", "그중에 마을공동체 관련된 거"), "[마을공동체만들기위원회]"),
        (("인천 위원회 뭐 있어", "그 중에 규제 관련된 거 위원장은?"), "박준하"),
        # "그건" points at the entry in context
        (("전북 새마을지도자 자녀 장학금 알려줘", "그건 누가 시행해요?"), "14개 시군"),
        # "그 지표" points at the indicator answered, even with a list before it
        (
            (
                "전북 인터넷홍보팀 하는 일 알려줘",
                "블로그 방문 목표는 몇 회야 21년?",
                "그 지표 가중치는?",
            ),
            "방문횟수(회)의 가중치는 25입니다.",
        ),
        (("전북 자원봉사 활동률 지표", "그 성과지표 측정방법은?"), "활동인원/인구*100"),
        # a field named whole (정원) leads, not one ending with it (직급별 정원)
        (("전북 국제협력과 팀 뭐 있어", "정원은 몇 명?"), "국제협력과의 정원은 19명입니다."),
        # "X는?" after a field of a department asks X the same field, not X's teams
        (
            ("전북 국제협력과 팀 뭐 있어", "정원은 몇 명?", "홍보기획과는?"),
            "홍보기획과의 정원은 15명입니다.",
        ),
    ],
)
def test_items_and_pointers_are_resolved(kb: KnowledgeBase, turns, expected):
    reply = talk(kb, *turns)[-1]
    assert reply.band == ANSWER and expected in reply.text


@pytest.mark.parametrize(
    "first, follow_up",
    [
        ("인천 주민자치회 시범사업 알려주세요", "몇 군데서 해요?"),
        ("전자민원 모니터 운영 사업", "어떤 혜택 있어요?"),
        ("전북사랑도민증", "가맹점은 몇 군데?"),
        ("인천 시민정책 소통의 날이 뭐예요?", "1년에 몇 번 해요?"),
        ("전북 자원봉사 활동률 지표", "21년 목표는요?"),  # a year names no entry
        ("인천 시민과 함께하는 공감시정 구현 사업", "전년도는 얼마였어요?"),
        ("인천 제안활성화 사업 알려줘", "심사기간 며칠로 줄여요?"),  # 며칠 names nothing
        # endings read as nouns name nothing: 대학생이면 → 이면, 모여야 → 여야
        ("전북 새마을지도자 자녀 장학금 있어요?", "대학생이면 얼마나 줘요?"),
        ("인천 마을공동체 만들기 지원사업", "몇 명 이상 모여야 돼?"),
    ],
)
def test_a_short_question_finding_nothing_of_its_own_is_about_the_last_answer(
    kb: KnowledgeBase, first, follow_up
):
    answered, follow = talk(kb, first, follow_up)
    assert follow.band == ANSWER and follow.entry_id == answered.entry_id


@pytest.mark.parametrize(
    "message",
    [
        "청년 창업 지원 공약 있어요?",  # answered on its own
        "가로등이 고장났어요",  # a complaint
        "고맙습니다",
        "날씨 어때요?",  # out of scope
        "서울 청년수당 신청 방법",  # another place
        "다른 지역은요?",  # not "the others" of a list
        "이 봇은 어떤 걸 물어볼 수 있어요?",  # about the bot itself
        "챗봇한테 뭘 물어보면 돼요?",
    ],
)
def test_messages_that_are_not_about_the_last_answer(kb: KnowledgeBase, message):
    reply = talk(kb, "전자민원 모니터 운영 사업", message)[-1]
    assert reply == respond(kb, message)


@pytest.mark.parametrize(
    "first, follow_up, region, expected",
    [
        # the region's own entry on the topic, though the ranking put 전북's first
        ("전북 자매결연 지역 어디어디예요?", "나주는요?", "나주시", "[16개 공공기관과 상생"),
        ("전북 주민참여예산 사업 있어요?", "인천은요?", "인천광역시", "인천광역시"),
    ],
)
def test_another_region_gets_that_regions_entry(
    kb: KnowledgeBase, first, follow_up, region, expected
):
    reply = talk(kb, first, follow_up)[-1]
    assert reply.band == ANSWER and expected in reply.text
    assert reply.entry_id is None or kb.get(reply.entry_id).region == region


def test_a_region_follow_up_searches_its_question_once(kb: KnowledgeBase, monkeypatch):
    """ "나주는요?" answers the earlier question again for 나주, then looks for 나주's entry
    further down that same ranking: the question is searched (embedded and scored) once."""
    searched = []
    lexical = kb.index.search

    def counting(query, **options):
        searched.append((query, options.get("preferred_region")))
        return lexical(query, **options)

    monkeypatch.setattr(kb.index, "search", counting)
    reply = talk(kb, "전북 자매결연 지역 어디어디예요?", "나주는요?")[-1]
    assert "[16개 공공기관과 상생" in reply.text
    assert len(searched) == len(set(searched))


def test_another_region_without_the_topic_says_so(kb: KnowledgeBase):
    """인천 has no 자매결연: not 전북's program again as if it were 인천's."""
    reply = talk(kb, "전북 해외 자매결연 지역 교류 사업 알려줘", "인천은 어때요?")[-1]
    assert reply.band != ANSWER and "인천광역시 자료에서는" in reply.text


@pytest.mark.parametrize(
    "turns, expected",
    [
        # a number field of the items
        (("인천 시민단체 목록 보여줘", "거기 중에 회원 제일 많은 데 어디야?"), "한국자유총연맹"),
        (("인천 시민단체 목록 보여줘", "회원 제일 적은 데는?"), "인천사랑운동"),
        # a counted figure, not the year in "'21예산"
        (("전북 자원봉사 관련 사업 뭐 있어요?", "예산 제일 많은 거는?"), "자원봉사 활동 활성화"),
        # a kind of entry under each item
        (("인천 소통협력관 밑에 부서 뭐 있어?", "그 중에 위원회 제일 많은 데는?"), "공동체"),
    ],
)
def test_the_item_with_the_most_of_something(kb: KnowledgeBase, turns, expected):
    reply = talk(kb, *turns)[-1]
    assert reply.band == ANSWER and expected in reply.text.splitlines()[0]


def test_a_misspelled_word_of_the_entry_still_asks_about_it(kb: KnowledgeBase):
    """다울마당 is how 전주 writes it elsewhere; this pledge says 다올마당."""
    first = talk(kb, "전주 자전거 활성화 공약")[0]
    state = {"at": NOW, "entry": first.entry_id, "question": "전주 자전거 활성화 공약"}
    turn = converse(
        kb,
        "다울마당 몇 번 했어?",
        state,
        respond=lambda kb, text, region=None: Reply(text, QUESTION, SUGGEST, ""),
        now=NOW + 1,
    )
    assert turn.reply.entry_id == first.entry_id


@pytest.mark.parametrize(
    "turns, expected",
    [
        # an opening word changes nothing
        (("전북 주민참여예산 사업 있어요?", "그럼 인천은요?"), "인천광역시 · "),
        (("다문화가족 특성화사업", "그럼 예산은?"), "3,036"),
        # other ways to name another region
        (("전북 주민참여예산 사업 있어요?", "인천에도 있나요?"), "인천광역시 · "),
        (("전북 주민참여예산 사업 있어요?", "인천은 어떻게 돼요?"), "인천광역시 · "),
        # spelled-out ordinals
        (("인천 위원회 종류", "두 번째 거 위원장은?"), "이상권"),
        (("인천 위원회 종류", "혹시 세번째 자세히"), "[인천민관동행위원회]"),
    ],
)
def test_everyday_openings_regions_and_ordinals(kb: KnowledgeBase, turns, expected):
    reply = talk(kb, *turns)[-1]
    assert reply.band == ANSWER and expected in reply.text


@pytest.mark.parametrize(
    "message",
    [
        "그럼 전주 공약 뭐 있어요",  # a set of its own after the opening word
        "그런데 청년 창업 지원 공약 있어요?",
    ],
)
def test_an_opening_word_does_not_make_a_new_question_a_follow_up(kb: KnowledgeBase, message):
    assert not is_follow_up(kb, message)
    assert talk(kb, "인천 위원회 종류", message)[-1] == respond(kb, message)


def test_a_question_asked_again_after_suggestions_is_not_a_choice_among_them(kb: KnowledgeBase):
    """ "Did you mean" buttons are no list to pick from: the same question gets the same reply."""
    question = "여권 재발급 수수료 얼마예요"
    first, again = talk(kb, question, question)
    assert first.band != ANSWER and again == respond(kb, question)


@pytest.mark.parametrize("message", ["세계에서 제일 높은 산이 어디예요", "가장 큰 행사는 뭐예요?"])
def test_a_superlative_about_nothing_of_the_list_is_a_question_of_its_own(
    kb: KnowledgeBase, message
):
    assert talk(kb, "인천 위원회 종류", message)[-1] == respond(kb, message)


@pytest.mark.parametrize(
    "turns, card",
    [
        # a correction: the last question asked again as meant
        (("전주 자매결연 사업 알려줘", "아니 전주 말고 나주"), "[16개 공공기관과 상생"),
        (("인천 주민참여예산", "아 인천 말고 전북"), "[주민참여예산]\n전라북도"),
        (("전북 다문화 청소년 지원", "아니 전주시꺼"), "[다문화 청소년 자립지원]"),
        (("전북 국제행사 유치", "다른 지역은? 전주"), "전주시 · 공약"),
    ],
)
def test_corrections_and_regions_ask_the_last_question_again(kb: KnowledgeBase, turns, card):
    reply = talk(kb, *turns)[-1]
    assert reply.band == ANSWER and card in reply.text


def test_a_region_with_only_a_verb_asks_the_last_topic_there(kb: KnowledgeBase):
    """ "인천은 뭐 만들어?" after 전북's newsletter: 인천's newsletter work, not any 만들다."""
    reply = talk(kb, "전북 도정 소식지 만드는 사업", "인천은 뭐 만들어?")[-1]
    assert "소식지" in reply.query and kb.get(reply.entry_id).region == "인천광역시"


@pytest.mark.parametrize(
    "message, meant",
    [
        ("아니 그게 아니라 주민참여예산 신청 방법 알려줘", "주민참여예산 신청 방법 알려줘"),
        ("아 잘못 썼어요 규제개혁위원회 위원장", "규제개혁위원회 위원장"),
    ],
)
def test_a_correction_naming_its_own_topic_is_that_question(kb: KnowledgeBase, message, meant):
    reply = talk(kb, "인천 새마을회 어떤 단체예요", message)[-1]
    assert reply == respond(kb, meant)


@pytest.mark.parametrize(
    "message",
    [
        "전주 말고 다른 지역도 해?",  # asks about the others, corrects nothing
        "청년 말고 어르신 지원 사업 있어?",  # "X 말고" with a topic: a question of its own
        "아 그럼 예산은?",  # "아" alone corrects nothing
        "인천은 위원회 뭐 있어?",  # a region and a kind: a list of its own
    ],
)
def test_messages_that_correct_nothing(kb: KnowledgeBase, message):
    from nlp.dialogue import _corrected, _region_named_alone

    assert _corrected(kb, message) is None and _region_named_alone(kb, message) is None


@pytest.mark.parametrize(
    "turns, head",
    [
        # "X은?" / "X 관련은?" after a list: the same kind of set on that topic or department
        (("전주 덕진권역 문화재생 사업 뭐 있어", "완산권역은?"), "전주시 '완산권역' 관련"),
        (("인천 시민정책담당관실 업무 뭐 있어?", "혁신담당관실은?"), "혁신담당관실 소속 업무"),
        (
            ("인천 시민정책담당관실 업무 뭐 있어?", "그럼 혁신담당관실 다른 사업은?"),
            "혁신담당관실 소속 업무",
        ),
        (("전주 장애인 공약", "노인 관련은?"), "전주시 '노인' 관련 공약"),
        # "다른 부서 X는?": that kind under the other departments, the list's own left out
        (
            ("인천 공동체협치담당관실 위원회 뭐 있어", "다른 부서 위원회는?"),
            "인천광역시 다른 부서의 위원회는 모두 5개",
        ),
    ],
)
def test_the_same_set_on_another_topic_or_department(kb: KnowledgeBase, turns, head):
    reply = talk(kb, *turns)[-1]
    assert reply.band == ANSWER and reply.text.startswith(head)


@pytest.mark.parametrize(
    "turns",
    [
        ("전주 일자리 관련 공약 다 알려줘", "그중에 청년 관련은?"),  # a choice among the items
        ("전주 장애인 공약", "예산은?"),  # a field of the entry
        ("전주 장애인 공약 뭐 있어", "인천은요?"),  # another region
    ],
)
def test_messages_that_are_not_the_same_set_on_another_topic(kb: KnowledgeBase, turns):
    from nlp.dialogue import _kind_of

    state = None
    for number, message in enumerate(turns[:-1]):
        state = converse(kb, message, state, respond=respond, now=NOW + number).state
    resolved = _kind_of(kb, turns[-1], state)
    assert resolved is None or resolved.kind != "another set"


def test_an_item_a_card_lists_is_numbered(kb: KnowledgeBase):
    """ "2번 부서" after the 소통협력관 card, which lists its 하위부서 in order."""
    reply = talk(kb, "인천 소통협력관 부서 알려줘", "2번 부서 담당관 누구야?")[-1]
    assert reply.band == ANSWER and "[공동체협치담당관실]" in reply.text and "박재성" in reply.text


@pytest.mark.parametrize(
    "turns, expected",
    [
        (("정무기획과 팀 뭐 있어", "몇 개임"), "5개"),
        (("인천 국민운동단체 목록", "전부 몇 개"), "5개"),
    ],
)
def test_a_count_after_a_list(kb: KnowledgeBase, turns, expected):
    reply = talk(kb, *turns)[-1]
    assert reply.band == ANSWER and expected in reply.text.splitlines()[0]


@pytest.mark.parametrize(
    "turns, expected",
    [
        (("전주 벼룩시장 야호시장 공약", "사람 몇 명 왔었어?"), "3,000여명"),
    ],
)
def test_a_count_of_people_or_places_after_an_entry(kb: KnowledgeBase, turns, expected):
    reply = talk(kb, *turns)[-1]
    assert reply.band == ANSWER and expected in reply.text


def test_a_comparison_names_its_topic_once_with_the_field_asked_after_it(kb: KnowledgeBase):
    """ "예산은?" after a comparison: the budgets side by side under '홍보대사', not under
    '홍보대사 · 홍보대사 예산'."""
    reply = talk(kb, "인천 홍보대사랑 전북 홍보대사 뭐가 달라", "예산은?")[-1]
    assert reply.text.startswith("'홍보대사'를 지역별로 비교합니다")


@pytest.mark.parametrize(
    "turns, expected",
    [
        # "더 알려줘" after one entry: the whole card, not a list of entries beside it
        (("전북형 비자", "더 알려줘"), "[지역 수요에 기반한 전북형 비자"),
        # a word beginning a field's label asks for that field (시민 → 시민소통실적)
        (("전주 드론축구 월드컵 공약", "시민들이랑 뭐 했어요?"), "드론축구인 화합의 날"),
    ],
)
def test_more_of_an_entry_and_a_field_named_by_its_start(kb: KnowledgeBase, turns, expected):
    reply = talk(kb, *turns)[-1]
    assert reply.band == ANSWER and not reply.items and expected in reply.text


@pytest.mark.parametrize(
    "turns, expected",
    [
        # a fact of its own, or more words than the field: the lines on them, not the field
        (("나주 자매결연 사업 알려줘", "그 사업 예산은 어디 돈이에요?"), "시비"),
        (("전주 지역화폐 도입 공약", "그거 시민 의견 수렴 몇 번 했어?"), "14회"),
    ],
)
def test_a_field_label_is_not_added_to_a_question_of_more(kb: KnowledgeBase, turns, expected):
    reply = talk(kb, *turns)[-1]
    assert reply.band == ANSWER and expected in reply.text


@pytest.mark.parametrize(
    "turns, expected",
    [
        # "그 사업" after a unit project's programs: the unit project
        (("전북 국제행사 유치 사업 알려줘", "그 사업 예산 얼마야"), "71백만원"),
        # "그 사업" after a list of no one parent: asked back
        (("전주 장애인 공약 뭐 있어", "그 사업 예산 얼마야"), None),
        # a fact the unit project the question named states is asked of it, pointer or not
        (("전북 국제행사 유치 사업 알려줘", "예산 얼마야"), "71백만원"),
        (("전북 외국인주민 지원 사업 알려줘", "담당 팀은?"), "다문화지원팀"),
        # a list the question named no parent of: asked back
        (("전주 장애인 공약 뭐 있어", "예산 얼마야"), None),
    ],
)
def test_that_project_after_a_unit_projects_programs(kb: KnowledgeBase, turns, expected):
    reply = talk(kb, *turns)[-1]
    if expected is None:
        assert reply.band == CLARIFY
    else:
        assert reply.band == ANSWER and expected in reply.text.splitlines()[0]


@pytest.mark.parametrize(
    "turns, expected",
    [
        # another region: the earlier question compared across the two regions
        (
            ("인천 새마을지도자 자녀 학자금 있어?", "전북이랑 비교하면?"),
            ("■ 인천광역시", "■ 전라북도"),
        ),
        (
            ("인천 소통협력관 예산 얼마야", "전북 대외협력국이랑 비교하면 어디가 더 많아?"),
            ("11,815", "19,134"),
        ),
        # another entry: both side by side, with the field asked
        (
            ("인천광역시 새마을회 정보 알려줘", "자유총연맹이랑 회원수 비교하면?"),
            ("27,083", "54,330"),
        ),
        (
            ("전북 국제교류센터 운영 알려줘", "해외사무소랑 비교하면?"),
            ("국제교류센터", "해외사무소"),
        ),
        (
            ("전주실내체육관 건립 공약 어떻게 됐어", "국민체육센터랑 차이는?"),
            ("실내체육관", "국민체육센터"),
        ),
        # "뭐가 달라?" asks no field: the fields in which the two differ; a word the index does
        # not keep ("시군") names the other by its name
        (
            ("자원봉사 코디네이터 지원 도 센터 거 알려줘", "시군 거랑 뭐가 달라?"),
            ("(도 자원봉사센터)", "육성(시군)", "지원조건: 국비 50%, 도비 20"),
        ),
    ],
)
def test_a_comparison_follow_up_compares_the_last_answer(kb: KnowledgeBase, turns, expected):
    reply = talk(kb, *turns)[-1]
    assert reply.band == ANSWER and all(e in reply.text for e in expected)
    assert len(reply.items) >= 2  # both sides shown, "2번" picks one


@pytest.mark.parametrize(
    "message",
    [
        "청년심포 프로젝트랑 청년창업지원 차이",  # names both sides itself
        "전북이랑 인천 주민참여예산 차이",  # two regions: a comparison of its own
        "차이가 뭐예요?",  # nothing to compare with
    ],
)
def test_comparisons_of_their_own_are_not_comparison_follow_ups(kb: KnowledgeBase, message):
    from nlp.dialogue import _kind_of

    state = converse(kb, "전주 청년심포 프로젝트", None, respond=respond, now=NOW).state
    resolved = _kind_of(kb, message, state)
    assert resolved is None or resolved.kind != "compare"


@pytest.mark.parametrize(
    "turns, word, least",
    [
        # "X 거만", "X 관련된 것만 (다시)": the last list's items on X, as a shorter list
        (("전주 복지 분야 공약 뭐뭐 있어?", "그 중에 장애인 거만"), "장애", 4),
        (("전주 경제분야 공약 목록 좀", "그 중에 청년 거만 추려줘"), "청년", 2),
        (("전주 도시 분야 공약 다 알려줘", "교통 관련된 것만 다시"), "교통", 2),
        # a kind noun is the topic here, named in the items' titles
        (("인천 감사 지적사항 뭐 있어?", "그 중에 위원회 관련된 것만"), "위원회", 3),
    ],
)
def test_only_the_items_of_the_last_list_on_a_topic(kb: KnowledgeBase, turns, word, least):
    listed, reply = talk(kb, *turns)
    assert reply.band == ANSWER and least <= len(reply.items) < len(listed.items)
    assert set(reply.items) <= set(listed.items)
    assert f"'{word}'" in reply.text.splitlines()[0]


def test_the_rest_after_a_list_in_other_words(kb: KnowledgeBase):
    """ "그 밖에 다른 거는?" asks for the rest of the list, like "다른 거는?"."""
    listed, reply = talk(kb, "전주 아이들 관련 공약", "그 밖에 다른 거는?")
    assert reply.band == ANSWER and reply.items[: len(listed.items)] == listed.items


def test_an_item_named_after_a_list_then_its_field(kb: KnowledgeBase):
    """ "청년 공유주택은?" names one pledge of the list: that pledge, and "그거" is it after."""
    replies = talk(kb, "전주 청년 공약 뭐 있어", "청년 공유주택은?", "그거 소통 실적은?")
    assert "[청년 공유주택 건립 지원]" in replies[1].text
    assert replies[2].entry_id == replies[1].entry_id and "집담회" in replies[2].text


def test_another_region_with_en(kb: KnowledgeBase):
    """ "인천엔 비슷한 거 없어요?": 인천's entry on the topic, or saying 인천's documents have
    none — not a new question that finds nothing anywhere."""
    assert is_follow_up(kb, "인천엔 비슷한 거 없어요?")
    reply = talk(kb, "전북 직소민원실 운영", "인천엔 비슷한 거 없어요?")[-1]
    if reply.band == ANSWER:
        assert kb.get(reply.entry_id).region == "인천광역시"
    else:
        assert reply.text.startswith("인천광역시 자료에서는")


@pytest.mark.parametrize(
    "message",
    [
        "인천 위원회 관련된 것만",  # names a region: a list of its own
        "청년 창업 지원 공약 있어요?",
    ],
)
def test_a_question_of_its_own_after_a_list_is_no_choice_among_it(kb: KnowledgeBase, message):
    assert talk(kb, "전주 도시 분야 공약 다 알려줘", message)[-1] == respond(kb, message)


@pytest.mark.parametrize(
    "turns, head",
    [
        # "그 부서 …", "그 과 …" after a department's members: the department's other work
        (
            ("인천 공동체협치담당관실 소관 위원회 알려줘", "그 부서 다른 사업은?"),
            "공동체협치담당관실 소속",
        ),
        (("전북 홍보기획과 팀 알려줘", "그 과 사업은 뭐뭐 있어?"), "홍보기획과 소속"),
        # "다른 부서 거는?": the kind of the list, under the other departments
        (
            ("인천 공동체협치담당관실 위원회 뭐야", "다른 부서 거는?"),
            "인천광역시 다른 부서의 위원회",
        ),
    ],
)
def test_the_department_a_list_belongs_to(kb: KnowledgeBase, turns, head):
    listed, reply = talk(kb, *turns)
    assert reply.band == ANSWER and reply.text.startswith(head)
    assert reply.items and not set(reply.items) & set(listed.items)


def test_a_field_only_the_lists_parent_has_is_asked_of_it(kb: KnowledgeBase):
    """ "정원은 몇 명이야?" after a department's teams: the department's, not "which item?"."""
    reply = talk(kb, "전북 국제협력과 알려줘", "팀은 뭐 있어?", "정원은 몇 명이야?")[-1]
    assert reply.band == ANSWER and "[국제협력과]" in reply.text and "19명" in reply.text


def test_a_word_ending_a_field_label_asks_for_that_field(kb: KnowledgeBase):
    """ "그 사람 경력은?": 경력 ends 주요경력; "그 사람" points at the entry in context."""
    turns = ("인천 소통협력관 조직 알려줘", "혁신담당관실 담당관은 누구야?", "그 사람 경력은?")
    reply = talk(kb, *turns)[-1]
    assert reply.band == ANSWER and "주요경력" in reply.text.splitlines()[0]


def test_another_regions_work_comes_before_what_is_written_about_it(kb: KnowledgeBase):
    """After 인천's audit finding on its internet broadcasting, 전북's broadcasting program, not
    a news item that mentions it."""
    reply = talk(kb, "인천 시정 홍보 인터넷방송", "전북은요?")[-1]
    entry = kb.get(reply.entry_id)
    assert entry.region == "전라북도" and entry.kind == "program"


def test_a_word_naming_a_set_after_one_entry_is_that_set(kb: KnowledgeBase):
    """ "완산권역은?" after a 덕진권역 pledge: 완산권역 is in the names of several pledges."""
    reply = talk(kb, "전주 덕진권역 문화재생 공약", "완산권역은?")[-1]
    assert reply.band == ANSWER and reply.text.startswith("전주시 '완산권역' 관련 공약")


def test_another_set_leaves_out_what_was_just_shown(kb: KnowledgeBase):
    """ "정무기획과 다른 사업은?" after the 자원봉사 programs: the department's other work."""
    listed, reply = talk(kb, "전북 자원봉사 사업 뭐 있어요", "정무기획과 다른 사업은?")
    assert reply.band == ANSWER and reply.text.startswith("정무기획과 소속")
    assert reply.items and not set(reply.items) & set(listed.items)


class _Broadcasting(ConceptEncoder):
    """A stand-in model for the broadcasting entries; records the thread of each question."""

    name = "broadcasting"
    CONCEPTS = (("방송",), ("홍보",), ("인터넷",), ("영상",))

    def __init__(self) -> None:
        self.threads: list[str] = []

    def query(self, text):
        self.threads.append(threading.current_thread().name)
        return super().query(text)


def _broadcasting_kb(kb: KnowledgeBase, tokenizer) -> tuple[KnowledgeBase, _Broadcasting]:
    """The bundled entries about broadcasting (three regions) with a semantic index."""
    entries = [e for e in kb.entries if "방송" in e.title or "방송" in e.body]
    small = build_knowledge_base(entries, kb.curated, tokenizer=tokenizer, regions=kb.regions)
    encoder = _Broadcasting()
    small.index.semantic, _ = SemanticIndex.build(small.entries, encoder)
    return small, encoder


def test_a_region_follow_up_is_embedded_ahead_with_the_same_reply(kb: KnowledgeBase, tokenizer):
    """ "전북은요?" searches the last question again beside the entry's title in 전북: that
    text's vector is made on the helper thread while its words are tagged, and the reply is
    the one found without it."""
    ahead_kb, encoder = _broadcasting_kb(kb, tokenizer)
    first, follow_up = talk(ahead_kb, "인천 시정 홍보 인터넷방송", "전북은요?")
    assert kb.get(follow_up.entry_id).region == "전라북도"
    assert encoder.threads and all(t.startswith("embed-ahead") for t in encoder.threads)
    plain_kb, _ = _broadcasting_kb(kb, tokenizer)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dialogue, "embed_ahead", lambda index, text: None)
        patch.setattr(responder, "embed_ahead", lambda index, text: None)
        assert talk(plain_kb, "인천 시정 홍보 인터넷방송", "전북은요?") == [first, follow_up]
