"""news_article parser on the real 전북 대외국제소통국 2025 article (001) and damaged copies of
it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.base import read_manifest
from knowledge.model import NEWS, DocumentInfo, Entry, ParseError
from knowledge.parsers import news_article

SOURCES = Path(__file__).resolve().parent.parent / "knowledge" / "sources"
FILE = "001_1cf720f589d4ce67.txt"
FORBIDDEN = ("℃", "기상청", "배너", "2026.01.07", "<li", "<ul", "\ufffd")
LEAD = "강력한 연대와 협력으로 새로운 전북 시대 선도"


def _doc() -> DocumentInfo:
    return next(doc for doc in read_manifest(SOURCES) if doc.file == FILE)


DOC = _doc()
TEXT = (SOURCES / FILE).read_text(encoding="utf-8")
LINES = TEXT.split("\n")


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return news_article.parse(TEXT, DOC)


def _titled(entries: list[Entry], title: str) -> Entry:
    [entry] = [e for e in entries if e.title == title]
    return entry


def test_one_entry_per_section_plus_the_lead(entries: list[Entry]) -> None:
    # 11 lines match "^[0-9]{1,2}\. " (grep -cE), numbered 1 … 11; plus the lead (lines 21–39)
    assert [e.kind for e in entries] == [NEWS] * 12
    assert len({e.id for e in entries}) == 12


# (title, alias, first line, last line), read off the file with `cat -n`
SECTIONS = [
    (LEAD, (), 21, 39),
    ("정치환경 변화에 적극 대응을 통한 도정발전 도모", ("정치환경",), 43, 59),
    ("민관협력과 자원봉사로 지역 공동체 활성화", ("민관협력",), 63, 79),
    ("고향사랑기부 확산으로 기부와 복지의 선순환 체계 구축", ("고향사랑기부",), 83, 99),
    ("전북사랑도민증 활성화로 출향도민 협력과 지역 발전 도모", ("전북사랑도민증",), 103, 131),
    ("지역 수요에 기반한 전북형 비자 설계 및 실행 성과 창출", ("전북형 비자",), 135, 151),
    ("외국인 정착지원 확대를 통한 지역 정주 기반 강화", ("외국인 정착지원",), 155, 175),
    ("실질 성과 중심의 전략적 국제교류 기반 확장", ("국제교류",), 179, 195),
    ("도정 역점사업 전략적 집중 홍보로 도정 브랜딩 강화", ("도정 역점사업",), 199, 211),
    ("온라인 매체를 통한 도정 소식 제공, 실시간 소통으로 홍보 극대화", ("온라인 매체",), 215, 235),
    ("도정 공감 콘텐츠 제작을 통한 도민 소통 강화", ("도정 공감 콘텐츠",), 239, 251),
    (
        "수도권·세종 지역 도정협력체계 구축을 통한 주요 현안 해결",
        ("수도권·세종 지역 도정협력체계",),
        255,
        271,
    ),
]


def test_titles_in_document_order(entries: list[Entry]) -> None:
    assert [e.title for e in entries] == [title for title, *_ in SECTIONS]


@pytest.mark.parametrize("title, aliases, start, end", SECTIONS)
def test_section_aliases_and_source(
    entries: list[Entry], title: str, aliases: tuple[str, ...], start: int, end: int
) -> None:
    entry = _titled(entries, title)
    assert entry.aliases == aliases
    assert (entry.source.line_start, entry.source.line_end) == (start, end)
    assert all(alias in title for alias in aliases)


def test_every_entry_belongs_to_the_bureau(entries: list[Entry]) -> None:
    for entry in entries:
        assert (entry.region, entry.department) == ("전라북도", "대외국제소통국")
        assert entry.source.file == FILE and entry.source.year == 2025


def test_body_is_the_paragraphs_without_blank_lines(entries: list[Entry]) -> None:
    entry = _titled(entries, "외국인 정착지원 확대를 통한 지역 정주 기반 강화")
    paragraphs = entry.body.split("\n")
    assert len(paragraphs) == 5  # lines 159, 163, 167, 171, 175
    assert paragraphs[1] == (
        "지역특화형 비자·숙련기능인력 추천을 통하여 외국인력 611명과 동반가족 808명이 "
        "지역에 정착 거주함으로써 지역 산업 현장의 인력수요에 대응하고 생활인구 기반을 확대했다."
    )
    assert dict(entry.fields) == {"내용": entry.body}
    for entry in entries:
        assert all(p.strip() for p in entry.body.split("\n"))


def test_lead_has_sub_headline_and_intro(entries: list[Entry]) -> None:
    body = _titled(entries, LEAD).body.split("\n")
    assert body[0] == "도정 주요현안 해결 위한 정치권과의 소통역할‘톡톡’"
    assert body[1].startswith("[아시아통신] 전북도 대외국제소통국은 2025년")
    assert len(body) == 5  # lines 23, 27, 31, 35, 39


def test_closing_quote_stays_in_the_last_section(entries: list[Entry]) -> None:
    last = entries[-1]
    assert last.body.split("\n")[-1].startswith(
        "백경태 대외국제소통국장은 “전북특별자치도의 미래를"
    )
    assert "백경태" not in _titled(entries, LEAD).body


def test_page_furniture_is_dropped(entries: list[Entry]) -> None:
    for entry in entries:
        for text in (entry.title, entry.body, *entry.aliases, *entry.fields.values()):
            assert not any(bad in text for bad in FORBIDDEN), (entry.title, text)


def test_furniture_is_found_by_pattern_not_position() -> None:
    moved = "\n".join(["  • 흐림전주 -1.5℃", "배너", *LINES, "  • 맑음서울 -0.5℃", "기상청 제공"])
    entries = news_article.parse(moved, DOC)
    assert len(entries) == 12
    assert entries[0].source.line_start == 21 + 2
    assert not any("℃" in e.body or "배너" in e.body for e in entries)


@pytest.mark.parametrize(
    "text, line",
    [
        ("", 1),
        ("\n".join(LINES[:20]), 1),  # the weather widget only
        (
            TEXT.replace("3. 고향사랑기부", "고향사랑기부", 1),
            103,
        ),  # heading 3 lost: 2 is followed by 4
        ("\n".join(LINES[:256]), 255),  # cut right after heading 11: a section without paragraphs
        (TEXT.replace("대외국제소통국", "대외협력 부서"), 21),  # no "…국은" naming the bureau
    ],
)
def test_damaged_article_raises(text: str, line: int) -> None:
    with pytest.raises(ParseError) as error:
        news_article.parse(text, DOC)
    assert (error.value.file, error.value.line) == (FILE, line)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_gives_entries_or_parse_error(text: str) -> None:
    try:
        assert isinstance(news_article.parse(text, DOC), list)
    except ParseError:
        pass


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(LINES + ["12. 새 섹션", "1. 다시 처음", "3. "]), max_size=60))
def test_shuffled_real_lines_give_entries_or_parse_error(lines: list[str]) -> None:
    try:
        assert isinstance(news_article.parse("\n".join(lines), DOC), list)
    except ParseError:
        pass
