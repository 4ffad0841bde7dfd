"""Bad and hostile input through the whole stack: the real Application and handlers on the
offline LocalBotApi (which refuses what Telegram refuses: empty or over-long texts, oversized
buttons) with the real knowledge base.

Every row of HOSTILE must get a clear Korean reply (or a deliberate silence, marked SILENT and
explained in the row's id), never reach the error handler, never be sent with a parse_mode
(so nothing a user types can break Telegram's formatting), never leak another user's complaint,
and leave every queued notification deliverable. The property tests at the end drive the
normalizer, tokenizer, matcher and the five parsers with generated text: they never raise
(parsers: only ParseError), and the konlpy tagger, whose time grows faster than linearly on long
runs without spaces, only ever gets a question's worth of text in short runs.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.local_api import MAX_MESSAGE_CHARS
from db.complaints import get_complaint, list_complaints
from db.outbox import due
from display import telegram_length
from handlers import citizen, complaint, staff
from handlers.access import ADMIN_DENIED_TEXT, DENIED_TEXT, PLACE_TEXT
from handlers.jobs import deliver_due
from knowledge.model import DocumentInfo, ParseError
from knowledge.parsers import (
    business_plan,
    news_article,
    pledge_record,
    pledge_status,
    work_report,
)
from nlp.normalizer import MAX_QUESTION_CHARS, normalize
from nlp.responder import respond, suggest_departments
from nlp.tokenizer import MAX_UNSPACED_RUN
from rrn import SPELLED, SPELLINGS, stored_holding

# The command menus are checked in test_handlers_citizen.py and test_handlers_admin.py.
pytestmark = pytest.mark.without_menus

CITIZEN, OTHER, STAFF, ADMIN, STAFF_CHAT, GROUP = 42, 43, 800, 900, -100500, -100777
SECRET = "비밀민원 옆집 홍길동 씨 불법 증축"
OTHER_PHONE = "010-9876-5432"
SILENT = None  # a deliberate silence; the row id says why
ANY = ""  # any clear Korean reply
HANGUL = re.compile(r"[\uac00-\ud7a3]")
WHO = {
    "citizen": (CITIZEN, None),
    "staff": (STAFF, None),
    "admin": (ADMIN, None),
    "group": (CITIZEN, GROUP),
    "staff_chat": (STAFF, STAFF_CHAT),
    "staff_group": (STAFF, GROUP),
}
# Who must never see another citizen's complaint: citizens, and staff outside staff places.
OUTSIDE = ("citizen", "group", "staff_group")
LONG_HANGUL = "가" * 4096
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
SAVED = "답변을 등록했습니다"


@dataclass(frozen=True)
class Case:
    id: str
    who: str
    # send, message, edited, press(_twice, _old), complaint, department, phone, choose, and
    # answer / reason: [답변] / [반려] on the other complaint, the payload replying to the prompt,
    # then [보내기] on the preview if one came
    kind: str
    payload: Any
    expect: str | None  # a text the replies must contain, ANY, or SILENT


HOSTILE = [
    # --- questions: empty, whitespace, size, invisible and right-to-left characters, emoji
    Case("whitespace", "citizen", "send", "   ", ANY),
    Case("newlines-and-tabs", "citizen", "send", "\n\t\n", ANY),
    Case("4096-hangul", "citizen", "send", LONG_HANGUL, ANY),
    Case("4096-latin", "citizen", "send", "a" * 4096, ANY),
    Case("4096-repeated-words", "citizen", "send", ("새마을 장학금 " * 600)[:4096], ANY),
    Case("4096-utf16-emoji", "citizen", "send", "😀" * 2048, ANY),
    Case("4096-digits", "citizen", "send", "9" * 4096, ANY),
    Case("4096-jamo-laughter", "citizen", "send", "ㅋ" * 4096, ANY),
    Case("zero-width-only", "citizen", "send", ZERO_WIDTH, ANY),
    Case("zero-width-inside-words", "citizen", "send", "장\u200b학\u200b금 조\u200d건", ANY),
    Case("rtl-override", "citizen", "send", "\u202e금학장 지원 조건\u202c", ANY),
    Case("arabic-and-hebrew", "citizen", "send", "مرحبا שלום \u200f", ANY),
    Case("emoji-only", "citizen", "send", "😀🎉👍", ANY),
    Case("zwj-family-and-flag", "citizen", "send", "👨‍👩‍👧‍👦🇰🇷", ANY),
    Case("control-characters", "citizen", "send", "\x00\x01\x07\x1b[31m장학금", ANY),
    Case("zalgo", "citizen", "send", "장̴̛͔̈́학̷̢̈금̶͓̽" * 50, ANY),
    Case("decomposed-hangul", "citizen", "send", unicodedata.normalize("NFD", "장학금 조건"), ANY),
    Case("full-width-command", "citizen", "send", "／ｓｔａｒｔ", ANY),
    Case("format-strings", "citizen", "send", "{receipt} {0} %s %n %(x)s", ANY),
    # --- injection in questions: SQL, HTML, Markdown
    Case("sql-drop", "citizen", "send", "'; DROP TABLE complaints;--", ANY),
    Case("sql-or-true", "citizen", "send", "장학금' OR '1'='1", ANY),
    Case(
        "sql-union", "citizen", "send", "1; SELECT * FROM staff UNION SELECT * FROM outbox --", ANY
    ),
    Case("html-bold", "citizen", "send", "<b>장학금</b> <i>조건</i>", ANY),
    Case("html-script", "citizen", "send", "<script>alert('x')</script>", ANY),
    Case("html-mention-link", "citizen", "send", '<a href="tg://user?id=900">관리자</a>', ANY),
    Case("markdown", "citizen", "send", "*장학금* _조건_ `코드` [링크](http://example.com)", ANY),
    Case("markdown-v2-specials", "citizen", "send", "_*[]()~`>#+-=|{}.!\\", ANY),
    Case("markdown-code-block", "citizen", "send", "```\n새마을 장학금\n```", ANY),
    Case(
        "photo-with-html-caption",
        "citizen",
        "message",
        {
            "photo": [{"file_id": "p", "file_unique_id": "p", "width": 9, "height": 9}],
            "caption": "<b>장학금</b> *조건*",
        },
        ANY,
    ),
    # --- other kinds of messages
    Case(
        "contact-card",
        "citizen",
        "message",
        {"contact": {"phone_number": "+821099998888", "first_name": "누군가"}},
        citizen.OTHER_NON_TEXT,
    ),
    Case(
        "dice", "citizen", "message", {"dice": {"emoji": "🎲", "value": 3}}, citizen.OTHER_NON_TEXT
    ),
    Case("edited-message-is-ignored-on-purpose", "citizen", "edited", "<b>고친 질문</b>", SILENT),
    Case("group-question-is-ignored-on-purpose", "group", "send", "장학금 조건 알려줘", SILENT),
    # --- commands with missing, wrong or hostile arguments
    Case(
        "start-with-junk-payload", "citizen", "send", "/start " + "A" * 4000, "이렇게 물어보세요"
    ),
    Case(
        "start-for-another-bot",
        "citizen",
        "send",
        "/start@other_bot",
        citizen.UNKNOWN_COMMAND_TEXT,
    ),
    Case("unknown-command", "citizen", "send", "/sudo rm -rf /", citizen.UNKNOWN_COMMAND_TEXT),
    Case("status-without-receipt", "citizen", "send", "/status", complaint.STATUS_USAGE_TEXT),
    Case(
        "status-sql",
        "citizen",
        "send",
        "/status '; DROP TABLE complaints;--",
        complaint.STATUS_USAGE_TEXT,
    ),
    Case(
        "status-4000-chars",
        "citizen",
        "send",
        "/status " + "A" * 4000,
        complaint.STATUS_USAGE_TEXT,
    ),
    Case(
        "status-receipt-not-ours",
        "citizen",
        "send",
        "/status 20250301-AB2C",
        complaint.STATUS_DENIED_TEXT,
    ),
    Case(
        "status-another-users-receipt",
        "citizen",
        "send",
        "/status {other}",
        complaint.STATUS_DENIED_TEXT,
    ),
    Case(
        "status-another-users-receipt-lower",
        "citizen",
        "send",
        "/status {other_lower}",
        complaint.STATUS_DENIED_TEXT,
    ),
    Case("region-with-junk", "citizen", "send", "/region <b>화성</b> ; DROP", citizen.REGION_TEXT),
    Case("my-with-junk", "citizen", "send", "/my '; --", complaint.NO_COMPLAINTS_TEXT),
    Case("cancel-with-junk", "citizen", "send", "/cancel %s{0}", citizen.NOTHING_TO_CANCEL_TEXT),
    Case("view-another-users-receipt", "citizen", "send", "/view {other}", DENIED_TEXT),
    Case("reply-to-another-users-receipt", "citizen", "send", "/reply {other} 해킹", DENIED_TEXT),
    Case("close-another-users-receipt", "citizen", "send", "/close {other}", DENIED_TEXT),
    Case("export-as-citizen", "citizen", "send", "/export 2000-01-01 2100-01-01", DENIED_TEXT),
    Case("grant-self-admin", "citizen", "send", "/grant {me} admin", ADMIN_DENIED_TEXT),
    Case("view-sql", "staff", "send", "/view '; DROP TABLE complaints;--", staff.VIEW_USAGE),
    Case(
        "view-receipt-and-junk",
        "staff",
        "send",
        "/view 20250301-AB2C extra junk",
        staff.VIEW_USAGE,
    ),
    Case("view-unknown-receipt", "staff", "send", "/view 20200101-ZZZZ", "없습니다"),
    Case("reply-without-text", "staff", "send", "/reply 20250301-ab2c", staff.REPLY_USAGE),
    Case(
        "reply-4000-chars", "staff", "send", "/reply {other} " + "답" * 4000, "답변을 등록했습니다"
    ),
    Case(
        "reply-longest-possible",
        "staff",
        "send",
        ("/reply {other} " + "답" * 4096)[: 4096 - 8],
        staff.NOTE_TOO_LONG_TEXT,
    ),
    Case(
        "reply-html",
        "staff",
        "send",
        "/reply {other} <b>내일</b> *방문* [x](http://e.kr)",
        "답변을 등록했습니다",
    ),
    Case("assign-without-department", "staff", "send", "/assign {other}", staff.ASSIGN_USAGE),
    Case(
        "assign-4000-char-department",
        "staff",
        "send",
        "/assign {other} " + "과" * 4000,
        staff.DEPARTMENT_TOO_LONG_TEXT,
    ),
    Case(
        "close-4000-char-note",
        "staff",
        "send",
        "/close {other} " + "끝" * 4000,
        "완료 처리했습니다",
    ),
    Case(
        "close-longest-possible-note",
        "staff",
        "send",
        ("/close {other} " + "끝" * 4096)[: 4096 - 8],
        staff.NOTE_TOO_LONG_TEXT,
    ),
    Case("close-unknown-receipt", "staff", "send", "/close 20200101-ZZZZ", "없습니다"),
    Case("inbox-junk", "staff", "send", "/inbox 접수 ; DROP", staff.INBOX_USAGE),
    Case("export-sql", "staff", "send", "/export ; DROP", staff.EXPORT_USAGE),
    Case(
        "export-extreme-dates",
        "staff",
        "send",
        "/export 0001-01-01 9999-12-31",
        staff.EXPORT_USAGE,
    ),
    Case(
        "export-impossible-date",
        "staff",
        "send",
        "/export 2025-02-30 2025-03-01",
        staff.EXPORT_USAGE,
    ),
    Case("grant-huge-id", "admin", "send", "/grant 99999999999999999999999", "사용법: /grant"),
    Case("grant-arabic-digits", "admin", "send", "/grant ٣٤٥", "사용법: /grant"),
    Case("grant-unknown-role", "admin", "send", "/grant 555 superuser", "사용법: /grant"),
    Case("revoke-huge-id", "admin", "send", "/revoke 99999999999999999999999", "사용법: /revoke"),
    Case("revoke-junk", "admin", "send", "/revoke '; DROP TABLE staff;--", "사용법: /revoke"),
    # --- forged callback data
    Case(
        "entry-that-does-not-exist",
        "citizen",
        "press",
        "e:jb-program-00000000",
        citizen.ENTRY_GONE_TEXT,
    ),
    Case("entry-empty-id", "citizen", "press", "e:", citizen.ENTRY_GONE_TEXT),
    Case("entry-overlong-id", "citizen", "press", "e:" + "x" * 62, citizen.ENTRY_GONE_TEXT),
    Case("entry-hangul-id", "citizen", "press", "e:장학금", citizen.ENTRY_GONE_TEXT),
    Case("region-unknown-code", "citizen", "press", "r:zz", "관심 지역을 '전체'"),
    Case("departments-without-question", "citizen", "press", "q:dept", citizen.NO_QUESTION_TEXT),
    Case("unknown-prefix", "citizen", "press", "zz:unknown", citizen.STALE_BUTTON_TEXT),
    Case("overlong-data", "citizen", "press", "x" * 64, citizen.STALE_BUTTON_TEXT),
    Case("submit-outside-a-draft", "citizen", "press", "c:ok", citizen.STALE_BUTTON_TEXT),
    Case("staff-button-other-receipt", "citizen", "press", "s:done:{other}", DENIED_TEXT),
    Case("staff-reply-button-other-receipt", "citizen", "press", "s:reply:{other}", DENIED_TEXT),
    Case("inbox-page-as-citizen", "citizen", "press", "i:all:0", DENIED_TEXT),
    Case(
        "staff-button-unknown-receipt", "staff_chat", "press", "s:prog:20200101-ZZZZ", "없습니다"
    ),
    Case(
        "staff-button-garbage-receipt",
        "staff_chat",
        "press",
        "s:done:'; DROP",
        citizen.STALE_BUTTON_TEXT,
    ),
    Case(
        "staff-button-unknown-action",
        "staff_chat",
        "press",
        "s:zap:{other}",
        citizen.STALE_BUTTON_TEXT,
    ),
    Case("inbox-page-huge-offset", "staff", "press", "i:all:99999999999999999999999", "민원"),
    Case("inbox-page-unknown-status", "staff", "press", "i:zz:0", citizen.STALE_BUTTON_TEXT),
    Case("inbox-page-negative-offset", "staff", "press", "i:all:-1", citizen.STALE_BUTTON_TEXT),
    Case("region-double-tap", "citizen", "press_twice", "r:all", "관심 지역을 '전체'"),
    Case("inbox-page-double-tap", "staff", "press_twice", "i:all:0", "민원함"),
    Case(
        "entry-button-on-a-message-too-old",
        "citizen",
        "press_old",
        "e:jb-program-00000000",
        citizen.ENTRY_GONE_TEXT,
    ),
    Case("department-superscript-digit", "citizen", "choose", "c:d:²", "담당 부서"),
    Case(
        "department-index-out-of-range",
        "citizen",
        "choose",
        "c:d:99999999999999999999",
        "담당 부서",
    ),
    # --- hostile complaint texts, typed departments and phone numbers
    Case(
        "complaint-html",
        "citizen",
        "complaint",
        "<b>불법주차</b> <script>x</script> &amp;",
        "접수번호",
    ),
    Case(
        "complaint-markdown",
        "citizen",
        "complaint",
        "*불법* _주차_ `x` [링크](http://e.kr) ||숨김||",
        "접수번호",
    ),
    Case("complaint-sql", "citizen", "complaint", "'); DELETE FROM complaints; --", "접수번호"),
    Case("complaint-4096-chars", "citizen", "complaint", "불" * 4096, "접수번호"),
    Case(
        "complaint-two-4096-messages",
        "citizen",
        "complaint",
        ["불" * 4096, "편" * 4096],
        "접수번호",
    ),
    Case(
        "complaint-three-4096-messages",
        "citizen",
        "complaint",
        ["불" * 4096] * 3,
        complaint.CONTENT_TOO_LONG_TEXT,
    ),
    Case(
        "complaint-zero-width-only",
        "citizen",
        "complaint",
        ZERO_WIDTH,
        complaint.EMPTY_CONTENT_TEXT,
    ),
    Case(
        "complaint-nul-and-controls", "citizen", "complaint", "가로등\x00 고장\x1b[0m", "접수번호"
    ),
    Case(
        "department-html-sql",
        "citizen",
        "department",
        "<b>도로과</b>'; DROP TABLE x;--",
        "부서 이름이 아닙니다",
    ),
    Case("department-4096-chars", "citizen", "department", "과" * 4096, "부서 이름이 아닙니다"),
    Case(
        "phone-with-sql",
        "citizen",
        "phone",
        "010-1234-5678'; DROP TABLE complaints",
        complaint.BAD_PHONE_TEXT,
    ),
    Case(
        "phone-full-width",
        "citizen",
        "phone",
        "０１０-１２３４-５６７８",
        complaint.BAD_PHONE_TEXT,
    ),
    Case("phone-4000-digits", "citizen", "phone", "0" * 4000, complaint.BAD_PHONE_TEXT),
    # --- issue 10: staff answers through the prompt, staff text kept and measured in UTF-16 units
    Case("answer-html", "staff_chat", "answer", "<b>내일</b> <script>x</script> &amp;", SAVED),
    Case(
        "answer-markdown", "staff_chat", "answer", "*내일* _방문_ `x` [링크](http://e.kr)", SAVED
    ),
    Case("answer-sql", "staff_chat", "answer", "'); DELETE FROM complaint_history; --", SAVED),
    Case("answer-format-strings", "staff_chat", "answer", "{receipt} {0} %s %(x)s", SAVED),
    Case(
        "answer-line-breaks-and-spaces",
        "staff_chat",
        "answer",
        "1) 내일\n\n   2) 모레   점검",
        SAVED,
    ),
    Case("answer-4000-hangul", "staff_chat", "answer", "답" * staff.MAX_NOTE_UNITS, SAVED),
    Case(
        "answer-one-over-the-limit",
        "staff_chat",
        "answer",
        "답" * (staff.MAX_NOTE_UNITS + 1),
        staff.NOTE_TOO_LONG_TEXT,
    ),
    Case("answer-2100-emoji", "staff_chat", "answer", "😀" * 2100, staff.NOTE_TOO_LONG_TEXT),
    Case("answer-2000-emoji", "staff_chat", "answer", "😀" * 2000, SAVED),
    Case("answer-4096-latin", "staff_chat", "answer", "a" * 4096, staff.NOTE_TOO_LONG_TEXT),
    Case("answer-whitespace", "staff_chat", "answer", " \n\t ", staff.EMPTY_TEXT),
    Case("answer-zero-width", "staff_chat", "answer", "내일\u200b방문" + ZERO_WIDTH, SAVED),
    Case("answer-rtl-override", "staff_chat", "answer", "\u202e다니합문방 일내\u202c", SAVED),
    Case("answer-control-characters", "staff_chat", "answer", "\x00\x07\x1b[31m방문", SAVED),
    Case(
        "answer-decomposed-hangul",
        "staff_chat",
        "answer",
        unicodedata.normalize("NFD", "방문 예정"),
        SAVED,
    ),
    Case("answer-zwj-emoji", "staff_chat", "answer", "👨‍👩‍👧‍👦🇰🇷 방문", SAVED),
    Case("answer-privately", "staff", "answer", "1:1 대화에서 쓴 답변", SAVED),
    Case("reason-html", "staff_chat", "reason", "<b>사유지</b> 시설물", "반려했습니다"),
    Case("reason-line-breaks", "staff_chat", "reason", "1) 사유지\n2) 관할 아님", "반려했습니다"),
    Case(
        "reason-at-the-limit",
        "staff_chat",
        "reason",
        "유" * staff.MAX_REASON_UNITS,
        "반려했습니다",
    ),
    Case(
        "reason-one-over-the-limit",
        "staff_chat",
        "reason",
        "유" * (staff.MAX_REASON_UNITS + 1),
        staff.REASON_TOO_LONG_TEXT,
    ),
    Case("reason-2100-emoji", "staff_chat", "reason", "😀" * 2100, staff.REASON_TOO_LONG_TEXT),
    Case("reason-whitespace", "staff_chat", "reason", "   ", staff.EMPTY_TEXT),
    Case("reason-privately", "staff", "reason", "중복 민원", "반려했습니다"),
    Case(
        "staff-chat-chatter-is-ignored-on-purpose",
        "staff_chat",
        "send",
        "점심 뭐 드실래요?",
        SILENT,
    ),
    Case(
        "staff-chat-receipt-chatter-is-ignored-on-purpose",
        "staff_chat",
        "send",
        "{other} 건 제가 볼게요",
        SILENT,
    ),
    Case(
        "staff-chat-html-chatter-is-ignored-on-purpose",
        "staff_chat",
        "send",
        "<b>회의</b> 3시",
        SILENT,
    ),
    Case("reply-keeps-line-breaks", "staff", "send", "/reply {other} 첫 줄\n\n   둘째  줄", SAVED),
    Case(
        "reply-2100-emoji",
        "staff",
        "send",
        "/reply {other} " + "😀" * 2100,
        staff.NOTE_TOO_LONG_TEXT,
    ),
    Case(
        "close-2100-emoji",
        "staff",
        "send",
        "/close {other} " + "😀" * 2100,
        staff.NOTE_TOO_LONG_TEXT,
    ),
    Case(
        "close-keeps-line-breaks",
        "staff",
        "send",
        "/close {other} 결과:\n  - 보수",
        "완료 처리했습니다",
    ),
    Case(
        "note-html", "staff", "send", "/note {other} <b>내부</b> *메모*", "내부 메모를 남겼습니다"
    ),
    Case(
        "note-2100-emoji",
        "staff",
        "send",
        "/note {other} " + "😀" * 2100,
        staff.NOTE_TOO_LONG_TEXT,
    ),
    Case("note-without-text", "staff", "send", "/note {other}", staff.NOTE_USAGE),
    Case("note-without-receipt", "staff", "send", "/note", staff.NOTE_USAGE),
    Case("note-unknown-receipt", "staff", "send", "/note 20200101-ZZZZ 메모", "없습니다"),
    Case("note-as-citizen", "citizen", "send", "/note {other} 해킹", DENIED_TEXT),
    Case(
        "assign-to-the-department-it-already-has",
        "staff",
        "send",
        "/assign {other} 건축과",
        "이관했습니다",
    ),
    Case(
        "attachments-of-a-complaint-without-any",
        "staff",
        "press",
        "s:att:{other}",
        staff.NO_ATTACHMENTS_TEXT,
    ),
    Case("attachments-as-citizen", "citizen", "press", "s:att:{other}", DENIED_TEXT),
    Case(
        "preview-that-does-not-exist",
        "staff_chat",
        "press",
        "a:send:424242",
        staff.PREVIEW_GONE_TEXT,
    ),
    Case(
        "preview-edit-that-does-not-exist", "staff", "press", "a:edit:1", staff.PREVIEW_GONE_TEXT
    ),
    Case("preview-as-citizen", "citizen", "press", "a:send:1", DENIED_TEXT),
    # --- issue 10: staff commands and buttons outside staff places say where to use them
    *[
        Case(
            f"staff-in-another-group-{n}-{command.split()[0][1:]}",
            "staff_group",
            "send",
            command,
            PLACE_TEXT,
        )
        for n, command in enumerate(
            (
                "/inbox",
                "/inbox 접수",
                "/view {other}",
                "/export",
                "/reply {other} 답변",
                "/close {other}",
                "/assign {other} 건축과",
                "/note {other} 메모",
                "/status {other}",
            )
        )
    ],
    *[
        Case(
            f"staff-button-in-another-group-{data.split(':')[1]}",
            "staff_group",
            "press",
            data,
            PLACE_TEXT,
        )
        for data in (
            "s:done:{other}",
            "s:prog:{other}",
            "s:rej:{other}",
            "s:reply:{other}",
            "s:att:{other}",
            "i:all:0",
        )
    ],
    # --- issue 10: empty, malformed and forged button data: an alert, nothing else
    *[
        Case(f"forged-button-{who}-{n}", who, "press", data, ANY)
        for who in ("staff_chat", "staff", "citizen")
        for n, data in enumerate(
            [
                "",
                " ",
                "\x00",
                "s:",
                "s:done",
                "s:done:",
                "s:done:{other_lower}",
                "s:done:{other}\n",
                "s:rej:x",
                "s:reply:",
                "s:att:",
                "s:att:{other} ",
                "a:",
                "a:send:",
                "a:send:x",
                "a:zap:1",
                "a:send:" + "9" * 20,
                "i:all:",
                "i:all:1e3",
                "c:d:",
                "é",
                "e:a b",
                "e:x\n",
                "r:",
                "r:a:b",
            ]
        )
    ],
]
# --- resident registration numbers (issue 10 #8): in every spelling, at every step, masked and
# explained; ordinary numbers left alone. test_hostile_rrn_rows_store_no_number checks storage.
RRN_SAID = "주민등록번호로 보이는 숫자를 지우고"
HOSTILE += [
    *(
        Case(
            f"rrn-complaint-{name}",
            "citizen",
            "complaint",
            f"주민번호 {rrn} 로 신청했는데 안 됩니다",
            complaint.RRN_REMOVED_TEXT,
        )
        for name, rrn in SPELLINGS
    ),
    *(
        Case(
            f"rrn-department-{name}",
            "citizen",
            "department",
            f"민원과 {rrn}",
            complaint.RRN_REMOVED_TEXT,
        )
        for name, rrn in SPELLINGS[:8]
    ),
    *(
        Case(f"rrn-phone-{name}", "citizen", "phone", rrn, complaint.RRN_REMOVED_TEXT)
        for name, rrn in SPELLINGS[:8]
    ),
    *(
        Case(
            f"rrn-question-{name}",
            "citizen",
            "send",
            f"{rrn} 이 번호로 등본 떼려면 어디로 가나요",
            RRN_SAID,
        )
        for name, rrn in SPELLINGS[:8]
    ),
    Case(
        "rrn-valid-check-digit-bare",
        "citizen",
        "send",
        "9001011234568 외계인 등록 되나요",
        RRN_SAID,
    ),
    Case(
        "rrn-in-forged-staff-button",
        "citizen",
        "press",
        "s:done:900101-1234567",
        citizen.STALE_BUTTON_TEXT,
    ),
    Case("rrn-in-denied-command", "citizen", "send", "/inbox 900101-1234567", DENIED_TEXT),
    Case(
        "rrn-lookalike-phone-account-date",
        "citizen",
        "complaint",
        "전화 010-1234-5678, 계좌 110-123-456789, 2025-03-01 14:00 주문 9001011234567",
        "접수번호",
    ),
]

RRN_ROWS = [case for case in HOSTILE if case.id.startswith("rrn-") and "lookalike" not in case.id]


def _spy_on_errors(application) -> list[BaseException]:
    """The errors that reach the error handler from now on."""
    errors: list[BaseException] = []

    async def record(update, context):
        errors.append(context.error)

    application.add_error_handler(record)
    return errors


def _file_other(db, file_complaint, user_id: int):
    """Another citizen's complaint, which no row may leak or change."""
    return file_complaint(
        db,
        SECRET,
        user_id=user_id,
        idempotency_key=f"other-{user_id}",
        department="건축과",
        region="전주시",
        phone=OTHER_PHONE,
        anonymous=False,
        consent=True,
    )


