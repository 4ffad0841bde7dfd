"""Parser for the 인천광역시 소통협력관 2020 work report to the city council (document 003).

The report holds the office and its 담당관실 (head counts, budgets, heads, duties), its
committees, the civic groups it supports, the 2019 audit follow-ups and the 2020 work plans.
The export mixes tab-separated tables, HTML list fragments and Markdown headings, and spells
department names in several broken ways ("시 민 정 책 담 당 관 실", "혁 신 담당관실", two-column
text read across as "시 담 민 당 정 관 책 실"); every spelling is resolved against the clean names
of the 예산 규모 table so entries always carry the canonical name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from knowledge.model import (
    AUDIT,
    CIVIC_GROUP,
    COMMITTEE,
    DEPARTMENT,
    WORK_PLAN,
    DocumentInfo,
    Entry,
    ParseError,
    Source,
    make_id,
)
from knowledge.parsers.text import (
    clean,
    compact,
    entry_body,
    field_text,
    last_content_line,
    render_lines,
    split_sections,
    strip_html,
    to_number,
)

OFFICE = "소통협력관"
TOTAL = "계"

# Section headings, in document order. A line is a heading when its text without '#', '□'
# and spaces equals one of these without spaces (see _key).
TOC = "《 순 서 》"
STAFF = "1 기구 및 정·현원"
BUDGET = "2 예산 규모"
COMMITTEES = "3 위원회 현황"
GROUPS = "단체 현황(국민운동 및 건전시민단체 등)"
HEADS = "간부현황"
DUTIES = "부서별 사무분장"
AUDITS = "2019 행정사무감사 지적사항 처리계획"
PLANS = "2020 주요업무 추진계획"
SECTIONS: tuple[str, ...] = (TOC, STAFF, BUDGET, COMMITTEES, GROUPS, HEADS, DUTIES, AUDITS, PLANS)

# Audit follow-ups: each block opens with a "처리계획" heading, then a one-row table and
# labelled rows; the 처리현황 table states how many blocks there are.
AUDIT_BLOCK = "처리계획"
AUDIT_STATUS_HEADER = "처리구분"
AUDIT_TABLE_HEADER = "관리번호"
AUDIT_COLUMNS: Mapping[str, str] = {
    "관리번호": "관리번호",
    "구분": "처리구분",
    "위원회명": "위원회명",
    "관리부서": "관리부서",
    "처리결과": "처리결과",
    "비고": "비고",
}
AUDIT_ROWS: Mapping[str, str] = {
    "제목": "제목",
    "지적및건의사항": "지적 및 건의사항",
    "추진사항": "추진사항",
}
AUDIT_NUMBER = re.compile(r"['‘’]?(\d{2}-\d{1,2})")

# Work-plan sections: heading text without '#', '□' and spaces → field label.
AIMS = "목표"
PLAN_BUDGET = "예산"
WORK_PLAN_SECTIONS: Mapping[str, str] = {
    "사업내용": "사업내용",
    "사업방향": "사업방향",
    "추진계획": "추진계획",
    "예산집행계획": PLAN_BUDGET,
    "기대효과": "기대효과",
}
PLAN_HEADING = re.compile(r"#(?!#)\s*(\S.*)")
PLAN_DEPARTMENT = re.compile(r"【(.+?)】")
AIM_MARK = re.compile(r"(?:-\s*)?❖\s*")

# A department spelling may have lost this many characters and still name one department:
# the 사무분장 table reads "혁 담 당 관 실" for 혁신담당관실 and 간부현황 titles drop the 실.
# Two or more missing characters ("담당관실") would fit every department.
MAX_MISSING_CHARS = 1
# A 순서 wording that differs from its heading by one substituted character is a typo
# ("시정책신" for "시정혁신"), not another name worth an alias.
TYPO_MAX_SUBSTITUTIONS = 1

DITTO_MARKS = frozenset({"", "“", "”", '"', "〃"})
CAREER_HEADER = "주요경력사항"
VACANT = "<공석>"
CIVIC_DUTY_KEYWORD = "국민운동"
BUDGET_UNIT = "백만원"

UNIT_LINE = re.compile(r"\(\s*단위\s*:\s*([^)]+?)\s*\)")
YEAR_CELL = re.compile(r"['‘’]?(\d{2})년")
BASE_DATE = re.compile(r"\(\s*(.+?)\s*현재\s*\)")
ORGANISATION = re.compile(r"□?\s*기구\s*:\s*(.+)")
STAFF_COUNT = re.compile(r"(\d+)/(\d+)")
TOC_ITEM = re.compile(r"○\s*(.+?)(?:\s*\.{3,}.*)?")
BOLD = re.compile(r"<b>(.*?)</b>", re.DOTALL)
EXECUTION_ITEM = re.compile(r"(?:^|\s)-(?=\S)")
UNIT_SUFFIX = re.compile(r"(.+?)\((.+)\)")
NUMBER = re.compile(r"\d[\d,]*(?![\d,])")

Span = tuple[int, int]  # 0-based [start, end) line range
Row = tuple[int, list[str]]  # line and cells of a tab-separated table row
Budget = tuple[tuple[str, float], ...]  # (year, 백만원)


@dataclass(frozen=True)
class _Text:
    """The document's lines (0-based here) plus what is needed to cite them or fail on them."""

    lines: tuple[str, ...]
    doc: DocumentInfo

    def error(self, index: int, message: str) -> ParseError:
        """ParseError pointing at 0-based line ``index``."""
        return ParseError(self.doc.file, index + 1, message)

    def source(self, start: int, end: int) -> Source:
        """Source for 0-based lines ``start..end`` inclusive."""
        return self.doc.source(start + 1, end + 1)


