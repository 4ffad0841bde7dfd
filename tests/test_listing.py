"""Browsing questions get a list (nlp.listing), comparisons regions side by side
(nlp.comparison); questions about one entry do not."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from knowledge.base import KnowledgeBase
from knowledge.model import Entry
from nlp.comparison import find_comparison, is_comparison
from nlp.listing import (
    PAGE_CHARS,
    PAGE_SIZE,
    PARENT_KINDS,
    Listing,
    _holding_all,
    _named_parents,
    _without_titles,
    children_of,
    find_listing,
    format_listing,
    mentioned_regions,
)
from nlp.responder import respond


@pytest.mark.parametrize(
    "question, count, items",
    [
        ("정무기획과 산하 팀 목록 좀 보여주세요", 5, ["의정협력팀", "직소민원팀"]),
        ("국제협력과 팀 뭐 있어요", 4, ["국제정책팀", "남북국제협력팀"]),
        ("전북 대외협력국 밑에 과 뭐 있어요", 3, ["정무기획과", "국제협력과"]),
        ("인천 소통협력관 위원회 종류", 9, ["공론화위원회", "홍보대사추천위원회"]),
        ("인천 소통협력관 밑에 담당관실 몇개", 4, ["시민정책담당관실", "혁신담당관실"]),
        ("인천 국민운동단체 연락처", 5, ["433-4054", "822-7445"]),
        ("인천 국민운동단체 알려줘", 5, ["433-4054", "822-7445"]),  # a kind and nothing else
        ("전주시 공약 몇 개예요", 76, ["지역경제활성화 기여도 평가제 도입"]),
        ("전주 복지 공약 알려줘", 20, []),
        ("다문화 관련 사업 목록", 19, ["다문화가족 특성화사업"]),
        ("외국인주민 지원 세부사업 몇 개", 16, ["다문화가족 정착지원(직접)"]),
        ("인천 위원회 위원장들 알려줘", 9, ["원혜욱", "박인서"]),
        ("인천 혁신담당관실 업무계획 뭐 있어?", 3, []),
        # a department named by its whole title is the parent, not the kind "담당관실"
        ("인천 소통기획담당관실 사업 다 알려줘", 5, ["뉴미디어를 통한 소통과 정책홍보"]),
        ("인천 공동체협치담당관실 하는 사업들", 5, ["위원회 운영 활성화 추진"]),
        ("전주 교통 관련 공약 알려줘요", 4, ["시민수요 맞춤형 대중교통 운영"]),
        ("전주 어르신 노인 관련 공약", 3, ["노인일자리 통합지원 플랫폼"]),
        # a department named with "무슨 일": its work, not its card
        ("인천 공동체협치담당관실은 무슨 일 해요?", 5, ["위원회 운영 활성화 추진"]),
        # a team is a parent: the programs it is responsible for
        ("전북 자원봉사팀 사업 뭐 있어요", 7, ["자원봉사 활동 지원"]),
        # "몇 건" counts a kind said as a word of its own
        ("인천 소통협력관 감사 지적사항 몇 건이에요", 13, ["공공갈등 관리 관련 갈등조정시스템"]),
        ("전북 대외협력국은 어떤 과들로 되어 있나요", 3, ["홍보기획과", "국제협력과"]),
        ("홍보기획과 팀 구성", 3, ["홍보협력팀", "인터넷홍보팀"]),
        # "A이나 B": either word, not both
        ("전주 청년이나 일자리 관련 공약 알려줘", 14, ["청년창업지원", "장애인 공공일자리"]),
        # "A 같은 B": A is an example of the kind, not a filter
        ("인천에 바르게살기운동 같은 단체 어떤 곳 있어요", 5, ["433-4054", "822-7445"]),
        # 시의회 describes every audit finding, 올해 every news item: neither filters
        ("인천 시의회 감사 지적사항 목록", 13, ["원도심 지역이 포함된"]),
        ("전북 대외국제소통국 올해 보도 뭐 있어", 12, ["고향사랑기부 확산"]),
        # "A랑 B" of two values: findings of either kind
        ("인천 감사 지적사항 중 건의랑 처리요구 다 보여줘", 13, ["시민만족도 조사"]),
        # a word the analysis drops but the curated synonyms know (애들 → 아이·어린이)
        ("전주 애들 위한 공약 뭐 있어요", 7, ["국공립 어린이집 확대", "어린이병원비"]),
        # no kind at all: every kind holding either topic, a named entry among them
        ("인천 공론화나 갈등 관련된 거 전부 보여줘", 8, ["공론화위원회", "인천형 공론화 추진"]),
        # a named parent's kind of work, asked for without "뭐 있어요"
        ("인천 공동체협치담당관실 사업 알려줘", 5, ["따뜻한 마을공동체"]),
        # pieces of the kind's own names (시민단체, 국민운동단체) say the kind, not a topic
        ("인천에 시에서 지원하는 시민 운동 단체들 어디어디 있어요", 5, ["433-4054", "439-4411"]),
        ("인천 국민운동 시민단체 몇 개 있어요", 5, ["868-0113"]),
        # a parent's items that hold the words said besides its name ("X 중에 Y")
        ("전북 외국인주민 지원 중에 센터 운영하는 거", 6, ["다문화 이주민 플러스센터 운영"]),
        ("정무기획과 사업 중에 자원봉사 관련된 거 뭐 있어요", 7, ["자원봉사 활동 지원"]),
        # a team or department named with nothing but a kind of work: that work
        ("자원봉사팀 맡은 사업", 7, ["자원봉사 활동 지원"]),
        ("인천 소통기획담당관실 업무계획", 5, ["시민중심의 직접 소통 강화"]),
        # 행감 is how citizens shorten 행정사무감사
        ("인천 행감 결과 뭐 있어", 13, ["공공갈등 관리 관련 갈등조정시스템"]),
        # "X 관련 업무계획" asks for the work plans about X
        ("인천 소통 관련 주요업무", 9, ["시민 중심의 소통행정 강화"]),
        # a kind asked for by what several of its titles share
        ("전주 한옥마을 공약 알려줘", 5, ["한옥마을 인증제 도입"]),
        ("완산권역 문화재생 공약", 4, ["전라감영 재창조 복원"]),
        # dialect and everyday ways of browsing
        ("전주 어르신 공약 뭣이 있당가", 3, ["노인일자리 통합지원 플랫폼"]),
        ("전북 자원봉사 사업 있는 대로 다", 8, ["자원봉사 활동 지원"]),
        ("전주 청년 공약 쭉 알려줘", 11, ["청년심포 프로젝트"]),
        # a department named with only another kind: what it has of that kind
        ("인천 소통기획담당관실 소관 위원회", 3, ["상징물관리위원회"]),
        # a team's card holds only where it belongs: what it does is its work
        ("자원봉사팀 뭐 하는 데야", 7, ["자원봉사 활동 지원"]),
        ("인천 위원회들 이름 좀 대봐", 9, ["상징물관리위원회"]),  # the names of many: a list
        ("전주 문화재생 공약들 쭈욱", 10, ["종합경기장 부지 재생"]),
        ("전북 외국인 주민 사업 전부 말해봐", 18, ["외국인주민 지원"]),
        # typed without spaces: a region glued before a word is no topic, nor 몇개임's 개임
        ("전주시공약몇개임", 76, ["지역경제활성화 기여도 평가제"]),
        ("인천시민단체연락처다", 5, ["433-4054"]),
        ("전주한옥마을공약", 5, ["한옥마을 인증제 도입"]),
        # the kind after 관련 is asked for, the one before it is the topic
        ("인천 위원회 관련 지적사항 다 보여줘", 3, ["위원회 활성화를 위한 혁신모델 개발"]),
        ("전주 어르신 공약 쫙 뽑아줘", 3, ["노인일자리 통합지원 플랫폼"]),
        ("소통기획담당관실이 맡고 있는 위원회", 3, ["상징물관리위원회"]),
        # a unit project's own kind names it: what is in it is listed
        ("국제행사 유치 단위사업에 속한 사업들", 2, ["국제행사 유치 활동"]),
        ("인천시가 관리하는 시민단체들 어디어디 있나요", 5, ["433-4054"]),
        # words that describe the asking (종류별로, 관련된거, 지역 상관없이) filter nothing
        ("폭력 피해 이주여성 돕는 거 종류별로 다 알려줘", 7, ["보호시설 안전보강"]),
        # a kind said in the plural is asked for, though a title holds it
        ("인천에 있는 국민운동 단체들 목록 좀", 5, ["433-4054"]),
        ("전주 노인 공약 머 있어요", 3, ["노인일자리 통합지원 플랫폼"]),  # 머 for 뭐
        ("전북 다문화 무슨 사업 하는지", 18, ["다문화가족 특성화사업"]),
        ("인천 시민단체 알려주소", 5, ["433-4054"]),  # 알려주소 asks for no 주소
        ("전주 청년 공약 있어요?", 11, ["청년심포 프로젝트"]),
    ],
)
def test_browsing_questions_get_the_count_first_then_the_items(
    kb: KnowledgeBase, question, count, items
):
    reply = respond(kb, question)
    first = reply.text.splitlines()[0]
    assert f"모두 {count}개입니다" in first
    assert len(reply.items) == count
    assert all(item in reply.text for item in items)


@pytest.mark.parametrize(
    "question",
    [
        "인천 규제개혁위원회 위원장",  # one committee's chair, not every chair
        "전라북도 대외협력국 전체 정원은 몇 명인가요",  # 전체 of one department
        "고향사랑기금사업 몇 건 발굴했어요",  # a figure in one entry
        "전자민원 모니터 하면 어떤 혜택 있어요?",
        "전북 폭력피해 이주여성 상담소 지원 사업 알려줘",  # names one program
        "새마을지도자 자녀 장학금 조건",
        "전주 치매걱정 없는 도시 공약",  # 도시 is a pledge field, but here part of one name
        "인천 혁신담당관실 뭐 하는 데예요",  # what the department is: its card
        "인천광역시 새마을회는 무슨 일 해요",  # "무슨 일" of no department or team
        "전북 자원봉사팀 전화번호",  # one team's fact
        "민간협력팀 팀장 누구예요",
        "공론화위원회 구성",  # one committee's 구성, not "팀 구성"
        "전라북도 자원봉사 코디네이터 지원 육성 몇 곳에서 해요",  # a figure in one program
        "인천 공론화위원회 위원 명단 다 알려줘",  # 위원회 only inside one committee's name
        "나주 공공기관 자매결연 몇 개소 맺었어요",  # a count one pledge states
        "전북 자매결연 맺은 해외 지역 몇 곳이에요",  # a count one unit project lists
        "정무기획과 사업 중에 예산 제일 많은 거",  # one of a parent's items, not the list
        "인천 혁신담당관실 예산",  # a department's own figure, not its work
        "자원봉사팀",  # the team's card
        "전북 자원봉사 코디네이터 사업 알려줘",  # two titles share the words: one and its twin
        "새마을지도자 장학금 사업 있어요?",  # one title holds the words
        "전북 국제행사 유치 사업",  # the words are one entry's whole title, and in others
        "공공기관하고 마을 이어주는 사업 있어요?",  # one program described by either word
        "인천 비영리민간단체 보조금 교육 관련 지적사항 뭐였어?",  # one finding asked for
        "전북 국제행사 유치 단위사업 알려줘",  # the unit project itself, by its own kind
    ],
)
def test_questions_about_one_entry_are_not_lists(kb: KnowledgeBase, question):
    reply = respond(kb, question)
    assert reply.items == () and reply.entry_id is not None


@pytest.mark.parametrize(
    "question, lead",
    [
        # the very counter asked ("몇 개소") before another spelling of it ("6개 기관 5회")
        ("나주 공공기관 자매결연 몇 개소 맺었어요", "16개 기관 70개소"),
        # a count a document gives in brackets after the counted word
        ("전북 자매결연 맺은 해외 지역 몇 곳이에요", "자매결연(3) : 미국 워싱턴주"),
        ("전북 우호협력 지역은 몇 군데", "우호협력(7)"),
    ],
)
def test_a_count_one_entry_states_leads_the_reply(kb: KnowledgeBase, question, lead):
    assert lead in respond(kb, question).text.splitlines()[0]


def test_items_named_for_the_head_of_a_compound_topic_come_first(kb: KnowledgeBase):
    """Items named for 다문화가족 first, then those named for its head 다문화, then those that
    only mention it: the first page is the 다문화 programs, not 국제화 도민역량 강화."""
    text = "전북 다문화가족 지원 사업 전부 알려줘"
    page = format_listing(find_listing(kb, kb.index.analyze(text), text))
    assert "다문화거점센터 운영" in page and "다문화 정보공유 프로그램 제작" in page
    assert "국제화 도민역량 강화" not in page


def test_a_field_said_as_an_alternative_widens_the_list(kb: KnowledgeBase):
    """A field said as an alternative ("청년이나 복지 공약"): the 복지 field's pledges and those
    about 청년 in another field."""
    text = "전주 청년이나 복지 공약 전부"
    listing = find_listing(kb, kb.index.analyze(text), text)
    fields = {e.fields.get("분야") for e in listing.entries}
    assert "복지" in fields and len(fields) > 1
    assert all(
        e.fields.get("분야") == "복지" or "청년" in e.title + e.body for e in listing.entries
    )


@pytest.mark.parametrize(
    "question, end",
    [
        ("전북이랑 인천 부서 몇 개씩 있어", "모두 9개입니다(전라북도 4개, 인천광역시 5개)."),
        # a kind compared across regions is each region's list, not one entry per region
        ("전주랑 나주 공약 비교해줘", "모두 77개입니다(전주시 76개, 나주시 1개)."),
        # a region named that has none of the kind is said to have none
        ("전북이랑 인천 위원회 차이", "모두 9개입니다(전라북도 0개, 인천광역시 9개)."),
    ],
)
def test_a_list_over_regions_counts_each_region(kb: KnowledgeBase, question, end):
    assert respond(kb, question).text.splitlines()[0].endswith(end)


def test_a_list_is_paged_by_eight(kb: KnowledgeBase):
    entries = tuple(e for e in kb.entries if e.kind == "pledge" and e.region == "전주시")
    listing = Listing("전주시 공약", entries, False)
    first, second = format_listing(listing), format_listing(listing, offset=PAGE_SIZE)
    assert f"{PAGE_SIZE}. {entries[PAGE_SIZE - 1].title}" in first
    assert entries[PAGE_SIZE].title not in first and "[더 보기]" in first
    assert second.startswith(f"전주시 공약 {len(entries)}개 중 9–16번째입니다.")


@pytest.mark.parametrize("field", [None, "예산", "구성", "위원장", "이행률"])
def test_every_page_fits_600_characters_with_the_asked_field_beside_each_item(
    kb: KnowledgeBase, field
):
    """The longest titles of each region and kind, a page at a time, with a field beside each
    (인천 주요업무 with 예산 was 799 characters)."""
    kinds = {(e.region, e.kind) for e in kb.entries}
    for region, kind in kinds:
        entries = sorted(
            (e for e in kb.entries if (e.region, e.kind) == (region, kind)),
            key=lambda e: -len(e.title),
        )
        listing = Listing(f"{region} '다문화' 관련 사업", tuple(entries), False, field)
        for offset in range(0, len(entries), PAGE_SIZE):
            text = format_listing(listing, offset=offset)
            assert len(text) <= PAGE_CHARS
            assert f"{offset + 1}. {entries[offset].title[:20]}" in text


def test_the_asked_field_stays_beside_items_when_the_page_has_room(kb: KnowledgeBase):
    text = "국제협력과 단위사업 예산 알려줘"
    page = format_listing(find_listing(kb, kb.index.analyze(text), text))
    assert "국제행사유치 (전라북도 · 단위사업) — 예산 '21예산 71백만원" in page


def test_civic_groups_show_their_phone_inline(kb: KnowledgeBase):
    listing = find_listing(
        kb, kb.index.analyze("인천 시민단체 목록 보여줘"), "인천 시민단체 목록 보여줘"
    )
    assert "인천광역시 새마을회 (인천광역시 · 시민단체) — ☎ 433-4054" in format_listing(listing)


@pytest.mark.parametrize(
    "text, regions",
    [
        ("전북이랑 인천 주민참여예산 차이", ["전라북도", "인천광역시"]),
        ("전주랑 나주 공약", ["전주시", "나주시"]),
        ("다문화가족지원센터", []),
    ],
)
def test_every_region_named_is_found(kb: KnowledgeBase, text, regions):
    assert mentioned_regions(kb, text) == regions


@pytest.mark.parametrize(
    "question, shown",
    [
        ("전북이랑 인천 주민참여예산 차이", ["■ 전라북도: 주민참여예산", "■ 인천광역시:"]),
        (
            "전북 파워블로거랑 인천 블로그기자단 뭐가 달라요",
            ["■ 전라북도: 파워블로거 활용 도정 홍보", "■ 인천광역시:"],
        ),
    ],
)
def test_comparisons_show_each_region_side_by_side(kb: KnowledgeBase, question, shown):
    text = respond(kb, question).text
    assert text.startswith("'") and "지역별로 비교합니다" in text.splitlines()[0]
    assert all(line in text for line in shown)


@pytest.mark.parametrize("question", ["주민참여예산 예산 얼마", "전북 주민참여예산", "다른 점"])
def test_one_region_is_no_comparison(kb: KnowledgeBase, question):
    assert not is_comparison(kb, question) or find_comparison(kb, question) is None


@pytest.mark.parametrize(
    "question, head",
    [
        # a one-letter topic filters the list by the documents' words for it
        ("전주시 집 관련 공약 뭐있어?", "전주시 '집' 관련 공약은 모두 6개입니다."),
        # beside another topic it names nothing of its own ("아이 키우는 집": 아이)
        ("전주 애들 키우는 집에 도움되는 공약 뭐 있어", "전주시 '애들' 관련 공약"),
        ("전주 집 주거 관련 공약 목록", "전주시 '주거' 관련 공약"),
    ],
)
def test_a_one_letter_topic_filters_a_list_only_alone(kb: KnowledgeBase, question, head):
    assert respond(kb, question).text.startswith(head)


# What lists look up in tables made once per knowledge base (nlp.kbmemo) must be exactly what a
# scan of every entry finds; the scans below are the rules the looked-up versions replace.


def _children_by_scan(kb: KnowledgeBase, parent: Entry, kinds: frozenset[str]) -> list[Entry]:
    if parent.kind == "team":
        return [
            e
            for e in kb.entries
            if e is not parent
            and e.kind != "team"
            and (not kinds or e.kind in kinds)
            and e.region == parent.region
            and e.department == parent.department
            and e.team == parent.title
        ]
    names = {parent.title}
    if parent.kind == "department":
        for field in ("하위부서", "팀"):
            names |= {n.strip() for n in parent.fields.get(field, "").split(",") if n.strip()}
    ids = {parent.id} | {e.id for e in kb.entries if e.kind == "department" and e.title in names}
    return [
        e
        for e in kb.entries
        if e is not parent
        and (not kinds or e.kind in kinds)
        and (
            e.parent_id in ids
            or (parent.kind == "department" and e.department in names and e.kind != "team")
        )
    ]


@pytest.mark.parametrize(
    "kinds", [frozenset(), frozenset({"program"}), frozenset({"committee", "unit_project"})]
)
def test_the_children_of_every_parent_are_those_a_scan_finds(kb: KnowledgeBase, kinds):
    parents = [e for e in kb.entries if e.kind in PARENT_KINDS]
    assert any(children_of(kb, p, frozenset()) for p in parents)
    for parent in parents:
        assert children_of(kb, parent, kinds) == _children_by_scan(kb, parent, kinds)


@pytest.mark.parametrize(
    "groups, field",
    [
        ([("다문화",)], None),
        ([("청년",), ("일자리",)], None),
        ([("애들",)], None),  # by its curated synonyms
        ([("환경", "녹지")], None),
        ([("문화",)], "문화"),  # a pledge field by its 분야
        ([("기업", "경제"), ("지원",)], "경제"),
        ([("없는말이에요",)], None),
    ],
)
def test_the_entries_holding_every_topic_are_those_a_scan_finds(kb: KnowledgeBase, groups, field):
    def holds(entry: Entry, group: tuple[str, ...]) -> bool:
        text = " ".join((entry.title, *entry.aliases, entry.body, entry.department or ""))
        text = text.replace(" ", "").lower()
        return any(
            field in entry.fields.get("분야", "")
            if word == field
            else any(w in text for w in (word, *kb.index.synonyms_of(word)))
            for word in group
        )

    stranger = replace(kb.entries[0], id="another-kb", body="다문화 청년 일자리 환경 기업 지원")
    pool = [*kb.entries, stranger]  # an entry of another knowledge base is checked by its text
    expected = [e for e in pool if all(holds(e, g) for g in groups)]
    assert _holding_all(kb, pool, groups, field) == expected


@pytest.mark.parametrize(
    "question",
    [
        "공론화위원회 위원 다 알려줘",
        "인천 소통기획담당관실 사업 다 알려줘",
        "정무기획과 산하 팀 목록 좀 보여주세요",
        "전북 대외협력국 정무기획과 국제협력과 팀 뭐 있어요",
        "청년 지원 사업 뭐 있어요?",
    ],
)
def test_the_titles_a_question_holds_are_those_a_scan_finds(kb: KnowledgeBase, question):
    query = kb.index.analyze(question)
    parents = sorted(
        (e for e in kb.entries if e.kind in PARENT_KINDS), key=lambda e: -len(e.title)
    )
    assert list(_named_parents(kb, query)) == [
        e for e in parents if e.title.replace(" ", "").lower() in query.compact
    ]
    compact = query.compact
    for entry in sorted(kb.entries, key=lambda e: -len(e.title)):
        title = entry.title.replace(" ", "").lower()
        if len(title) >= 4 and title in compact:
            compact = compact.replace(title, " ")
    assert _without_titles(kb, query) == compact


@pytest.mark.parametrize(
    "question, shown, not_shown",
    [
        # a word no title holds ("가정" for 다문화가족) does not narrow a list to the few
        # entries that happen to hold it
        (
            "전북 다문화 가정 돕는 세부사업 목록",
            ["다문화가족 정착지원(직접)", "다문화거점센터 운영", "다문화가족지원센터 운영"],
            ["자원봉사"],
        ),
        # a word about the asker ("아빠") is no topic; "공약 중 …" asks for some pledges
        (
            "아이 둘 키우는 아빠인데 전주 공약 중 아이들 위한 거 알려주세요",
            ["국공립 어린이집 확대", "야호 아이숲 놀이터 확대"],
            ["정확히 일치하는 항목을 찾지 못했습니다"],
        ),
        # the kind asked is the one before 중에; the kind word after it is a topic, looked for
        # in titles since every finding names the council's committee
        (
            "인천 감사 지적사항 중에서 위원회 얘기 나오는 것",
            ["위원회 활성화를 위한 혁신모델 개발", "모두 3개"],
            ["홍보대사추천위원회 (", "시정홍보 콘텐츠"],
        ),
        # one word between 관련 and the kind still asks for a list
        (
            "전주시 주택 관련 주거 공약 알려줘",
            ["단독주택 관리 및 주거복지 지원 강화", "청년 공유주택 건립 지원", "모두"],
            ["[단독주택"],
        ),
        # "인천시가": the rest of a region's name and a particle is no topic
        ("인천시가 돕는 시민단체 어디어디예요", ["모두 5개", "인천광역시 새마을회"], []),
        ("인천 국민운동단체 같은 시민단체 몇 군데 나와있어?", ["모두 5개"], []),
        ("전주 놀이터 관련 공약 싹다", ["야호 아이숲 놀이터 확대", "공공형 실내놀이터 조성"], []),
        # "애" is looked for by its plural's synonyms (아이, 어린이); "키우는" is no topic
        ("전주에서 애 기르는 데 보탬 되는 공약 뭐 있어요", ["국공립 어린이집 확대"], []),
        # a one-letter word said as an alternative ("숲") is a topic too
        ("전주 숲이나 환경 관련 공약 뭐 있어요", ["명품 숲길", "나무심기"], []),
    ],
)
def test_lists_keep_the_entries_about_the_topic_in_other_words(
    kb: KnowledgeBase, question, shown, not_shown
):
    text = respond(kb, question).text
    assert all(s in text for s in shown), text
    assert not any(s in text for s in not_shown), text


@pytest.mark.parametrize(
    "question, words",
    [
        # a topic held in an item's title puts it before items that only mention it
        ("전주 체육 시설이나 대회 관련 공약", ["체육", "시설", "대회"]),
        ("전주 장애인 관련 공약 알려줘", ["장애인"]),
    ],
)
def test_entries_holding_the_topic_in_their_title_come_first(kb: KnowledgeBase, question, words):
    listing = find_listing(kb, kb.index.analyze(question), question)
    assert listing is not None
    titled = [any(w in t for w in words for t in e.title.split()) for e in listing.entries]
    assert True in titled and titled == sorted(titled, reverse=True)


@pytest.mark.parametrize(
    "question, chance",
    [
        # a two-letter topic is looked for within a title's words, not across a space
        ("전주 환경 관련 공약 알려줘", "단계별 지역화폐 도입을 통한 지역 선순환 경제 실현"),
        ("전주 체육 시설이나 대회 관련 공약", "노인일자리 통합지원 플랫폼 전주시 설치"),
    ],
)
def test_a_short_topic_across_a_space_puts_no_entry_first(kb: KnowledgeBase, question, chance):
    listing = find_listing(kb, kb.index.analyze(question), question)
    assert listing is not None
    assert listing.entries[0].title != chance
    assert [e.title for e in listing.entries].index(chance) >= 3


class _FakeMeaning:
    """A semantic index whose cosine to any text is set per title word (``near``), else
    BACKGROUND_COSINE: what ``SemanticIndex.similarities`` and ``position`` give."""

    BACKGROUND_COSINE = 0.8

    def __init__(self, kb: KnowledgeBase, near: dict[str, float]):
        self.entry_ids = [e.id for e in kb.entries]
        self._cosines = np.array(
            [
                max([c for w, c in near.items() if w in e.title], default=self.BACKGROUND_COSINE)
                for e in kb.entries
            ]
        )

    def position(self, entry_id: str) -> int | None:
        return self.entry_ids.index(entry_id)

    def similarities(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        return self._cosines, np.zeros(len(self._cosines), dtype=int)


@pytest.mark.parametrize(
    "question, near, shown, not_shown",
    [
        # the theme in other words: no title or text of these pledges holds 환경 or 녹지
        (
            "전주 환경 녹지 관련 공약 뭐 있어요",
            {"나무심기": 0.9, "숲길": 0.89, "미세먼지": 0.88, "다문화가족": 0.95},
            ["지속가능한 1,000만그루 나무심기", "명품 숲길 조성으로 도심 트레킹 확대"],
            # near in meaning but another region's programs
            ["다문화가족"],
        ),
        # not closer than the best item holding the words: it does not join
        (
            "전주 환경 녹지 관련 공약 뭐 있어요",
            {"미세먼지": 0.9, "나무심기": 0.9, "실내놀이터": 0.85},
            [],
            ["나무심기", "실내놀이터"],
        ),
        # the words are in titles (장애인): the theme is named as the documents name it
        ("전주 장애인 관련 공약 알려줘", {"나무심기": 0.99}, [], ["나무심기"]),
    ],
)
def test_items_near_the_topic_in_meaning_join_a_list(
    kb: KnowledgeBase, monkeypatch, question, near, shown, not_shown
):
    monkeypatch.setattr(kb.index, "semantic", _FakeMeaning(kb, near))
    listing = find_listing(kb, kb.index.analyze(question), question)
    assert listing is not None
    titles = [e.title for e in listing.entries[:PAGE_SIZE]]
    assert all(s in titles for s in shown), titles
    assert not any(n in t for n in not_shown for t in titles), titles
