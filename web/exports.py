"""The inbox as a file: UTF-8 BOM CSV (Excel shows Hangul) and XLSX, phones masked."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from db.complaints import Complaint
from display import csv_safe, kst_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = (
    "접수번호",
    "접수일시",
    "상태",
    "유형",
    "처리기한",
    "부서",
    "지역",
    "내용",
    "연락처(마스킹)",
)


def _rows(found: Sequence[Complaint]) -> list[list[str]]:
    return [
        [
            c.receipt,
            kst_text(c.created_at),
            c.status,
            c.complaint_type or "",
            kst_text(c.due_at) if c.due_at else "",
            csv_safe(c.department or ""),
            csv_safe(c.region or ""),
            csv_safe(c.content),
            c.masked_phone or "",
        ]
        for c in found
    ]


def csv_bytes(found: Sequence[Complaint]) -> bytes:
    """CSV with a BOM; cells that Excel would run as formulas start with a quote."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(_rows(found))
    return buffer.getvalue().encode("utf-8-sig")


def xlsx(found: Sequence[Complaint]) -> bytes:
    """The same rows as one worksheet (openpyxl is imported here: 34 MiB the bot rarely needs)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("민원")
    sheet.append(HEADER)
    for row in _rows(found):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
