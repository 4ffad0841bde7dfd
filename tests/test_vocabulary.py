"""The built-in everyday → administrative vocabulary (nlp/vocabulary.txt) and how the search
index uses it: a citizen's own words find the entry written in administrative ones, for any
city's documents, and unrelated questions stay unanswered."""

from __future__ import annotations

from functools import partial

import pytest

import entry_rows
from knowledge.model import Source
from nlp.reply import ANSWER
from nlp.responder import respond
from nlp.retrieval import build_knowledge_base
from nlp.vocabulary import (
    EVERYDAY,
    VOCABULARY_FILE,
    VocabularyFileError,
    read_vocabulary,
    with_administrative_words,
)

SOURCE = Source("city.txt", 1, 2, "어느 시의 업무계획", 2024)

CATEGORIES = [
    "people",
    "money",
    "actions",
    "places and facilities",
    "organisations",
    "topics",
    "colloquial",
]


# Every entry of the test cities is a unit project of 가나시.
_entry = partial(entry_rows.make, kind="unit_project", region="가나시", source=SOURCE)


# A city none of the question sets is about, written only in administrative words.
ENTRIES = [
    _entry(
        "child", "아동 의료비 지원", 대상="만 18세 미만 아동", 내용="입원 진료비 본인부담금 지원"
    ),
    _entry(
        "homeland",
        "결혼이민자 모국방문 지원",
        대상="다문화가족 결혼이민자",
        내용="본국 방문 항공료 지원",
    ),
    _entry(
        "kiosk",
        "행정복지센터 무인민원발급기 운영",
        내용="각 행정복지센터에 둔 무인민원발급기로 주민등록등본 발급",
    ),
    _entry("senior", "경로당 냉난방비 지원", 대상="관내 경로당", 내용="겨울철 난방비 보조"),
    _entry("shop", "소상공인 경영안정자금 융자", 대상="관내 소상공인", 내용="저금리 융자 지원"),
    _entry("waste", "생활폐기물 배출 안내", 내용="종량제 봉투 배출 요일과 재활용품 분리배출"),
    _entry("job", "중장년 취업 지원 프로그램", 대상="40세 이상 구직자", 내용="취업 상담과 알선"),
    _entry("festival", "봄꽃 축제 개최", 내용="4월 강변 공원 축제, 공연과 체험 부스"),
]


@pytest.fixture(scope="module")
def city(tokenizer):
    return build_knowledge_base(ENTRIES, tokenizer=tokenizer)


def test_the_file_reads_and_every_section_is_a_category():
    sections = [
        line.strip()[1:-1]
        for line in VOCABULARY_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("[")
    ]
    assert sections == CATEGORIES
    assert len(EVERYDAY) >= 150
    assert all(admin and word not in admin for word, admin in EVERYDAY.items())


@pytest.mark.parametrize(
    "text, problem",
    [
        ("애들 아동\n", "expected"),
        ("애들 =\n", "expected"),
        ("= 아동\n", "expected"),
        ("애들 = 아동\n애들 = 어린이\n", "twice"),
    ],
)
def test_a_malformed_file_is_refused(tmp_path, text, problem):
    path = tmp_path / "vocabulary.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(VocabularyFileError, match=problem):
        read_vocabulary(path)


@pytest.mark.parametrize(
    "place, question, expected",
    [
        ("city", "애들 병원비 도와주는 거 있어요?", "child"),
        ("city", "외국인 며느리 친정 갈 때 도와주는 거", "homeland"),
        ("city", "동사무소에 있는 기계", "kiosk"),
        ("city", "노인정 도와주는 거", "senior"),
        ("city", "가게 사장님한테 빚 내주는 거", "shop"),
        ("city", "쓰레기 버리는 날", "waste"),
        ("city", "백수 취직 도와주는 거", "job"),
        # a second city whose entries each have a neighbour holding the question's other words;
        # a noun of the vocabulary made a verb with 하: 억울한 → 억울하 → 억울 → 고충
        ("town", "억울한 일 털어놓을 데 있어요?", "grievance"),
        ("town", "밖에서 일하다 다치면 보험 처리 되나요", "volunteer"),
        ("town", "타향에 나가 사는 사람들 불러서 설명하는 자리", "hometown"),
        ("town", "지하철 냉방 좀 세게 틀어 주세요", "subway"),
        ("town", "그림 그리는 작가들 작업실 구해주는 거", "artists"),
        ("town", "회사 하면서 막히는 거 물어볼 데", "oneStop"),
        ("town", "그릇 식기 업체 모아서 단지 만든다는 거", "tableware"),
        ("town", "주민끼리 싸움 나면 중재해주는 거", "conflict"),
        ("town", "보호시설 나와서 혼자 살 수 있게 주는 지원금", "leaving"),
        ("town", "외국인 며느리 친정 다녀오는 거 도와주는 사업", "homeVisit"),
        # a word ending like a particle (국제회의: 의) is looked up as typed, not cut to 국제회
        ("town", "국제회의 전담 기관 만든다는 거", "convention"),
    ],
)
def test_an_everyday_question_finds_the_administrative_entry(request, place, question, expected):
    kb = request.getfixturevalue(place)
    hits = kb.index.search(kb.index.analyze(question))
    assert hits and hits[0].entry.id == expected


def test_the_vocabulary_goes_one_way(tokenizer):
    """An entry that says 애들 is found by 애들, but the administrative 아동 does not find it."""
    kb = build_knowledge_base(
        [_entry("kids", "우리 애들 놀이 교실", 내용="주말 놀이 프로그램")], tokenizer=tokenizer
    )
    assert kb.index.search(kb.index.analyze("애들 교실"))[0].entry.id == "kids"
    assert kb.index.everyday_of("아동") == ()
    assert kb.index.search(kb.index.analyze("아동 교육")) == []


