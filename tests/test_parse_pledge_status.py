"""The 나주시 pledge status parser (source 004) on the real document and on damaged copies."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.base import read_manifest
from knowledge.model import PLEDGE, DocumentInfo, Entry, ParseError
from knowledge.parsers import pledge_status

SOURCES = Path(__file__).resolve().parent.parent / "knowledge" / "sources"
FILE = "004_8df93a93e5fd5244.txt"
FORBIDDEN = ("<li", "<ul", "style=", "&nbsp;", "\ufffd", "**", "##", "\t")


@cache
def document() -> DocumentInfo:
    return next(doc for doc in read_manifest(SOURCES) if doc.file == FILE)


@cache
def source_text() -> str:
    return (SOURCES / FILE).read_text(encoding="utf-8")


def parse(text: str) -> list[Entry]:
    return pledge_status.parse(text, document())


@cache
def entry() -> Entry:
    (only,) = parse(source_text())
    return only


def _edit(line_no: int, old: str, new: str) -> Callable[[str], str]:
    """A change that replaces ``old`` with ``new`` on one (1-based) line."""

    def change(text: str) -> str:
        return "\n".join(
            line.replace(old, new, 1) if number == line_no else line
            for number, line in enumerate(text.split("\n"), 1)
        )

    return change


def _drop(*line_nos: int) -> Callable[[str], str]:
    """A change that deletes whole (1-based) lines."""

    def change(text: str) -> str:
        return "\n".join(
            line for number, line in enumerate(text.split("\n"), 1) if number not in line_nos
        )

    return change


def test_manifest_names_this_parser() -> None:
    assert (document().parser, document().region) == ("pledge_status", "나주시")


def test_one_naju_pledge() -> None:
    assert len(parse(source_text())) == 1
    assert (entry().kind, entry().region, entry().department) == (PLEDGE, "나주시", None)


def test_id_title_and_source() -> None:
    assert entry().id == "nj-pledge-6-3-3"
    assert entry().title == "16개 공공기관과 상생 자매결연 활성화"
    assert (entry().source.file, entry().source.line_start, entry().source.line_end) == (
        FILE,
        3,
        94,
    )


@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("관리번호", "6-3-3"),
        ("완료시기", "입기내"),
        ("사업주체", "나주시"),
        ("신규여부", "계속"),
        ("예산구분", "예산"),
        ("소요예산", "40백만원"),
        ("추진상황", "정상추진"),
        ("이행률", "31.05%"),
        (
            "정책목표",
            "16개 이전공공기관 임직원과 주민과의 상생교류를 늘려 함께하는 공동체 만들기에 기여",
        ),
        ("투자계획", "총 40백만원 = 시비 40백만원 (2023~2026년 매년 10백만원)\n집행액 0백만원"),
    ],
)
def test_fields(label: str, value: str) -> None:
    assert entry().fields[label] == value


def test_fields_in_document_order() -> None:
    assert list(entry().fields) == [
        "관리번호",
        "완료시기",
        "사업주체",
        "신규여부",
        "예산구분",
        "소요예산",
        "추진상황",
        "이행률",
        "정책목표",
        "현황",
        "추진계획",
        "연차별 추진일정",
        "투자계획",
        "추진실적",
        "공약달성 확인지표",
        "기대효과",
    ]


def test_budget_read_from_the_investment_table() -> None:
    assert entry().budget == (("총계", 40.0), ("시비", 40.0))


def test_target_26_exchanges() -> None:
    schedule = entry().fields["연차별 추진일정"].split("\n")
    assert schedule[0].startswith("교류활동 횟수(회): 2023년 1~2분기 4, 2023년 3~4분기 8,")
    assert schedule[0].endswith("2026년 1~2분기 26 (누적 26)")
    assert "교류활동 횟수 26회" in entry().fields["현황"]


def test_a_value_in_its_own_quarter_spans_nothing() -> None:
    """A merged cell keeps its value in its first column; a value with a neighbour is one quarter,
    and a blank never reaches into the next year."""
    changed = _edit(42, "\t\t\t4\t\t8\t\t12", "\t\t3\t4\t6\t8\t\t12")(source_text())
    schedule = parse(changed)[0].fields["연차별 추진일정"].split("\n")
    assert schedule[0].startswith(
        "교류활동 횟수(회): 2022년 4분기 3, 2023년 1분기 4, 2023년 2분기 6, "
        "2023년 3~4분기 8, 2024년 1~2분기 12,"
    )


@pytest.mark.parametrize(
    ("indicator", "lines"),
    [
        (
            "교류활동 횟수(회) (단위: 개소)",
            [
                "- 목표 (누계): 2023년: 8, 2024년: 8(16), 2025년: 8(24), 2026. 6.: 2(26)",
                "- 이행 (누계): 2023년: 5",
                "- 이행률: 19.23%",
            ],
        ),
        (
            "행사개최 횟수(회) (단위: 회)",
            [
                "- 목표 (누계): 2023년: 2, 2024년: 2(4), 2025년: 2(6), 2026. 6.: 1(7)",
                "- 이행 (누계): 2023년: 2, 2024년: 1(3)",
                "- 이행률: 42.86%",
            ],
        ),
    ],
)
def test_indicators(indicator: str, lines: list[str]) -> None:
    text = entry().fields["공약달성 확인지표"].split("\n")
    start = text.index(indicator)
    assert text[start + 1 : start + 4] == lines


def test_indicators_keep_date_and_overall_rate() -> None:
    text = entry().fields["공약달성 확인지표"].split("\n")
    assert text[0] == "2024. 5. 31. 기준"
    assert text[-1] == "공약 이행률 (각 지표 이행률의 평균으로 산출): 31.05%"


@pytest.mark.parametrize(
    ("label", "first", "last"),
    [
        (
            "현황",
            "- 1사1촌 자매결연 체결 현황 : 16개 기관 70개소",
            "  - 23. 11. : (농림식품기술기획평가원+콘텐츠진흥원) 노안면 벽화그리기",
        ),
        (
            "추진계획",
            "- 자매결연 신규 결연 희망 수요조사 및 교류현황 현행화 : 매년 1/4분기",
            "  - 상반기 : 전 기관 참여 사회공헌활동 / 하반기 : 자매결연 한마음대회 개최",
        ),
        (
            "추진실적",
            "(2022. 7. 1. ~ 현재)",
            "  - 봉사일정 및 내용 등 1개 마을에 대한 활동 애로로 확대된 결연 체계 필요"
            "(읍면동 단위 결연)",
        ),
        (
            "기대효과",
            "- 실질적 교류활동 증대로 인한 지역공동체 의식 함양 및 동반 성장",
            "- 지속적인 상생교류활동을 통한 농번기 농촌 일손부족 문제 해소 기여",
        ),
    ],
)
def test_bullet_sections(label: str, first: str, last: str) -> None:
    lines = entry().fields[label].split("\n")
    assert (lines[0], lines[-1]) == (first, last)


def test_aliases_come_from_the_document() -> None:
    assert entry().aliases == ("공공기관 자매결연", "1사1촌 자매결연")
    (without,) = parse(source_text().replace("1사1촌", "일사일촌"))
    assert without.aliases == ("공공기관 자매결연",)


def test_no_markup_left_anywhere() -> None:
    texts = [entry().title, entry().body, *entry().aliases, *entry().fields.values()]
    assert not [bad for bad in FORBIDDEN for text in texts if bad in text]


def test_body_holds_every_field() -> None:
    assert all(value in entry().body for value in entry().fields.values())


# The ○ marks are read by tab position: moving one moves the answer.
@pytest.mark.parametrize(
    ("change", "label", "value"),
    [
        (_edit(9, "\t\t\t\t\t○", "\t\t\t\t\t\t\t○"), "추진상황", "일부추진"),
        (_edit(9, "\t\t\t\t\t○", "\t○"), "추진상황", "완료 종결"),
        (_edit(7, "○\t\t\t\t○", "○\t\t○\t\t\t"), "사업주체", "국가"),
        (_edit(7, "\t\t\t○\t○", "\t\t○\t\t○"), "신규여부", "신규"),
        (_edit(7, "○\t\t40", "\t○\t40"), "예산구분", "비예산"),
        (_edit(7, "○\t\t\t\t○", "\t○\t\t\t○"), "완료시기", "입기후"),
        (_edit(8, "31.05%", "50%"), "이행률", "50%"),
    ],
)
def test_marks_follow_their_columns(change: Callable[[str], str], label: str, value: str) -> None:
    (changed,) = parse(change(source_text()))
    assert changed.fields[label] == value


def test_investment_years_that_differ_are_listed() -> None:
    changed = _edit(54, "\t10\t10\t10\t10\t", "\t10\t5\t15\t10\t")(source_text())
    assert (
        parse(changed)[0]
        .fields["투자계획"]
        .startswith(
            "총 40백만원 = 시비 40백만원 "
            "(2023년 10백만원, 2024년 5백만원, 2025년 15백만원, 2026년 10백만원)"
        )
    )


# (what is damaged, line the error points at, damage)
CORRUPTED = [
    ("empty", 1, lambda text: ""),
    ("blank lines only", 1, lambda text: "\n\n \n"),
    ("no heading", 3, _edit(3, "## ", "")),
    ("heading without number", 3, _edit(3, "6-3-3 ", "")),
    ("no 이행률 value", 8, _edit(8, "31.05%", "")),
    ("no 이행률 label", 8, _edit(8, "이행률", "달성률")),
    ("no 추진상황 row", 3, _drop(8)),
    ("추진상황 without ○", 9, _edit(9, "○", "")),
    ("추진상황 ○ under its label", 9, _edit(9, "\t\t\t\t\t○", "○")),
    ("추진상황 mark row missing", 8, _drop(9)),
    ("status mark row missing", 5, _drop(6, 7)),
    ("investment unit not 백만원", 45, _edit(47, "백만원", "천원")),
    ("investment amount not a number", 51, _edit(51, "\t40\t0", "\t4O\t0")),
    ("investment without 총계 row", 45, _edit(51, "총 계", "합 계")),
    ("investment without 재원 column", 45, _edit(49, "재원", "출처")),
    ("schedule table without data", 38, _drop(42, 43)),
    ("indicator table without 구분", 79, _edit(83, "구분", "종류")),
]


@pytest.mark.parametrize(
    ("name", "line", "damage"), CORRUPTED, ids=[case[0] for case in CORRUPTED]
)
def test_damaged_copy_raises_parse_error(
    name: str, line: int, damage: Callable[[str], str]
) -> None:
    with pytest.raises(ParseError) as error:
        parse(damage(source_text()))
    assert (error.value.file, error.value.line) == (FILE, line)


def _damaged(lines: list[str], deleted: list[int], inserted: list[tuple[int, str]]) -> str:
    gone = set(deleted)
    kept = [line for index, line in enumerate(lines) if index not in gone]
    for position, text in inserted:
        kept.insert(position % (len(kept) + 1), text)
    return "\n".join(kept)


@given(st.text())
def test_arbitrary_text_gives_entries_or_parse_error(text: str) -> None:
    try:
        assert isinstance(parse(text), list)
    except ParseError:
        pass


@given(
    st.lists(st.integers(0, 93)),
    st.lists(
        st.tuples(
            st.integers(0, 100), st.text(alphabet=st.sampled_from("\t○-#□<> 12가총계이행률%"))
        )
    ),
)
def test_damaged_document_gives_entries_or_parse_error(
    deleted: list[int], inserted: list[tuple[int, str]]
) -> None:
    try:
        assert isinstance(parse(_damaged(source_text().split("\n"), deleted, inserted)), list)
    except ParseError:
        pass


@pytest.mark.parametrize("cut", [200, 1000, 2000, "□ 기대효과"])
def test_a_half_written_copy_is_refused(cut):
    """A file cut short before its last section must not load as a smaller pledge (it did: a
    copy cut after the status table parsed as a pledge without 현황 … 기대효과). A cut inside the
    last section cannot be told from a complete file by its layout alone."""
    text = source_text()
    end = text.index(cut) if isinstance(cut, str) else cut
    with pytest.raises(ParseError):
        parse(text[:end])
