"""Inline keyboards and the callback data behind their buttons.

Callback data is short ASCII ("e:jb-program-854f3538", "s:done:20250301-AB2C"), never Korean
text: Telegram allows 64 bytes and a Hangul syllable takes three.
"""
from __future__ import annotations

import logging
from typing import Iterable, Sequence

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from knowledge.model import REGION_CODES, REGIONS
from nlp.reply import Hit

logger = logging.getLogger(__name__)

MAX_CALLBACK_BYTES = 64
MAX_LABEL_CHARS = 40

ENTRY = "e:"  # e:<entry id> — show one knowledge-base entry
DETAIL = "d:"  # d:<entry id> — the whole card of an entry ([자세히])
SOURCE = "src:"  # src:<entry id> — file and lines an entry was read from ([출처])
LIST_PAGE = "l:"  # l:<offset> — the next page of the last list ("더 보기")
REGION = "r:"  # r:<region code>|all — preferred region
ALL_REGIONS = "all"
FIND_DEPARTMENT = "q:dept"  # departments for the last unanswered question
NEW_COMPLAINT = "c:new"
COMPLAINT_FROM_QUESTION = "c:text"  # a draft whose content is the message just answered
ADD_TO_DRAFT = "c:add"  # the text typed during a draft belongs in it
ANSWER_INSTEAD = "c:ask"  # … or is a question to answer
ATTACHMENTS_DONE = "c:next"
DEPARTMENT = "c:d:"  # c:d:<index>|x
UNSURE = "x"
AGREE = "c:agree"
ANONYMOUS = "c:anon"
SKIP_PHONE = "c:skip"
SUBMIT = "c:ok"
CANCEL = "c:cancel"
STAFF_ACTION = "s:"  # s:<action>:<receipt>
INBOX = "i:"  # i:<status code>:<offset>

# Staff button actions → the status they set (the reply action asks for text instead).
PROGRESS, DONE, REJECT, REPLY = "prog", "done", "rej", "reply"
STAFF_BUTTONS = ((PROGRESS, "처리중"), (DONE, "완료"), (REJECT, "반려"), (REPLY, "답변"))
REGION_BY_CODE = {code: region for region, code in REGION_CODES.items()}


def keyboard(rows: Iterable[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Markup from rows of (label, callback data); refuses data Telegram would reject."""
    markup = []
    for row in rows:
        buttons = []
        for label, data in row:
            if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES or not data.isascii():
                raise ValueError(f"callback data must be ASCII and ≤ 64 bytes: {data!r}")
            buttons.append(InlineKeyboardButton(label, callback_data=data))
        markup.append(buttons)
    return InlineKeyboardMarkup(markup)


def suggestions(hits: Sequence[Hit]) -> InlineKeyboardMarkup:
    """One button per "did you mean" entry, numbered like the reply text."""
    return keyboard([(f"{n}. {_clip(hit.entry.title)}", ENTRY + hit.entry.id)]
                    for n, hit in enumerate(hits, start=1))


def not_found(*, carry_text: bool = False) -> InlineKeyboardMarkup:
    """The two ways forward when nothing matched: file a complaint (with the message as its
    content when ``carry_text``) or find the department."""
    start = COMPLAINT_FROM_QUESTION if carry_text else NEW_COMPLAINT
    return keyboard([[("민원 접수하기", start), ("담당 부서 찾기", FIND_DEPARTMENT)]])


def listing(entry_ids: Sequence[str], titles: Sequence[str], *, offset: int,
            page_size: int) -> InlineKeyboardMarkup:
    """One numbered button per item on the page, then "더 보기" when items remain."""
    rows = [[(f"{n}. {_clip(title)}", ENTRY + entry_id)]
            for n, (entry_id, title) in enumerate(zip(entry_ids[offset:offset + page_size],
                                                      titles[offset:offset + page_size]),
                                                  start=offset + 1)]
    if offset + page_size < len(entry_ids):
        rows.append([("더 보기", f"{LIST_PAGE}{offset + page_size}")])
    return keyboard(rows)


def answer(entry_id: str, *, detail: bool) -> InlineKeyboardMarkup:
    """[자세히] (when the reply is a short form) and [출처] under an answer about one entry."""
    row = [("자세히", DETAIL + entry_id)] if detail else []
    row.append(("출처", SOURCE + entry_id))
    return keyboard([row])


def draft_or_question() -> InlineKeyboardMarkup:
    """The two readings of a question typed during a complaint draft."""
    return keyboard([[("민원에 넣기", ADD_TO_DRAFT), ("질문으로 답하기", ANSWER_INSTEAD)]])


def regions() -> InlineKeyboardMarkup:
    """The four regions plus 전체, two per row."""
    buttons = [(region, REGION + REGION_CODES[region]) for region in REGIONS]
    buttons.append(("전체", REGION + ALL_REGIONS))
    return keyboard(buttons[i:i + 2] for i in range(0, len(buttons), 2))


def staff_actions(receipt: str) -> InlineKeyboardMarkup:
    """[처리중] [완료] [반려] [답변] for one complaint in the staff chat."""
    return keyboard([[(label, f"{STAFF_ACTION}{action}:{receipt}")
                      for action, label in STAFF_BUTTONS]])


def pager(status_code: str, offset: int, page_size: int, total: int) -> InlineKeyboardMarkup | None:
    """◀ ▶ buttons for one inbox page, or None when everything fits on one page."""
    row = []
    if offset > 0:
        row.append(("◀ 이전", f"{INBOX}{status_code}:{max(0, offset - page_size)}"))
    if offset + page_size < total:
        row.append(("다음 ▶", f"{INBOX}{status_code}:{offset + page_size}"))
    return keyboard([row]) if row else None


async def edit_message(query: CallbackQuery, text: str,
                       reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Replaces the text and buttons of the tapped message; a double tap that changes nothing
    is not an error (Telegram refuses such an edit with "message is not modified")."""
    try:
        await query.edit_message_text(text, reply_markup=reply_markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def next_step(query: CallbackQuery, text: str,
                    reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """The tapped message becomes the next step; if Telegram will not edit it (deleted, too
    old), the step comes as a new message, so a conversation never gets stuck on it."""
    try:
        await edit_message(query, text, reply_markup)
    except BadRequest as exc:
        logger.warning("step sent as a new message, the tapped one could not be edited: %s", exc)
        await query.message.reply_text(text, reply_markup=reply_markup)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[:MAX_LABEL_CHARS - 1] + "…"
