"""Parser for the 전라북도 대외협력국 주요업무계획 (source 000): bureau, 과, teams, indicators,
단위사업 and 세부사업.

The export is a flat list of lines; tables are tab-separated. One section per organisation unit:

    전략목표 <TAB> …              the section's strategic goal
    [소관실국] <TAB> 대외협력국     the bureau (first section), or
    [소관부서] <TAB> 정무기획과     one 과, which after the common overview
        (1. 기본방향, < 정책사업목표 현황 >, 2. 조직 및 인력현황, 3. 예산현황) also holds
        정책사업목표, (1) 주요내용, < 성과지표별 목표치 설정 > (+ 근거) and 단위사업 blocks:
        ○ 목적, ○ 주요내용, □ 관련 예산사업 내역 (budget table), □ 관련 예산사업 개요
        (사업명 … 시행주체 blocks, one per 세부사업).

A marker or table row that is not where this layout puts it raises ParseError with its line, so
a damaged export fails loudly instead of producing half-read entries. Only the file's very last
세부사업 block may stop early (after 사업내용), as it does in an export that was cut off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from knowledge.model import (
    DEPARTMENT,
    INDICATOR,
    PROGRAM,
    TEAM,
    UNIT_PROJECT,
    DocumentInfo,
    Entry,
    ParseError,
    make_id,
)
from knowledge.parsers import read_team_keywords
from knowledge.parsers.text import Line, clean, compact, strip_html, to_number

SECTION_MARK = "전략목표"
BUREAU_MARK = "[소관실국]"
DEPARTMENT_MARK = "[소관부서]"
UNIT_MARK = "단위사업"
TOTAL_ROW = "계"
BUDGET_UNIT = "백만원"
PERSON_UNIT = "명"
GRADE_LABELS = ("4급이상", "5급", "6급이하")  # columns 2–4 of the 조직 및 인력현황 table
PROGRAM_LABELS = ("사업명", "사업내용", "사업기간", "지원형태", "지원조건", "시행주체")
PROGRAM_REQUIRED = 2  # 사업명 + 사업내용: a block shorter than this is damaged, not just cut off
TITLE_LABELS: Mapping[str, str] = {
    DEPARTMENT: "부서",
    TEAM: "팀",
    INDICATOR: "성과지표",
    UNIT_PROJECT: "단위사업",
    PROGRAM: "사업명",
}

# Which team of a 과 handles an entry, judged from words in its title (curated; the file says
# how they are checked).
TEAM_KEYWORDS = read_team_keywords("team_keywords.yaml")

Amounts = tuple[tuple[str, float], ...]  # Entry.budget: (label, 백만원)
REPLACEMENT_CHAR = "\ufffd"  # left where the export cut a character in half; never content

_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_TRAILING_PARENTHETICAL = re.compile(r"\s*\([^()]*\)$")
_YEAR_COLUMN = re.compile(r"'(?P<yy>\d{2})(?P<what>\S+)")
_BULLET = re.compile(r"^-\s*")


@dataclass(frozen=True)
class _Budget:
    """One row of a 관련 예산사업 내역 table, as a readable summary and as numbers."""

    name: str
    summary: str
    amounts: Amounts
    line: Line


def parse(text: str, doc: DocumentInfo) -> list[Entry]:
    """All entries of the business plan: the bureau, then per 과 its teams, indicators and
    projects."""
    lines = [
        Line(number, raw.rstrip("\r").replace(REPLACEMENT_CHAR, ""))
        for number, raw in enumerate(text.split("\n"), start=1)
    ]
    sections = _sections(lines, doc)
    bureau = _bureau(sections[0], doc)
    entries = [bureau]
    last_line = max(line.number for line in lines if line.key)
    for section in sections[1:]:
        entries.extend(_department(section, bureau, doc, last_line=last_line))
    return _unambiguous_aliases(entries)


def _sections(lines: Sequence[Line], doc: DocumentInfo) -> list[list[Line]]:
    """Split at the 전략목표 lines; the first section must be the bureau's ([소관실국])."""
    starts = [
        i for i, line in enumerate(lines) if line.cells[0] == SECTION_MARK and len(line.cells) > 1
    ]
    if not starts:
        raise ParseError(
            doc.file, 1, f"'{SECTION_MARK}' 줄이 없습니다 — 주요업무계획 형식이 아닙니다"
        )
    sections = [list(lines[a:b]) for a, b in zip(starts, starts[1:] + [len(lines)])]
    if _owner(sections[0], doc)[0] != BUREAU_MARK:
        raise ParseError(
            doc.file, sections[0][0].number, f"첫 부분은 {BUREAU_MARK}(국) 개요여야 합니다"
        )
    return sections


