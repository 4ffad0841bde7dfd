"""Parser for the 전주시 민선7기 공약사업 주민소통 활동내역 (source 002).

The export is one tab-separated table — 연번, 분야, 관리번호, 공약사업명, 시민소통실적 — whose
last cell is an HTML list of meetings. The header row repeats at every page break, and a pledge
that a page break split appears again with the same 연번 (sometimes with an empty 공약사업명);
those parts are merged into one entry so a citizen sees the whole record of a pledge at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.model import PLEDGE, DocumentInfo, Entry, ParseError, make_id
from knowledge.parsers.text import clean, compact, entry_body, strip_html

HEADER = ("연번", "분야", "관리번호", "공약사업명", "시민소통실적")
SECTORS = ("경제", "문화", "도시", "공동체", "복지")
SECTOR_SUFFIX = "분야"
GARBAGE = "\ufffd"  # replacement character left where the export cut a multi-byte character
BULLET = "•"
INLINE_ITEM = " - "  # "• 회의 개최('19. 1. 15.) - 논의 내용" packs a sub-item into one <li>

_SERIAL = re.compile(r"\d+")
_PLEDGE_NUMBER = re.compile(r"\d+(?:-\d+)*")
_LEADING_GROUP = re.compile(r"\([^()]*\)\s*(?P<name>\S.*)")
_UNCLOSED_TAG = re.compile(r"<\s*/?[a-zA-Z][^<>]*$")
_SUPERSCRIPT = re.compile(r"<sup>\s*(\d+)\s*</sup>", re.IGNORECASE)
_SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass
class _Pledge:
    """One pledge while it is read: its cells and every 시민소통실적 fragment found for it."""

    serial: str
    sector: str
    number: str
    title: str
    line_start: int
    line_end: int
    fragments: list[str] = field(default_factory=list)


def parse(text: str, doc: DocumentInfo) -> list[Entry]:
    """One PLEDGE entry per distinct 연번, page-break continuations merged in order."""
    lines = [line.rstrip("\r") for line in text.replace(GARBAGE, "").split("\n")]
    if not any(line.strip() for line in lines):
        raise ParseError(doc.file, 1, "빈 문서입니다")
    header = _find_header(lines, doc)
    return [_to_entry(pledge, doc) for pledge in _read_pledges(lines, header, doc)]


def _cells(line: str) -> list[str]:
    """Tab-separated cells without the empty cells some rows carry at the end."""
    cells = [cell.strip() for cell in line.split("\t")]
    while len(cells) > len(HEADER) and not cells[-1]:
        cells.pop()
    return cells


def _is_header(cells: list[str]) -> bool:
    """True for the 연번 … 시민소통실적 row, however its labels are spaced ("분 야")."""
    return tuple(compact(cell) for cell in cells) == HEADER


def _find_header(lines: list[str], doc: DocumentInfo) -> int:
    """Index of the first header row; the cover lines above it are not content."""
    for index, line in enumerate(lines):
        if _is_header(_cells(line)):
            return index
    raise ParseError(doc.file, 1, "머리행(연번 분야 관리번호 공약사업명 시민소통실적)이 없습니다")


def _read_pledges(lines: list[str], header: int, doc: DocumentInfo) -> list[_Pledge]:
    """Table rows below the header; a tab-less line right under a row continues its last cell."""
    pledges: list[_Pledge] = []
    after_row = False
    for line_no, line in enumerate(lines[header + 1 :], start=header + 2):
        if not line.strip():
            after_row = False
        elif "\t" not in line:
            if not after_row:
                raise ParseError(doc.file, line_no, "표 밖의 글입니다")
            pledges[-1].fragments[-1] += "\n" + line
            pledges[-1].line_end = line_no
        elif _is_header(cells := _cells(line)):
            after_row = False
        else:
            _add_row(pledges, cells, line_no, doc)
            after_row = True
    if not pledges:
        raise ParseError(doc.file, header + 1, "공약 행이 없습니다")
    return pledges


def _add_row(pledges: list[_Pledge], cells: list[str], line_no: int, doc: DocumentInfo) -> None:
    """Start a new pledge, or append to the previous one when the row repeats its 연번."""
    if len(cells) != len(HEADER):
        raise ParseError(
            doc.file, line_no, f"열이 {len(HEADER)}개여야 하는데 {len(cells)}개입니다"
        )
    serial, sector, number, title, record = cells
    if not _SERIAL.fullmatch(serial):
        raise ParseError(doc.file, line_no, f"연번 {serial!r}이 숫자가 아닙니다")
    if pledges and pledges[-1].serial == serial:
        _continue_pledge(pledges[-1], number, title, record, line_no, doc)
        return
    if any(pledge.serial == serial or pledge.number == number for pledge in pledges):
        raise ParseError(
            doc.file, line_no, f"연번 {serial}·관리번호 {number}: 앞 행에서 이미 쓴 번호입니다"
        )
    if not _PLEDGE_NUMBER.fullmatch(number):
        raise ParseError(doc.file, line_no, f"관리번호 {number!r}의 형식이 다릅니다")
    if not title:
        raise ParseError(doc.file, line_no, "공약사업명이 비어 있습니다")
    pledges.append(
        _Pledge(
            serial, _sector(sector, line_no, doc), number, clean(title), line_no, line_no, [record]
        )
    )


def _continue_pledge(
    pledge: _Pledge, number: str, title: str, record: str, line_no: int, doc: DocumentInfo
) -> None:
    """Merge a page-break continuation; its 관리번호 and (if given) 공약사업명 must agree."""
    if number != pledge.number or (title and compact(title) != compact(pledge.title)):
        raise ParseError(
            doc.file, line_no, f"연번 {pledge.serial}의 이어지는 행이 앞 행과 다릅니다"
        )
    pledge.fragments.append(record)
    pledge.line_end = line_no


def _sector(raw: str, line_no: int, doc: DocumentInfo) -> str:
    """'경 제 분 야' → '경제', '공동체분야' → '공동체'."""
    sector = compact(raw).removesuffix(SECTOR_SUFFIX)
    if sector not in SECTORS:
        raise ParseError(doc.file, line_no, f"알 수 없는 분야 {raw!r}")
    return sector


def _activities(fragment: str) -> list[str]:
    """Plain activity lines of one 시민소통실적 cell: tags, entities and garbage removed."""
    markup = _UNCLOSED_TAG.sub("", fragment)
    markup = _SUPERSCRIPT.sub(lambda match: match.group(1).translate(_SUPERSCRIPT_DIGITS), markup)
    return [item for line in strip_html(markup) for item in _split_inline_items(line)]


def _split_inline_items(line: str) -> list[str]:
    """'• 회의 - 내용 - 결과' → '• 회의', '- 내용', '- 결과': one activity per line."""
    if not line.startswith(BULLET) or INLINE_ITEM not in line:
        return [line]
    head, *items = line.split(INLINE_ITEM)
    return [head.strip()] + [f"- {item.strip()}" for item in items if item.strip()]


def _aliases(title: str) -> tuple[str, ...]:
    """The name without a leading group such as '(덕진권역 문화재생) '."""
    match = _LEADING_GROUP.fullmatch(title)
    return (match.group("name"),) if match else ()


def _to_entry(pledge: _Pledge, doc: DocumentInfo) -> Entry:
    """The finished entry; its source spans every part of a split row."""
    activities = [line for fragment in pledge.fragments for line in _activities(fragment)]
    fields = {
        "분야": pledge.sector,
        "관리번호": pledge.number,
        "공약사업명": pledge.title,
        "시민소통실적": "\n".join(activities),
    }
    return Entry(
        id=make_id(doc.region_code, PLEDGE, pledge.number),
        kind=PLEDGE,
        region=doc.region,
        title=pledge.title,
        source=doc.source(pledge.line_start, pledge.line_end),
        body=entry_body(fields),
        aliases=_aliases(pledge.title),
        fields=fields,
    )