@dataclass
class _Facts:
    """Labelled facts about one department, gathered across sections with their lines."""

    lines: list[int] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    budget: Budget = ()

    def add(self, line: int, **facts: str) -> None:
        """Record facts read from ``line``; empty values are dropped."""
        self.lines.append(line)
        self.fields.update({label: value for label, value in facts.items() if value})


@dataclass
class _BudgetRow:
    """One 사업명 row of a work plan's 예산 집행계획 table and its 집행내용 notes."""

    name: str
    amounts: list[str]
    notes: list[str] = field(default_factory=list)


def parse(text: str, doc: DocumentInfo) -> list[Entry]:
    """Entries of the 소통협력관 work report, in document order.

    Departments come first (the office, then its 담당관실), then committees, civic groups,
    audit follow-ups and work plans. Raises ParseError when a section is missing or malformed.
    """
    report = _Text(tuple(line.rstrip("\r") for line in text.split("\n")), doc)
    spans = _locate_sections(report)
    names = _department_names(report, spans[BUDGET])
    units = _department_facts(report, spans, names)
    plans = _read_work_plans(report, spans[PLANS], _toc_titles(report, spans[TOC]), names)
    entries = [
        *_department_entries(report, units, names, plans),
        *_read_committees(report, spans[COMMITTEES], names),
        *_read_civic_groups(report, spans[GROUPS], units),
        *_read_audits(report, spans[AUDITS], names),
        *plans,
    ]
    _check_unique_ids(report, entries)
    return entries


def resolve_department(spelling: str, names: Sequence[str]) -> str | None:
    """The one name in ``names`` that ``spelling`` writes, however spaced or interleaved.

    Compares multisets of characters, so "시 담 민 당 정 관 책 실" (two columns read across)
    matches 시민정책담당관실; a spelling missing up to MAX_MISSING_CHARS characters still
    matches when exactly one name contains it. None when no single name fits.
    """
    chars = Counter(compact(spelling))
    if not chars:
        return None
    exact = [name for name in names if Counter(compact(name)) == chars]
    if exact:
        return exact[0] if len(exact) == 1 else None
    near = [
        name
        for name in names
        if not chars - Counter(compact(name))
        and sum((Counter(compact(name)) - chars).values()) <= MAX_MISSING_CHARS
    ]
    return near[0] if len(near) == 1 else None


def _key(line: str) -> str:
    """A line's text without spaces and leading heading marks, for comparing headings."""
    return compact(line).lstrip("#□")