def _owner(section: Sequence[Line], doc: DocumentInfo) -> tuple[str, str]:
    """The ([소관실국] or [소관부서], name) line that follows a 전략목표 line."""
    content = _content(section)
    cells = content[1].cells if len(content) > 1 else []
    if len(cells) < 2 or cells[0] not in (BUREAU_MARK, DEPARTMENT_MARK) or not cells[1]:
        raise ParseError(
            doc.file,
            section[0].number,
            f"'{SECTION_MARK}' 다음 줄에 {BUREAU_MARK} 또는 {DEPARTMENT_MARK}와 부서명이 없습니다",
        )
    return cells[0], cells[1]


def _bureau(section: Sequence[Line], doc: DocumentInfo) -> Entry:
    """The bureau (국) entry: goals, directions, head counts and budget of the whole bureau."""
    _, name = _owner(section, doc)
    org = _org_rows(section, doc)
    total = _row_named(org, TOTAL_ROW, "조직 및 인력현황", section, doc)
    budget_fields, budget = _budget_fields(section, doc)
    fields = {
        "전략목표": section[0].cells[1],
        "기본방향": _items(_segment(section, "1. 기본방향", ["< 정책사업목표 현황 >"], doc)),
        "정책사업목표": "\n".join(_goal_summary(cells) for cells, _ in _goal_rows(section, doc)),
        **_staff_fields(total.cells),
        **budget_fields,
        "하위부서": ", ".join(line.cells[0] for line in org if line.cells[0] != TOTAL_ROW),
    }
    return _entry(doc, DEPARTMENT, name, fields, _content(section), department=name, budget=budget)


def _department(
    section: Sequence[Line], bureau: Entry, doc: DocumentInfo, *, last_line: int
) -> list[Entry]:
    """One 과: its entry, its teams, indicators, 단위사업 and 세부사업 (with inferred teams)."""
    mark, name = _owner(section, doc)
    if mark != DEPARTMENT_MARK:
        raise ParseError(
            doc.file, section[0].number, f"{BUREAU_MARK}는 문서 첫 부분에만 올 수 있습니다"
        )
    unit_starts = [i for i, line in enumerate(section) if line.key == UNIT_MARK]
    if not unit_starts:
        raise ParseError(doc.file, section[0].number, f"{name}: '{UNIT_MARK}' 블록이 없습니다")
    head = section[: unit_starts[0]]
    row = _row_named(_org_rows(head, doc), name, "조직 및 인력현황", head, doc)
    teams = _teams(row, name, doc)
    budget_fields, budget = _budget_fields(head, doc)
    fields = {
        "상위조직": bureau.title,
        "팀": ", ".join(teams),
        **_staff_fields(row.cells),
        **budget_fields,
        "전략목표": section[0].cells[1],
        "기본방향": _items(_segment(head, "1. 기본방향", ["< 정책사업목표 현황 >"], doc)),
        "정책사업목표": _items(_segment(head, "정책사업목표", ["(1) 주요내용"], doc)),
        "주요내용": _items(_segment(head, "(1) 주요내용", ["(2) 성과지표 및 목표치 설정"], doc)),
    }
    department = _entry(
        doc,
        DEPARTMENT,
        name,
        fields,
        _content(head),
        department=name,
        parent_id=bureau.id,
        budget=budget,
    )
    indicators = _indicators(head, department, doc)
    projects: list[Entry] = []
    for start, end in zip(unit_starts, unit_starts[1:] + [len(section)]):
        projects.extend(_unit(section[start:end], department, doc, last_line=last_line))
    _check_counts(head, indicators, projects, name, doc)
    tagged = _with_inferred_teams(indicators + projects, teams)
    team_entries = [_team(team, department, row, tagged, doc) for team in teams]
    return [department, *team_entries, *tagged]


def _teams(row: Line, name: str, doc: DocumentInfo) -> list[str]:
    """Team names from the 계단위 직제명 cell of the 과's 조직 및 인력현황 row."""
    cells = row.cells
    teams = (
        [team.strip() for team in cells[6].split(",") if team.strip()] if len(cells) > 6 else []
    )
    if not teams:
        raise ParseError(doc.file, row.number, f"{name}: 계단위 직제명(팀 목록)이 비어 있습니다")
    return teams