@pytest.fixture
async def hostile_bot(local_bot, file_complaint):
    """The bot with another citizen's complaint stored and an error-handler spy; rows talk as
    WHO says."""
    local_bot.errors = _spy_on_errors(local_bot.application)
    local_bot.other = _file_other(local_bot.db, file_complaint, OTHER)
    local_bot.ids = WHO.__getitem__
    local_bot.outbox_before = 0
    return local_bot


@pytest.fixture
def hostile_row(table_row, file_complaint):
    """hostile_bot for one row of the module's table bot: the row's own other complaint, and
    users and groups no other row has used (staff and admins by the settings, as 800 and 900
    are); the outbox is checked from the row's first notification on."""
    from types import SimpleNamespace

    table = table_row
    outbox_before = table.db.execute("select coalesce(max(id), 0) from outbox").fetchone()[0]
    who = {
        "citizen": lambda: (table.citizen(), None),
        "staff": lambda: (table.staff(), None),
        "admin": lambda: (table.admin(), None),
        "group": lambda: (table.citizen(), table.group()),
        "staff_chat": lambda: (table.staff(), STAFF_CHAT),
        "staff_group": lambda: (table.staff(), table.group()),
    }
    return SimpleNamespace(
        application=table.application,
        api=table.api,
        db=table.db,
        store=table.store,
        chat=table.chat,
        errors=table.errors,
        other=_file_other(table.db, file_complaint, table.citizen()),
        ids=lambda name: who[name](),
        outbox_before=outbox_before,
    )