def _label(line: str) -> str:
    """A heading's readable label: '### □ 사업개요' → '사업개요'."""
    return clean(line).lstrip("#□ ").strip()


def _locate_sections(report: _Text) -> dict[str, Span]:
    """Line span of every section in SECTIONS, each ending where the next begins."""
    starts: list[int] = []
    position = 0
    for heading in SECTIONS:
        wanted = compact(heading)
        found = next(
            (i for i in range(position, len(report.lines)) if _key(report.lines[i]) == wanted),
            None,
        )
        if found is None:
            raise report.error(position, f"section {heading!r} not found")
        starts.append(found)
        position = found + 1
    ends = [*starts[1:], len(report.lines)]
    return {heading: (start, end) for heading, start, end in zip(SECTIONS, starts, ends)}


def _cell(cells: Sequence[str], index: int) -> str:
    """Cell ``index`` of a table row, '' when the row is shorter."""
    return cells[index] if index < len(cells) else ""


def _tab_rows(report: _Text, span: Span) -> list[Row]:
    """Tab-separated lines of a span as (line, cleaned cells)."""
    start, end = span
    return [
        (i, [clean(cell) for cell in report.lines[i].split("\t")])
        for i in range(start, end)
        if "\t" in report.lines[i]
    ]


def _header_position(rows: Sequence[Row], header: str) -> int | None:
    """Index of the first row whose first cell reads ``header`` (spaces ignored)."""
    return next((n for n, (_, cells) in enumerate(rows) if _key(cells[0]) == header), None)


def _table(report: _Text, span: Span, header: str) -> tuple[list[str], list[str], list[Row]]:
    """Header cells, sub-header cells and data rows of the table whose first cell is ``header``.

    The sub-header is the first following row with an empty first cell (merged header cells);
    data rows are the following rows with a first cell.
    """
    rows = _tab_rows(report, span)
    position = _header_position(rows, header)
    if position is None:
        raise report.error(span[0], f"table {header!r} not found")
    after = rows[position + 1 :]
    sub = next((cells for _, cells in after if not cells[0]), [])
    return rows[position][1], sub, [(i, cells) for i, cells in after if cells[0]]


def _department(report: _Text, line: int, spelling: str, names: Sequence[str]) -> str:
    """Canonical department for ``spelling`` on ``line``, or ParseError."""
    name = resolve_department(spelling, names)
    if name is None:
        raise report.error(line, f"unknown department {spelling!r}")
    return name


def _check_unit(report: _Text, span: Span) -> None:
    """Fail unless the span states its amounts in BUDGET_UNIT."""
    start, end = span
    for i in range(start, end):
        found = UNIT_LINE.search(report.lines[i])
        if found:
            if compact(found.group(1)) != BUDGET_UNIT:
                raise report.error(i, f"amounts in {found.group(1)!r}, expected {BUDGET_UNIT}")
            return
    raise report.error(start, "budget table without (단위:백만원)")


def _base_date(report: _Text, span: Span) -> str:
    """The '(… 현재)' date of a table, '' when the section has none."""
    start, end = span
    for i in range(start, end):
        found = BASE_DATE.search(report.lines[i])
        if found:
            return found.group(1)
    return ""


def _amount(raw: str) -> float | None:
    """A table amount in 백만원: '-' is nothing (0), text or blank is not an amount."""
    return 0.0 if raw.strip() == "-" else to_number(raw)


def _year(cell: str) -> str | None:
    """'\\'20년' → '2020'; None for other cells."""
    found = YEAR_CELL.fullmatch(cell)
    return f"20{found.group(1)}" if found else None


# --- departments ---------------------------------------------------------------------------


def _department_names(report: _Text, span: Span) -> list[str]:
    """The 담당관실 names, read from the 예산 규모 table, which spells them cleanly."""
    _, _, rows = _table(report, span, "부서명")
    names = [compact(cells[0]) for _, cells in rows if compact(cells[0]) != TOTAL]
    if not names:
        raise report.error(span[0], "예산 규모 table lists no department")
    return names


