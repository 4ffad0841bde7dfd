"""Inline keyboards and the callback data behind their buttons.

Callback data is short ASCII ("e:jb-program-854f3538", "s:done:20250301-AB2C"), never Korean
text: Telegram allows 64 bytes and a Hangul syllable takes three.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import InlineKeyboardButtonLimit
from telegram.error import BadRequest

from db.complaints import RECEIPT_ALPHABET
from db.privacy import mask_rrn
from handlers.context import BotContext
from knowledge.model import Region
from nlp.reply import Hit

logger = logging.getLogger(__name__)

MAX_CALLBACK_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
MAX_LABEL_CHARS = 40
UNKNOWN_BUTTON_TEXT = "알 수 없는 버튼입니다. 메시지를 새로 받아 다시 눌러 주세요."

ENTRY = "e:"  # e:<entry id> — show one knowledge-base entry
DETAIL = "d:"  # d:<entry id> — the whole card of an entry ([자세히])
SOURCE = "src:"  # src:<entry id> — file and lines an entry was read from ([출처])
LIST_PAGE = "l:"  # l:<offset> — the next page of the last list ("더 보기")
REGION = "r:"  # r:<region code>|all — preferred region
ALL_REGIONS = "all"
FIND_DEPARTMENT = "q:dept"  # departments for the last unanswered question
NEW_COMPLAINT = "c:new"
COMPLAINT_FROM_QUESTION = "c:text"  # a draft whose content is the message just answered
COMPLAINT_FROM_PROBLEM = "c:prob"  # a draft starting with the problem a how-to-file described
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
PREVIEW = "a:"  # a:<send|edit|cancel>:<prompt id> — the preview of a staff answer or reason
UPLOAD = "k:"  # k:pub|drop:<token> — an admin's previewed file
PUBLISH, DISCARD = "pub", "drop"
TEMPLATE = "p:"  # p:save|del|drop:<token> — an admin's reply template, added or removed
SAVE, REMOVE = "save", "del"
AGENT = "h:agent"  # 상담원 연결: open a relay to a staff member
RELAY_CLAIM = "h:claim:"  # h:claim:<relay id> — [연결 받기] in the staff chat
RELAY_END = "h:end:"  # h:end:<relay id> — [연결 종료], either side

# Staff button actions: [처리중] [완료] set a status; [반려] and [답변] ask for text first;
# [첨부 보기] sends the photos and the location.
PROGRESS, DONE, REJECT, REPLY, ATTACHMENTS = "prog", "done", "rej", "reply", "att"
STAFF_BUTTONS = ((PROGRESS, "처리중"), (DONE, "완료"), (REJECT, "반려"), (REPLY, "답변"))
SEND, EDIT, DROP = "send", "edit", "cancel"
PREVIEW_BUTTONS = ((SEND, "보내기"), (EDIT, "수정"), (DROP, "취소"))
# Strict callback patterns: anything else is an unknown button. An entry id or region code
# that is well formed but unknown reaches its handler, which says it is gone.
ENTRY_PATTERN = rf"^{ENTRY}[\w.-]{{0,{MAX_CALLBACK_BYTES - len(ENTRY)}}}\Z"
REGION_PATTERN = rf"^{REGION}\w{{1,8}}\Z"
DETAIL_PATTERN = rf"^{DETAIL}[\w.-]{{1,{MAX_CALLBACK_BYTES - len(DETAIL)}}}\Z"
SOURCE_PATTERN = rf"^{SOURCE}[\w.-]{{1,{MAX_CALLBACK_BYTES - len(SOURCE)}}}\Z"
LIST_PAGE_PATTERN = rf"^{LIST_PAGE}\d{{1,5}}\Z"
RECEIPT_PATTERN = rf"\d{{8}}-[{RECEIPT_ALPHABET}]{{4}}"
STATUS_BUTTON_PATTERN = rf"^{STAFF_ACTION}({PROGRESS}|{DONE}):({RECEIPT_PATTERN})\Z"
ASK_BUTTON_PATTERN = rf"^{STAFF_ACTION}({REPLY}|{REJECT}):({RECEIPT_PATTERN})\Z"
ATTACHMENTS_PATTERN = rf"^{STAFF_ACTION}{ATTACHMENTS}:({RECEIPT_PATTERN})\Z"
PREVIEW_PATTERN = rf"^{PREVIEW}({SEND}|{EDIT}|{DROP}):(\d{{1,18}})\Z"
RELAY_CLAIM_PATTERN = rf"^{RELAY_CLAIM}(\d{{1,18}})\Z"
RELAY_END_PATTERN = rf"^{RELAY_END}(\d{{1,18}})\Z"
UPLOAD_PATTERN = rf"^{UPLOAD}({PUBLISH}|{DISCARD}):([0-9a-f]{{8}})\Z"  # secrets.token_hex(4)
TEMPLATE_PATTERN = rf"^{TEMPLATE}({SAVE}|{REMOVE}|{DISCARD}):([0-9a-f]{{8}})\Z"


def keyboard(rows: Iterable[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Markup from rows of (label, callback data); refuses data Telegram would reject."""
    markup = []
    for row in rows:
        buttons = []
        for label, data in row:
            if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES or not data.isascii():
                raise ValueError(
                    f"callback data must be ASCII and ≤ {MAX_CALLBACK_BYTES} bytes: {data!r}"
                )
            buttons.append(InlineKeyboardButton(label, callback_data=data))
        markup.append(buttons)
    return InlineKeyboardMarkup(markup)