def _fill(payload: Any, receipt: str, me: int) -> Any:
    if isinstance(payload, str):
        return (
            payload.replace("{other}", receipt)
            .replace("{other_lower}", receipt.lower())
            .replace("{me}", str(me))
        )
    return payload


async def _run(bot, case: Case) -> list:
    user_id, chat_id = bot.ids(case.who)
    me = bot.chat(user_id, chat_id=chat_id)
    payload = _fill(case.payload, bot.other.receipt, user_id)
    seed = await bot.application.bot.send_message(me.chat["id"], "안내")  # a message to press on
    start = len(bot.api.calls)
    if case.kind == "send":
        await me.send(payload)
    elif case.kind == "message":
        await me.send_message(**payload)
    elif case.kind == "edited":
        message = {
            "message_id": 1,
            "date": 1,
            "edit_date": 2,
            "chat": me.chat,
            "from": me.user,
            "text": payload,
        }
        await me._process({"update_id": bot.api.new_update_id(), "edited_message": message})
    elif case.kind in ("press", "press_twice"):
        for _ in range(2 if case.kind == "press_twice" else 1):  # a double tap on one message
            await me.press(data=payload, message_id=seed.message_id)
    elif case.kind == "press_old":  # Telegram sends date 0 for a message it no longer shows
        old = {"message_id": seed.message_id, "date": 0, "chat": me.chat}
        query = {
            "id": "old",
            "from": me.user,
            "chat_instance": "x",
            "data": payload,
            "message": old,
        }
        await me._process({"update_id": bot.api.new_update_id(), "callback_query": query})
    elif case.kind in ("answer", "reason"):
        start = await _answer_step(bot, me, case.kind, payload)
    else:
        await _complaint_step(me, case.kind, payload)
    return bot.api.calls[start:]


