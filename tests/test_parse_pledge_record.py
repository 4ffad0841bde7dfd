"""The 전주시 pledge record parser (source 002) on the real document and on damaged copies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.base import read_manifest
from knowledge.model import PLEDGE, DocumentInfo, Entry, ParseError
from knowledge.parsers import pledge_record

SOURCES = Path(__file__).resolve().parent.parent / "knowledge" / "sources"
FILE = "002_6a28f365ff4f5871.txt"
FORBIDDEN = ("<li", "<ul", "style=", "&nbsp;", "\ufffd")

# Counted by hand from the file: 83 data rows (every tab line that is not the 연번… header).
# Six 연번 repeat after a page break — 19, 34, 38, 54 and 75 twice, 56 three times — so
# 83 - 7 = 76 distinct 연번 (1 … 76), each with its own 관리번호. The README's "68" is the
# highest 관리번호 main number: 5, 20, 29, 41, 48 and 54 are split into 5-1/5-2, 20-1…20-3,
# 29-1/29-2, 41-1/41-2, 48-1/48-2 and 54-1…54-3, i.e. 68 - 6 + 14 = 76 pledges.
PLEDGE_COUNT = 76


@cache
def document() -> DocumentInfo:
    return next(doc for doc in read_manifest(SOURCES) if doc.file == FILE)


@cache
def source_text() -> str:
    return (SOURCES / FILE).read_text(encoding="utf-8")


@cache
def entries() -> tuple[Entry, ...]:
    return tuple(pledge_record.parse(source_text(), document()))


def by_number(number: str) -> Entry:
    return next(entry for entry in entries() if entry.fields["관리번호"] == number)


def test_manifest_names_this_parser() -> None:
    assert document().parser == "pledge_record"
    assert document().region == "전주시"


def test_pledge_count() -> None:
    assert len(entries()) == PLEDGE_COUNT


def test_every_entry_is_a_jeonju_pledge_without_department() -> None:
    assert {(entry.kind, entry.region, entry.department) for entry in entries()} == {
        (PLEDGE, "전주시", None)
    }


@pytest.mark.parametrize(
    ("sector", "count"),
    [
        ("경제", 11),
        ("문화", 23),
        ("도시", 14),
        ("공동체", 8),
        ("복지", 20),
    ],
)
def test_sector_counts(sector: str, count: int) -> None:
    assert Counter(entry.fields["분야"] for entry in entries())[sector] == count


@pytest.mark.parametrize(
    ("number", "title"),
    [
        ("1", "지역경제활성화 기여도 평가제 도입"),
        ("5-1", "스마트공장 배움터 구축 사업"),
        ("29-1", "한옥마을 특화 관광상품 개발"),
        ("48-2", "단독주택 관리 및 주거복지 지원 강화"),
        ("68", "전주형 농촌지역 이동복지사업"),
    ],
)
def test_titles_by_number(number: str, title: str) -> None:
    assert by_number(number).title == title
    assert by_number(number).fields["공약사업명"] == title


@pytest.mark.parametrize(
    ("number", "expected_id"), [("5-1", "jj-pledge-5-1"), ("67", "jj-pledge-67")]
)
def test_id_is_the_pledge_number(number: str, expected_id: str) -> None:
    assert by_number(number).id == expected_id


def test_ids_are_unique() -> None:
    ids = [entry.id for entry in entries()]
    assert len(ids) == len(set(ids))


def test_fields_in_document_order() -> None:
    assert list(by_number("1").fields) == ["분야", "관리번호", "공약사업명", "시민소통실적"]


# (관리번호, first line, last line, one snippet from each part in document order)
MERGED = [
    ("18", 48, 51, ("1차 소위원회 개최('19. 1. 15.)", "4차 소위원회 개최('19. 9. 25.)")),
    ("30", 78, 81, ("비빔공동체 발기인 총회", "주민열린책방")),
    ("34", 87, 90, ("천만그루정원도시 포럼", "27개동 32개 사업")),
    ("48-2", 118, 121, ("주거복지네트워크 정기회의", "주거복지센터 시범운영 개소식")),
    (
        "50",
        125,
        133,
        (
            "온두레 미선정 공동체 간담회",
            "전주시 공동체 지원 활동가 위촉",
            "온두레공동체 희망연대 축제",
        ),
    ),
    ("67", 166, 171, ("자살예방 시행계획 수립", "게이트키퍼 교육")),
]


@pytest.mark.parametrize(("number", "first", "last", "snippets"), MERGED)
def test_split_rows_are_merged(
    number: str, first: int, last: int, snippets: tuple[str, ...]
) -> None:
    entry = by_number(number)
    record = entry.fields["시민소통실적"]
    assert (entry.source.line_start, entry.source.line_end) == (first, last)
    positions = [record.find(snippet) for snippet in snippets]
    assert -1 not in positions
    assert positions == sorted(positions)


def test_continuation_with_empty_title_keeps_the_first_title() -> None:
    # 연번 54 comes back on line 121 with an empty 공약사업명.
    assert source_text().split("\n")[120].split("\t")[3] == ""
    assert by_number("48-2").title == "단독주택 관리 및 주거복지 지원 강화"


def test_unsplit_row_spans_one_line() -> None:
    assert (by_number("5-1").source.line_start, by_number("5-1").source.line_end) == (26, 26)


@pytest.mark.parametrize(
    ("number", "aliases"),
    [
        ("11", ("종합경기장 부지 재생",)),
        ("15", ("전라감영 재창조 복원",)),
        ("5-1", ()),
    ],
)
def test_alias_drops_the_leading_group(number: str, aliases: tuple[str, ...]) -> None:
    assert by_number(number).aliases == aliases


def test_record_has_one_activity_per_line() -> None:
    assert by_number("5-1").fields["시민소통실적"] == (
        "• 2020 스마트공장 배움터 연수생 모집 버스정보시스템(BIS) 홍보\n"
        "- 교육기간 : 2월, 3월, 6월, 7월(월별 20~30명)"
    )


def test_inline_sub_item_gets_its_own_line() -> None:
    assert by_number("15").fields["시민소통실적"].split("\n")[:2] == [
        "• 전라감영 복원 재창조위원회 및 자문회의 운영('19. 1. ~ '19. 12.)",
        "- 전체위원회(2회), 실무위원회(6회), 기술지도자문(4회), 콘텐츠자문(5회)",
    ]


def test_superscript_is_kept_as_a_character() -> None:
    assert "광장형 정원(214m²)" in by_number("34").fields["시민소통실적"]


def test_no_markup_left_anywhere() -> None:
    for entry in entries():
        texts = [entry.title, entry.body, *entry.aliases, *entry.fields.values()]
        assert not [bad for bad in FORBIDDEN for text in texts if bad in text], entry.id


def test_body_holds_every_field() -> None:
    entry = by_number("5-1")
    assert all(value in entry.body for value in entry.fields.values())


def test_garbage_and_cut_tags_are_removed() -> None:
    damaged = source_text().replace(
        "스마트공장 배움터 구축 사업\t", "스마트공장 배움터 구축 사업\ufffd\t"
    )
    damaged = damaged.replace(
        "(월별 20~30명)</li> </ul> </li> </ul>", "(월별 20~30\ufffd</li> <ul styl"
    )
    entry = next(
        e for e in pledge_record.parse(damaged, document()) if e.fields["관리번호"] == "5-1"
    )
    assert entry.title == "스마트공장 배움터 구축 사업"
    assert entry.fields["시민소통실적"].endswith("(월별 20~30")


def test_cell_wrapped_onto_a_tab_less_line_stays_with_its_row() -> None:
    wrapped = source_text().replace("<li>- 교육기간 : 2월", "\n<li>- 교육기간 : 2월")
    entry = next(
        e for e in pledge_record.parse(wrapped, document()) if e.fields["관리번호"] == "5-1"
    )
    assert "- 교육기간 : 2월, 3월, 6월, 7월(월별 20~30명)" in entry.fields["시민소통실적"]
    assert (entry.source.line_start, entry.source.line_end) == (26, 27)


def _without_headers(text: str) -> str:
    return "\n".join("" if line.startswith("연번\t") else line for line in text.split("\n"))


def _edit(line_no: int, old: str, new: str) -> Callable[[str], str]:
    """A damage that replaces ``old`` with ``new`` on one (1-based) line."""

    def damage(text: str) -> str:
        return "\n".join(
            line.replace(old, new, 1) if number == line_no else line
            for number, line in enumerate(text.split("\n"), 1)
        )

    return damage


# (what is damaged, line the error points at, damage)
CORRUPTED = [
    ("empty", 1, lambda text: ""),
    ("blank lines only", 1, lambda text: "\n \n\t\n"),
    ("no header row", 1, _without_headers),
    ("header but no rows", 19, lambda text: "\n".join(text.split("\n")[:19])),
    ("row missing a column", 20, _edit(20, "경 제 분 야\t", "경 제 분 야 ")),
    ("row with an extra column", 20, _edit(20, "\t1\t", "\t1\t\t")),
    ("연번 not a number", 28, _edit(28, "7\t", "칠\t")),
    ("unknown 분야", 28, _edit(28, "경 제 분 야", "농 업 분 야")),
    ("empty 공약사업명 on a new row", 28, _edit(28, "전주형 중소기업 특화분야 선정 및 지원", "")),
    ("text after a blank line", 54, _edit(54, "", "잡음")),
    ("continuation with another 관리번호", 51, _edit(51, "\t18\t", "\t99\t")),
    ("continuation with another title", 51, _edit(51, "서노송예술촌", "다른사업")),
    ("연번 repeated far apart", 172, _edit(172, "76\t", "1\t")),
    ("관리번호 repeated", 172, _edit(172, "\t68\t", "\t67\t")),
]


@pytest.mark.parametrize(
    ("name", "line", "damage"), CORRUPTED, ids=[case[0] for case in CORRUPTED]
)
def test_damaged_copy_raises_parse_error(
    name: str, line: int, damage: Callable[[str], str]
) -> None:
    with pytest.raises(ParseError) as error:
        pledge_record.parse(damage(source_text()), document())
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
        assert isinstance(pledge_record.parse(text, document()), list)
    except ParseError:
        pass


@given(st.lists(st.integers(0, 171)), st.lists(st.tuples(st.integers(0, 200), st.text())))
def test_damaged_document_gives_entries_or_parse_error(
    deleted: list[int], inserted: list[tuple[int, str]]
) -> None:
    try:
        assert isinstance(
            pledge_record.parse(
                _damaged(source_text().split("\n"), deleted, inserted), document()
            ),
            list,
        )
    except ParseError:
        pass
