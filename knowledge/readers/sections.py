"""The generic sectioning step: any reader's blocks → entries.

A reader says what it saw — headings with their level, paragraphs, list items with their
depth, tables with or without a header row — and where (line or page). This step turns them
into SECTION entries: the title comes from the heading path, "label : value" lines and
two-column tables become labelled fields (대상, 지원내용, 신청방법, 구비서류, 수수료, 문의 …),
a table row with a 전화번호/연락처 column becomes a department with its phone number, and a phone
number written next to a department name becomes the section's contact.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from knowledge.model import DEPARTMENT, SECTION, DocumentInfo, Entry, Source, make_id

HEADING, PARAGRAPH, ITEM, TABLE = "heading", "paragraph", "item", "table"

# Labels that make a "label : value" line or a two-column table row a field, whatever its
# length; other labels count when they are short (MAX_LABEL_CHARS) — "운영시간 : 09:00" is a
# field, "이 사업은 다음과 같습니다: …" is a sentence.
FIELD_LABELS = frozenset(
    """
대상 지원대상 신청대상 자격 지원자격 지원내용 내용 지원금액 금액 신청방법 신청기간 접수기간 기간
신청장소 접수처 구비서류 제출서류 필요서류 수수료 처리기간
문의 문의처 연락처 전화 전화번호 담당 담당부서 부서 위치 주소 장소 운영시간 시간 근거 근거법령
선정방법 절차 처리절차 유의사항 비고 목적 사업기간 예산
시행주체 발급 발급기관
""".split()
)
MAX_LABEL_CHARS = 8
# A heading this short or one of the field labels ("구비서류") is read under its parent:
# "여권 발급 구비서류", not "구비서류".
GENERIC_TITLE_CHARS = 2
PHONE = re.compile(r"(?<!\d)(0\d{1,2}[-)\s.]\d{3,4}[-\s.]\d{4}|1\d{3}-\d{4}|\d{3}-\d{4})(?!\d)")
# A department or team name right before a phone number: "민원봉사과 063-222-1234",
# "여권민원팀(☎ 032-440-2471)".
DEPARTMENT_NAME = re.compile(
    r"([가-힣A-Za-z0-9]{1,15}(?:과|팀|실|센터|담당관|사업소|민원실|주민센터|행정복지센터|본부))"
    r"\s*[(:：]?\s*(?:☎|전화|tel\.?|TEL\.?)?\s*[:：]?\s*$"
)
PHONE_HEADERS = ("전화번호", "연락처", "전화", "대표전화")
# A headed table of at least ROW_ENTRY_MIN_ROWS rows whose header names a column of names
# (공약사업명, 사업명, 위원회명 …) is a list of things: each row becomes an entry of its own,
# titled by that cell, with the other columns as fields.
ROW_ENTRY_MIN_ROWS = 3
NAME_COLUMN_FILLED = 2 / 3  # share of rows naming something (sub-header rows leave it empty)
NAME_COLUMN_WORDS = (
    "명",
    "사업",
    "과제",
    "공약",
    "제목",
    "항목",
    "단체",
    "위원회",
    "시설",
    "프로그램",
)
HEADING_MARKS = "#□■○◦●◎❖◆◇▶▷※·•-– "
NAME_HEADERS = (
    "부서",
    "부서명",
    "담당부서",
    "기관",
    "기관명",
    "팀",
    "팀명",
    "담당",
    "시설명",
    "명칭",
)
_LABEL_LINE = re.compile(r"^\s*[□○◦•·\-*※]?\s*([^:：]{1,20}?)\s*[:：]\s*(\S.*)$")


class ReadError(Exception):
    """A file cannot be read: ``reason`` is one Korean sentence for the admin."""

    def __init__(self, reason: str, line: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class Block:
    """One thing a reader saw, in reading order, with where it was (line or page numbers)."""

    kind: str
    text: str = ""
    level: int = 1  # heading level (1 = top) or list depth (1 = outermost)
    rows: tuple[tuple[str, ...], ...] = ()
    header: bool | None = None  # a table's first row is its header: True, False, None = guess
    line: int = 1
    line_end: int | None = None
    row_lines: tuple[int, ...] = ()  # each table row's line, when the reader knows it


@dataclass
class Reading:
    """What a reader made of one file: entries and warnings for the admin (in Korean)."""

    entries: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Section:
    path: tuple[str, ...]
    line: int
    line_end: int
    body: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    department: str | None = None


def build_entries(blocks: Iterable[Block], doc: DocumentInfo, *, unit: str = "행") -> Reading:
    """Entries from blocks: one SECTION per headed part, departments from contact tables.

    Text before the first heading — or a whole page without headings — becomes one section
    titled by the document's title, so nothing a file says is dropped.
    """
    reading = Reading()
    sections: list[_Section] = []
    path: list[tuple[int, str]] = []
    current = _Section((), 1, 1)
    tables = headerless = 0
    for block in blocks:
        end = block.line_end or block.line
        if block.kind == HEADING:
            sections.append(current)
            while path and path[-1][0] >= block.level:
                path.pop()
            path.append((block.level, block.text.strip(HEADING_MARKS) or block.text.strip()))
            current = _Section(tuple(title for _, title in path), block.line, end)
            continue
        current.line_end = max(current.line_end, end)
        if current.line == 1 and not current.body and not current.path:
            current.line = block.line
        if block.kind == TABLE:
            tables += 1
            headerless += not _read_table(block, current, reading, doc, unit, sections)
        elif block.kind == ITEM:
            _read_line(current, block.text, "  " * (block.level - 1) + "- ")
        else:
            for line in block.text.splitlines():
                _read_line(current, line, "")
    sections.append(current)
    if headerless:
        reading.warnings.append(
            f"표 {tables}개 중 {headerless}개는 머리글이 없어 본문으로 읽었습니다"
        )
    titles: Counter = Counter()
    for section in sections:
        if not section.path:  # the document's own title is not a section of it
            section.body = [line for line in section.body if line.strip() != doc.document]
    kept = [s for s in sections if s.body or s.fields]
    # A heading used by several sections (처리계획, 사업개요) names a part of its parent.
    repeated = {t for t, n in Counter(s.path[-1] for s in kept if s.path).items() if n > 1}
    for section in kept:
        title = _title(section.path, doc.document, repeated)
        titles[title] += 1
        key = f"{doc.file}#{title}" + (f"#{titles[title]}" if titles[title] > 1 else "")
        aliases = (" ".join(section.path),) if len(section.path) > 1 else ()
        reading.entries.append(
            Entry(
                id=make_id(doc.region_code, SECTION, key),
                kind=SECTION,
                region=doc.region,
                title=title,
                source=_source(doc, section.line, section.line_end, unit),
                body="\n".join(section.body),
                aliases=aliases,
                fields=section.fields,
                department=section.department,
            )
        )
    if not reading.entries:
        reading.warnings.append("읽을 수 있는 글이 없습니다(스캔한 그림 파일이거나 빈 문서입니다)")
    return reading


def department_entry(
    doc: DocumentInfo,
    name: str,
    line: int,
    fields: dict[str, str],
    *,
    unit: str = "행",
    kind: str = DEPARTMENT,
    parent: str | None = None,
) -> Entry:
    """A department (or team) entry with its contact fields, as contact directories give it."""
    key = f"{parent} {name}" if parent else name
    body = "\n".join(f"{label}: {value}" for label, value in fields.items() if value)
    return Entry(
        id=make_id(doc.region_code, kind, key),
        kind=kind,
        region=doc.region,
        title=name,
        source=_source(doc, line, line, unit),
        body=body,
        fields={k: v for k, v in fields.items() if v},
        department=parent or name,
        team=name if parent else None,
    )


def guess_header(rows: Sequence[Sequence[str]]) -> bool:
    """Whether a table's first row reads as column names: its first cell and at least half of
    the others filled (merged header cells leave gaps), each short, without digits, distinct,
    and the rows below hold something else."""
    if len(rows) < 2:
        return False
    first = [cell.strip() for cell in rows[0]]
    named = [c for c in first if c]
    return (
        len(first) >= 2
        and bool(first[0])
        and len(named) >= max(2, len(first) / 2)
        and all(len(c) <= 12 and not any(ch.isdigit() for ch in c) for c in named)
        and len(set(named)) == len(named)
        and list(rows[1]) != list(rows[0])
    )


def _read_table(
    block: Block,
    section: _Section,
    reading: Reading,
    doc: DocumentInfo,
    unit: str,
    sections: list[_Section],
) -> bool:
    """Adds a table to the section (or its rows as sections of their own, see
    ROW_ENTRY_MIN_ROWS); False when it had to be read as plain text (no header)."""
    rows = [
        tuple(cell.strip() for cell in row) for row in block.rows if any(c.strip() for c in row)
    ]
    if not rows:
        return True
    width = max(map(len, rows))
    if width == 2 and all(_is_label(row[0]) for row in rows if len(row) == 2 and row[0]):
        for row in rows:
            if len(row) == 2 and row[0] and row[1]:
                _add_field(section, row[0], row[1])
        return True
    header = block.header if block.header is not None else guess_header(rows)
    if not header:
        section.body.extend(" | ".join(c for c in row if c) for row in rows)
        return False
    names = rows[0]
    phone_col = next((i for i, n in enumerate(names) if _compact(n) in PHONE_HEADERS), None)
    name_col = next((i for i, n in enumerate(names) if _compact(n) in NAME_HEADERS), None)
    listed = _name_column(names, rows[1:]) if phone_col is None else None
    if listed is not None:
        lines = block.row_lines or (block.line,) * len(block.rows)
        line_of = {
            row: lines[min(i, len(lines) - 1)]
            for i, row in enumerate(tuple(c.strip() for c in r) for r in block.rows)
        }
        for row in rows[1:]:
            if len(row) <= listed or not row[listed]:
                continue
            line = line_of.get(row, block.line)
            sections.append(
                _Section(
                    (*section.path, row[listed]),
                    line,
                    line,
                    fields={
                        names[i]: cell
                        for i, cell in enumerate(row)
                        if i < len(names) and i != listed and cell and names[i]
                    },
                )
            )
        return True
    for row in rows[1:]:
        pairs = [(names[i], cell) for i, cell in enumerate(row) if i < len(names) and cell]
        section.body.append(
            " · ".join(f"{label}: {cell}" if label else cell for label, cell in pairs)
        )
        if (
            phone_col is not None
            and name_col is not None
            and len(row) > max(phone_col, name_col)
            and row[name_col]
            and PHONE.search(row[phone_col])
        ):
            fields = {
                names[i]: cell
                for i, cell in enumerate(row)
                if i < len(names) and i not in (name_col, phone_col) and cell
            }
            fields["전화"] = PHONE.search(row[phone_col]).group(0)
            reading.entries.append(
                department_entry(doc, row[name_col], block.line, fields, unit=unit)
            )
    return True


def _name_column(names: Sequence[str], rows: Sequence[Sequence[str]]) -> int | None:
    """The column of a list table that names each row: its header holds a name word and its
    cells are distinct words, not numbers."""
    if len(rows) < ROW_ENTRY_MIN_ROWS:
        return None
    for index, name in enumerate(names):
        cells = [row[index] for row in rows if len(row) > index and row[index]]
        if (
            any(w in _compact(name) for w in NAME_COLUMN_WORDS)
            and len(cells) >= len(rows) * NAME_COLUMN_FILLED
            and len(set(cells)) == len(cells)
            and not all(_is_number(c) for c in cells)
        ):
            return index
    return None


def _is_number(text: str) -> bool:
    return all(ch.isdigit() or ch in ",.-% " for ch in text)


def _read_line(section: _Section, raw: str, prefix: str) -> None:
    line = raw.strip()
    if not line:
        return
    label = _LABEL_LINE.match(line)
    if label and _is_label(label.group(1)) and not prefix.strip(" -"):
        _add_field(section, label.group(1), label.group(2))
    else:
        section.body.append(prefix + line)
    _find_contact(section, line)


def _add_field(section: _Section, label: str, value: str) -> None:
    label = _compact(label.strip("□○◦•·-*※ "))
    section.fields[label] = (
        f"{section.fields[label]}\n{value}" if label in section.fields else value
    )
    _find_contact(section, value)


def _find_contact(section: _Section, text: str) -> None:
    """A phone number right after a department name makes that department the contact."""
    for match in PHONE.finditer(text):
        name = DEPARTMENT_NAME.search(text[: match.start()])
        if name and not section.department:
            section.department = name.group(1)
        section.fields.setdefault("문의", text.strip(" -·○□"))


def _is_label(text: str) -> bool:
    label = _compact(text.strip("□○◦•·-*※ "))
    if not label or label[0] in "([<【":  # "(단위: 백만원)" is a note, not a field
        return False
    return label in FIELD_LABELS or (
        len(label) <= MAX_LABEL_CHARS and not any(ch.isdigit() for ch in label)
    )


def _title(
    path: Sequence[str], document: str, repeated: frozenset[str] | set[str] = frozenset()
) -> str:
    if not path:
        return document
    title = path[-1]
    if len(path) > 1 and (
        _compact(title) in FIELD_LABELS
        or title in repeated
        or len(_compact(title)) <= GENERIC_TITLE_CHARS
    ):
        return f"{path[-2]} {title}"
    return title


def _source(doc: DocumentInfo, line: int, line_end: int, unit: str) -> Source:
    return Source(doc.file, line, max(line, line_end), doc.document, doc.year, unit)


def _compact(text: str) -> str:
    return "".join(text.split())
