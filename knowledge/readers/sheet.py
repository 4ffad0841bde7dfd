"""Sheets (XLSX via openpyxl, CSV): an FAQ sheet or a contact directory, told apart and read by
their column names (the first non-empty row).

- FAQ sheet: 질문, 답변 (+ 키워드, 부서, 지역) → one FAQ entry per row.
- Contact directory: 부서, 전화 (+ 팀, 담당업무, 위치) → department and team entries carrying
  the phone numbers that answers show under everything those departments own.
A sheet with neither gets one Korean sentence naming the column it lacks.
"""

from __future__ import annotations

import csv
import io
import zipfile

from knowledge.model import FAQ, TEAM, DocumentInfo, Entry, Source, make_id
from knowledge.readers.sections import ReadError, Reading, department_entry
from knowledge.readers.text import decode

# Each column → the header spellings that name it (spaces ignored).
COLUMNS = {
    "질문": ("질문", "질의", "문의내용", "q"),
    "답변": ("답변", "답", "회신", "a"),
    "키워드": ("키워드", "검색어", "별칭"),
    "부서": ("부서", "부서명", "담당부서", "소관부서"),
    "지역": ("지역", "시군", "시군구"),
    "팀": ("팀", "팀명", "담당팀"),
    "담당업무": ("담당업무", "업무", "업무내용", "사무분장"),
    "전화": ("전화", "전화번호", "연락처", "대표전화"),
    "위치": ("위치", "사무실", "주소", "장소"),
}
FAQ_COLUMNS = ("질문", "답변")
CONTACT_COLUMNS = ("부서", "전화")


def read(raw: bytes, doc: DocumentInfo) -> Reading:
    """Entries of every non-empty sheet of a workbook, or of one CSV file."""
    reading = Reading()
    for name, rows in _sheets(raw, doc.file):
        found = _read_rows(rows, doc, name)
        reading.entries.extend(found.entries)
        reading.warnings.extend(found.warnings)
    return reading


def _sheets(raw: bytes, file: str) -> list[tuple[str, list[tuple[int, list[str]]]]]:
    if file.lower().endswith(".csv"):
        text = decode(raw)
        rows = [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text)), start=1)]
        return [("", rows)]
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ReadError("XLSX 파일이 손상되었거나 엑셀 파일이 아닙니다") from None
    sheets = []
    for sheet in book.worksheets:
        rows = [
            (n, ["" if v is None else str(v) for v in row])
            for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
        sheets.append((sheet.title, rows))
    book.close()
    return sheets


def _read_rows(rows: list[tuple[int, list[str]]], doc: DocumentInfo, sheet: str) -> Reading:
    rows = [
        (n, [" ".join(c.split()) for c in row]) for n, row in rows if any(c.strip() for c in row)
    ]
    if not rows:
        return Reading()
    header_line, header = rows[0]
    columns = _columns(header)
    where = f"'{sheet}' 시트" if sheet else "표"
    if any(c in columns for c in FAQ_COLUMNS):
        _require(columns, FAQ_COLUMNS, where, "FAQ", header_line)
        return _faq(rows[1:], columns, doc)
    if any(c in columns for c in CONTACT_COLUMNS):
        _require(columns, CONTACT_COLUMNS, where, "연락처", header_line)
        return _directory(rows[1:], columns, doc)
    raise ReadError(
        f"{where}의 머리글에서 FAQ의 '질문'·'답변' 열이나 연락처의 '부서'·'전화' 열을 찾지 "
        f"못했습니다 (머리글: {', '.join(c for c in header if c) or '없음'})",
        header_line,
    )


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(header):
        key = "".join(cell.split()).lower()
        for column, spellings in COLUMNS.items():
            if key in spellings and column not in found:
                found[column] = index
    return found


def _require(
    columns: dict[str, int], needed: tuple[str, ...], where: str, kind: str, line: int
) -> None:
    missing = [c for c in needed if c not in columns]
    if missing:
        raise ReadError(f"{where}을(를) {kind} 표로 읽으려면 '{missing[0]}' 열이 필요합니다", line)


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return row[index].strip() if index is not None and index < len(row) else ""


def _faq(rows: list[tuple[int, list[str]]], columns: dict[str, int], doc: DocumentInfo) -> Reading:
    reading = Reading()
    skipped = 0
    for line, row in rows:
        question, answer = _cell(row, columns, "질문"), _cell(row, columns, "답변")
        if not question or not answer:
            skipped += 1
            continue
        keywords = tuple(
            w.strip()
            for w in _cell(row, columns, "키워드").replace(";", ",").split(",")
            if w.strip()
        )
        region = _cell(row, columns, "지역") or doc.region
        reading.entries.append(
            Entry(
                id=make_id(doc.region_code, FAQ, f"{doc.file}#{question}"),
                kind=FAQ,
                region=region,
                title=question,
                source=Source(doc.file, line, line, doc.document, doc.year),
                body=answer,
                aliases=keywords,
                fields={"답변": answer},
                department=_cell(row, columns, "부서") or None,
            )
        )
    if skipped:
        reading.warnings.append(f"질문이나 답변이 빈 줄 {skipped}개는 건너뛰었습니다")
    return reading


def _directory(
    rows: list[tuple[int, list[str]]], columns: dict[str, int], doc: DocumentInfo
) -> Reading:
    reading = Reading()
    departments: dict[str, tuple[int, dict[str, str]]] = {}
    teams: dict[tuple[str, str], tuple[int, dict[str, str]]] = {}
    department = ""
    for line, row in rows:
        department = _cell(row, columns, "부서") or department  # merged cells repeat downwards
        team = _cell(row, columns, "팀")
        if not department:
            continue
        fields = {
            "전화": _cell(row, columns, "전화"),
            "위치": _cell(row, columns, "위치"),
            "담당업무": _cell(row, columns, "담당업무"),
        }
        if team and team != department:
            line_fields = teams.setdefault((department, team), (line, {}))[1]
            departments.setdefault(department, (line, {}))
        else:
            line_fields = departments.setdefault(department, (line, {}))[1]
        for label, value in fields.items():
            if label == "담당업무" and label in line_fields and value not in line_fields[label]:
                line_fields[label] += f"\n{value}"  # one team, several duties on several rows
            elif value:
                line_fields.setdefault(label, value)
    for name, (line, fields) in departments.items():
        reading.entries.append(department_entry(doc, name, line, fields))
    for (parent, name), (line, fields) in teams.items():
        reading.entries.append(department_entry(doc, name, line, fields, kind=TEAM, parent=parent))
    without = sum(
        1 for _, fields in (*departments.values(), *teams.values()) if "전화" not in fields
    )
    if without:
        reading.warnings.append(f"전화번호가 없는 부서·팀이 {without}곳 있습니다")
    return reading
