"""business_plan parser on the real 전라북도 대외협력국 주요업무계획 (000) and damaged
copies of it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.base import read_manifest
from knowledge.model import (
    DEPARTMENT,
    INDICATOR,
    PROGRAM,
    TEAM,
    UNIT_PROJECT,
    DocumentInfo,
    Entry,
    ParseError,
)
from knowledge.parsers import business_plan

SOURCES = Path(__file__).resolve().parent.parent / "knowledge" / "sources"
FILE = "000_15a4bab05bd28ba6.txt"
FORBIDDEN = ("℃", "기상청", "배너", "<li", "<ul", "\ufffd")


def _doc() -> DocumentInfo:
    return next(doc for doc in read_manifest(SOURCES) if doc.file == FILE)


DOC = _doc()
TEXT = (SOURCES / FILE).read_text(encoding="utf-8")
LINES = TEXT.split("\n")


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return business_plan.parse(TEXT, DOC)


def _one(entries: list[Entry], kind: str, title: str) -> Entry:
    [entry] = [e for e in entries if e.kind == kind and e.title == title]
    return entry


def _without_lines(*numbers: int) -> str:
    """The document with the given 1-based lines removed."""
    return "\n".join(line for i, line in enumerate(LINES, start=1) if i not in numbers)


# Counted in the source file, not taken from the parser:
@pytest.mark.parametrize(
    "kind, count",
    [
        (DEPARTMENT, 4),  # 1 "[소관실국]\t" line (the bureau) + 3 "[소관부서]\t" lines (the 과)
        (TEAM, 12),  # 계단위 직제명 cells of lines 71, 427, 641: 5 + 3 + 4 team names
        (INDICATOR, 9),  # 9 lines containing "\t목표\t" in the 성과지표 tables (3 per 과)
        (UNIT_PROJECT, 12),  # 12 lines that read exactly "단위사업" (5 + 3 + 4)
        (PROGRAM, 62),  # 74 "사업명\t" lines minus 12 "사업명\t회계구분" budget-table headers
    ],
)
def test_counts_per_kind(entries: list[Entry], kind: str, count: int) -> None:
    assert Counter(e.kind for e in entries)[kind] == count


def test_ids_are_unique_and_parents_resolve(entries: list[Entry]) -> None:
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids))
    assert {e.parent_id for e in entries if e.parent_id} <= set(ids)


def test_every_entry_has_region_source_and_body(entries: list[Entry]) -> None:
    for entry in entries:
        assert entry.region == "전라북도"
        assert entry.source.file == FILE and entry.source.year == 2021
        assert 1 <= entry.source.line_start <= entry.source.line_end <= len(LINES)
        assert entry.title in entry.body


def test_no_markup_or_garbage_in_any_text(entries: list[Entry]) -> None:
    for entry in entries:
        texts = [entry.title, entry.body, *entry.aliases, *entry.fields.values()]
        for text in texts:
            assert not any(bad in text for bad in FORBIDDEN), (entry.title, text)


def test_program_saemaul_scholarship(entries: list[Entry]) -> None:
    entry = _one(entries, PROGRAM, "새마을지도자 자녀 장학금 지원")
    assert dict(entry.fields) == {
        "사업내용": "새마을지도자 자녀 장학금 지원",
        "사업기간": "2021년01월01일 ~ 2025년12월31일",
        "지원형태": "자치단체보조",
        "지원조건": (
            "고등학생(전라북도 교육감이 고시하는 공납금 전액), 대학생(고등학생 공납금 전액의 120%)"
        ),
        "시행주체": "14개 시군",
        "예산": "'21예산 45백만원 ('20예산 11, '19결산 45)",
        "단위사업": "민간단체 협력 강화",
    }
    assert entry.budget == (("2019결산", 45.0), ("2020예산", 11.0), ("2021예산", 45.0))
    assert entry.department == "정무기획과"
    assert (entry.team, entry.inferred) == ("민간협력팀", ("team",))
    assert entry.parent_id == _one(entries, UNIT_PROJECT, "민간단체 협력 강화").id


def test_program_with_empty_fields_omits_them(entries: list[Entry]) -> None:
    entry = _one(
        entries, PROGRAM, "정무특보 운영"
    )  # 지원조건 and 시행주체 are empty (lines 174–175)
    assert list(entry.fields) == ["사업내용", "사업기간", "지원형태", "예산", "단위사업"]


def test_program_without_budget_row(entries: list[Entry]) -> None:
    entry = _one(entries, PROGRAM, "아시아 청소년 연대 온택트 커뮤니티 구축")
    assert "예산" not in entry.fields
    assert entry.budget == ()
    assert entry.fields["단위사업"] == "우호·자매결연지역 다변화 및 교류증진"


def test_program_html_value_is_plain_text(entries: list[Entry]) -> None:
    entry = _one(entries, PROGRAM, "재외동포 활동 지원")
    assert entry.fields["사업내용"] == (
        "- 세계호남향우회, 재외동포 및 외국인 전북방문단 활동지원\n"
        "* 문화탐방, 전북문화알리기(한지, 한식 등), 모국이해 및 전라북도 홍보 - "
        "해외호남향우회원 등에게 "
        "도정홍보물 발송 및 관리 운영"
    )


@pytest.mark.parametrize(
    "title, aliases",
    [
        ("자원봉사확산 프로그램운영", ("자원봉사확산 프로그램 운영",)),  # budget-table spelling
        (
            "다문화가족 정착지원(직접)",
            ("다문화가족 정착지원 (직접)",),
        ),  # "(시군)" twin: no bare name
        ("폭력피해 이주여성 보호시설 운영지원", ("폭력피해 이주여성 보호 시설 운영지원",)),
        (
            "전국 통합 자원봉사보험 가입 서비스 지원(시군)",
            ("전국 통합 자원봉사보험 가입 서비스 지원",),
        ),
        ("자원봉사 코디네이터 지원·육성(시군)", ()),  # bare name shared with "(도 자원봉사센터)"
        ("새마을지도자 자녀 장학금 지원", ()),
    ],
)
def test_program_aliases(entries: list[Entry], title: str, aliases: tuple[str, ...]) -> None:
    assert _one(entries, PROGRAM, title).aliases == aliases


def test_unit_project(entries: list[Entry]) -> None:
    entry = _one(entries, UNIT_PROJECT, "정무활동 및 당정협력 강화")
    assert dict(entry.fields) == {
        "목적": "국가예산 확보 등 도정의 주요현안 해결을 위해 지역 정치권(국회의원·정당)과 "
        "정책협의·간담 등을 통해 도정 협력관계 증진",
        "주요내용": "1. 지역 국회의원과 정책공조 강화\n"
        "2. 지역 정치권과 정책 공조(도+국회의원+시군)\n"
        "3. 지역 정당과 도정 현안추진 협력관계 구축",
        "예산": "'21예산 82백만원 ('20예산 84, '19결산 49)",
        "회계구분": "일반회계",
        "세부사업": (
            "정치권 협력 체계 강화, 당정 정책협의회 운영, 정무기획업무 추진 기본경비, "
            "정무특보 운영"
        ),
        "세부사업 수": "4개",
    }
    assert entry.budget == (("2019결산", 49.0), ("2020예산", 84.0), ("2021예산", 82.0))
    assert (entry.department, entry.team) == ("정무기획과", "정무기획팀")


def test_unit_project_program_count_differs_from_overview(entries: list[Entry]) -> None:
    """The budget table's 비고 says 7; the overview also describes a program it has no row for."""
    entry = _one(entries, UNIT_PROJECT, "우호·자매결연지역 다변화 및 교류증진")
    assert entry.fields["세부사업 수"] == "7개 (예산사업 내역 표 기준; 예산사업 개요에는 8개)"
    assert len(entry.fields["세부사업"].split(", ")) == 8