def _check_counts(
    head: Sequence[Line],
    indicators: Sequence[Entry],
    projects: Sequence[Entry],
    name: str,
    doc: DocumentInfo,
) -> None:
    """The 정책사업목표 현황 table states how many indicators and 단위사업 the 과 has; hold it to
    that."""
    goals = _goal_rows(head, doc)
    units = sum(1 for entry in projects if entry.kind == UNIT_PROJECT)
    for column, label, found in ((1, "성과 지표수", len(indicators)), (2, "단위 사업수", units)):
        stated = sum(to_number(cells[column]) or 0 for cells, _ in goals)
        if stated != found:
            raise ParseError(
                doc.file,
                goals[0][1].number,
                f"{name}: {label} {stated:g}개라고 적혀 있지만 {found}개를 읽었습니다",
            )


def _team(
    team: str, department: Entry, row: Line, entries: Sequence[Entry], doc: DocumentInfo
) -> Entry:
    """A team named in 계단위 직제명; its body lists the projects it is inferred to handle."""
    fields = {"소속": f"{doc.region} {department.fields['상위조직']} {department.title}"}
    entry = _entry(
        doc,
        TEAM,
        team,
        fields,
        [row],
        key=f"{department.title}/{team}",
        department=department.title,
        team=team,
        parent_id=department.id,
    )
    handled = [e.title for e in entries if e.team == team and e.kind in (UNIT_PROJECT, PROGRAM)]
    if not handled:
        return entry
    return replace(entry, body=f"{entry.body}\n담당 사업(추정): {', '.join(handled)}")


# --- overview tables ------------------------------------------------------------------------


def _goal_rows(lines: Sequence[Line], doc: DocumentInfo) -> list[tuple[list[str], Line]]:
    """Rows of < 정책사업목표 현황 >: goal, 성과 지표수, 단위 사업수, 예산액."""
    rows = _data_rows(
        _segment(lines, "< 정책사업목표 현황 >", ["2. 조직 및 인력현황"], doc),
        ("정책사업목표",),
        4,
        doc,
    )
    if not rows:
        raise ParseError(doc.file, lines[0].number, "정책사업목표 현황 표에 행이 없습니다")
    return [(line.cells, line) for line in rows]


def _goal_summary(cells: Sequence[str]) -> str:
    return (
        f"{cells[0]} (성과지표 {cells[1]}개, 단위사업 {cells[2]}개, 예산 {cells[3]}{BUDGET_UNIT})"
    )


def _org_rows(lines: Sequence[Line], doc: DocumentInfo) -> list[Line]:
    """Rows of 2. 조직 및 인력현황: name, 정원 (계, 4급이상, 5급, 6급이하), 현원, 계단위 직제명."""
    return _data_rows(
        _segment(lines, "2. 조직 및 인력현황", ["3. 예산현황"], doc), ("부서명",), 6, doc
    )


def _row_named(
    rows: Sequence[Line], name: str, table: str, lines: Sequence[Line], doc: DocumentInfo
) -> Line:
    """The row whose first cell is ``name``; ParseError naming the table when it is missing."""
    for row in rows:
        if row.cells[0] == name:
            return row
    raise ParseError(doc.file, lines[0].number, f"{table} 표에 '{name}' 행이 없습니다")


def _staff_fields(cells: Sequence[str]) -> dict[str, str]:
    grades = ", ".join(
        f"{label} {count}{PERSON_UNIT}" for label, count in zip(GRADE_LABELS, cells[2:5])
    )
    return {
        "정원": f"{cells[1]}{PERSON_UNIT}",
        "현원": f"{cells[5]}{PERSON_UNIT}",
        "직급별 정원": grades,
    }