def _department_facts(
    report: _Text, spans: Mapping[str, Span], names: Sequence[str]
) -> dict[str, _Facts]:
    """Facts about the office (key OFFICE) and each 담당관실, in document order."""
    units = {OFFICE: _Facts(), **{name: _Facts() for name in names}}
    _read_staff(report, spans[STAFF], names, units)
    _read_budget(report, spans[BUDGET], names, units)
    _read_heads(report, spans[HEADS], names, units)
    _read_duties(report, spans[DUTIES], names, units)
    return units


def _unit_key(report: _Text, line: int, cell: str, names: Sequence[str]) -> str:
    """OFFICE for a table's 계 row, else the canonical department of the row."""
    return OFFICE if compact(cell) == TOTAL else _department(report, line, cell, names)


def _read_staff(report: _Text, span: Span, names: Sequence[str], units: dict[str, _Facts]) -> None:
    """기구, 정원/현원 (total and per grade), base date and the footnote."""
    start, end = span
    lines = [(i, clean(report.lines[i])) for i in range(start, end)]
    for i, line in lines:
        organisation = ORGANISATION.fullmatch(line)
        if organisation:
            units[OFFICE].add(i, 기구=organisation.group(1))
    _, grades, rows = _table(report, span, "구분")
    base_date = _base_date(report, span)
    for i, cells in rows:
        counts = STAFF_COUNT.fullmatch(_cell(cells, 1))
        if counts is None:
            raise report.error(i, f"정·현원 {_cell(cells, 1)!r} is not 정원/현원")
        by_grade = ", ".join(
            f"{grade} {value}"
            for grade, value in zip(grades[2:], cells[2:])
            if grade and value and value != "0/0"
        )
        units[_unit_key(report, i, cells[0], names)].add(
            i,
            정원=f"{counts.group(1)}명",
            현원=f"{counts.group(2)}명",
            **{
                "직급별 정·현원": f"{by_grade} (정원/현원)" if by_grade else "",
                "정·현원 기준일": base_date,
            },
        )
    for i, line in lines:
        if line.startswith("※"):
            units[OFFICE].add(i, 비고=line.lstrip("※ "))


def _read_budget(
    report: _Text, span: Span, names: Sequence[str], units: dict[str, _Facts]
) -> None:
    """'20년 budget with its 사업예산/행정운영경비 split, from the 예산 규모 table."""
    _check_unit(report, span)
    header, sub, rows = _table(report, span, "부서명")
    year = _year(_cell(header, 1))
    if year is None:
        raise report.error(span[0], "예산 규모 table has no year column")
    if not any(compact(cells[0]) == TOTAL for _, cells in rows):
        raise report.error(span[0], "예산 규모 table has no 계 row")
    for i, cells in rows:
        total = to_number(_cell(cells, 1))
        if total is None:
            raise report.error(i, f"budget {_cell(cells, 1)!r} is not a number")
        split = ", ".join(
            f"{label} {value}{BUDGET_UNIT}"
            for label, value in zip(sub[2:], cells[2:])
            if label and value
        )
        unit = units[_unit_key(report, i, cells[0], names)]
        unit.add(
            i, 예산=f"'{year[2:]}년 {cells[1]}{BUDGET_UNIT}" + (f" ({split})" if split else "")
        )
        unit.budget = ((year, total),)


def _read_heads(report: _Text, span: Span, names: Sequence[str], units: dict[str, _Facts]) -> None:
    """Head of the office and of each 담당관실 with their careers, from 간부현황."""
    title: tuple[int, str] | None = None
    for i, cells in _tab_rows(report, span):
        filled = [cell for cell in cells if cell]
        if not filled:
            continue
        if compact(filled[-1]) == CAREER_HEADER:
            title = (i, filled[0])
            continue
        if title is None:
            raise report.error(i, "간부현황 name without a title row")
        head = "공석" if compact(filled[0]) == VACANT else filled[0]
        careers = "\n".join(c.lstrip("○ ") for c in strip_html(_cell(filled, 1)))
        if compact(title[1]) == OFFICE:
            units[OFFICE].add(i, **{OFFICE: head, "주요경력": careers})
        else:
            name = _department(report, title[0], title[1], names)
            units[name].add(title[0], 담당관=head)
            units[name].add(i, 주요경력=careers)
        title = None