async def _answer_step(bot, me, kind: str, payload: str) -> int:
    """[답변] or [반려] on the other complaint, the payload as a reply to the prompt, [보내기];
    returns where the calls to check start (at the reply)."""
    from handlers.keyboards import staff_actions

    await bot.application.bot.send_message(
        me.chat["id"], "민원 알림", reply_markup=staff_actions(bot.other.receipt)
    )
    asked = (await me.press("답변" if kind == "answer" else "반려"))[-1]
    start = len(bot.api.calls)
    preview = (
        await me.send(
            payload, reply_to_message=bot.api.messages[(asked.chat_id, asked.message_id)]
        )
    )[-1]
    if preview.buttons:
        await me.press("보내기")
    return start


async def _complaint_step(me, kind: str, payload: Any) -> None:
    """Walks the complaint conversation with the hostile payload at one step."""
    await me.send("/complaint")
    for part in (
        payload
        if kind == "complaint" and isinstance(payload, list)
        else [payload]
        if kind == "complaint"
        else ["가로등이 고장났어요"]
    ):
        await me.send(part)
    if kind == "complaint" and complaint.EMPTY_CONTENT_TEXT in me.api.texts(me.user_id)[-1]:
        return
    await me.press("다음 ▶")
    if kind == "choose":
        await me.press(data=payload)
        return
    if kind == "department":  # text that is no known department is refused with a hint
        await me.send(payload)
        return
    else:
        await me.press("잘 모르겠어요")
    if kind == "phone":
        await me.press("동의합니다")
        await me.send(payload)
        return
    await me.press("익명으로 접수")
    await me.press("접수하기")


