"""Tests for the 인천광역시 소통협력관 work-report parser, run on the real document (003)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.base import read_manifest
from knowledge.model import (
    AUDIT,
    CIVIC_GROUP,
    COMMITTEE,
    DEPARTMENT,
    WORK_PLAN,
    DocumentInfo,
    Entry,
    ParseError,
    make_id,
)
from knowledge.parsers.work_report import parse, resolve_department

SOURCES = Path(__file__).resolve().parent.parent / "knowledge" / "sources"
FILE = "003_32de262c82867890.txt"
REGION = "인천광역시"
CODE = "ic"
DEPARTMENTS = ("시민정책담당관실", "공동체협치담당관실", "소통기획담당관실", "혁신담당관실")
FORBIDDEN = ("<li", "<ul", "<b>", "<input", "style=", "\ufffd", "&nbsp;")


def _document_info() -> DocumentInfo:
    """DocumentInfo exactly as the manifest describes the file."""
    return next(doc for doc in read_manifest(SOURCES) if doc.file == FILE)


DOC = _document_info()
TEXT = (SOURCES / FILE).read_text(encoding="utf-8")
LINES = TEXT.split("\n")
ENTRIES = parse(TEXT, DOC)


def _find(kind: str, title: str) -> Entry:
    """The one entry of ``kind`` titled ``title``."""
    matches = [entry for entry in ENTRIES if entry.kind == kind and entry.title == title]
    assert len(matches) == 1, (kind, title, len(matches))
    return matches[0]


# How the expected counts were established from the document:
# - DEPARTMENT 5: the office (소통협력관) plus the 4 rows of the "2 예산 규모" table (lines 64-67),
#   the same 4 담당관실 as the 정·현원 table, 간부현황 and 사무분장.
# - COMMITTEE 9: the rows of "3 위원회 현황" (lines 76-84, 공론화위원회 … 규제개혁위원회).
# - CIVIC_GROUP 5: the rows of "단체 현황" (lines 93-97).
# - AUDIT 13: `grep -c '^## .*처리계획$'` gives 13 blocks (19-1 … 19-13), matching the
#   처리현황 계 row ("계 13") and the 총괄목록 rows.
# - WORK_PLAN 19, not 22: after "# 2020 주요업무 추진계획" (line 514) there are 19 "# " headings,
#   `grep -c '【'` is 19 and the 순서 list has 19 "○" items (lines 16-34).
@pytest.mark.parametrize(
    ("kind", "count"),
    [(DEPARTMENT, 5), (COMMITTEE, 9), (CIVIC_GROUP, 5), (AUDIT, 13), (WORK_PLAN, 19)],
)
def test_counts_per_kind(kind: str, count: int) -> None:
    assert sum(entry.kind == kind for entry in ENTRIES) == count


def test_every_entry_is_in_incheon_and_cites_the_file() -> None:
    assert {entry.region for entry in ENTRIES} == {REGION}
    assert {entry.source.file for entry in ENTRIES} == {FILE}
    assert all(1 <= e.source.line_start <= e.source.line_end <= len(LINES) for e in ENTRIES)


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("시 민 정 책 담 당 관 실", "시민정책담당관실"),  # 정·현원 table, letter-spaced
        ("혁 신 담 당 관 실", "혁신담당관실"),
        ("시민정책 담당관실", "시민정책담당관실"),  # 총괄목록 / 처리계획
        ("혁 신 담당관실", "혁신담당관실"),  # 19-8
        ("공동체 협치 담당관실", "공동체협치담당관실"),  # 【공동체 협치 담당관실】
        ("소통기획 담당관실", "소통기획담당관실"),
        ("시 담 민 당 정 관 책 실", "시민정책담당관실"),  # 사무분장: two columns read across
        ("공 담 동 당 체 관 협 치 실", "공동체협치담당관실"),
        ("소 담 통 당 기 관 획 실", "소통기획담당관실"),
        ("혁 담 당 관 실", "혁신담당관실"),  # 신 lost: one missing character is tolerated
        ("시민정책담당관", "시민정책담당관실"),  # 간부현황 title without 실
    ],
)
def test_resolve_department_spellings(spelling: str, canonical: str) -> None:
    assert resolve_department(spelling, DEPARTMENTS) == canonical


@pytest.mark.parametrize(
    "spelling",
    [
        "혁 담 관 실",  # two characters missing: beyond MAX_MISSING_CHARS
        "담당관실",  # fits every department
        "총무과",
        "소통협력관",  # the office, not a 담당관실
        "",
    ],
)
def test_resolve_department_refuses_unclear_spellings(spelling: str) -> None:
    assert resolve_department(spelling, DEPARTMENTS) is None


def test_office_entry() -> None:
    office = _find(DEPARTMENT, "소통협력관")
    assert office.fields["기구"] == "1협력관 4담당관 15담당"
    assert (office.fields["정원"], office.fields["현원"]) == ("67명", "68명")
    assert office.fields["소통협력관"] == "신봉훈"
    assert office.fields["하위부서"] == ", ".join(DEPARTMENTS)
    assert (
        office.fields["예산"]
        == "'20년 11,815백만원 (사업예산 11,700백만원, 행정운영경비 115백만원)"
    )
    assert office.budget == (("2020", 11815.0),)
    assert office.parent_id is None


@pytest.mark.parametrize(
    ("name", "staff", "budget", "head"),
    [
        ("시민정책담당관실", ("19명", "19명"), 1751.0, "이종우"),
        ("공동체협치담당관실", ("15명", "15명"), 4814.0, "박재성"),
        ("소통기획담당관실", ("21명", "21명"), 5011.0, "공석"),
        ("혁신담당관실", ("12명", "13명"), 239.0, "최기건"),
    ],
)
def test_department_entries(name: str, staff: tuple[str, str], budget: float, head: str) -> None:
    department = _find(DEPARTMENT, name)
    assert (department.fields["정원"], department.fields["현원"]) == staff
    assert department.budget == (("2020", budget),)
    assert department.fields["담당관"] == head
    assert department.fields["상위조직"] == "소통협력관"
    assert department.parent_id == make_id(CODE, DEPARTMENT, "소통협력관")
    assert department.aliases == (name.removesuffix("실"),)
    assert department.fields["사무분장"] and department.fields["주요업무"]


def test_department_details() -> None:
    citizens = _find(DEPARTMENT, "시민정책담당관실")
    assert citizens.fields["직급별 정·현원"] == (
        "2급 1/1, 4급 1/1, 5급 4/4, 6급 8/7, 7급 5/5, 8급 0/1 (정원/현원)"
    )
    assert (
        citizens.fields["예산"]
        == "'20년 1,751백만원 (사업예산 1,718백만원, 행정운영경비 33백만원)"
    )
    assert citizens.fields["사무분장"].split("\n")[0] == "시민정책 과제 발굴 및 추진 총괄"
    assert (
        "국민운동 및 시민사회단체 지원 및 대외협력 등에 관한 사항" in citizens.fields["사무분장"]
    )
    assert citizens.fields["주요업무"].split("\n")[0] == "시민과 함께하는 공감시정 구현"
    assert (
        _find(DEPARTMENT, "혁신담당관실")
        .fields["사무분장"]
        .endswith("적극행정 계획 수립 및 추진 총괄")
    )


@pytest.mark.parametrize(
    ("title", "chair", "department", "composition"),
    [
        ("규제개혁위원회", "박준하", "혁신담당관실", "계 18명 (당연 8, 위촉 10)"),
        ("기부심사위원회", "박남춘", "공동체협치담당관실", "계 10명 (당연 8, 위촉 2)"),  # “
        (
            "인천민관동행위원회",
            "박남춘, 정세일 (공동위원장)",
            "공동체협치담당관실",
            "계 38명 (당연 7, 위촉 31)",
        ),  # blank
        (
            "마을공동체만들기위원회",
            "박인서",
            "공동체협치담당관실",
            "계 19명 (당연 5, 위촉 14)",
        ),  # “
        (
            "공익사업선정위원회",
            "이상권",
            "공동체협치담당관실",
            "계 15명 (당연 0, 위촉 15)",
        ),  # 당연 "-"
        ("간행물발간심의위원회", "김광용", "소통기획담당관실", "계 11명 (당연 9, 위촉 2)"),  # “
        ("공론화위원회", "원혜욱", "시민정책담당관실", "계 15명 (당연 3, 위촉 12)"),
    ],
)
def test_committees_resolve_ditto_marks(
    title: str, chair: str, department: str, composition: str
) -> None:
    committee = _find(COMMITTEE, title)
    assert committee.fields["위원장"] == chair
    assert committee.fields["소관부서"] == department
    assert committee.department == department
    assert committee.fields["구성"] == composition


@pytest.mark.parametrize(
    ("title", "phone", "members"),
    [
        ("인천광역시 새마을회", "433-4054", "27,083명"),
        ("바르게살기운동 인천광역시협의회", "822-7445", "7,036명"),
        ("한국자유총연맹 인천광역시지부", "868-0113", "54,330명"),
        ("인천사랑운동 시민협의회", "439-0493", "94명(개인) 22명(법인)"),
        ("인천광역시 주민자치연합회", "439-4411", "3,354명"),
    ],
)
def test_civic_groups_keep_phone_as_written(title: str, phone: str, members: str) -> None:
    group = _find(CIVIC_GROUP, title)
    assert group.fields["연락처"] == phone
    assert group.fields["회원수"] == members
    assert "지역번호" not in group.fields  # the document states no area code
    assert group.inferred == ("department",)


@pytest.mark.parametrize(
    ("title", "department"),
    [
        ("인천광역시 새마을회", "시민정책담당관실"),  # "국민운동 및 시민사회단체 지원"
        ("인천광역시 주민자치연합회", "공동체협치담당관실"),  # "주민자치 연합회 사업 추진 및 지원"
    ],
)
def test_civic_group_department_is_inferred_from_duties(title: str, department: str) -> None:
    assert _find(CIVIC_GROUP, title).department == department


def test_audit_numbers_are_normalized() -> None:
    audits = [entry for entry in ENTRIES if entry.kind == AUDIT]
    assert [a.fields["관리번호"] for a in audits] == [f"19-{n}" for n in range(1, 14)]
    assert [a.id for a in audits] == [make_id(CODE, AUDIT, f"19-{n}") for n in range(1, 14)]
    seventh = audits[6]
    assert seventh.id == "ic-audit-19-7"  # written "'19-7" in the document
    assert seventh.title.startswith("인천시 도시자산(건축자산, 문화유산, 산업유산)을 활용한")


@pytest.mark.parametrize(
    ("number", "department", "labels"),
    [
        ("19-1", "시민정책담당관실", ("사업개요", "추진계획", "기대효과")),  # HTML cell
        ("19-2", "시민정책담당관실", ("사업개요", "추진계획", "기대효과")),  # "## 사업개요"
        ("19-4", "시민정책담당관실", ("공공갈등 진단 개요", "추진계획", "기대효과")),  # HTML cell
        ("19-8", "혁신담당관실", ("사업개요", "추진계획", "기대효과")),  # "혁 신 담당관실"
        ("19-9", "공동체협치담당관실", ("추진현황", "향후계획")),
        ("19-12", "공동체협치담당관실", ("사업개요", "추진계획", "추진일정")),
        ("19-13", "소통기획담당관실", ("사업개요", "추진계획", "기대효과")),  # "### □ 사업개요"
    ],
)
def test_audit_follow_up_sections(number: str, department: str, labels: tuple[str, ...]) -> None:
    audit = next(entry for entry in ENTRIES if entry.id == make_id(CODE, AUDIT, number))
    assert audit.department == audit.fields["관리부서"] == department
    assert audit.fields["처리결과"] == "진행"
    assert audit.fields["지적 및 건의사항"]
    assert all(audit.fields.get(label) for label in labels)


def test_audit_contents() -> None:
    first = _find(AUDIT, "소통협력 분야 시민만족도 조사 결과 활용 철저")
    assert first.fields["처리구분"] == "처리요구"
    assert "○ 조사대상 : 인천시 거주 만 19세 이상 남·여" in first.fields["사업개요"].split("\n")
    assert first.fields["기대효과"] == "시민이 만족하고 공감하는 정책 수립 자료로 활용"
    sns = _find(AUDIT, "SNS별 특성에 맞는 효과적인 시정홍보 콘텐츠 개발")
    assert sns.fields["처리구분"] == "건의"
    assert "국내 · 카카오톡 · 30~50대 기혼 / 40세 여성, 주부" in sns.fields["추진계획"]
    assert "해외 · 웨이보 · 10~20대 젊은 층/ 중국 및 중문 문화권" in sns.fields["추진계획"]
    citizens_day = _find(AUDIT, "'시민정책 소통의 날' 관련 운영 개선")
    assert "  * '19년도 총 7회, 75건 건의사항 접수" in citizens_day.fields["사업개요"].split("\n")


def test_work_plan_budget_table() -> None:
    plan = _find(WORK_PLAN, "시민과 행정이 함께 만드는 지속가능한 협치 실현")
    assert plan.department == "공동체협치담당관실"  # 【공동체 협치 담당관실】
    assert "41개 사업" in plan.fields["예산"]
    assert (
        "주민 참여 예산 (주민주도형사업): '20년 492백만원 — "
        "보조금 교부(민간경상보조금) · 8개구(18개동) 41개 사업" in plan.fields["예산"].split("\n")
    )
    assert plan.fields["예산"].split("\n")[0] == "계: '19년 275백만원, '20년 1,473백만원"
    assert plan.budget == (("2019", 275.0), ("2020", 1473.0))
    assert plan.fields["세부사업"].startswith("인천민관동행위원회 및 토론회, 군구 지역협치")


@pytest.mark.parametrize(
    ("title", "budget", "line"),
    [
        (
            "국민운동단체 등과 함께하는 협치 시정 추진",
            (("2019", 2208.0), ("2020", 1196.0)),
            "국민운동 및 건전시민단체 지원: '19년 2,208백만원, '20년 1,196백만원 — "
            "민간경상보조금(216), "
            "단체법정운영비(117), 민간위탁금(647), 학자금(206), 사무관리비 등(10)",
        ),
        (
            "갈등민원 관리체계 및 해결 역량 강화",
            (("2019", 12.0), ("2020", 12.0)),  # note in 1st cell
            "체계적인 갈등관리: '19년 12백만원, '20년 12백만원 — "
            "갈등조정전문가 수당 및 교육 등(12)",
        ),
        (
            "시민 중심의 소통행정 강화",
            (("2019", 4.6), ("2020", 4.6)),
            "시민소통실 운영: '19년 4.6백만원, '20년 4.6백만원 — 관리대장 제작 등(4.6)",
        ),
        (
            "지역주민이 주도하는 따뜻한 마을공동체 실현",
            (("2019", 856.0), ("2020", 1275.0)),  # no "##"
            "2기 기본계획 수립: '20년 100백만원 — 연구용역 수행에 따른 집행(선금, 준공금)",
        ),
        (
            "도시브랜드 확산으로 시민소통 마케팅 추진",
            (("2019", 1056.0), ("2020", 1183.0)),
            "인천브랜드 마케팅: '19년 650백만원, '20년 750백만원 — "
            "인천 브랜드 홍보 캠페인 활용 도시 "
            "마케팅(600), 콜라보 콘텐츠 제작(50), 도시브랜드 포럼(100)",
        ),
    ],
)
def test_work_plan_budgets(title: str, budget: tuple, line: str) -> None:
    plan = _find(WORK_PLAN, title)
    assert plan.budget == budget
    assert line in plan.fields["예산"].split("\n")


def test_work_plan_contents() -> None:
    plan = _find(WORK_PLAN, "시민과 함께하는 공감시정 구현")
    assert plan.department == "시민정책담당관실"
    assert "500인 시민 대토론회" in plan.fields["추진계획"]
    assert plan.fields["목표"].startswith("민선7기 ‘협치 시정’의 성공적 추진을 위해")
    assert list(plan.fields) == ["목표", "사업내용", "추진계획", "예산", "세부사업", "기대효과"]
    network = _find(WORK_PLAN, "시민참여 활성화를 위한 정책기반 강화")
    assert (
        "  - ① 인천 공항경제권 살리기 운동\n  - ② 인천 바다 되찾기 운동"
        in network.fields["추진계획"]
    )
    assert "  - ⑥ 인천 생활쓰레기 감량 운동" in network.fields["추진계획"].split("\n")
    media = _find(WORK_PLAN, "뉴미디어를 통한 소통과 정책홍보")
    assert "영상운영채널 · 네이버TV · tv.naver.com/ontongtv · 2016. 5." in media.fields[
        "추진계획"
    ].split("\n")
    committees = _find(WORK_PLAN, "위원회 운영 활성화 추진")
    assert committees.fields["사업방향"].startswith("- 위원회 역량 강화를 통한 민관 협치 기반조성")
    innovation = _find(WORK_PLAN, "시민이 체감할 수 있는 시정혁신 추진")
    assert "- 인천광역시 혁신주간 운영: '20. 4." in innovation.fields["추진계획"].split("\n")


def test_every_work_plan_has_department_budget_and_sections() -> None:
    plans = [entry for entry in ENTRIES if entry.kind == WORK_PLAN]
    assert {plan.department for plan in plans} == set(DEPARTMENTS)
    for plan in plans:
        assert [label for label, _ in plan.budget] == ["2019", "2020"]
        assert {"목표", "추진계획", "예산", "세부사업", "기대효과"} <= set(plan.fields)
        assert "사업내용" in plan.fields or "사업방향" in plan.fields


def test_toc_typo_is_not_an_alias() -> None:
    # 순서 says "시민이 체감할 수 있는 시정책신 추진": a one-character typo, so no alias.
    assert all(entry.aliases == () for entry in ENTRIES if entry.kind == WORK_PLAN)


@pytest.mark.parametrize(
    ("kind", "title", "start", "end"),
    [
        (COMMITTEE, "규제개혁위원회", 84, 84),
        (CIVIC_GROUP, "인천광역시 새마을회", 93, 93),
        (AUDIT, "소통협력 분야 시민만족도 조사 결과 활용 철저", 162, 168),
        (AUDIT, "SNS별 특성에 맞는 효과적인 시정홍보 콘텐츠 개발", 471, 510),
        (WORK_PLAN, "시민과 함께하는 공감시정 구현", 518, 554),
        (WORK_PLAN, "불합리한 규제 발굴 · 해소", 1318, 1362),
        (DEPARTMENT, "혁신담당관실", 54, 128),
    ],
)
def test_source_line_ranges(kind: str, title: str, start: int, end: int) -> None:
    source = _find(kind, title).source
    assert (source.line_start, source.line_end) == (start, end)
    assert source.document == "인천광역시 소통협력관 주요업무보고" and source.year == 2020


def test_work_plan_sources_start_at_their_heading() -> None:
    for plan in (entry for entry in ENTRIES if entry.kind == WORK_PLAN):
        assert LINES[plan.source.line_start - 1] == f"# {plan.title}"


def test_ids_are_unique() -> None:
    assert len({entry.id for entry in ENTRIES}) == len(ENTRIES)


def test_no_markup_left() -> None:
    for entry in ENTRIES:
        for text in (entry.title, entry.body, *entry.fields.values(), *entry.aliases):
            assert not [mark for mark in FORBIDDEN if mark in text], (entry.title, text)
            for line in text.split("\n"):
                assert not line.startswith("#") and "\\*" not in line, (entry.title, line)


def test_body_lists_fields() -> None:
    committee = _find(COMMITTEE, "규제개혁위원회")
    assert committee.body.split("\n")[:3] == [
        "규제개혁위원회",
        "위원장: 박준하",
        "구성: 계 18명 (당연 8, 위촉 10)",
    ]
    assert (
        "추진계획:\n- 시민정책자문단 운영"
        in _find(WORK_PLAN, "시민과 함께하는 공감시정 구현").body
    )


def _without_budget_table(text: str) -> str:
    start, end = text.index("## 2 예산 규모"), text.index("## 3 위원회 현황")
    return text[:start] + text[end:]


def _without_one_audit(text: str) -> str:
    start = text.index("## 처리계획\n\n관리번호\t구 분\t위원회명\t관리부서\t처리결과\t비 고\n19-2")
    return text[:start] + text[text.index("## 처리계획", start + 1) :]


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (_without_budget_table, "2 예산 규모"),
        (lambda text: text.replace("【혁신담당관실】", "【총무과】", 1), "총무과"),
        (lambda text: text.replace("혁신담당관실\t239", "총무과\t239"), "혁 신 담 당 관 실"),
        (
            lambda text: text.replace(
                "시민정책담당관실\n공익사업선정위원회", "“\n공익사업선정위원회"
            ),
            "ditto",
        ),
        (
            lambda text: text.replace(
                "관리번호\t구 분\t위원회명\t관리부서\t처리결과\t비 고\n19-5", "19-5"
            ),
            "관리번호",
        ),
        (_without_one_audit, "처리현황 counts 13"),
        (lambda text: text.replace("○ 불합리한 규제 발굴·해소", ""), "순서 lists 18"),
        (lambda text: text.replace("(단위:백만원)", "(단위:천원)", 1), "천원"),
        (lambda text: text.replace("## 사업방향", "## 사업배경"), "사업배경"),
    ],
)
def test_corrupted_document_raises(corrupt, message: str) -> None:
    corrupted = corrupt(TEXT)
    assert corrupted != TEXT
    with pytest.raises(ParseError, match=message) as raised:
        parse(corrupted, DOC)
    assert raised.value.file == FILE and raised.value.line >= 1


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_returns_entries_or_parse_error(text: str) -> None:
    try:
        assert isinstance(parse(text, DOC), list)
    except ParseError:
        pass


# Each example parses the whole report (~11 ms of CPU): 60 removals a run, other ones each run
# (150 were 1.6 s of the suite's CPU).
@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(LINES) - 1), st.integers(1, 40))
def test_document_with_lines_removed_returns_entries_or_parse_error(
    start: int, length: int
) -> None:
    try:
        assert isinstance(parse("\n".join(LINES[:start] + LINES[start + length :]), DOC), list)
    except ParseError:
        pass


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=200))
def test_shuffled_document_lines_return_entries_or_parse_error(lines: list[str]) -> None:
    try:
        assert isinstance(parse("\n".join(lines), DOC), list)
    except ParseError:
        pass


@pytest.mark.parametrize(
    ("toc_wording", "aliases"),
    [
        ("시민이 체감할 수 있는 시정책신 추진", ()),  # as printed: one-character typo
        ("시민이 체감할수 있는 시정혁신  추진", ()),  # spacing only
        (
            "시민이 체감할 수 있는 시정개선 추진",
            ("시민이 체감할 수 있는 시정개선 추진",),
        ),  # 2 chars
        ("시민 체감형 시정혁신", ("시민 체감형 시정혁신",)),
    ],
)
def test_toc_wording_becomes_alias_only_when_it_really_differs(
    toc_wording: str, aliases: tuple[str, ...]
) -> None:
    text = TEXT.replace("○ 시민이 체감할 수 있는 시정책신 추진 .....", f"○ {toc_wording} .....")
    plan = next(e for e in parse(text, DOC) if e.title == "시민이 체감할 수 있는 시정혁신 추진")
    assert plan.aliases == aliases