def _read_duties(
    report: _Text, span: Span, names: Sequence[str], units: dict[str, _Facts]
) -> None:
    """Duty list (사무분장) of each 담당관실; the name cell is two columns read across."""
    found = False
    for i, cells in _tab_rows(report, span):
        if "<li" not in _cell(cells, 1):
            continue
        duties = "\n".join(duty.lstrip("○ ") for duty in strip_html(cells[1]))
        units[_department(report, i, cells[0], names)].add(i, 사무분장=duties)
        found = True
    if not found:
        raise report.error(span[0], "사무분장 table has no rows")


def _department_entries(
    report: _Text, units: Mapping[str, _Facts], names: Sequence[str], plans: Sequence[Entry]
) -> list[Entry]:
    """The office entry, then one entry per 담당관실 with its work-plan titles."""
    office = units[OFFICE]
    office_id = make_id(report.doc.region_code, DEPARTMENT, OFFICE)
    entries = [
        _entry(
            report,
            DEPARTMENT,
            OFFICE,
            office.lines,
            {**office.fields, "하위부서": ", ".join(names)},
            department=OFFICE,
            budget=office.budget,
        )
    ]
    for name in names:
        unit = units[name]
        work = "\n".join(plan.title for plan in plans if plan.department == name)
        fields = {"상위조직": OFFICE, **unit.fields, "주요업무": work}
        entries.append(
            _entry(
                report,
                DEPARTMENT,
                name,
                unit.lines,
                fields,
                aliases=(name.removesuffix("실"),),
                department=name,
                parent_id=office_id,
                budget=unit.budget,
            )
        )
    return entries


# --- committees and civic groups -----------------------------------------------------------


def _read_committees(report: _Text, span: Span, names: Sequence[str]) -> list[Entry]:
    """One entry per 위원회; a ditto mark or blank 비고 repeats the department above."""
    _, _, rows = _table(report, span, "위원회명")
    base_date = _base_date(report, span)
    entries = []
    department: str | None = None
    for i, cells in rows:
        note = _cell(cells, 5)
        if note not in DITTO_MARKS:
            department = _department(report, i, note, names)
        elif department is None:
            raise report.error(i, "ditto mark with no department above it")
        fields = {
            "위원장": _cell(cells, 1),
            "구성": _composition(report, i, cells[2:5]),
            "소관부서": department,
            "기준일": base_date,
        }
        entries.append(_entry(report, COMMITTEE, cells[0], [i], fields, department=department))
    return entries


def _composition(report: _Text, line: int, counts: Sequence[str]) -> str:
    """'계 18명 (당연 8, 위촉 10)' from the 계/당연/위촉 cells; '-' means none."""
    values = (*counts, "", "", "")[:3]
    if any(_amount(value) is None for value in values):
        raise report.error(line, f"committee membership {list(counts)!r} is not numeric")
    total, ex_officio, appointed = ("0" if value.strip() == "-" else value for value in values)
    return f"계 {total}명 (당연 {ex_officio}, 위촉 {appointed})"


def _read_civic_groups(report: _Text, span: Span, units: Mapping[str, _Facts]) -> list[Entry]:
    """One entry per 단체 with its columns as written; the department is inferred."""
    header, _, rows = _table(report, span, "단체명")
    base_date = _base_date(report, span)
    columns = [_column_unit(label) for label in header]
    entries = []
    for i, cells in rows:
        fields = {
            label: _with_unit(_cell(cells, n), unit)
            for n, (label, unit) in enumerate(columns)
            if n and label
        }
        fields["기준일"] = base_date
        department = _civic_department(cells[0], units, report.doc.region)
        entries.append(
            _entry(
                report,
                CIVIC_GROUP,
                cells[0],
                [i],
                fields,
                department=department,
                inferred=("department",) if department else (),
            )
        )
    return entries


def _column_unit(header: str) -> tuple[str, str]:
    """'회원수(명)' → ('회원수', '명'); a header without a unit keeps '' as unit."""
    found = UNIT_SUFFIX.fullmatch(header)
    return (found.group(1), found.group(2)) if found else (header, "")