def test_unit_project_keeps_sub_items(entries: list[Entry]) -> None:
    entry = _one(entries, UNIT_PROJECT, "국제행사유치")
    assert entry.fields["주요내용"] == (
        "1. 도정 핵심정책과 연계한 국제행사 유치활동\n"
        "- 홍보물 배포, 국제행사 전문 기획사 및 기관 초청 등\n"
        "2. 중소규모 국제행사 개최지원"
    )


def test_bureau(entries: list[Entry]) -> None:
    entry = _one(entries, DEPARTMENT, "대외협력국")
    assert entry.parent_id is None and entry.department == "대외협력국"
    assert entry.fields["하위부서"] == "정무기획과, 홍보기획과, 국제협력과"
    assert entry.fields["예산"] == "19,134백만원 (전년도 19,229백만원, 증감 △95백만원, △0.50%)"
    assert (entry.fields["정원"], entry.fields["현원"]) == ("55명", "52명")
    assert entry.fields["기본방향"] == (
        "대외협력을 통한 도정 활력화 지원\n선택과 집중을 통한 생동하는 전북 홍보\n"
        "국제교류 활성화 및 다문화가족 정착지원\n수도권지역 도정 파트너십 구축"
    )
    assert entry.budget == (("2020예산", 19229.0), ("2021예산", 19134.0))


