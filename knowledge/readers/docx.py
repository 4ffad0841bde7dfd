"""Word files (python-docx): heading styles make sections, list styles keep their depth,
tables keep header → cell pairs; other paragraphs go through the outline rules of plain text
(documents typed with □ ○ - markers rather than styles). Line numbers count paragraphs."""

from __future__ import annotations

import io
import re
import zipfile

from knowledge.model import DocumentInfo
from knowledge.readers.sections import (
    HEADING,
    ITEM,
    TABLE,
    Block,
    ReadError,
    Reading,
    build_entries,
)
from knowledge.readers.text import blocks as text_blocks

_HEADING_STYLE = re.compile(r"(?:Heading|제목)\s*(\d)")
_LIST_STYLE = re.compile(r"List.*?(\d)?$")


def read(raw: bytes, doc: DocumentInfo) -> Reading:
    """Entries of a .docx file."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise ReadError("DOCX 파일이 손상되었거나 Word 문서가 아닙니다") from None
    found: list[Block] = []
    order: list[str] = []
    for number, item in enumerate(document.iter_inner_content(), start=1):
        if hasattr(item, "rows"):
            rows = tuple(
                tuple(" ".join(cell.text.split()) for cell in row.cells) for row in item.rows
            )
            found.append(Block(TABLE, rows=_unmerged(rows), line=number))
            continue
        text = item.text.strip()
        if not text:
            continue
        style = item.style.name if item.style is not None else ""
        if style == "Title" or (heading := _HEADING_STYLE.match(style)):
            level = 1 if style == "Title" else int(heading.group(1))
            found.append(Block(HEADING, text, level, line=number))
        elif (listed := _LIST_STYLE.match(style)) and style.startswith("List"):
            found.append(Block(ITEM, text, int(listed.group(1) or 1), line=number))
        else:
            found.extend(
                Block(b.kind, b.text, b.level, b.rows, b.header, line=number)
                for b in text_blocks(text, order=order)
            )
    return build_entries(found, doc)


def _unmerged(rows: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """python-docx repeats a merged cell in every grid column it spans: keep it once."""
    out = []
    for row in rows:
        cells = [cell for i, cell in enumerate(row) if i == 0 or cell != row[i - 1]]
        out.append(tuple(cells))
    return tuple(out)