def _with_unit(value: str, unit: str) -> str:
    """'27,083' → '27,083명' and '94(개인) 22(법인)' → '94명(개인) 22명(법인)'."""
    return NUMBER.sub(lambda number: number.group(0) + unit, value) if unit else value


def _civic_department(group: str, units: Mapping[str, _Facts], region: str) -> str | None:
    """The 담당관실 whose 사무분장 names the group, else the one supporting 국민운동 단체.

    "인천광역시 주민자치연합회" is named in 공동체협치담당관실's duties; the national-movement
    and civic groups fall under 시민정책담당관실's "국민운동 및 시민사회단체 지원".
    """
    duties = {
        name: [compact(duty) for duty in unit.fields.get("사무분장", "").split("\n") if duty]
        for name, unit in units.items()
    }
    core = compact(group).replace(region, "")
    for keyword in (core, CIVIC_DUTY_KEYWORD):
        matches = [
            name for name, items in duties.items() if any(keyword in duty for duty in items)
        ]
        if len(matches) == 1:
            return matches[0]
    return None


# --- audit follow-ups ----------------------------------------------------------------------


def _read_audits(report: _Text, span: Span, names: Sequence[str]) -> list[Entry]:
    """One entry per 지적사항 block; their number must match the 처리현황 total."""
    start, end = span
    blocks = [i for i in range(start, end) if _key(report.lines[i]) == AUDIT_BLOCK]
    if not blocks:
        raise report.error(start, "no 처리계획 block")
    _, _, status = _table(report, (start, blocks[0]), AUDIT_STATUS_HEADER)
    totals = [to_number(_cell(cells, 1)) for _, cells in status if compact(cells[0]) == TOTAL]
    if not totals or totals[0] is None:
        raise report.error(start, "처리현황 table has no 계 row")
    entries = [
        _read_audit(report, (block, following), names)
        for block, following in zip(blocks, [*blocks[1:], end])
    ]
    if len(entries) != totals[0]:
        raise report.error(start, f"처리현황 counts {totals[0]:g} items, found {len(entries)}")
    return entries


def _read_audit(report: _Text, span: Span, names: Sequence[str]) -> Entry:
    """One audit block: its header row, labelled rows and follow-up sections."""
    rows = _tab_rows(report, span)
    position = _header_position(rows, AUDIT_TABLE_HEADER)
    if position is None or position + 1 >= len(rows):
        raise report.error(span[0], "처리계획 block without its 관리번호 row")
    header, (line, values) = rows[position][1], rows[position + 1]
    columns = {
        AUDIT_COLUMNS[_key(label)]: _cell(values, n)
        for n, label in enumerate(header)
        if _key(label) in AUDIT_COLUMNS
    }
    number = AUDIT_NUMBER.fullmatch(columns.get("관리번호", ""))
    if number is None:
        raise report.error(line, f"관리번호 {columns.get('관리번호', '')!r} is not like 19-7")
    columns["관리번호"] = number.group(1)
    columns["관리부서"] = _department(report, line, columns.get("관리부서", ""), names)
    labelled = {
        AUDIT_ROWS[_key(cells[0])]: (i, cells)
        for i, cells in rows[position + 2 :]
        if _key(cells[0]) in AUDIT_ROWS
    }
    if "제목" not in labelled or "추진사항" not in labelled:
        raise report.error(line, "audit block without 제목 or 추진사항 row")
    title = " ".join(strip_html(_cell(labelled["제목"][1], 1)))
    if not title:
        raise report.error(labelled["제목"][0], "audit without 제목")
    finding = labelled.get("지적 및 건의사항", (line, []))[1]
    follow_line, follow_cells = labelled["추진사항"]
    markdown = split_sections(
        report.lines, (follow_line + 1, span[1]), "추진사항", partial(_audit_heading, report)
    )
    sections = _html_sections(_cell(follow_cells, 1)) + [
        (label, render_lines([report.lines[i] for i in indices])) for label, indices in markdown
    ]
    fields = {
        **{label: value for label, value in columns.items() if value},
        "지적 및 건의사항": _cell(finding, 1),
    }
    for label, lines in sections:
        previous = fields.get(label)
        fields[label] = field_text([previous, *lines] if previous else lines)
    return _entry(
        report,
        AUDIT,
        title,
        [span[0], last_content_line(report.lines, span)],
        fields,
        key=number.group(1),
        department=columns["관리부서"],
    )