def _texts(calls) -> list[str]:
    return [
        c.text
        for c in calls
        if c.method in ("sendMessage", "editMessageText", "sendDocument")
        or (c.method == "answerCallbackQuery" and c.params.get("text"))
    ]


TABLE_ROWS = [case for case in HOSTILE if case not in RRN_ROWS]


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("case", TABLE_ROWS, ids=[case.id for case in TABLE_ROWS])
async def test_hostile_input_gets_a_clear_korean_reply(hostile_row, case: Case):
    await _check_row(hostile_row, case)


@pytest.mark.parametrize("case", RRN_ROWS, ids=[case.id for case in RRN_ROWS])
async def test_hostile_rrn_rows_store_no_number(hostile_bot, case: Case):
    """An RRN row passes every row's checks on a bot of its own, then no table holds the
    number (that check reads every stored value: on the table bot, all earlier rows' too)."""
    await _check_row(hostile_bot, case)
    await _assert_no_rrn_stored(hostile_bot, case)


async def _check_row(bot, case: Case) -> None:
    """The checks every row of HOSTILE passes (see the module's docstring)."""
    calls = await _run(bot, case)
    texts = _texts(calls)

    assert bot.errors == [], f"reached the error handler: {bot.errors!r}"
    refused = [
        c.error
        for c in calls
        if c.error and not (case.kind == "press_twice" and "not modified" in c.error)
    ]  # tolerated, see keyboards.py
    assert refused == [], "Telegram would have refused a request"
    assert [c.params["parse_mode"] for c in calls if c.params.get("parse_mode")] == []
    if case.expect is SILENT:
        assert texts == []
    else:
        assert texts, "no reply at all"
        assert case.expect in "\n".join(texts)
        assert all(HANGUL.search(text) for text in texts), texts
    if case.who in OUTSIDE:
        said = "\n".join(texts)
        assert SECRET not in said and "9876" not in said and "5432" not in said
    assert get_complaint(bot.db, bot.other.receipt).content == SECRET or case.who != "citizen"

    await deliver_due(bot.application.bot, bot.store)  # every queued notification is deliverable
    queued = list(bot.db["outbox"].rows_where("id > ?", [bot.outbox_before]))
    failed = [(row["chat_id"], row["last_error"]) for row in queued if row["last_error"]]
    assert failed == [] and [n for n in due(bot.db) if n.id > bot.outbox_before] == []


