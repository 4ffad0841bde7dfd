"""How times and text look to people, for every front end: Telegram replies, the web console,
the shell commands; the notices citizens get about their complaints and the history notes staff
read (composed here; notices.py queues them with the change they announce, db/ stores them);
and the complaints of a period as the spreadsheet staff export (db/ returns them, this writes
them).

Usage:
    kst_text("2025-03-01T05:05:00+00:00")   # '2025-03-01 14:05'
    pad("접수번호", 10)                       # padded to 10 terminal cells
    telegram_length("안내 😀")                # 5: UTF-16 units, as Telegram counts its limits
    complaints_csv(received_between(db, since=day))  # UTF-8 BOM CSV bytes for Excel
    status_notice("20250301-AB2C", "처리중")  # "[민원 20250301-AB2C] 상태가 '처리중'(으)로 …"
    filled_template(template, complaint)      # a reply template with the complaint's values

It imports db/ for the names of what it words (the time zone, the legal periods' labels, the
placeholder syntax of reply templates, the problems of an extension); db/ never imports it, so
any layer may use it.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from db import deadlines, templates, workbench
from db.database import KST
from db.office_calendar import BadStatutoryPeriod
from db.templates import PLACEHOLDER, PLACEHOLDERS

if TYPE_CHECKING:
    from db.complaints import Complaint
    from db.templates import Template

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


SURVEY_PREFIX = "[만족도 조사] "
# Telegram's longest message in UTF-16 units: telegram.constants.MessageLimit.MAX_TEXT_LENGTH,
# written out because the web console that checks it never imports telegram
# (tests/test_display.py checks that the two agree).
TELEGRAM_TEXT_UNITS = 4096
# A staff answer or note reaches the citizen as one message with a header of at most ~60 units
# ("[민원 20250301-AB2C] 상태가 '반려'(으)로 바뀌었습니다."), and the staff member's preview adds
# a header of ~60 units too: what staff write, in the bot or the web console, stays under this.
NOTICE_HEADROOM = 96
MAX_NOTE_UNITS = TELEGRAM_TEXT_UNITS - NOTICE_HEADROOM


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
        period = f", {period_label(deadlines.period_for(kind))}"
    except deadlines.UnknownType:
        period = ""
    return f"{kst_text(complaint.due_at)} ({kind}{period}{extended})"


def period_label(period: deadlines.Period) -> str:
    """A legal processing period as staff and citizens read it: '7일' or '3근무시간'."""
    return f"{period.hours}근무시간" if period.hours else f"{period.days}일"


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


def survey_text(receipt: str) -> str:
    """The satisfaction survey sent after 완료; its first line names the receipt (for the
    buttons, and to know a reply to it: ``survey_receipt``)."""
    return (
        f"{SURVEY_PREFIX}{receipt}\n민원 처리에 얼마나 만족하셨나요? 1(매우 불만)부터 "
        "5(매우 만족)까지 눌러 주세요."
    )


def survey_receipt(text: str) -> str | None:
    """The receipt a survey message is about, or None for any other text."""
    first = text.split("\n", 1)[0]
    return first.removeprefix(SURVEY_PREFIX).strip() if first.startswith(SURVEY_PREFIX) else None


def acknowledgement_notice(receipt: str, text: str) -> str:
    """The automatic acknowledgement (자동 접수 안내) as the citizen receives it."""
    return f"[민원 {receipt}] {text}"


def type_note(old_kind: str | None, kind: str, due_at: str | None) -> str:
    """The history note of a change of complaint type, with the due date it sets."""
    due = kst_text(due_at) if due_at else "-"
    return f"민원 유형 {old_kind or '-'} → {kind}, 처리기한 {due}"


def extension_note(new_due: date, reason: str) -> str:
    """The history note of the one extension of the due date."""
    return f"처리기한 연장 → {new_due}: {' '.join(reason.split())}"


def repeated_note(first_receipt: str, text: str = "") -> str:
    """The closing note of a repeated complaint (법 §23), with the staff member's own words."""
    note = f"반복 민원으로 종결합니다(민원처리법 §23, 앞선 민원 {first_receipt})."
    return f"{note}\n{text}".strip()


def filled_template(template: Template, complaint: Complaint) -> str:
    """A reply template's text with the complaint's values in its placeholders."""
    values = {
        "접수번호": complaint.receipt,
        "처리기한": kst_text(complaint.due_at) if complaint.due_at else "-",
        "부서": complaint.department or "담당 부서",
        "유형": complaint.complaint_type or "-",
    }
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template.body)


def extension_problem(problem: workbench.BadExtension) -> str:
    """Why a new due date or reason was refused, as staff read it."""
    match problem.problem:
        case workbench.NO_REASON:
            return "연장 사유를 적어 주세요."
        case workbench.REASON_TOO_LONG:
            return f"연장 사유는 {workbench.MAX_REASON_CHARS}자까지 적을 수 있습니다."
        case workbench.CLOSED_DAY:
            return f"{problem.value}은(는) 근무일이 아닙니다. 평일을 골라 주세요."
        case workbench.NOT_LATER:
            return f"새 처리기한은 지금 기한({kst_text(str(problem.value))})보다 늦어야 합니다."
        case _:
            return "새 처리기한은 오늘 이후여야 합니다."


def template_problem(problem: templates.BadTemplate) -> str:
    """Why a reply template was refused, as an admin reads it."""
    match problem.problem:
        case templates.MISSING:
            return "상용구 이름과 내용을 모두 적어 주세요."
        case templates.TOO_LONG:
            return (
                f"이름은 {templates.MAX_NAME_CHARS}자, "
                f"내용은 {templates.MAX_BODY_CHARS:,}자까지입니다."
            )
        case templates.UNKNOWN_PLACEHOLDER:
            allowed = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
            return f"알 수 없는 자리표시자 {{{problem.value}}}: {allowed}만 쓸 수 있습니다."
        case templates.UNKNOWN_TYPE:
            return (
                f"'{problem.value}'은(는) 민원 유형이 아닙니다. {', '.join(deadlines.TYPES)} "
                "또는 법정민원 표에 있는 법정:이름 중에서 고르세요."
            )
        case _:
            return f"부서 이름은 {templates.MAX_DEPARTMENT_CHARS}자까지 적을 수 있습니다."


def statutory_problem(problem: BadStatutoryPeriod) -> str:
    """Why a 법정민원 period was refused, as an admin reads it."""
    if problem.days is None:
        return "법정민원 이름이 비어 있거나 ':'을 포함합니다."
    return f"처리기간은 1–{deadlines.MAX_STATUTORY_DAYS}일이어야 합니다."