def _audit_heading(report: _Text, line: int) -> str | None:
    """Any Markdown heading opens a follow-up section ('## 사업개요', '### □ 추진일정')."""
    text = report.lines[line]
    return (_label(text) or None) if text.lstrip().startswith("#") else None


def _html_sections(fragment: str) -> list[tuple[str, list[str]]]:
    """Sections of an HTML 추진사항 cell, each headed by a <b> title ('□ 사업개요')."""
    parts = BOLD.split(fragment)
    sections = [("추진사항", strip_html(parts[0]))]
    sections += [
        (_label(" ".join(strip_html(heading))), strip_html(body))
        for heading, body in zip(parts[1::2], parts[2::2])
    ]
    return [(label, lines) for label, lines in sections if label and lines]


# --- work plans ----------------------------------------------------------------------------


def _toc_titles(report: _Text, span: Span) -> list[str]:
    """Work-plan titles as worded in the 순서 list ('○ title ..... page')."""
    start, end = span
    titles = []
    for i in range(start, end):
        item = TOC_ITEM.fullmatch(clean(report.lines[i]))
        if item:
            titles.append(item.group(1))
    return titles


def _toc_alias(toc_title: str, heading: str) -> str | None:
    """The 순서 wording as an alias when it really differs from the heading.

    Spacing differences are not aliases, nor are single-character typos (see
    TYPO_MAX_SUBSTITUTIONS).
    """
    listed, written = compact(toc_title), compact(heading)
    if len(listed) == len(written):
        if sum(a != b for a, b in zip(listed, written)) <= TYPO_MAX_SUBSTITUTIONS:
            return None
    return toc_title


def _read_work_plans(
    report: _Text, span: Span, toc: Sequence[str], names: Sequence[str]
) -> list[Entry]:
    """One entry per '# title' heading of the 주요업무 추진계획 part, checked against 순서."""
    start, end = span
    starts = [i for i in range(start + 1, end) if PLAN_HEADING.fullmatch(report.lines[i])]
    if not starts:
        raise report.error(start, "주요업무 추진계획 has no work plan")
    if len(toc) != len(starts):
        raise report.error(start, f"순서 lists {len(toc)} work plans, found {len(starts)}")
    return [
        _read_work_plan(report, (plan, following), toc_title, names)
        for plan, following, toc_title in zip(starts, [*starts[1:], end], toc)
    ]


def _read_work_plan(report: _Text, span: Span, toc_title: str, names: Sequence[str]) -> Entry:
    """One work plan: 【부서】, ❖ aims, then the labelled sections."""
    start, end = span
    title = clean(PLAN_HEADING.fullmatch(report.lines[start]).group(1))
    marker = next((i for i in range(start + 1, end) if report.lines[i].strip()), start)
    department_mark = PLAN_DEPARTMENT.fullmatch(report.lines[marker].strip())
    if department_mark is None:
        raise report.error(marker, f"work plan {title!r} without 【부서】")
    department = _department(report, marker, department_mark.group(1), names)
    fields: dict[str, str] = {}
    budget: Budget = ()
    for label, indices in split_sections(
        report.lines, (marker + 1, end), AIMS, partial(_plan_heading, report)
    ):
        raw = [report.lines[i] for i in indices]
        if label == PLAN_BUDGET:
            lines, programs, budget = _plan_budget(report, indices)
            fields[PLAN_BUDGET] = "\n".join(lines)
            fields["세부사업"] = ", ".join(programs)
        elif label == AIMS:
            fields[AIMS] = "\n".join(AIM_MARK.sub("", line, count=1) for line in render_lines(raw))
        else:
            fields[label] = field_text(render_lines(raw))
    alias = _toc_alias(toc_title, title)
    return _entry(
        report,
        WORK_PLAN,
        title,
        [start, last_content_line(report.lines, span)],
        fields,
        aliases=(alias,) if alias else (),
        department=department,
        budget=budget,
    )