def _budget_fields(lines: Sequence[Line], doc: DocumentInfo) -> tuple[dict[str, str], Amounts]:
    """예산 and 예산 내역 from 3. 예산현황 (this year, last year, change), plus Entry.budget."""
    rows = _data_rows(_segment(lines, "3. 예산현황", ["정책사업목표"], doc), ("구분",), 7, doc)
    total_row = _row_named(rows, TOTAL_ROW, "예산현황", lines, doc)
    total = total_row.cells
    current, previous = to_number(total[1]), to_number(total[3])
    if current is None or previous is None:
        raise ParseError(doc.file, total_row.number, "예산현황 계 행의 금액을 읽을 수 없습니다")
    unit = BUDGET_UNIT
    fields = {
        "예산": f"{total[1]}{unit} (전년도 {total[3]}{unit}, 증감 {total[5]}{unit}, {total[6]})",
        "예산 내역": ", ".join(
            f"{r.cells[0]} {r.cells[1]}{unit}" for r in rows if r.cells[0] != TOTAL_ROW
        ),
    }
    this_year, last_year = (
        (f"{doc.year}예산", f"{doc.year - 1}예산") if doc.year else ("예산", "전년도예산")
    )
    return fields, ((last_year, previous), (this_year, current))


def _data_rows(
    lines: Sequence[Line], headers: Sequence[str], width: int, doc: DocumentInfo
) -> list[Line]:
    """Table rows, skipping the (단위…) note, header rows and header continuations (empty first
    cell)."""
    header_keys = {compact(header) for header in headers}
    rows = []
    for line in lines:
        cells = line.cells
        if line.key.startswith("(단위") or not cells[0] or compact(cells[0]) in header_keys:
            continue
        if len(cells) < width:
            raise ParseError(
                doc.file, line.number, f"표의 칸이 {width}개보다 적습니다: {line.text.strip()}"
            )
        rows.append(line)
    return rows


# --- indicators -----------------------------------------------------------------------------


def _indicators(head: Sequence[Line], department: Entry, doc: DocumentInfo) -> list[Entry]:
    """One entry per 성과지표 (목표 row + optional 실적 row), with its 근거 when one is listed."""
    table = _segment(head, "< 성과지표별 목표치 설정 >", ["< 성과지표별 목표치 설정 근거 >"], doc)
    reasons = _reasons(_segment(head, "< 성과지표별 목표치 설정 근거 >", [UNIT_MARK], doc), doc)
    years, rows = _indicator_rows(table, doc)
    if not rows:
        raise ParseError(doc.file, head[0].number, f"{department.title}: 성과지표 행이 없습니다")
    return [_indicator(target, result, years, reasons, department, doc) for target, result in rows]


def _indicator_rows(
    table: Sequence[Line], doc: DocumentInfo
) -> tuple[list[str], list[tuple[Line, Line | None]]]:
    """The year columns ('19 …) and the (목표 row, 실적 row or None) pairs of the indicator
    table."""
    years: list[str] = []
    rows: list[tuple[Line, Line | None]] = []
    for line in table:
        cells = line.cells
        kind = cells[3] if len(cells) > 3 else ""
        if line.key.startswith("(단위") or cells[0] == "성과지표(단위)":
            continue
        if kind == "구분":
            years = [cell for cell in cells if cell.startswith("'")]
        elif kind == "목표" and years and len(cells) >= 6 + len(years):
            rows.append((line, None))
        elif kind == "실적" and rows and rows[-1][1] is None:
            rows[-1] = (rows[-1][0], line)
        else:
            raise ParseError(
                doc.file, line.number, f"성과지표 표의 행을 읽을 수 없습니다: {line.text.strip()}"
            )
    return years, rows


def _indicator(
    target: Line,
    result: Line | None,
    years: Sequence[str],
    reasons: Mapping[str, tuple[str, list[Line]]],
    department: Entry,
    doc: DocumentInfo,
) -> Entry:
    """Fields of one 성과지표; its source runs from the table row to the end of its 근거."""
    cells, n = target.cells, len(years)
    name = _TRAILING_PARENTHETICAL.sub("", cells[0])
    reason_name, reason_lines = reasons.get(compact(name), (None, []))
    fields = {
        "지표유형": cells[1],
        "가중치": cells[2],
        "목표": _by_year(years, cells[4 : 4 + n]),
        "실적": _by_year(years, result.cells[4 : 4 + n]) if result else "",
        "측정방법": cells[4 + n],
        "자료수집": cells[5 + n],
        "근거": "\n".join(_BULLET.sub("", line.text.strip()) for line in reason_lines[1:]),
    }
    read = [target, *([result] if result else []), *reason_lines]
    return _entry(
        doc,
        INDICATOR,
        cells[0],
        {k: v for k, v in fields.items() if v},
        read,
        key=f"{department.title}/{cells[0]}",
        department=department.title,
        parent_id=department.id,
        aliases=(reason_name,) if reason_name else (),
    )


