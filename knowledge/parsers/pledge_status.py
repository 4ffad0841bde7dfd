"""Parser for a 나주시 공약 추진상황 sheet (source 004): one pledge per document.

The sheet opens with a "## 6-3-3 <공약명>" heading and a status table whose choices (사업주체,
신규여부, 추진상황 …) are marked with ○ under their column headers; the marks are matched to
the headers by tab position. Then come □ and < > sections: bullet lists, and three small tables
(연차별 추진일정, 연도별 투자 계획, 공약달성 확인지표) that are rewritten as readable lines,
because a citizen asking "얼마나 진행됐나요" needs sentences, not tab positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.model import PLEDGE, DocumentInfo, Entry, ParseError, make_id
from knowledge.parsers import read_words
from knowledge.parsers.text import Line, clean, compact, entry_body, to_number

MARKS = frozenset("○◯●")
STATUS_GROUP_LABEL = "사업주체"  # a cell of the first status header row
PROGRESS_LABEL = "추진상황"
RATE_LABEL = "이행률"
AIM_LABEL = "정책목표"
BUDGET_UNIT = "백만원"  # Entry.budget is in 백만원
TOTAL_LABEL = "총계"
SOURCE_LABEL = "재원"
SPENT_LABEL = "집행액"  # a row of the investment table, not a source of money
NOTE_LABEL = "비고"
CUMULATIVE = "누적"
PRIOR_INVESTMENT = "기투자"
LATER_INVESTMENT = "입기후"
# Short names a citizen may use, kept only if the document uses them (curated).
ALIAS_CANDIDATES = read_words("pledge_aliases.yaml")
SECTION_KEYS = {"현황및정책개요": "현황", "연도별투자계획": "투자계획"}  # others keep their name
# Every section of the 공약 추진상황 sheet layout. A file missing one was cut short (a
# half-written copy) and must not load as a shorter, silently incomplete pledge.
REQUIRED_FIELDS = (
    "현황",
    "추진계획",
    "연차별 추진일정",
    "투자계획",
    "추진실적",
    "공약달성 확인지표",
    "기대효과",
)
SCHEDULE_SECTION = "연차별추진일정"
INVESTMENT_SECTION = "연도별투자계획"
INDICATOR_SECTION = "공약달성확인지표"
MISSING_VALUES = frozenset({"", "-"})

_HEADING = re.compile(r"##\s+(?P<number>\d+(?:-\d+)+)\s+(?P<title>\S.*)")
_SECTION = re.compile(r"(?:#+\s*)?□\s*(?P<square>\S.*)|<\s*(?P<angle>[^<>]*\S)\s*>")
_NAME_WITH_PERIOD = re.compile(r"(?P<name>[^()]+?)\s*\((?P<period>[^()]*)\)")
_AIM = re.compile(r"❖\s*" + AIM_LABEL + r"\s*[:：]\s*(?P<aim>\S.*)")
_LABEL_WITH_UNIT = re.compile(r"(?P<label>.+?)\s*\((?P<unit>[^()]*)\)")
_UNIT_LINE = re.compile(r"\(\s*단위\s*:\s*(?P<unit>[^()]*?)\s*\)")
_RATE = re.compile(r"\d+(?:\.\d+)?%")
_YEAR = re.compile(r"\d{4}")


@dataclass
class _Section:
    """A □ or < > section: its heading text and the non-blank lines under it."""

    name: str
    line: int
    lines: list[Line] = field(default_factory=list)


def parse(text: str, doc: DocumentInfo) -> list[Entry]:
    """The one PLEDGE entry of the sheet; ParseError without the heading or the 이행률."""
    lines = [Line(number, line.rstrip("\r")) for number, line in enumerate(text.split("\n"), 1)]
    content = [line for line in lines if line.text.strip() or line.is_row]  # tab-only rows count
    if not content:
        raise ParseError(doc.file, 1, "빈 문서입니다")
    heading_index, number, title = _heading(content, doc)
    preamble, sections = _split_sections(content[heading_index + 1 :])
    fields: dict[str, str] = {"관리번호": number}
    fields.update(_choice_fields(preamble, doc))
    fields.update(_progress_fields(preamble, content[heading_index].number, doc))
    fields.update(_aim_field(preamble))
    budget: Budget = ()
    for section in sections:
        key, value, section_budget = _section_field(section, doc)
        if key in fields:
            raise ParseError(doc.file, section.line, f"'{key}' 항목이 두 번 나옵니다")
        fields[key] = value
        budget = budget or section_budget
    missing = [name for name in REQUIRED_FIELDS if name not in fields]
    if missing:
        raise ParseError(
            doc.file,
            content[-1].number,
            f"문서가 중간에 끊겼습니다: {', '.join(missing)} 항목이 없습니다",
        )
    return [
        Entry(
            id=make_id(doc.region_code, PLEDGE, number),
            kind=PLEDGE,
            region=doc.region,
            title=title,
            source=doc.source(content[heading_index].number, content[-1].number),
            body=entry_body(fields, title=title),
            aliases=_aliases(title, text),
            fields=fields,
            budget=budget,
        )
    ]


def _heading(content: list[Line], doc: DocumentInfo) -> tuple[int, str, str]:
    """Index, 관리번호 and title of the '## 6-3-3 <공약명>' heading."""
    for index, line in enumerate(content):
        if match := _HEADING.fullmatch(line.text.strip()):
            return index, match.group("number"), clean(match.group("title"))
    raise ParseError(doc.file, content[0].number, "'## <관리번호> <공약명>' 제목이 없습니다")


def _section_name(line: Line) -> str | None:
    """'### □ 추진계획' / '□ **추진실적(…)**' / '< 연차별 추진일정 >' → the name; None
    otherwise."""
    match = _SECTION.fullmatch(line.text.strip())
    if not match:
        return None
    return clean((match.group("square") or match.group("angle")).replace("**", ""))


def _split_sections(lines: list[Line]) -> tuple[list[Line], list[_Section]]:
    """Lines before the first section (the status table), and the sections in order."""
    preamble: list[Line] = []
    sections: list[_Section] = []
    for line in lines:
        if (name := _section_name(line)) is not None:
            sections.append(_Section(name, line.number))
        elif sections:
            sections[-1].lines.append(line)
        else:
            preamble.append(line)
    return preamble, sections


def _owner(cells: list[str], column: int) -> tuple[int, str] | None:
    """The header cell a column falls under: the nearest non-empty cell at or left of it."""
    for index in range(min(column, len(cells) - 1), -1, -1):
        if cells[index]:
            return index, cells[index]
    return None


def _rows_after(lines: list[Line], index: int, count: int, doc: DocumentInfo) -> list[Line]:
    """The ``count`` table rows right after ``lines[index]``; ParseError if any is missing."""
    rows = lines[index + 1 : index + 1 + count]
    if len(rows) < count or not all(row.is_row for row in rows):
        raise ParseError(doc.file, lines[index].number, "상황표의 행이 모자랍니다")
    return rows


def _choice_fields(preamble: list[Line], doc: DocumentInfo) -> dict[str, str]:
    """완료시기, 사업주체, 신규여부, 예산구분, 소요예산 from the group / choice / mark rows."""
    index = next(
        (
            i
            for i, line in enumerate(preamble)
            if line.is_row and STATUS_GROUP_LABEL in map(compact, line.cells)
        ),
        None,
    )
    if index is None:
        return {}
    choice_row, mark_row = _rows_after(preamble, index, 2, doc)
    if _is_progress_row(choice_row) or _is_progress_row(mark_row):
        raise ParseError(doc.file, preamble[index].number, "상황표의 선택 행이나 ○ 행이 없습니다")
    groups, choices = preamble[index].cells, choice_row.cells
    picked: dict[str, list[str]] = {}
    for column, mark in enumerate(mark_row.cells):
        if not mark:
            continue
        group = _owner(groups, column)
        if group is None:
            raise ParseError(
                doc.file, mark_row.number, f"{column + 1}번째 칸의 {mark!r}에 머리칸이 없습니다"
            )
        label, unit = _split_unit(group[1])
        if mark in MARKS:
            choice = _owner(choices, column)
            if choice is None or choice[0] < group[0]:
                raise ParseError(
                    doc.file, mark_row.number, f"{label}의 ○에 해당하는 항목이 없습니다"
                )
            picked.setdefault(label, []).append(choice[1])
        else:
            picked.setdefault(label, []).append(mark + unit)
    return {label: ", ".join(values) for label, values in picked.items()}


def _split_unit(label: str) -> tuple[str, str]:
    """'소요예산 (백만원)' → ('소요예산', '백만원'); a label without unit → (label, '')."""
    match = _LABEL_WITH_UNIT.fullmatch(label)
    return (match.group("label"), match.group("unit").strip()) if match else (label, "")


def _progress_fields(preamble: list[Line], heading_line: int, doc: DocumentInfo) -> dict[str, str]:
    """추진상황 (the ○-marked choice of its row) and 이행률 (the value after its label)."""
    index = next((i for i, line in enumerate(preamble) if _is_progress_row(line)), None)
    if index is None:
        raise ParseError(doc.file, heading_line, f"{PROGRESS_LABEL}·{RATE_LABEL} 행이 없습니다")
    row = preamble[index]
    cells = row.cells
    rate_column = next(
        (i for i, cell in enumerate(cells) if compact(cell) == RATE_LABEL), len(cells)
    )
    rate = next((cell for cell in cells[rate_column + 1 :] if cell), "")
    if not _RATE.fullmatch(rate):
        raise ParseError(doc.file, row.number, f"{RATE_LABEL}을 찾을 수 없습니다")
    (mark_row,) = _rows_after(preamble, index, 1, doc)
    statuses = []
    for column, mark in enumerate(mark_row.cells):
        if mark not in MARKS:
            continue
        choice = _owner(cells[:rate_column], column)
        if choice is None or choice[0] == 0:
            raise ParseError(
                doc.file, mark_row.number, f"{PROGRESS_LABEL}의 ○에 해당하는 항목이 없습니다"
            )
        statuses.append(choice[1])
    if not statuses:
        raise ParseError(doc.file, mark_row.number, f"{PROGRESS_LABEL}에 ○ 표시가 없습니다")
    return {PROGRESS_LABEL: ", ".join(statuses), RATE_LABEL: rate}


def _is_progress_row(line: Line) -> bool:
    """True for the '추진상황 | 완료 종결 | … | 이행률 | 31.05%' row."""
    return line.is_row and compact(line.cells[0]) == PROGRESS_LABEL


def _aim_field(preamble: list[Line]) -> dict[str, str]:
    """The '❖ 정책목표: …' line, if any."""
    for line in preamble:
        if match := _AIM.fullmatch(line.text.strip()):
            return {AIM_LABEL: clean(match.group("aim"))}
    return {}


Budget = tuple[tuple[str, float], ...]


def _section_field(section: _Section, doc: DocumentInfo) -> tuple[str, str, Budget]:
    """Field label, readable text and (for the investment table) the budget of one section."""
    match = _NAME_WITH_PERIOD.fullmatch(section.name)
    name, period = (match.group("name"), match.group("period")) if match else (section.name, "")
    key = compact(name)
    label = SECTION_KEYS.get(key, clean(name))
    prefix = [f"({period})"] if period else []
    if key == SCHEDULE_SECTION:
        return label, "\n".join(prefix + _schedule_lines(section, doc)), ()
    if key == INVESTMENT_SECTION:
        lines, budget = _investment(section, doc)
        return label, "\n".join(prefix + lines), budget
    if key == INDICATOR_SECTION:
        return label, "\n".join(prefix + _indicator_lines(section, doc)), ()
    bullets = [line.text.rstrip() for line in section.lines if line.text.strip()]
    return label, "\n".join(prefix + bullets), ()


def _table(
    section: _Section, doc: DocumentInfo, header_rows: int
) -> tuple[list[list[str]], list[Line]]:
    """Header rows (as cells) and data rows of the one table in a section."""
    rows = [line for line in section.lines if line.is_row and any(line.cells)]
    if len(rows) <= header_rows:
        raise ParseError(doc.file, section.line, f"'{section.name}' 표가 없거나 비어 있습니다")
    return [row.cells for row in rows[:header_rows]], rows[header_rows:]


def _notes(section: _Section) -> list[str]:
    """Lines of a table section that are not table rows (e.g. '2024. 5. 31. 기준')."""
    return [
        clean(line.text)
        for line in section.lines
        if line.text.strip() and not line.is_row and not _UNIT_LINE.fullmatch(line.text.strip())
    ]


def _schedule_lines(section: _Section, doc: DocumentInfo) -> list[str]:
    """'교류활동 횟수(회): 2023년 1~2분기 4, …, 2026년 1~2분기 26 (누적 26)' per row."""
    (years, quarters), rows = _table(section, doc, header_rows=2)
    lines = _notes(section)
    for row in rows:
        cells = row.cells
        steps, notes = [], []
        for column, value in enumerate(cells[1:], start=1):
            owner = _owner(years, column)
            if value in MISSING_VALUES or owner is None:
                continue
            if owner[1].startswith(NOTE_LABEL):
                notes.append(value)
                continue
            steps.append((_quarters(years, quarters, cells, column, owner), value))
        text = f"{cells[0]}: " + ", ".join(f"{period} {value}" for period, value in steps)
        if steps and any(CUMULATIVE in cell for cell in years):
            text += f" ({CUMULATIVE} {steps[-1][1]})"
        lines.append(text + "".join(f" ({NOTE_LABEL}: {note})" for note in notes))
    return lines


def _quarters(
    years: list[str], quarters: list[str], cells: list[str], column: int, owner: tuple[int, str]
) -> str:
    """'2023년 1~2분기' for a value whose blank neighbours to the right in the same year show a
    merged cell (the export keeps a merged cell's value in its first column only)."""
    quarter = quarters[column] if column < len(quarters) else ""
    if not quarter.isdigit():
        return owner[1]
    last = column
    while (
        last + 1 < len(quarters)
        and quarters[last + 1].isdigit()
        and _owner(years, last + 1) == owner
        and (cells[last + 1] if last + 1 < len(cells) else "") in MISSING_VALUES
    ):
        last += 1
    span = quarter if last == column else f"{quarter}~{quarters[last]}"
    return f"{owner[1]} {span}분기"


def _investment(section: _Section, doc: DocumentInfo) -> tuple[list[str], Budget]:
    """'총 40백만원 = 시비 40백만원 (2023~2026년 매년 10백만원)' and the budget tuple."""
    unit = next(
        (
            m.group("unit")
            for line in section.lines
            if (m := _UNIT_LINE.fullmatch(line.text.strip()))
        ),
        None,
    )
    if unit != BUDGET_UNIT:
        raise ParseError(
            doc.file, section.line, f"투자 계획의 단위가 {BUDGET_UNIT}이 아닙니다: {unit}"
        )
    (top, sub), rows = _table(section, doc, header_rows=2)
    keys = [compact(cell) for cell in top]
    if SOURCE_LABEL not in keys:
        raise ParseError(doc.file, section.line, f"투자 계획에 {SOURCE_LABEL} 열이 없습니다")
    source_column = keys.index(SOURCE_LABEL)
    labels = _amount_columns(top, sub, source_column)
    table = {
        compact(row.cells[source_column]): _row_amounts(row, labels, doc)
        for row in rows
        if len(row.cells) > source_column
    }
    total = table.get(TOTAL_LABEL, {}).get(TOTAL_LABEL)
    if total is None:
        raise ParseError(doc.file, section.line, f"투자 계획에 {TOTAL_LABEL}이 없습니다")
    sources = {
        name: amounts
        for name, amounts in table.items()
        if name not in (TOTAL_LABEL, SPENT_LABEL) and amounts.get(TOTAL_LABEL)
    }
    parts = [
        f"{name} {_amount(amounts[TOTAL_LABEL])}{unit}{_yearly(amounts, unit)}"
        for name, amounts in sources.items()
    ]
    lines = [f"총 {_amount(total)}{unit}" + (" = " + " + ".join(parts) if parts else "")]
    lines += [
        f"{label} {_amount(value)}{unit}"
        for label, value in table[TOTAL_LABEL].items()
        if value and (label == PRIOR_INVESTMENT or label.startswith(LATER_INVESTMENT))
    ]
    if SPENT_LABEL in table:
        lines.append(f"{SPENT_LABEL} {_amount(table[SPENT_LABEL].get(TOTAL_LABEL, 0.0))}{unit}")
    budget = (
        (TOTAL_LABEL, total),
        *((name, amounts[TOTAL_LABEL]) for name, amounts in sources.items()),
    )
    return lines, budget


def _amount_columns(top: list[str], sub: list[str], source_column: int) -> dict[int, str]:
    """Label of every amount column: its year or sub-header ('2023', '소계'), else its top
    header."""
    labels = {}
    for column in range(source_column + 1, max(len(top), len(sub))):
        owner = _owner(top, column)
        label = compact(sub[column]) if column < len(sub) else ""
        labels[column] = label or (compact(owner[1]) if owner else "")
    return labels


def _row_amounts(row: Line, labels: dict[int, str], doc: DocumentInfo) -> dict[str, float]:
    """The amounts of one investment row by column label; ParseError on a cell that is no
    number."""
    amounts = {}
    for column, label in labels.items():
        cell = row.cells[column] if column < len(row.cells) else ""
        if not cell:
            continue
        value = to_number(cell)
        if value is None:
            raise ParseError(doc.file, row.number, f"투자 계획의 금액 {cell!r}을 읽을 수 없습니다")
        amounts[label] = value
    return amounts


def _yearly(amounts: dict[str, float], unit: str) -> str:
    """' (2023~2026년 매년 10백만원)' for equal consecutive years,
    else ' (2023년 5…, 2024년 …)'."""
    spent = {
        int(label): value for label, value in amounts.items() if value and _YEAR.fullmatch(label)
    }
    if not spent:
        return ""
    years = sorted(spent)
    values = set(spent.values())
    if len(years) > 1 and len(values) == 1 and years == list(range(years[0], years[-1] + 1)):
        return f" ({years[0]}~{years[-1]}년 매년 {_amount(values.pop())}{unit})"
    return " (" + ", ".join(f"{year}년 {_amount(spent[year])}{unit}" for year in years) + ")"


def _amount(value: float) -> str:
    """40.0 → '40', 12.5 → '12.5'."""
    return f"{value:g}"


def _indicator_lines(section: _Section, doc: DocumentInfo) -> list[str]:
    """Each indicator with its 목표/이행 by year and 이행률, then the pledge's overall rate."""
    (header,), rows = _table(section, doc, header_rows=1)
    keys = [compact(cell) for cell in header]
    kind_column = keys.index("구분") if "구분" in keys else None
    rate_column = next((i for i, key in enumerate(keys) if key.startswith(RATE_LABEL)), None)
    if kind_column is None or rate_column is None:
        raise ParseError(doc.file, section.line, f"확인지표 표에 구분·{RATE_LABEL} 열이 없습니다")
    unit_column = keys.index("단위") if "단위" in keys else None
    rate_unit = _split_unit(header[rate_column])[1]
    lines = _notes(section)
    rate_line: list[str] = []  # an indicator's 이행률, written after its 목표 and 이행 rows
    for row in rows:
        cells = row.cells + [""] * (len(header) - len(row.cells))
        rate = cells[rate_column]
        if cells[0]:
            lines += rate_line
            rate_line = []
        if cells[0] and not cells[kind_column]:
            lines.append(f"{cells[0]}: {rate}{rate_unit}")
            continue
        if cells[0]:
            unit = cells[unit_column] if unit_column is not None else ""
            lines.append(f"{cells[0]} (단위: {unit})" if unit else cells[0])
        values = [
            f"{_period(header[c])} {cells[c]}"
            for c in range(kind_column + 1, rate_column)
            if cells[c] not in MISSING_VALUES
        ]
        if values:
            lines.append(f"- {cells[kind_column]}: " + ", ".join(values))
        if rate not in MISSING_VALUES:
            rate_line = [f"- {RATE_LABEL}: {rate}{rate_unit}"]
    return lines + rate_line


def _period(label: str) -> str:
    """'2023' → '2023년:'; a label such as '2026. 6.' → '2026. 6.:'."""
    return f"{label}년:" if _YEAR.fullmatch(label) else f"{label}:"


def _aliases(title: str, text: str) -> tuple[str, ...]:
    """Short names a citizen may use, kept only when the document itself uses them."""
    words = compact(text)
    return tuple(alias for alias in ALIAS_CANDIDATES if compact(alias) in words and alias != title)