def test_the_table_has_at_least_250_rows():
    assert len(HOSTILE) >= 250 and len({case.id for case in HOSTILE}) == len(HOSTILE)


async def test_a_filed_hostile_complaint_is_stored_verbatim_and_shown_within_limits(hostile_bot):
    me = hostile_bot.chat(CITIZEN)
    text = "<b>불법주차</b> *신고* '; DROP TABLE complaints;-- " + "가" * 4000
    await _complaint_step(me, "complaint", text[:4096])
    [mine] = list_complaints(hostile_bot.db, user_id=CITIZEN)
    assert mine.content == text[:4096]
    posts = [
        c for c in hostile_bot.api.calls if c.chat_id == STAFF_CHAT and c.method == "sendMessage"
    ]
    assert posts and all(telegram_length(c.text) <= MAX_MESSAGE_CHARS for c in posts)
    assert posts[-1].text.startswith(f"[새 민원] {mine.receipt}")


async def test_long_replies_and_notes_keep_every_view_within_telegram_limits(hostile_bot):
    receipt = hostile_bot.other.receipt
    boss = hostile_bot.chat(STAFF)
    for n in range(25):  # more history than a view shows
        await boss.send(f"/reply {receipt} {n}번째 답변 " + "길" * 3990)
    await boss.send(f"/close {receipt} " + "끝" * 3999)
    start = len(hostile_bot.api.calls)
    await hostile_bot.chat(OTHER).send(f"/status {receipt}")
    await boss.send(f"/view {receipt}")
    await boss.send("/inbox")
    await deliver_due(hostile_bot.application.bot, hostile_bot.store)
    calls = hostile_bot.api.calls[start:]
    assert [c.error for c in calls if c.error] == [] and hostile_bot.errors == []
    assert "이전 기록" in "\n".join(_texts(calls)) and due(hostile_bot.db) == []