def _plan_heading(report: _Text, line: int) -> str | None:
    """Work-plan section label of a heading line; unknown Markdown headings are an error."""
    text = report.lines[line]
    label = WORK_PLAN_SECTIONS.get(_key(text))
    if label is None and text.lstrip().startswith("#"):
        raise report.error(line, f"unknown work-plan section {clean(text)!r}")
    return label


def _plan_budget(report: _Text, indices: Sequence[int]) -> tuple[list[str], list[str], Budget]:
    """Readable lines, 사업명 list and (year, 백만원) totals of a 예산 집행계획 table."""
    span = (indices[0], indices[-1] + 1)
    _check_unit(report, span)
    rows = _tab_rows(report, span)
    position = next((n for n, (_, cells) in enumerate(rows) if any(_year(c) for c in cells)), None)
    if position is None:
        raise report.error(span[0], "예산 집행계획 table without '19년/'20년 columns")
    years = [(n, year) for n, cell in enumerate(rows[position][1]) if (year := _year(cell))]
    items: list[_BudgetRow] = []
    for i, cells in rows[position + 1 :]:
        amounts = [_cell(cells, column) for column, _ in years]
        if any(_amount(amount) is not None for amount in amounts):
            if not cells[0]:
                raise report.error(i, "budget row without 사업명")
            items.append(_BudgetRow(cells[0], amounts))
        elif items:
            items[-1].notes.append(_execution_note(" ".join(cell for cell in cells if cell)))
        else:
            raise report.error(i, "집행내용 before any budget row")
    if not items:
        raise report.error(span[0], "예산 집행계획 table has no rows")
    totals = [item for item in items if compact(item.name) == TOTAL]
    programs = [item for item in items if compact(item.name) != TOTAL]
    if not totals and len(programs) > 1:
        raise report.error(span[0], "예산 집행계획 table has several rows but no 계")
    labels = [year for _, year in years]
    total = (totals or programs)[0]
    budget = tuple((year, _amount(amount) or 0.0) for year, amount in zip(labels, total.amounts))
    lines = [_budget_line(item, labels) for item in [*totals, *programs]]
    return lines, [item.name for item in programs], budget


def _budget_line(item: _BudgetRow, years: Sequence[str]) -> str:
    """'사업명: \\'19년 27백만원, \\'20년 31백만원 — 집행내용'; years with nothing are left out,
    except the last, which is always shown."""
    parts = [
        f"'{year[2:]}년 {amount if _amount(amount) else '0'}{BUDGET_UNIT}"
        for n, (year, amount) in enumerate(zip(years, item.amounts))
        if _amount(amount) or n == len(years) - 1
    ]
    notes = f" — {', '.join(item.notes)}" if item.notes else ""
    return f"{item.name}: {', '.join(parts)}{notes}"


def _execution_note(text: str) -> str:
    """'-민간위탁금(647) -학자금(206)' → '민간위탁금(647), 학자금(206)'."""
    items = (item.strip().rstrip(",").strip() for item in EXECUTION_ITEM.split(text))
    return ", ".join(item for item in items if item)


def _entry(
    report: _Text,
    kind: str,
    title: str,
    lines: Sequence[int],
    fields: Mapping[str, str],
    *,
    key: str | None = None,
    **attributes,
) -> Entry:
    """Entry spanning ``lines`` (0-based) whose body is its title and its fields."""
    present = {label: value for label, value in fields.items() if value}
    return Entry(
        id=make_id(report.doc.region_code, kind, key or title),
        kind=kind,
        region=report.doc.region,
        title=title,
        source=report.source(min(lines), max(lines)),
        body=entry_body(present, title=title),
        fields=present,
        **attributes,
    )


def _check_unique_ids(report: _Text, entries: Sequence[Entry]) -> None:
    """Fail when two entries would share an id (a repeated heading or row)."""
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise report.error(entry.source.line_start - 1, f"duplicate entry {entry.title!r}")
        seen.add(entry.id)
