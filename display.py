"""How times and text look to people, for every front end: Telegram replies, the web console,
the shell commands; the notices citizens get about their complaints (composed here, queued by
db/ in the same transaction as the change they announce); and the complaints of a period as
the spreadsheet staff export (db/ returns them, this writes them).

Usage:
    kst_text("2025-03-01T05:05:00+00:00")   # '2025-03-01 14:05'
    pad("접수번호", 10)                       # padded to 10 terminal cells
    telegram_length("안내 😀")                # 5: UTF-16 units, as Telegram counts its limits
    complaints_csv(received_between(db, since=day))  # UTF-8 BOM CSV bytes for Excel
    status_notice("20250301-AB2C", "처리중")  # "[민원 20250301-AB2C] 상태가 '처리중'(으)로 …"

It imports only the time zone (db.database) and the legal periods' labels (db.deadlines) —
both leaves of db/ — and db.complaints' record type for type checking, so any layer may use it.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from db import deadlines
from db.database import KST

if TYPE_CHECKING:
    from db.complaints import Complaint

# Cells starting with these are formulas to Excel; a citizen's text must never run as one.
_CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_HEADER = (
    "접수번호",
    "접수일시",
    "상태",
    "부서",
    "지역",
    "내용",
    "연락처(마스킹)",
    "익명",
    "동의",
)


def kst_text(iso_timestamp: str) -> str:
    """A stored UTC timestamp as Korean local time: '2025-03-01 14:05'."""
    return datetime.fromisoformat(iso_timestamp).astimezone(KST).strftime("%Y-%m-%d %H:%M")


def telegram_length(text: str) -> int:
    """Length as Telegram counts it for its limits: UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` terminal cells (left-aligned column)."""
    return text + " " * (width - display_width(text))


def pad_left(text: str, width: int) -> str:
    """Spaces then ``text`` up to ``width`` terminal cells, at least one (right-aligned column)."""
    return " " * max(width - display_width(text), 1) + text


def csv_safe(value: str) -> str:
    """A cell spreadsheets will not run as a formula: a leading = + - @ (tab, CR) gets a quote."""
    return f"'{value}" if value.startswith(_CSV_FORMULA_PREFIXES) else value


def complaints_csv(complaints: Iterable[Complaint]) -> bytes:
    """The complaints as CSV for Excel (/export, `complaints export`): UTF-8 with a BOM so Excel
    shows Hangul; phones are masked; times are in KST."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_HEADER)
    for complaint in complaints:
        writer.writerow(
            [
                complaint.receipt,
                kst_text(complaint.created_at),
                complaint.status,
                csv_safe(complaint.department or ""),
                csv_safe(complaint.region or ""),
                csv_safe(complaint.content),
                complaint.masked_phone or "",
                "예" if complaint.anonymous else "아니오",
                "예" if complaint.consent else "아니오",
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def due_text(complaint: Complaint) -> str:
    """'2025-03-10 18:00 (고충, 7일)' or '-' when the complaint has no due date."""
    if not complaint.due_at:
        return "-"
    kind = complaint.complaint_type or "-"
    extended = " · 연장됨" if complaint.extended_at else ""
    try:
        period = f", {deadlines.period_for(kind).label()}"
    except deadlines.UnknownType:
        period = ""
    return f"{kst_text(complaint.due_at)} ({kind}{period}{extended})"


def status_notice(receipt: str, status: str, note: str = "") -> str:
    """What the citizen is told when staff change the status (the note on its own line)."""
    text = f"[민원 {receipt}] 상태가 '{status}'(으)로 바뀌었습니다."
    return f"{text}\n{note}" if note else text


def reply_notice(receipt: str, text: str) -> str:
    """A staff answer as the citizen receives it."""
    return f"[민원 {receipt}] 담당자 답변: {text}"


def type_notice(receipt: str, kind: str, due_at: str) -> str:
    """The citizen's notice of a new complaint type and the due date it sets."""
    due = kst_text(due_at)
    return f"[민원 {receipt}] 민원 유형이 '{kind}'(으)로 정해져 처리기한이 {due}입니다."


def extension_notice(receipt: str, new_due: object, reason: str) -> str:
    """The citizen's notice of the one extension of the due date, with its reason."""
    return f"[민원 {receipt}] 처리기한이 {new_due} 18:00(으)로 연장되었습니다.\n사유: {reason}"


def progress_notice(complaint: Complaint) -> str:
    """The notice every 30 days that an open complaint is still being handled."""
    return (
        f"[민원 {complaint.receipt}] 접수하신 민원을 아직 처리하고 있습니다. "
        f"현재 상태: {complaint.status}, 처리기한: {due_text(complaint)}. "
        f"처리 상황: /status {complaint.receipt}"
    )