def test_department(entries: list[Entry]) -> None:
    entry = _one(entries, DEPARTMENT, "정무기획과")
    assert dict(entry.fields) == {
        "상위조직": "대외협력국",
        "팀": "정무기획팀, 의정협력팀, 민간협력팀, 자원봉사팀, 직소민원팀",
        "정원": "21명",
        "현원": "20명",
        "직급별 정원": "4급이상 2명, 5급 5명, 6급이하 14명",
        "예산": "3,866백만원 (전년도 4,095백만원, 증감 △229백만원, △5.60%)",
        "예산 내역": "정책사업 3,603백만원, 행정운영경비 263백만원, 인력운영비 147백만원, "
        "기본경비 117백만원, 재무활동 0백만원",
        "전략목표": "정무활동, 민관협력, 자원봉사 활성화로 활력있는 도정지원",
        "기본방향": (
            "정치권·도의회와 도정시책 추진 동력화를 위한 긴밀한 협력관계 구축과 "
            "민·관 협력, 출향인과 도정협력을 더욱 강화하며 자원봉사 확산 등 실천문화를 정착한다."
        ),
        "정책사업목표": (
            "정무활동, 도의회 및 민간협력, 자원봉사 활성화 등 대외협력을 통해 도정 활력화 실현"
        ),
        "주요내용": (
            "1. 정무활동 및 당정협력 강화\n2. 도의회 협력체제 강화\n"
            "3. 민간단체 협력 강화\n4. 자원봉사 활동 활성화\n5. 희망을 찾는 직소민원실 운영"
        ),
    }
    assert entry.parent_id == _one(entries, DEPARTMENT, "대외협력국").id


def test_team(entries: list[Entry]) -> None:
    entry = _one(entries, TEAM, "남북국제협력팀")
    assert dict(entry.fields) == {"소속": "전라북도 대외협력국 국제협력과"}
    assert (entry.department, entry.team) == ("국제협력과", "남북국제협력팀")
    assert entry.parent_id == _one(entries, DEPARTMENT, "국제협력과").id
    assert entry.body.endswith("담당 사업(추정): 남북교류협력사업")


def test_indicator(entries: list[Entry]) -> None:
    entry = _one(entries, INDICATOR, "자원봉사 활동률(%)")
    assert dict(entry.fields) == {
        "지표유형": "핵심",
        "가중치": "40",
        "목표": "'19 9.8, '20 9.9, '21 9.8, '22 9.9, '23 10.0",
        "실적": "'19 9.8, '20 4.6(8월말기준)",
        "측정방법": "활동인원/인구*100",
        "자료수집": "1365 자원봉사사시스템",
        "근거": "인구대비 자원봉사 활동률",
    }
    assert entry.aliases == ("자원봉사 활동률",)
    assert (entry.department, entry.team) == ("정무기획과", "자원봉사팀")


def test_indicator_alias_dropped_when_it_names_a_unit_project(entries: list[Entry]) -> None:
    assert _one(entries, INDICATOR, "민간단체 협력 강화(회)").aliases == ()


@pytest.mark.parametrize(
    "kind, title, start, end",
    [
        (DEPARTMENT, "대외협력국", 7, 48),  # 전략목표 … 재무활동 row
        (DEPARTMENT, "정무기획과", 50, 118),  # 전략목표 … last 근거 line before 단위사업
        (TEAM, "민간협력팀", 71, 71),  # its 조직 및 인력현황 row
        (INDICATOR, "정무활동 및 당정협력 강화(회)", 104, 114),  # 목표 row … its 근거 line
        (UNIT_PROJECT, "민간단체 협력 강화", 218, 281),  # "단위사업" … last 시행주체
        (PROGRAM, "새마을지도자 자녀 장학금 지원", 262, 267),  # 사업명 … 시행주체
        (PROGRAM, "외국인 주민 지원사업 추진 기본경비", 1049, 1054),  # the file's last block
    ],
)
def test_source_lines(entries: list[Entry], kind: str, title: str, start: int, end: int) -> None:
    source = _one(entries, kind, title).source
    assert (source.line_start, source.line_end) == (start, end)
    assert title.split("(")[0] in "\n".join(LINES[start - 1 : end])