def test_a_word_the_documents_use_keeps_their_meaning(tokenizer):
    """Where the documents say 동네 themselves, 동네 is not read as 마을."""
    kb = build_knowledge_base(
        [
            _entry("town", "동네 책방 지원", 내용="동네 서점 운영비"),
            _entry("village", "마을 공동체 지원", 내용="마을 주민 모임"),
        ],
        tokenizer=tokenizer,
    )
    assert kb.index.everyday_of("동네") == ()
    assert kb.index.search(kb.index.analyze("동네 지원"))[0].entry.id == "town"


@pytest.mark.parametrize(
    "question",
    [
        "애들 숙제 대신 해줄 사람",
        "동네 맛집 추천해줘",
        "할머니 생신 선물 뭐 사지",
        "아빠 생일 케이크 어디서 사",
        "알바 구하는데 편의점 어때",
    ],
)
def test_an_unrelated_everyday_question_is_not_answered(kb, question):
    """Everyday words widen the match; a question about none of the documents stays out."""
    assert respond(kb, question).band != ANSWER


# A second city, for the administrative words a citizen names by a verb, a place or a role.
# Each entry has a neighbour that holds the question's other words, so only the everyday word
# read as its administrative one decides.
MORE_ENTRIES = [
    _entry("grievance", "고충상담실 운영", 내용="시민 고충 접수와 상담, 담당 부서 연결"),
    _entry("tax", "지방세 상담실 운영", 내용="지방세 납부 상담"),
    _entry("volunteer", "자원봉사자 상해보험 가입", 내용="활동 중 상해를 입은 봉사자 보장"),
    _entry("fire", "주택 화재보험 가입 지원", 내용="화재보험 가입비 일부 지원"),
    _entry("hometown", "출향 인사 초청 간담회", 내용="외지에 사는 출향 인사에게 시정 설명"),
    _entry("briefing", "시정 설명회 개최", 내용="주민에게 주요 시정 설명"),
    _entry("subway", "도시철도 역사 냉방 개선", 내용="도시철도 승강장 냉방기 교체"),
    _entry("senior", "경로당 냉방비 지원", 내용="여름철 경로당 냉방비 보조"),
    _entry("artists", "예술인 창작 공간 지원", 내용="지역 예술인에게 작업실 임대료 지원"),
    _entry("startup", "청년 창업 작업실 임대", 내용="창업 청년에게 공유 작업실 제공"),
    _entry("oneStop", "기업 애로 원스톱 상담", 내용="기업 운영 중 겪는 애로 사항을 한 번에 상담"),
    _entry("shops", "전통시장 운영 개선", 내용="전통시장 상인회 운영 지원"),
    # a thing, a happening and a way of living named in everyday words (그릇, 싸움, 혼자 살다)
    _entry("tableware", "테이블웨어 산업 육성", 내용="테이블웨어 업체 집적 단지 조성"),
    _entry("craft", "공예 산업 육성", 내용="공예 업체 집적 단지 조성"),
    _entry("conflict", "공공 갈등 조정", 내용="주민 사이 갈등 조정 전문가 지원"),
    _entry("residents", "주민 참여 확대", 내용="주민 사이 협력과 참여 지원"),
    _entry("leaving", "보호시설 퇴소자 자립 지원금", 내용="퇴소자에게 자립 지원금 지급"),
    _entry("boost", "보호시설 보강 지원금", 내용="보호시설 수리비 지원금 지급"),
    _entry("homeVisit", "다문화가족 고향 나들이", 내용="결혼이민자 가족 고향 방문 항공료 지원"),
    _entry("migrantStudy", "다문화가족 학력 지원", 내용="결혼이민자 가족 검정고시 학습 지원"),
    _entry("convention", "컨벤션뷰로 설립", 내용="마이스 산업 육성 전담 기관 설립"),
    _entry("bigEvents", "국제 행사 유치 활동", 내용="국제 행사 유치 전담 인력 운영"),
]


@pytest.fixture(scope="module")
def town(tokenizer):
    return build_knowledge_base(MORE_ENTRIES, tokenizer=tokenizer)


def test_a_noun_made_a_verb_stands_for_the_nouns_words(town):
    assert town.index.everyday_of("억울하") == ("고충",)
    assert town.index.everyday_of("억울") == ("고충",)


@pytest.mark.parametrize(
    "question",
    [
        "회사 주식 시세 알려줘",
        "지하철 노선도 보여줘",
        "작가 사인회 언제 해요",
        "억울하게 벌금 낸 썰 푼다",
    ],
)
def test_questions_sharing_only_an_everyday_word_are_not_answered(town, question):
    """An everyday word counts less than the document's own word: with nothing else of the
    entry in the question, it is not enough to answer."""
    assert respond(town, question).band != ANSWER


@pytest.mark.parametrize(
    "question, added",
    [
        ("외국인 며느리가 친정 갈 때", "외국인주민 다문화 결혼이민자 다문화가족 고향"),
        ("애들 병원비", "아동 어린이 의료비 진료비"),  # the first MEANING_WORDS_PER_WORD of each
        ("전주 드론축구 월드컵", ""),  # no everyday word: the question as it is
    ],
)
def test_the_meaning_model_reads_the_administrative_words_too(question, added):
    assert with_administrative_words(question) == f"{question} {added}".strip()
