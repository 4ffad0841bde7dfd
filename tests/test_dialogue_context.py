"""Follow-ups resolved against the chat's context, and messages that stay questions of their
own, through the real Application on the offline LocalBotApi (tested like a user)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

# Every test talks to the module's table bot (conftest table_row) on its event loop.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture
def bot(table_row):
    """The module's bot, with a citizen and a stranger (a chat with no context: what a message
    gets on its own) whom no other test has used."""
    return SimpleNamespace(
        chat=table_row.chat, citizen=table_row.citizen(), stranger=table_row.citizen()
    )


def sent_texts(calls) -> str:
    return "\n".join(c.text for c in calls if c.method in ("sendMessage", "editMessageText"))


async def talk(bot, user: int, *messages: str) -> str:
    """The bot's reply to the last of ``messages``, sent in order in one chat."""
    me = bot.chat(user)
    for message in messages[:-1]:
        await me.send(message)
    return sent_texts(await me.send(messages[-1]))


@pytest.mark.parametrize(
    "turns, entry, expected",
    [
        # "거기" after a department's teams: the department, with the field asked
        (("전북 국제협력과 알려줘", "팀 뭐 있어요?", "거기 정원은 몇 명?"), "국제협력과", "19명"),
        (("전북 국제협력과 팀 뭐 있어요?", "거기 예산은?"), "국제협력과", "11,815백만원"),
        # a field follow-up quotes the line on what the earlier question was about
        (("인천 굿모닝인천 잡지 말이에요", "한 달에 몇 부 찍어요?"), "시정홍보 강화", "3만7천부"),
        # another region: the same topic there, by the part of a compound that region holds
        (("전북 국제행사 유치 활동 알려줘", "전주시는요?"), "국제.전국 규모 대회 유치", "전주시"),
        (("인천 블로그기자단 운영한다던데", "전북은요?"), "블로그", "전라북도 · "),
        (("전북 주민참여예산 사업 알려줘", "인천에서도 해요?"), "협치", "인천광역시 · "),
        # a field the pledge does not record: said first, with where to ask, as for a full question
        (
            ("전주 청년 공유주택 공약", "예산은?"),
            "청년 공유주택 건립 지원",
            "의 예산이 나와 있지 않",
        ),
        (("행복투어버스", "그 사업 예산은?"), "행복투어버스 운영", "의 예산이 나와 있지 않"),
        # a correction asks the last question again as meant
        (("전주 자매결연 사업 알려줘", "아니 전주 말고 나주"), "16개 공공기관과 상생", "나주시"),
        # "2번 부서" after a card that lists its 하위부서
        (("인천 소통협력관 부서 알려줘", "2번 부서 담당관 누구야?"), "공동체협치", "박재성"),
    ],
)
async def test_a_follow_up_is_answered_about_the_entry_in_context(bot, turns, entry, expected):
    text = await talk(bot, bot.citizen, *turns)
    card = text.split("[", 1)[1].split("]", 1)[0] if "[" in text else ""
    assert entry in (card or text.splitlines()[0]) and expected in text


@pytest.mark.parametrize(
    "turns, head, absent",
    [
        # "다른 <topic> <kind>" after a list: that set, in the context's region
        (
            ("전주시 장애인 관련 공약 뭐 있어?", "다른 복지 공약은?"),
            "전주시 복지 분야 공약은 모두",
            "",
        ),
        (
            ("전주 교통 공약 뭐 있어?", "도시 분야 다른 공약은?"),
            "전주시 도시 분야 공약은 모두",
            "",
        ),
        (
            ("전주 교통 공약 뭐 있어요", "다른 분야는? 집 주거 쪽 공약"),
            "전주시 '주거' 관련 공약",
            "",
        ),
        # a department named with "다른 사업": its own work, not its card
        (
            ("전북 자원봉사 사업 뭐 있어요", "정무기획과 다른 사업은?"),
            "정무기획과 소속 사업",
            "[정무기획과]",
        ),
        # the kind of the last list asked of another department
        (
            ("인천 시민정책담당관실 사업들", "공동체협치담당관실 건 뭐 있어요?"),
            "공동체협치담당관실 소속 사업은 모두 5개",
            "위원회)",
        ),
        # "이거 말고 다른 건?", "비슷한 사업 또 있어?" after one entry: the set it was found in
        (("전북 새마을지도자 자녀 장학금", "이거 말고 다른 건?"), "전라북도 '자녀'", "[새마을"),
        (("전북 새마을지도자 자녀 장학금", "비슷한 사업 또 있어?"), "전라북도 '자녀'", "[새마을"),
        # the others of a short list: the whole list, saying where the new ones start
        (
            ("인천 위원회 종류", "다른 위원회는 더 없어?"),
            "인천광역시 위원회는 모두 9개입니다. 앞에",
            "[더 보기]",
        ),
    ],
)
async def test_the_others_of_a_set(bot, turns, head, absent):
    text = await talk(bot, bot.citizen, *turns)
    assert text.startswith(head) and (not absent or absent not in text)


