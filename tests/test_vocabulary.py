"""The built-in everyday → administrative vocabulary (nlp/vocabulary.txt) and how the search
index uses it: a citizen's own words find the entry written in administrative ones, for any
city's documents, and unrelated questions stay unanswered."""

from __future__ import annotations

import pytest

from knowledge.model import Entry, Source
from nlp.reply import ANSWER
from nlp.responder import respond
from nlp.retrieval import build_knowledge_base
from nlp.vocabulary import (
    EVERYDAY,
    VOCABULARY_FILE,
    VocabularyFileError,
    read_vocabulary,
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


def _entry(key: str, title: str, **fields: str) -> Entry:
    return Entry(
        id=key,
        kind="unit_project",
        region="가나시",
        title=title,
        source=SOURCE,
        fields=fields,
        body="\n".join(f"{k}: {v}" for k, v in fields.items()),
    )


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
    "question, expected",
    [
        ("애들 병원비 도와주는 거 있어요?", "child"),
        ("외국인 며느리 친정 갈 때 도와주는 거", "homeland"),
        ("동사무소에 있는 기계", "kiosk"),
        ("노인정 도와주는 거", "senior"),
        ("가게 사장님한테 빚 내주는 거", "shop"),
        ("쓰레기 버리는 날", "waste"),
        ("백수 취직 도와주는 거", "job"),
    ],
)
def test_an_everyday_question_finds_the_administrative_entry(city, question, expected):
    hits = city.index.search(city.index.analyze(question))
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