def _reasons(lines: Sequence[Line], doc: DocumentInfo) -> dict[str, tuple[str, list[Line]]]:
    """< 목표치 설정 근거 >: "- 지표명" lines, each followed by indented " - 근거" lines."""
    reasons: dict[str, tuple[str, list[Line]]] = {}
    current: list[Line] | None = None
    for line in lines:
        if line.text.startswith((" ", "\t")):
            if current is None:
                raise ParseError(doc.file, line.number, "근거 줄 앞에 성과지표 이름 줄이 없습니다")
            current.append(line)
            continue
        name = _BULLET.sub("", line.text.strip())
        current = [line]
        reasons[compact(name)] = (name, current)
    return reasons


def _by_year(years: Sequence[str], values: Sequence[str]) -> str:
    return ", ".join(f"{year} {value}" for year, value in zip(years, values) if value)


# --- 단위사업 and 세부사업 ------------------------------------------------------------------


def _unit(
    block: Sequence[Line], department: Entry, doc: DocumentInfo, *, last_line: int
) -> list[Entry]:
    """A 단위사업 block: the unit entry followed by one entry per 사업명 block."""
    content = _content(block)
    title = content[1].text.strip() if len(content) > 1 else ""
    if not title or title.startswith(("□", "○")):
        raise ParseError(
            doc.file, block[0].number, f"'{UNIT_MARK}' 다음 줄에 단위사업명이 없습니다"
        )
    budgets = _unit_budgets(
        _segment(block, "□ 관련 예산사업 내역", ["□ 관련 예산사업 개요"], doc), doc
    )
    own = budgets[0]
    if compact(own.name) != compact(title):
        raise ParseError(
            doc.file,
            own.line.number,
            f"예산사업 내역 첫 행 '{own.name}'이(가) 단위사업 '{title}'과(와) 다릅니다",
        )
    overview = _index(block, "□ 관련 예산사업 개요", doc)
    program_blocks = _blocks(block[overview + 1 :])
    if not program_blocks:
        raise ParseError(
            doc.file,
            block[overview].number,
            f"{title}: 관련 예산사업 개요에 사업명 블록이 없습니다",
        )
    unit_id = make_id(doc.region_code, UNIT_PROJECT, title)
    by_name = {compact(budget.name): budget for budget in budgets[1:]}
    programs = [
        _program(
            lines,
            title,
            unit_id,
            department,
            by_name,
            doc,
            may_be_cut=lines[-1].number == last_line,
        )
        for lines in program_blocks
    ]
    fields = {
        "목적": _items(_segment(block, "○ 목적", ["○ 주요내용"], doc)),
        "주요내용": _items(_segment(block, "○ 주요내용", ["□ 관련 예산사업 내역"], doc)),
        "예산": own.summary,
        "회계구분": own.line.cells[1],
        "세부사업": ", ".join(program.title for program in programs),
        "세부사업 수": _program_count(own, len(programs)),
    }
    unit = _entry(
        doc,
        UNIT_PROJECT,
        title,
        {k: v for k, v in fields.items() if v},
        content,
        department=department.title,
        parent_id=department.id,
        budget=own.amounts,
    )
    return [unit, *programs]


def _program_count(own: _Budget, parsed: int) -> str:
    """The table's own count (비고 of the unit's row), and the overview's when the two differ."""
    stated = own.line.cells[5] if len(own.line.cells) > 5 else ""
    count = to_number(stated)
    if count is None:
        return f"{parsed}개"
    if count == parsed:
        return f"{stated}개"
    return f"{stated}개 (예산사업 내역 표 기준; 예산사업 개요에는 {parsed}개)"


def _unit_budgets(lines: Sequence[Line], doc: DocumentInfo) -> list[_Budget]:
    """Rows of 관련 예산사업 내역 (사업명, 회계구분, '19결산, '20예산, '21예산, 비고); the unit
    first."""
    header = next((line for line in lines if line.cells[0] == "사업명"), None)
    if header is None or len(header.cells) < 5:
        where = lines[0].number if lines else 1
        raise ParseError(
            doc.file, where, "관련 예산사업 내역 표에 머리행(사업명, 회계구분, 연도)이 없습니다"
        )
    columns = header.cells[2:5]
    labels = []
    for column in columns:
        match = _YEAR_COLUMN.fullmatch(column)
        if not match:
            raise ParseError(
                doc.file, header.number, f"예산 열 이름 '{column}'을(를) 읽을 수 없습니다"
            )
        labels.append(f"20{match['yy']}{match['what']}")
    rows = _data_rows([line for line in lines if line is not header], (), 5, doc)
    if not rows:
        raise ParseError(doc.file, header.number, "관련 예산사업 내역 표에 행이 없습니다")
    return [_budget_row(row, columns, labels) for row in rows]