async def test_the_whole_short_list_holds_its_first_and_last_items(bot):
    text = await talk(bot, bot.citizen, "인천 위원회 종류", "다른 위원회는 더 없어?")
    assert "1. 공론화위원회" in text and "9. 규제개혁위원회" in text


@pytest.mark.parametrize(
    "turns",
    [
        ("/region 전라북도", "그건 언제까지 해요?"),
        ("안녕하세요", "그럼 그건 대상이 누구예요?"),
        ("그거 신청 언제까지예요?",),
    ],
)
async def test_a_pointer_without_context_is_asked_back(bot, turns):
    text = await talk(bot, bot.citizen, *turns)
    assert "말씀하시나요?" in text and "출처" not in text


@pytest.mark.parametrize(
    "first, message",
    [
        ("전자민원 모니터 운영 사업", "다른 지역은요?"),  # 다른 names no set of its own
        ("전주 교통 공약 뭐 있어?", "다른 사람도 신청할 수 있어요?"),  # asks for a fact
        ("전북 국제협력과 팀 뭐 있어요?", "전북 대외협력국 밑에 과 뭐 있어요"),  # its own kind
        ("전북 국제협력과 팀 뭐 있어요?", "전북 대외협력국 어떤 과들로 되어있어?"),
        ("인천 시민정책담당관실 사업들", "공동체협치담당관실 위원회 뭐 있어요?"),
        ("인천 굿모닝인천 잡지 말이에요", "전자민원 모니터 모집 기간 언제예요?"),
        ("인천 위원회 종류", "새마을지도자 자녀 장학금 조건"),
        ("인천 위원회 종류", "전북해외사무소운영예산알려줘"),  # 전북 + "해…": no region alone
        ("전자민원 모니터 운영 사업", "전자민원 모니터 모집 기간이 언제예요?"),  # named again
        # a new question after a list that shares words with its items but names none of them
        # by its title: its own "did you mean", not a confident answer about one of the items
        ("전주 공약 뭐 있어요", "예술가들한테 공공 일자리 만들어준다는 공약"),
        ("전주 공약 뭐 있어요", "그릇 식기 산업 단지 만드는 공약"),
        ("전주 공약 뭐 있어요", "동네 도서관을 열린 공간으로 바꾸는 공약"),
        ("청년 지원 사업 뭐 있어요?", "회사에서 갑질 당하는 거 없애는 시 정책"),
        ("청년 지원 사업 뭐 있어요?", "종합경기장 자리에 시민 숲 만든다는 얘기"),
        ("자원봉사 관련 사업 뭐 있어요", "청년들 같이 사는 셰어하우스 짓는 지원"),
        ("자원봉사 관련 사업 뭐 있어요", "갑질 없애는 정책"),
    ],
)
async def test_messages_that_stay_questions_of_their_own(bot, first, message):
    assert await talk(bot, bot.citizen, first, message) == await talk(bot, bot.stranger, message)


@pytest.mark.parametrize(
    "turns, head",
    [
        # a count asked of nothing after a list: the list's own number, first
        (("인천 위원회 종류 알려줘", "몇 개예요?"), "인천광역시 위원회는 모두 9개입니다."),
        (("정무기획과 팀들 뭐 있어요", "총 몇개예요?"), "정무기획과 소속 팀은 모두 5개입니다."),
        (("전북 국제협력과에 팀 뭐있어?", "몇 개야"), "국제협력과 소속 팀은 모두 4개입니다."),
        # an item number with a browsing word ("하는일") is that item, not a list of work
        (("인천 소통협력관 담당관실 뭐뭐 있음?", "3번째꺼 하는일 알려줘"), "[소통기획담당관실]"),
        (("인천 소통협력관 담당관실 뭐뭐 있음?", "세 번째 거 하는 일은?"), "[소통기획담당관실]"),
    ],
)
async def test_counts_and_numbers_after_a_list(bot, turns, head):
    text = await talk(bot, bot.citizen, *turns)
    assert text.startswith(head) or text.splitlines()[1].startswith(head)