async def test_a_too_long_answer_by_button_keeps_the_staff_member_writing(hostile_bot):
    from handlers.formatting import staff_alert
    from handlers.keyboards import staff_actions

    other = hostile_bot.other
    await hostile_bot.application.bot.send_message(
        STAFF_CHAT, staff_alert(other), reply_markup=staff_actions(other.receipt)
    )
    desk = hostile_bot.chat(STAFF, chat_id=STAFF_CHAT)
    prompt = (await desk.press("답변"))[-1]
    asked = hostile_bot.api.messages[(STAFF_CHAT, prompt.message_id)]
    [refused] = _texts(await desk.send("길" * 4090, reply_to_message=asked))
    assert refused.startswith(staff.NOTE_TOO_LONG_TEXT)
    await desk.send("짧은 답변", reply_to_message=asked)
    assert "답변을 등록했습니다" in _texts(await desk.press("보내기"))[-1]
    assert hostile_bot.errors == []


# --- property tests: never raise, bounded input to the costly parts ---------------------------

DOC = DocumentInfo("doc.txt", "any", "전주시", "문서", 2024)
PARSERS = (business_plan, news_article, pledge_record, pledge_status, work_report)
# Text that looks like our documents: Hangul, digits, table tabs, bullets and markup fragments.
DOCUMENT_ALPHABET = st.sampled_from(
    list("가나다라사업예산공약지원과부서 \t\n0123456789.-·•○□<>/|*#【】()")
)
DOCUMENT_LIKE = st.text(DOCUMENT_ALPHABET, max_size=3000)
HOSTILE_TEXT = st.one_of(
    st.text(max_size=4096),
    DOCUMENT_LIKE,
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=8), st.integers(1, 600)),
)