def _budget_row(row: Line, columns: Sequence[str], labels: Sequence[str]) -> _Budget:
    """ "'21예산 82백만원 ('20예산 84, '19결산 49)" and ((2019결산, 49.0), …) from one row."""
    amounts: list[tuple[str, float]] = []
    parts: list[str] = []
    for column, label, cell in zip(columns, labels, row.cells[2:5]):
        number = to_number(cell)
        if number is not None:
            amounts.append((label, number))
            parts.append(f"{column} {cell}")
    if not parts:
        return _Budget(row.cells[0], "", (), row)
    latest, *earlier = reversed(parts)
    summary = f"{latest}{BUDGET_UNIT}" + (f" ({', '.join(earlier)})" if earlier else "")
    return _Budget(row.cells[0], summary, tuple(amounts), row)


def _program(
    lines: Sequence[Line],
    unit_title: str,
    unit_id: str,
    department: Entry,
    budgets: Mapping[str, _Budget],
    doc: DocumentInfo,
    *,
    may_be_cut: bool,
) -> Entry:
    """One 사업명 … 시행주체 block, with its row of the unit's budget table when there is one.

    The source is the block itself: the budget row sits in the unit's table (cited by the unit),
    often a hundred lines up, and a range spanning both would point at other programs.
    """
    values = _program_values(lines, doc, may_be_cut=may_be_cut)
    title = values["사업명"]
    fields = {label: value for label, value in values.items() if label != "사업명" and value}
    budget = budgets.get(compact(title))
    aliases = []
    if budget and budget.summary:
        fields["예산"] = budget.summary
        if budget.name != title:
            aliases.append(budget.name)
    fields["단위사업"] = unit_title
    base = _TRAILING_PARENTHETICAL.sub("", title)
    if base and base != title:
        aliases.append(base)
    return _entry(
        doc,
        PROGRAM,
        title,
        fields,
        lines,
        department=department.title,
        parent_id=unit_id,
        budget=budget.amounts if budget else (),
        aliases=tuple(aliases),
    )


def _program_values(
    lines: Sequence[Line], doc: DocumentInfo, *, may_be_cut: bool
) -> dict[str, str]:
    """The labelled values of a 사업명 block, checked against PROGRAM_LABELS in order."""
    values: dict[str, str] = {}
    for expected, line in zip(PROGRAM_LABELS, lines):
        label, _, value = line.text.partition("\t")
        if label.strip() != expected:
            raise ParseError(
                doc.file,
                line.number,
                f"'{expected}' 줄이 와야 할 자리에 '{line.text.strip()}'이(가) 있습니다",
            )
        values[expected] = _value(value)
    if len(lines) > len(PROGRAM_LABELS):
        raise ParseError(
            doc.file,
            lines[len(PROGRAM_LABELS)].number,
            f"사업명 블록이 '{PROGRAM_LABELS[-1]}' 뒤에 빈 줄 없이 이어집니다",
        )
    if not values["사업명"]:
        raise ParseError(doc.file, lines[0].number, "사업명이 비어 있습니다")
    if len(lines) < PROGRAM_REQUIRED or (len(lines) < len(PROGRAM_LABELS) and not may_be_cut):
        missing = ", ".join(PROGRAM_LABELS[len(lines) :])
        raise ParseError(
            doc.file,
            lines[-1].number,
            f"사업명 '{values['사업명']}' 블록에 {missing} 줄이 없습니다",
        )
    return values


def _value(raw: str) -> str:
    """A cell as plain text, HTML list fragments flattened to one line per item."""
    if _HTML_TAG.search(raw):
        return "\n".join(strip_html(raw))
    return clean(raw)


# --- team inference -------------------------------------------------------------------------


