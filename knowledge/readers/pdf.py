"""PDF (pdfplumber): text lines read through the outline rules of plain text, tables kept as
tables, and every entry cites its page (쪽) instead of a line."""

from __future__ import annotations

import io

from knowledge.model import DocumentInfo
from knowledge.readers.sections import TABLE, Block, ReadError, Reading, build_entries
from knowledge.readers.text import blocks as text_blocks


def read(raw: bytes, doc: DocumentInfo) -> Reading:
    """Entries of a PDF; ReadError for an encrypted or broken file."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    found: list[Block] = []
    order: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                found.extend(_page_blocks(page, number, order))
    except (PDFPasswordIncorrect, PdfminerException, PDFSyntaxError) as exc:
        cause = exc.args[0] if exc.args else exc
        if (
            isinstance(cause, PDFPasswordIncorrect)
            or "password" in str(cause).lower()
            or "encrypt" in str(cause).lower()
        ):
            raise ReadError("암호가 걸린 PDF입니다. 암호를 풀어 다시 저장해 주세요") from None
        raise ReadError("PDF 파일이 손상되어 읽을 수 없습니다") from None
    reading = build_entries(found, doc, unit="쪽")
    if not any(b.text.strip() or b.rows for b in found):
        reading.warnings.append("PDF에서 글자를 찾지 못했습니다(스캔한 그림 PDF로 보입니다)")
    return reading


def _page_blocks(page, number: int, order: list[str]) -> list[Block]:
    tables = page.find_tables()
    cells = [cell for table in tables for cell in table.cells if cell]
    # Characters inside a table cell belong to the table; the rest is the page's text (a
    # heading right above a table can sit inside the table's outer box, so cells decide).
    outside = page.filter(
        lambda obj: (
            obj.get("object_type") != "char"
            or not any(
                x0 <= (obj["x0"] + obj["x1"]) / 2 <= x1
                and top <= (obj["top"] + obj["bottom"]) / 2 <= bottom
                for x0, top, x1, bottom in cells
            )
        )
    )
    found = [
        Block(b.kind, b.text, b.level, b.rows, b.header, line=number, line_end=number)
        for b in text_blocks(outside.extract_text() or "", order=order)
    ]
    for table in tables:
        rows = tuple(
            tuple(" ".join((cell or "").split()) for cell in row) for row in table.extract()
        )
        found.append(Block(TABLE, rows=rows, line=number, line_end=number))
    return found