def suggestions(hits: Sequence[Hit]) -> InlineKeyboardMarkup:
    """One button per "did you mean" entry, numbered like the reply text."""
    return keyboard(
        [(f"{n}. {_clip(hit.entry.title)}", ENTRY + hit.entry.id)]
        for n, hit in enumerate(hits, start=1)
    )


def not_found(*, carry_text: bool = False, carry_problem: bool = False) -> InlineKeyboardMarkup:
    """The two ways forward when nothing matched: file a complaint (with the message as its
    content when ``carry_text``, with the problem it described when ``carry_problem``) or find
    the department."""
    start = NEW_COMPLAINT
    if carry_text:
        start = COMPLAINT_FROM_QUESTION
    elif carry_problem:
        start = COMPLAINT_FROM_PROBLEM
    return keyboard(
        [
            [("민원 접수하기", start), ("담당 부서 찾기", FIND_DEPARTMENT)],
            [("상담원 연결", AGENT)],
        ]
    )


def relay_post(relay_id: int) -> InlineKeyboardMarkup:
    """[연결 받기] [연결 종료] under a relay's post in the staff chat."""
    return keyboard(
        [[("연결 받기", f"{RELAY_CLAIM}{relay_id}"), ("연결 종료", f"{RELAY_END}{relay_id}")]]
    )


def relay_end(relay_id: int) -> InlineKeyboardMarkup:
    """[연결 종료] for either side of a relay."""
    return keyboard([[("연결 종료", f"{RELAY_END}{relay_id}")]])


def listing(
    entry_ids: Sequence[str], titles: Sequence[str], *, offset: int, page_size: int
) -> InlineKeyboardMarkup:
    """One numbered button per item on the page, then "더 보기" when items remain."""
    rows = [
        [(f"{n}. {_clip(title)}", ENTRY + entry_id)]
        for n, (entry_id, title) in enumerate(
            zip(entry_ids[offset : offset + page_size], titles[offset : offset + page_size]),
            start=offset + 1,
        )
    ]
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


def regions(declared: Sequence[Region]) -> InlineKeyboardMarkup:
    """The knowledge base's regions plus 전체, two per row."""
    buttons = [(region.name, REGION + region.code) for region in declared]
    buttons.append(("전체", REGION + ALL_REGIONS))
    return keyboard(buttons[i : i + 2] for i in range(0, len(buttons), 2))