def _with_inferred_teams(entries: Sequence[Entry], teams: Sequence[str]) -> list[Entry]:
    """Set ``team`` (marked inferred) on indicators, 단위사업 and 세부사업 of one 과.

    An entry's own evidence comes first: a 지원조건 that names a team, else TEAM_KEYWORDS in its
    title. A 단위사업 without own evidence takes the team all its 세부사업 agree on; a 세부사업
    without own evidence takes its 단위사업's team.
    """
    own = {entry.id: _own_team(entry, teams) for entry in entries}
    unit_teams: dict[str, str | None] = {}
    for unit in (entry for entry in entries if entry.kind == UNIT_PROJECT):
        children = {own[e.id] for e in entries if e.parent_id == unit.id and own[e.id]}
        unit_teams[unit.id] = own[unit.id] or (children.pop() if len(children) == 1 else None)
    tagged = []
    for entry in entries:
        team = unit_teams.get(entry.id) or own[entry.id] or unit_teams.get(entry.parent_id or "")
        tagged.append(_with_team(entry, team))
    return tagged


def _own_team(entry: Entry, teams: Sequence[str]) -> str | None:
    condition = entry.fields.get("지원조건", "")
    if condition in teams:
        return condition
    for team, keywords in TEAM_KEYWORDS:
        if team in teams and any(keyword in entry.title for keyword in keywords):
            return team
    return None


def _with_team(entry: Entry, team: str | None) -> Entry:
    if team is None:
        return entry
    return replace(
        entry,
        team=team,
        inferred=(*entry.inferred, "team"),
        body=f"{entry.body}\n담당팀(추정): {team}",
    )


# --- shared helpers -------------------------------------------------------------------------


def _entry(
    doc: DocumentInfo,
    kind: str,
    title: str,
    fields: Mapping[str, str],
    read: Iterable[Line],
    *,
    key: str | None = None,
    **extra,
) -> Entry:
    """An Entry whose source spans the ``read`` lines and whose body lists its fields."""
    numbers = [line.number for line in read]
    body = "\n".join([f"{TITLE_LABELS[kind]}: {title}", *(f"{k}: {v}" for k, v in fields.items())])
    return Entry(
        id=make_id(doc.region_code, kind, key or title),
        kind=kind,
        region=doc.region,
        title=title,
        source=doc.source(min(numbers), max(numbers)),
        body=body,
        fields=fields,
        **extra,
    )


def _unambiguous_aliases(entries: Sequence[Entry]) -> list[Entry]:
    """Drop aliases that are another entry's title or alias — they would answer with the wrong
    entry."""
    owners: dict[str, set[str]] = {}
    for entry in entries:
        for name in (entry.title, *entry.aliases):
            owners.setdefault(compact(name), set()).add(entry.id)
    return [
        replace(entry, aliases=tuple(a for a in entry.aliases if owners[compact(a)] == {entry.id}))
        if entry.aliases
        else entry
        for entry in entries
    ]


def _content(lines: Sequence[Line]) -> list[Line]:
    return [line for line in lines if line.key]


def _index(lines: Sequence[Line], marker: str, doc: DocumentInfo) -> int:
    """Position of the line reading ``marker`` (spacing ignored); ParseError when it is missing."""
    key = compact(marker)
    for i, line in enumerate(lines):
        if line.key == key:
            return i
    raise ParseError(doc.file, lines[0].number if lines else 1, f"'{marker}' 줄이 없습니다")


def _segment(
    lines: Sequence[Line], start: str, stops: Sequence[str], doc: DocumentInfo
) -> list[Line]:
    """Non-blank lines after the ``start`` marker, up to the first ``stops`` marker or the end."""
    stop_keys = {compact(stop) for stop in stops}
    segment = []
    for line in lines[_index(lines, start, doc) + 1 :]:
        if line.key in stop_keys:
            break
        if line.key:
            segment.append(line)
    return segment


def _blocks(lines: Sequence[Line]) -> list[list[Line]]:
    """Runs of non-blank lines separated by blank lines."""
    blocks: list[list[Line]] = [[]]
    for line in lines:
        if line.key:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _items(lines: Sequence[Line]) -> str:
    """List lines as text, one per line: top-level "- " bullets dropped (numbers kept), indented
    sub-items kept as "- …" so they still read as belonging to the item above."""
    return "\n".join(
        line.text.strip() if line.text[:1].isspace() else _BULLET.sub("", line.text.strip())
        for line in lines
    )