@pytest.mark.parametrize(
    "turns, entry, expected",
    [
        # a region and a fact after a comparison: that region's side
        (
            ("인천이랑 전북 새마을지도자 자녀 학자금 비교해줘", "전북은 누가 받을 수 있어?"),
            "새마을지도자 자녀 장학금 지원",
            "공납금",
        ),
        (
            ("전북 자매결연이랑 나주 자매결연 차이점", "나주 건 예산 얼마?"),
            "16개 공공기관과 상생 자매결연 활성화",
            "40백만원",
        ),
        # another region with the topic named: that region's project on it, the broadest one
        (
            ("전북 인터넷방송 전북생생TV 운영하는거", "인천은 인터넷방송 있어?"),
            "뉴미디어를 통한 소통과 정책홍보",
            "인천광역시 · ",
        ),
        (
            ("인천 시민소통실 운영하는거", "전북은 민원 어떻게 받아?"),
            "희망을 찾는 직소민원실 운영",
            "전라북도 · ",
        ),
        # "전북도 그런거 해?": the words the region uses (자매결연, not 공공기관)
        (
            ("나주 공공기관 자매결연 공약", "이행률은?", "전북도 그런거 해?"),
            "우호·자매결연지역",
            "전라북도 · ",
        ),
        (("인천 새마을지도자 자녀 학자금 지원해요?", "전북은?"), "새마을지도자 자녀", "45백만원"),
        # an entry named by the topic words comes before one of the same kind that is not
        (("인천 직소민원 담당하는 데 어디야", "전북은요?"), "직소민원", "전라북도 · "),
        # "몇퍼" asks how much of the pledge in context; it names no other entry
        (
            ("나주 혁신도시 공공기관이랑 마을 자매결연 맺는 공약", "이행률 몇퍼야"),
            "16개 공공기관과 상생 자매결연 활성화",
            "이행률은",
        ),
    ],
)
async def test_a_region_named_after_an_answer_or_a_comparison(bot, turns, entry, expected):
    text = await talk(bot, bot.citizen, *turns)
    card = text.split("[", 1)[1].split("]", 1)[0] if "[" in text else ""
    assert entry in card and expected in text


@pytest.mark.parametrize(
    "turns, expected",
    [
        # a fact asked after a comparison: the comparison again, with that fact for each side
        (
            ("인천이랑 전북 새마을지도자 자녀 학자금 비교해줘", "담당 부서는?"),
            ("지역별로 비교합니다", "담당 부서: 시민정책담당관실", "담당 부서: 정무기획과"),
        ),
        (
            ("인천이랑 전북 새마을지도자 자녀 학자금 비교해줘", "예산은?"),
            ("지역별로 비교합니다", "45백만원"),
        ),
        # after a list that is no comparison the item is asked for first
        (("인천 위원회 종류", "담당 부서는?"), ("목록의 몇 번 항목의",)),
    ],
)
async def test_a_fact_after_a_comparison_compares_it(bot, turns, expected):
    text = await talk(bot, bot.citizen, *turns)
    assert all(part in text for part in expected)


async def test_the_others_of_a_short_whole_list_are_the_related_ones_after_it(bot):
    """The list's question also matches two audit findings (not 사업): "다른 건 없어요?" shows
    them after the list's three items, numbered on from 4."""
    text = await talk(bot, bot.citizen, "인천 시정홍보 관련 사업 알려줘", "다른 건 없어요?")
    assert text.startswith("인천광역시 '시정홍보' 관련 사업은 앞에 보여 드린 3개가 전부입니다.")
    assert "4번부터는 관련 있는 다른 항목" in text and "1. 콘텐츠 제작" in text
    assert "4. SNS별 특성에 맞는 효과적인 시정홍보 콘텐츠 개발" in text
    assert "[SNS별 특성에" in await talk(bot, bot.citizen, "4번")
    projects = await talk(bot, bot.stranger, "인천 시정홍보 관련 사업 알려줘", "다른 사업은요?")
    assert "SNS별" not in projects  # 사업 asked: no finding among the related ones


@pytest.mark.parametrize(
    "first, message",
    [
        # counts naming a set or a thing of their own
        ("인천 위원회 종류 알려줘", "전주시 공약 몇 개예요"),
        ("인천 위원회 종류 알려줘", "도민증 가맹점 몇 개예요?"),
        # a region with an entry of its own, or a kind to list
        ("전북 인터넷방송 전북생생TV 운영하는거", "인천은 위원회 뭐 있어?"),
        ("전북 인터넷방송 전북생생TV 운영하는거", "인천 규제개혁위원회 위원장은?"),
        ("전북 인터넷방송 전북생생TV 운영하는거", "전주는 반려동물 놀이터 공약 있어?"),
        # a region the comparison did not show, or words its side does not hold
        ("전북 자매결연이랑 나주 자매결연 차이점", "전주 반려동물 놀이터 예산은?"),
        ("인천 홍보대사랑 전북 홍보대사 뭐가 달라", "전북 직소민원실 예산 얼마?"),
    ],
)
async def test_region_and_count_messages_that_stay_questions_of_their_own(bot, first, message):
    assert await talk(bot, bot.citizen, first, message) == await talk(bot, bot.stranger, message)