def upload_actions(token: str) -> InlineKeyboardMarkup:
    """[반영] [취소] under the preview of an uploaded file."""
    return keyboard(
        [[("반영", f"{UPLOAD}{PUBLISH}:{token}"), ("취소", f"{UPLOAD}{DISCARD}:{token}")]]
    )


def template_actions(token: str) -> InlineKeyboardMarkup:
    """[저장] [취소] under the preview of a new reply template."""
    return keyboard(
        [[("저장", f"{TEMPLATE}{SAVE}:{token}"), ("취소", f"{TEMPLATE}{DISCARD}:{token}")]]
    )


def template_removal_actions(token: str) -> InlineKeyboardMarkup:
    """[삭제] [취소] under a reply template an admin asked to remove."""
    return keyboard(
        [[("삭제", f"{TEMPLATE}{REMOVE}:{token}"), ("취소", f"{TEMPLATE}{DISCARD}:{token}")]]
    )


def staff_actions(
    receipt: str, *, final: bool = False, attachments: bool = False
) -> InlineKeyboardMarkup | None:
    """[처리중] [완료] [반려] [답변] for an open complaint, and [첨부 보기] when it has photos
    or a location; None when there is nothing to press."""
    rows = (
        []
        if final
        else [[(label, f"{STAFF_ACTION}{action}:{receipt}") for action, label in STAFF_BUTTONS]]
    )
    if attachments:
        rows.append([("첨부 보기", f"{STAFF_ACTION}{ATTACHMENTS}:{receipt}")])
    return keyboard(rows) if rows else None


def preview_actions(prompt_id: int) -> InlineKeyboardMarkup:
    """[보내기] [수정] [취소] under the preview of what a citizen is about to receive."""
    return keyboard(
        [[(label, f"{PREVIEW}{action}:{prompt_id}") for action, label in PREVIEW_BUTTONS]]
    )


def pager(
    status_code: str, offset: int, page_size: int, total: int
) -> InlineKeyboardMarkup | None:
    """◀ ▶ buttons for one inbox page, or None when everything fits on one page."""
    row = []
    if offset > 0:
        row.append(("◀ 이전", f"{INBOX}{status_code}:{max(0, offset - page_size)}"))
    if offset + page_size < total:
        row.append(("다음 ▶", f"{INBOX}{status_code}:{offset + page_size}"))
    return keyboard([row]) if row else None


async def edit_message(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replaces the text and buttons of the tapped message; a double tap that changes nothing
    is not an error (Telegram refuses such an edit with "message is not modified")."""
    try:
        await query.edit_message_text(text, reply_markup=reply_markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def next_step(
    query: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """The tapped message becomes the next step; if Telegram will not edit it (deleted, too
    old), the step comes as a new message, so a conversation never gets stuck on it."""
    try:
        await edit_message(query, text, reply_markup)
    except BadRequest as exc:
        logger.warning("step sent as a new message, the tapped one could not be edited: %s", exc)
        await query.message.reply_text(text, reply_markup=reply_markup)


async def refuse_unknown(update: Update, context: BotContext) -> None:
    """Answers a button with empty data (forged: Telegram never sends one of ours) with a short
    alert, logged at INFO, and nothing else; malformed data that matches no pattern ends at
    ``handlers.citizen.stale_button`` the same way."""
    query = update.callback_query
    data = mask_rrn(query.data or "")[:MAX_CALLBACK_BYTES]
    logger.info("unknown button data %r from user %s", data, query.from_user.id)
    await query.answer(UNKNOWN_BUTTON_TEXT, show_alert=True)


def no_data(data: object) -> bool:
    """A pattern that matches no data: python-telegram-bot hands a query with empty data to
    every pattern handler without calling the pattern, so only empty data reaches it."""
    return False


def _clip(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…"