def assert_tagged_in_bounds(texts: list[str], max_chars: int | None = MAX_QUESTION_CHARS) -> None:
    """The tagger (whose time grows faster than linearly on long runs) got short runs only, and
    at most ``max_chars`` characters besides spaces."""
    assert all(len(run) <= MAX_UNSPACED_RUN for text in texts for run in text.split())
    if max_chars is not None:
        assert all(len(text.replace(" ", "")) <= max_chars for text in texts)


@settings(max_examples=60, deadline=None)
@given(HOSTILE_TEXT)
def test_normalizer_is_bounded_in_length(text):
    assert len(normalize(text)) <= MAX_QUESTION_CHARS


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(HOSTILE_TEXT, st.booleans())
def test_tokenizer_never_raises_and_tags_bounded_runs(tokenizer, tagger_inputs, text, casual):
    with tagger_inputs() as tagged:
        words = tokenizer.morphemes(
            text[: MAX_QUESTION_CHARS * 2] if not casual else text, casual=casual
        )
    assert all(isinstance(w, str) and w for w in words)
    assert_tagged_in_bounds(tagged, MAX_QUESTION_CHARS if casual else None)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(HOSTILE_TEXT, st.sampled_from([None, "전라북도", "전주시", "인천광역시", "나주시", "화성"]))
def test_matcher_never_raises_and_tags_bounded_input(kb, tagger_inputs, text, region):
    with tagger_inputs() as tagged:
        reply = respond(kb, text, region=region)
        assert isinstance(suggest_departments(kb, text, region=region), list)
    assert reply.text.strip() and telegram_length(reply.text) <= MAX_MESSAGE_CHARS
    assert_tagged_in_bounds(tagged)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(PARSERS), HOSTILE_TEXT)
def test_parsers_raise_only_parse_error(parser, text):
    try:
        assert isinstance(parser.parse(text, DOC), list)
    except ParseError:
        pass


async def _assert_no_rrn_stored(bot, case: Case) -> None:
    """After an RRN row, no table of the database file holds the number's 13 digits in order
    (checked by test_hostile_rrn_rows_store_no_number after every row's checks)."""
    await bot.application.update_persistence()
    await bot.application.persistence.flush()
    await bot.store.flush()
    await deliver_due(bot.application.bot, bot.store)
    digits = "9001011234568" if "check-digit" in case.id else SPELLED
    assert stored_holding(bot.db, digits) == []


@pytest.mark.parametrize("who", [CITIZEN, STAFF])
@pytest.mark.parametrize(
    "data", ["s:done:900101-1234567", "zz:900101-1234567", "i:900101-1234567"]
)
async def test_forged_button_data_with_an_rrn_is_not_logged(hostile_bot, caplog, who, data):
    """Unknown or refused button data is logged: the RRN in it is masked there too."""
    caplog.set_level(logging.INFO)
    me = hostile_bot.chat(who)
    seed = await hostile_bot.application.bot.send_message(me.chat["id"], "안내")
    await me.press(data=data, message_id=seed.message_id)
    assert "button" in caplog.text and "1234567" not in caplog.text


async def test_ordinary_numbers_are_stored_as_written(hostile_bot):
    """Phone, account, date and a 13-digit order number with a wrong check digit are no RRN."""
    [row] = [case for case in HOSTILE if case.id == "rrn-lookalike-phone-account-date"]
    await _run(hostile_bot, row)
    [mine] = list_complaints(hostile_bot.db, user_id=CITIZEN)
    assert mine.content == row.payload