@pytest.mark.parametrize(
    "kind, title, team",
    [
        (PROGRAM, "파워블로거 활용 도정 홍보", "인터넷홍보팀"),
        (PROGRAM, "포털사이트 및 뉴미디어 도정홍보", "인터넷홍보팀"),
        (PROGRAM, "특화된 도정홍보물 제작", "미디어홍보팀"),
        (PROGRAM, "수도권 거점지역 마케팅 강화", "홍보협력팀"),  # no keyword: its unit's team
        (PROGRAM, "남북교류협력사업", "남북국제협력팀"),
        (PROGRAM, "국제행사 유치 추진 기본경비", "국제행사팀"),  # 지원조건 "국제행사팀"
        (PROGRAM, "외국인 주민 지원사업 추진 기본경비", "다문화지원팀"),  # 지원조건 "다문화지원팀"
        (PROGRAM, "주민참여예산", "민간협력팀"),
        (PROGRAM, "전자민원 모니터 운영", "직소민원팀"),
        (UNIT_PROJECT, "외국인주민 지원", "다문화지원팀"),  # no keyword: all its 세부사업 agree
        (INDICATOR, "국제행사 개최 및 유치수(회)", "국제행사팀"),
        (INDICATOR, "도정 핵심사업 인지도(%)", None),  # nothing fits: left empty
    ],
)
def test_team_inference(entries: list[Entry], kind: str, title: str, team: str | None) -> None:
    entry = _one(entries, kind, title)
    assert entry.team == team
    assert entry.inferred == (("team",) if team else ())


def test_programs_and_indicators_have_a_team_of_their_own_department(entries: list[Entry]) -> None:
    teams = {(e.department, e.title) for e in entries if e.kind == TEAM}
    for entry in entries:
        if entry.kind in (PROGRAM, UNIT_PROJECT, INDICATOR) and entry.team:
            assert (entry.department, entry.team) in teams


def test_cut_off_last_block_is_accepted() -> None:
    """The official export can end inside the last 사업명 block: 시행주체 missing, U+FFFD left."""
    cut = _without_lines(len(LINES)).rstrip("\n") + "\ufffd"
    last = business_plan.parse(cut, DOC)[-1]
    assert last.title == "외국인 주민 지원사업 추진 기본경비"
    assert last.fields["지원조건"] == "다문화지원팀"
    assert "시행주체" not in last.fields


@pytest.mark.parametrize(
    "text, line",
    [
        ("", 1),
        ("전혀 다른 문서입니다\n", 1),
        (_without_lines(*range(263, 268)), 262),  # 새마을 … block cut right after 사업명
        (_without_lines(267), 266),  # a 시행주체 line missing in the middle of the file
        ("\n".join(LINES[:1049]), 1049),  # the file's last block cut right after 사업명
        (_without_lines(136), 120),  # "□ 관련 예산사업 내역" marker missing
        (_without_lines(108, 109), 62),  # one 성과지표 row gone: the 과 table says 3
        (_without_lines(8), 7),  # [소관실국] line missing after 전략목표
        (TEXT.replace("지원형태\t직접수행", "지원 형태 직접수행", 1), 152),
    ],
)
def test_damaged_document_raises(text: str, line: int) -> None:
    with pytest.raises(ParseError) as error:
        business_plan.parse(text, DOC)
    assert (error.value.file, error.value.line) == (FILE, line)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_gives_entries_or_parse_error(text: str) -> None:
    try:
        assert isinstance(business_plan.parse(text, DOC), list)
    except ParseError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(LINES)), st.integers(0, 40), st.integers(0, len(TEXT)))
def test_damaged_copies_give_entries_or_parse_error(start: int, length: int, cut: int) -> None:
    """Real lines with a slice deleted and the tail cut off: the hard cases for the parser."""
    text = "\n".join(LINES[:start] + LINES[start + length :])[:cut]
    try:
        assert isinstance(business_plan.parse(text, DOC), list)
    except ParseError:
        pass
