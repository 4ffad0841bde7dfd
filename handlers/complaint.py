"""Complaint intake (민원 접수) as a persistent conversation, plus /status and /my.

Steps: CONTENT (text, optional photo and location) → ATTACH (more photos or a location) →
DEPARTMENT (suggested, confirmed or changed) → CONSENT (개인정보 수집·이용 동의 or anonymous) →
PHONE (optional) → CONFIRM → receipt number. /cancel works at every step. A tapped message
becomes the next step (its buttons replaced): no stale button stays behind, and a complaint
costs a few Bot API calls fewer (benchmarks/load.py). The draft lives in
``user_data["complaint"]`` as plain JSON types, so a restart resumes it where it stopped (PTB
does not persist timeouts: a draft interrupted by a restart waits until continued or cancelled).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import sqlite_utils
from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from db import outbox
from db.complaints import (
    DOCUMENT_PREFIX,
    Complaint,
    complaint_for_key,
    create_complaint,
    get_complaint,
    history,
    list_complaints,
)
from db.duplicates import similar_open
from db.persistence import SQLitePersistence
from db.privacy import redact_personal_data
from db.staff import log_denied
from db.templates import acknowledgement
from display import acknowledgement_notice, filled_template
from handlers import flood, formatting, jobs, keyboards
from handlers.access import NEW_MESSAGE, PLACE_TEXT, PRIVATE, in_staff_place, user_role
from handlers.arguments import parse_phone, parse_receipt
from handlers.context import BotContext
from handlers.keyboards import keyboard
from nlp.filing import (
    PROCESSING_TIME_TEXT,
    is_processing_time_question,
    is_question,
    match_department,
)
from nlp.reply import QUESTION
from nlp.responder import suggest_departments
from transport.matching import in_matcher

CONTENT, ATTACH, DEPARTMENT, CONSENT, PHONE, CONFIRM = range(6)
CONVERSATION = "complaint"  # the conversation's name in the persistence
MAX_PHOTOS = 5
# Several messages may add to one complaint; this keeps a draft (persisted on every update) and
# the database row to a sane size. Views show the start (handlers.formatting.CONTENT_SHOWN_CHARS).
MAX_CONTENT_CHARS = 10_000
MY_COMPLAINTS_SHOWN = 10
ACK_KIND = "ack"  # outbox kind of the automatic acknowledgement (db.templates)

ASK_CONTENT_TEXT = (
    "민원 접수를 시작합니다. 어떤 불편이 있는지 한 메시지로 적어 주세요 "
    "(언제, 어디서, 무엇이). 사진이나 위치는 내용 다음에 보낼 수 있습니다.\n취소: /cancel"
)
FROM_MESSAGE_TEXT = "불편을 겪으셨군요. 방금 보내신 내용으로 민원 접수를 시작할게요. 취소: /cancel"
RRN_REMOVED_TEXT = (
    "개인정보 보호를 위해 주민등록번호로 보이는 숫자를 지우고 ******-******* 로 바꿨습니다. "
    "민원 처리에 주민등록번호는 필요하지 않습니다."
)
ASK_ATTACHMENTS_TEXT = (
    "내용을 받았습니다. 현장 사진이나 위치(📎 → 위치)를 보내실 수 있습니다. "
    "더 보낼 것이 없으면 [다음]을 눌러 주세요."
)
PHOTO_FIRST_TEXT = "사진을 받았습니다. 이제 어떤 불편인지 글로 적어 주세요."
LOCATION_FIRST_TEXT = "위치를 받았습니다. 이제 어떤 불편인지 글로 적어 주세요."
TOO_MANY_PHOTOS_TEXT = f"사진은 {MAX_PHOTOS}장까지 받을 수 있습니다. [다음]을 눌러 주세요."
TOO_MANY_FILES_TEXT = (
    f"사진과 파일은 합해서 {MAX_PHOTOS}개까지 받을 수 있습니다. [다음]을 눌러 주세요."
)
DOCUMENT_FIRST_TEXT = "파일을 받았습니다. 이제 어떤 불편인지 글로 적어 주세요."
DEPARTMENT_TEXT = (
    "이 민원을 맡을 부서로 아래를 추천합니다. 맞는 부서를 고르거나 부서 이름을 직접 적어 주세요."
)
NO_DEPARTMENT_TEXT = (
    "알맞은 부서를 찾지 못했습니다. 부서 이름을 직접 적거나 [잘 모르겠어요]를 눌러 주세요."
)
CONSENT_TEXT = (
    "개인정보 수집·이용 동의\n"
    "· 수집 항목: 민원 내용, 보내신 사진과 위치, 연락처(입력한 경우), 텔레그램 사용자 ID\n"
    "· 이용 목적: 민원 처리와 처리 결과·답변 회신\n"
    "· 보유 기간: 민원 처리 완료 후 {retention}, 이후 파기\n"
    "동의하지 않으셔도 익명으로 접수할 수 있습니다. 익명 접수는 연락처를 받지 않고, "
    "처리 결과는 이 대화방으로만 알려 드립니다."
)
ASK_PHONE_TEXT = (
    "담당자가 연락드릴 전화번호를 적어 주세요 (예: 010-1234-5678). "
    "전화 연락이 필요 없으면 [건너뛰기]를 눌러 주세요."
)
BAD_PHONE_TEXT = (
    "전화번호 형식이 아닙니다. 예: 010-1234-5678, 02-123-4567. 또는 [건너뛰기]를 눌러 주세요."
)
EMPTY_CONTENT_TEXT = "민원 내용이 비어 있습니다. 어떤 불편인지 글로 적어 주세요."
CONTENT_TOO_LONG_TEXT = (
    f"민원 내용은 {MAX_CONTENT_CHARS:,}자까지 받습니다. 넘는 부분은 저장하지 않았습니다."
)
CANCELLED_TEXT = "민원 작성을 취소했습니다. 작성하던 내용은 저장하지 않았습니다."
TIMEOUT_TEXT = (
    "민원 작성 시간이 지나 작성하던 내용을 지웠습니다. 다시 접수하려면 /complaint 를 눌러 주세요."
)
REMIND_TEXT = "민원을 작성하고 있습니다. 안내에 따라 입력하거나 버튼을 눌러 주세요. 취소: /cancel"
STATUS_USAGE_TEXT = "사용법: /status 접수번호 (예: /status 20250301-AB2C)"
# The same words whether the number does not exist or is someone else's: nobody learns which.
STATUS_DENIED_TEXT = (
    "그 접수번호의 민원을 찾지 못했습니다. 번호가 맞는지, 본인이 접수한 민원인지 확인해 주세요. "
    "내가 접수한 민원: /my"
)
CARRIED_TEXT = "방금 보내신 내용으로 민원 작성을 시작합니다:\n«{content}»\n취소: /cancel"
PROBLEM_CARRIED_TEXT = (
    "말씀하신 불편으로 민원 작성을 시작합니다:\n«{content}»\n"
    "언제, 어디서 생긴 일인지 더 적어 주세요. 현장 사진이나 위치(📎 → 위치)도 보내실 수 "
    "있습니다. 다 보내셨으면 [다음]을 눌러 주세요.\n취소: /cancel"
)
DRAFT_OR_QUESTION_TEXT = "이 내용을 민원에 넣을까요, 질문으로 답해 드릴까요?\n«{text}»"
ADDED_TEXT = "민원 내용에 넣었습니다."
STILL_DRAFTING_TEXT = (
    "작성 중인 민원은 그대로 있습니다. 더 적을 내용·사진·위치를 보내거나 [다음]을 눌러 주세요."
)
NOT_A_QUESTION_I_CAN_ANSWER = (
    "그 질문에는 자료로 답하기 어렵습니다. 민원에 넣으시면 담당자가 답변합니다."
)
BAD_DEPARTMENT_TEXT = (
    "'{text}'은(는) 자료에 있는 부서 이름이 아닙니다. 추천 부서를 누르거나, 부서 이름만 적거나"
    "(예: {example}), [잘 모르겠어요]를 눌러 주세요. 담당자가 알맞은 부서로 보냅니다."
)
NO_COMPLAINTS_TEXT = "접수하신 민원이 없습니다. 민원 접수: /complaint"
ALREADY_FILED_TEXT = "이미 접수된 민원입니다. 접수번호: {receipt} (처리 상황: /status {receipt})"


def new_draft() -> dict:
    """An empty complaint draft (JSON types only: it is persisted)."""
    return {
        "content": "",
        "attachments": [],
        "latitude": None,
        "longitude": None,
        "departments": [],
        "region": None,
        "department": None,
        "anonymous": False,
        "consent": False,
        "phone": None,
    }


def _draft(context: BotContext) -> dict:
    return context.user_data.setdefault("complaint", new_draft())


async def _step(
    update: Update,
    context: BotContext,
    state: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    notices: Sequence[str] = (),
    tapped: bool = False,
) -> int:
    """Stores the draft at step ``state``, then shows the step: the ``notices`` and ``text``
    (with ``markup``) as replies, or ``text`` in place of the tapped message (``tapped``).

    The step is stored before its reply (db.persistence ``save_step``): stored after it, a crash
    in between restarted the citizen a step back, the buttons they were shown answering nothing.
    If Telegram refuses the reply, the step and the draft the chat still shows are stored again
    and the error goes on to the error handler: the citizen stays where their chat is, after a
    restart too, and what they send again is not taken twice."""
    persistence = context.application.persistence
    assert isinstance(persistence, SQLitePersistence)
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    key = (chat_id, user_id)
    shown_state = persistence.saved_state(CONVERSATION, key)
    shown_draft = persistence.saved_user_data(user_id).get("complaint")
    await persistence.save_step(CONVERSATION, key, state, user_id, context.user_data)
    try:
        for notice in notices:
            await update.effective_message.reply_text(notice)
        if tapped:
            await keyboards.next_step(update.callback_query, text, markup)
        else:
            await update.effective_message.reply_text(text, reply_markup=markup)
    except Exception:
        if shown_draft is None:
            context.user_data.pop("complaint", None)
        else:
            context.user_data["complaint"] = shown_draft
        await persistence.save_step(CONVERSATION, key, shown_state, user_id, context.user_data)
        raise
    return state


async def ask_content(update: Update, context: BotContext) -> int:
    """Starts an empty draft and asks what happened (unless the daily limit is reached)."""
    if update.callback_query:
        await update.callback_query.answer()
    if await flood.refuse_complaint(update, context):
        context.user_data.pop("complaint", None)
        return ConversationHandler.END
    context.user_data["complaint"] = new_draft()
    return await _step(update, context, CONTENT, ASK_CONTENT_TEXT)


async def start_from_message(update: Update, context: BotContext) -> int:
    """Starts a draft whose content is the message that reported the problem."""
    if await flood.refuse_complaint(update, context):
        return ConversationHandler.END
    context.user_data["complaint"] = new_draft()
    return await _take_content(update, context, intro=FROM_MESSAGE_TEXT)


async def redacted(update: Update, draft: dict, text: str) -> str:
    """The text with 주민등록번호 masked; the citizen is told the first time in a draft."""
    text, found = redact_personal_data(text)
    if found and not draft.get("rrn_told"):
        draft["rrn_told"] = True
        await update.effective_message.reply_text(RRN_REMOVED_TEXT)
    return text


async def start_from_question(update: Update, context: BotContext) -> int:
    """[민원 접수하기] under a message the bot could not answer: that message is the content."""
    return await _start_carrying(update, context, problem=False)


async def start_from_problem(update: Update, context: BotContext) -> int:
    """[민원 접수하기] under the answer to how to file: the problem the question described starts
    the content, and the citizen is asked for the rest (when, where, photos)."""
    return await _start_carrying(update, context, problem=True)


async def _start_carrying(update: Update, context: BotContext, *, problem: bool) -> int:
    """A draft whose content is the text kept for the buttons (user_data "last_question");
    an empty draft that asks for the content when none is kept (a restart, an old button)."""
    text = context.user_data.pop("last_question", None)
    if not text:
        return await ask_content(update, context)
    await update.callback_query.answer()
    if await flood.refuse_complaint(update, context):
        return ConversationHandler.END
    draft = context.user_data["complaint"] = new_draft()
    draft["content"] = redact_personal_data(text)[0].strip()[:MAX_CONTENT_CHARS]
    shown = formatting.preview(draft["content"], 200)
    if problem:
        asked = PROBLEM_CARRIED_TEXT.format(content=shown)
        return await _step(update, context, ATTACH, asked, _next_or_cancel())
    carried = CARRIED_TEXT.format(content=shown)
    return await _step(
        update, context, ATTACH, ASK_ATTACHMENTS_TEXT, _next_or_cancel(), notices=[carried]
    )


async def receive_more_text(update: Update, context: BotContext) -> int:
    """More text for a draft that has content; a question is asked about first."""
    text = update.message.text or ""
    if not is_question(text):
        return await receive_content(update, context)
    _draft(context)["pending"] = text[:MAX_CONTENT_CHARS]
    asked = DRAFT_OR_QUESTION_TEXT.format(text=formatting.preview(text, 100))
    return await _step(update, context, ATTACH, asked, keyboards.draft_or_question())


async def add_pending(update: Update, context: BotContext) -> int:
    """[민원에 넣기]: the question typed during the draft joins its content."""
    query, draft = update.callback_query, _draft(context)
    await query.answer()
    pending = draft.pop("pending", None)
    if pending:
        text = redact_personal_data(pending)[0].strip()
        draft["content"] = "\n".join(p for p in (draft["content"], text) if p)[:MAX_CONTENT_CHARS]
    added = f"{ADDED_TEXT} {ASK_ATTACHMENTS_TEXT}"
    return await _step(update, context, ATTACH, added, _next_or_cancel(), tapped=True)


async def answer_pending(update: Update, context: BotContext) -> int:
    """[질문으로 답하기]: answers the question; the draft stays as it was."""
    query, draft = update.callback_query, _draft(context)
    await query.answer()
    pending = draft.pop("pending", None) or ""
    if is_processing_time_question(pending):
        answer = PROCESSING_TIME_TEXT
    else:
        reply = context.replies.respond(
            context.kb, pending, region=context.user_data.get("region")
        )
        answer = reply.text if reply.intent == QUESTION else NOT_A_QUESTION_I_CAN_ANSWER
    answered = formatting.fit(f"{answer}\n\n{STILL_DRAFTING_TEXT}")
    return await _step(update, context, ATTACH, answered, _next_or_cancel(), tapped=True)


async def receive_content(update: Update, context: BotContext) -> int:
    """Stores the text (주민등록번호 removed) and any photo, then offers attachments."""
    return await _take_content(update, context)


async def _take_content(update: Update, context: BotContext, *, intro: str | None = None) -> int:
    """receive_content, the step's replies after ``intro`` (a draft started by this message)."""
    message, draft = update.message, _draft(context)
    notices = [intro] if intro else []
    text = await redacted(update, draft, message.text or message.caption or "")
    text = text.strip() if any(ch.isalnum() for ch in text) else ""  # zero-width, emoji only
    if message.photo and len(draft["attachments"]) < MAX_PHOTOS:
        draft["attachments"].append(message.photo[-1].file_id)
    if not text and not draft["content"]:
        asked = PHOTO_FIRST_TEXT if message.photo else EMPTY_CONTENT_TEXT
        return await _step(update, context, CONTENT, asked, notices=notices)
    room = MAX_CONTENT_CHARS - len(draft["content"]) - 1
    cut = len(text) > room
    text = text[: max(room, 0)] if cut else text
    draft["content"] = "\n".join(part for part in (draft["content"], text) if part)
    notices += [CONTENT_TOO_LONG_TEXT] if cut else []
    return await _step(
        update, context, ATTACH, ASK_ATTACHMENTS_TEXT, _next_or_cancel(), notices=notices
    )


async def receive_photo(update: Update, context: BotContext) -> int:
    """Adds a photo (a caption joins the content) and asks for the text if still missing."""
    message, draft = update.message, _draft(context)
    if message.caption:
        return await receive_content(update, context)
    if len(draft["attachments"]) >= MAX_PHOTOS:
        await message.reply_text(TOO_MANY_PHOTOS_TEXT, reply_markup=_next_or_cancel())
        return ATTACH
    draft["attachments"].append(message.photo[-1].file_id)
    return await _after_attachment(
        update, context, f"사진 {len(draft['attachments'])}장을 받았습니다.", PHOTO_FIRST_TEXT
    )


async def receive_document(update: Update, context: BotContext) -> int:
    """Adds a file sent during the draft (an admin's file too: it is not a knowledge upload
    while a draft is open); a caption joins the content."""
    message, draft = update.message, _draft(context)
    if len(draft["attachments"]) >= MAX_PHOTOS:
        await message.reply_text(TOO_MANY_FILES_TEXT, reply_markup=_next_or_cancel())
        return ATTACH if draft["content"] else CONTENT
    draft["attachments"].append(DOCUMENT_PREFIX + message.document.file_id)
    if message.caption:
        return await receive_content(update, context)
    return await _after_attachment(update, context, "파일을 받았습니다.", DOCUMENT_FIRST_TEXT)


class DraftOpen(filters.MessageFilter):
    """Messages from a user whose complaint draft is open (``user_data["complaint"]`` exists
    from the first step until it is filed, cancelled or timed out)."""

    def __init__(self, user_data) -> None:
        super().__init__(name="DraftOpen")
        self._user_data = user_data

    def filter(self, message) -> bool:
        user = message.from_user
        return user is not None and "complaint" in (self._user_data.get(user.id) or {})


async def receive_location(update: Update, context: BotContext) -> int:
    """Stores the location of the problem."""
    draft, location = _draft(context), update.message.location
    draft["latitude"], draft["longitude"] = location.latitude, location.longitude
    return await _after_attachment(update, context, "위치를 받았습니다.", LOCATION_FIRST_TEXT)


async def _after_attachment(
    update: Update, context: BotContext, received: str, first_text: str
) -> int:
    if not _draft(context)["content"]:
        return await _step(update, context, CONTENT, first_text)
    more = f"{received} 더 보내거나 [다음]을 눌러 주세요."
    return await _step(update, context, ATTACH, more, _next_or_cancel())


async def ask_department(update: Update, context: BotContext) -> int:
    """Suggests departments for the content as buttons, plus 잘 모르겠어요."""
    query, draft = update.callback_query, _draft(context)
    await query.answer()
    if not draft["content"]:
        return await _step(update, context, CONTENT, EMPTY_CONTENT_TEXT)
    pairs = await in_matcher(
        context.matcher,
        suggest_departments,
        context.kb,
        draft["content"],
        region=context.user_data.get("region"),
    )
    draft["departments"] = [list(pair) for pair in pairs]
    asked = DEPARTMENT_TEXT if pairs else NO_DEPARTMENT_TEXT
    return await _step(update, context, DEPARTMENT, asked, _department_buttons(pairs), tapped=True)


async def choose_department(update: Update, context: BotContext) -> int:
    """Takes the tapped department (or none when unsure) and asks for consent."""
    query, draft = update.callback_query, _draft(context)
    await query.answer()
    choice = query.data.removeprefix(keyboards.DEPARTMENT)
    pairs = draft["departments"]
    if choice.isascii() and choice.isdigit() and int(choice) < len(pairs):
        draft["region"], draft["department"] = pairs[int(choice)]
    else:
        draft["region"], draft["department"] = context.user_data.get("region"), None
    asked = f"{_department_line(draft)}\n\n{_consent_text(context)}"
    return await _step(update, context, CONSENT, asked, _consent_buttons(), tapped=True)


async def type_department(update: Update, context: BotContext) -> int:
    """Takes a department the citizen typed, if the documents know it; other text (주민등록번호
    masked before it is echoed) is refused with a hint and the suggestions again."""
    draft = _draft(context)
    typed = await redacted(update, draft, update.message.text or "")
    found = match_department(context.kb, typed)
    if found is None:
        pairs = [tuple(p) for p in draft.get("departments") or []]
        example = pairs[0][1] if pairs else "정무기획과"
        await update.message.reply_text(
            BAD_DEPARTMENT_TEXT.format(text=formatting.preview(typed, 30), example=example),
            reply_markup=_department_buttons(pairs),
        )
        return DEPARTMENT
    draft["region"], draft["department"] = found
    return await _step(
        update,
        context,
        CONSENT,
        _consent_text(context),
        _consent_buttons(),
        notices=[_department_line(draft)],
    )


def _department_buttons(pairs: list[tuple[str, str]]):
    buttons = [
        [(formatting.department_label(*pair), f"{keyboards.DEPARTMENT}{n}")]
        for n, pair in enumerate(pairs)
    ]
    buttons.append([("잘 모르겠어요", keyboards.DEPARTMENT + keyboards.UNSURE)])
    return keyboard(buttons)


def _consent_buttons():
    return keyboard(
        [
            [("동의합니다", keyboards.AGREE)],
            [("익명으로 접수", keyboards.ANONYMOUS)],
            [("취소", keyboards.CANCEL)],
        ]
    )


def _department_line(draft: dict) -> str:
    return f"담당 부서: {formatting.department_label(draft['region'], draft['department'])}"


def _consent_record(context: BotContext, draft: dict, answer: str) -> str:
    """The consent message as it stays in the chat once answered (its buttons replaced)."""
    return f"{_department_line(draft)}\n\n{_consent_text(context)}\n\n→ {answer}"


def _consent_text(context: BotContext) -> str:
    """The consent notice with the retention period the daily purge actually enforces."""
    return consent_text(context.settings.complaint_retention_days)


def consent_text(retention_days: int) -> str:
    """개인정보 수집·이용 동의 notice; 1095 days reads "3년"."""
    years, rest = divmod(retention_days, 365)
    return CONSENT_TEXT.format(
        retention=f"{years}년" if years and not rest else f"{retention_days}일"
    )


async def agree(update: Update, context: BotContext) -> int:
    """Records consent and asks for an optional phone number."""
    query, draft = update.callback_query, _draft(context)
    await query.answer()
    draft["consent"], draft["anonymous"] = True, False
    asked = f"{_consent_record(context, draft, '동의하셨습니다.')}\n\n{ASK_PHONE_TEXT}"
    return await _step(update, context, PHONE, asked, _skip_phone_button(), tapped=True)


async def go_anonymous(update: Update, context: BotContext) -> int:
    """Files without consent or phone number and shows the summary."""
    query, draft = update.callback_query, _draft(context)
    await query.answer()
    draft.update(consent=False, anonymous=True, phone=None)
    summary = (
        f"{_consent_record(context, draft, '익명으로 접수합니다.')}\n\n"
        f"{formatting.draft_summary(draft)}"
    )
    return await _step(update, context, CONFIRM, summary, _submit_buttons(), tapped=True)


async def receive_phone(update: Update, context: BotContext) -> int:
    """Validates the phone number; asks again if it is not a Korean number."""
    phone = parse_phone(await redacted(update, _draft(context), update.message.text))
    if phone is None:
        await update.message.reply_text(BAD_PHONE_TEXT, reply_markup=_skip_phone_button())
        return PHONE
    _draft(context)["phone"] = phone
    return await _ask_confirmation(update, context)


async def skip_phone(update: Update, context: BotContext) -> int:
    """Continues without a phone number."""
    await update.callback_query.answer()
    _draft(context)["phone"] = None
    return await _ask_confirmation(update, context)


async def _ask_confirmation(update: Update, context: BotContext) -> int:
    summary = formatting.draft_summary(_draft(context))
    return await _step(update, context, CONFIRM, summary, _submit_buttons())


def _skip_phone_button() -> InlineKeyboardMarkup:
    return keyboard([[("건너뛰기", keyboards.SKIP_PHONE)]])


def _submit_buttons():
    return keyboard([[("접수하기", keyboards.SUBMIT), ("취소", keyboards.CANCEL)]])


async def submit(update: Update, context: BotContext) -> int:
    """Stores the complaint once, turns the summary into the receipt and posts it to the staff
    chat.

    The draft is dropped only once the receipt is shown: if that fails, the buttons stay and
    tapping [접수하기] again returns the same complaint (keyed by the summary message), never a
    second one.
    """
    query, draft = update.callback_query, _draft(context)
    await query.answer()
    if not draft["content"]:
        await query.message.reply_text(EMPTY_CONTENT_TEXT)
        return CONTENT
    filed = await context.store.read(complaint_for_key, _key(query))
    if filed is None and await flood.refuse_complaint(update, context):
        context.user_data.pop("complaint", None)
        return ConversationHandler.END
    complaint, queued = await context.store.write(
        _store, context.settings.staff_chat_id, query, draft
    )
    await context.wal_sync.wait()  # a receipt promises the complaint is kept
    await keyboards.next_step(query, formatting.receipt_text(complaint, draft))
    context.user_data.pop("complaint", None)
    for notification_id in queued:  # at once if possible, else the outbox job retries
        await jobs.deliver_now(context, notification_id)
    return ConversationHandler.END


async def filed_by(context: BotContext, query: CallbackQuery) -> Complaint | None:
    """The complaint a [접수하기] tap's message filed, if it is the tapping user's: a double tap,
    or a tap Telegram delivers again after a restart, reaches the conversation once it is over."""
    if query.data != keyboards.SUBMIT or query.message is None:
        return None
    filed = await context.store.read(complaint_for_key, _key(query))
    return filed if filed is not None and filed.user_id == query.from_user.id else None


def _key(query: CallbackQuery) -> str:
    """The idempotency key of a submission: the chat and the summary message it was tapped on."""
    return f"{query.message.chat.id}:{query.message.message_id}"


def _store(
    db: sqlite_utils.Database, staff_chat_id: int | None, query: CallbackQuery, draft: dict
) -> tuple[Complaint, list[int]]:
    """create_complaint (a repeated tap cannot file twice) with the automatic acknowledgement
    (db.templates) and the staff-chat post queued in the same transaction; returns the
    complaint and the queued outbox ids, in sending order, if new."""
    queued: list[int] = []

    def queue_staff_post(db, complaint: Complaint) -> None:
        template = acknowledgement(db, complaint)
        if template is not None:
            notice = acknowledgement_notice(
                complaint.receipt, filled_template(template, complaint)
            )
            queued.append(
                outbox.enqueue(
                    db, complaint.chat_id, notice, kind=ACK_KIND, receipt=complaint.receipt
                )
            )
        if staff_chat_id is not None:
            alert = formatting.staff_alert(complaint, similar_open(db, complaint))
            queued.append(
                outbox.enqueue(
                    db, staff_chat_id, alert, kind=jobs.STAFF_POST, receipt=complaint.receipt
                )
            )

    complaint = create_complaint(
        db,
        idempotency_key=_key(query),
        user_id=query.from_user.id,
        chat_id=query.message.chat.id,
        content=draft["content"],
        department=draft["department"],
        region=draft["region"],
        phone=draft["phone"],
        anonymous=draft["anonymous"],
        consent=draft["consent"],
        attachments=draft["attachments"],
        latitude=draft["latitude"],
        longitude=draft["longitude"],
        on_created=queue_staff_post,
    )
    return complaint, queued


async def cancel(update: Update, context: BotContext) -> int:
    """Drops the draft and ends the conversation."""
    context.user_data.pop("complaint", None)
    if update.callback_query:
        await update.callback_query.answer()
        await update.callback_query.edit_message_reply_markup(None)
    await update.effective_message.reply_text(CANCELLED_TEXT)
    return ConversationHandler.END


async def timed_out(update: Update, context: BotContext) -> None:
    """Tells the citizen the unfinished draft was discarded."""
    if context.user_data.pop("complaint", None) is not None:
        await context.bot.send_message(update.effective_chat.id, TIMEOUT_TEXT)


async def remind(update: Update, context: BotContext) -> None:
    """Reminds the citizen which step the draft is at instead of ignoring the message."""
    await update.message.reply_text(REMIND_TEXT)


async def show_status(update: Update, context: BotContext) -> None:
    """Shows a complaint to its complainant or to staff; refuses anyone else the same way."""
    receipt = parse_receipt(" ".join(context.args))
    if receipt is None:
        await update.message.reply_text(STATUS_USAGE_TEXT)
        return
    user_id = update.effective_user.id
    complaint = await context.store.read(get_complaint, receipt)
    if complaint is None or (
        complaint.user_id != user_id and await user_role(context, user_id) is None
    ):
        if complaint is not None:
            await context.store.write(log_denied, user_id, "/status")
        await update.message.reply_text(STATUS_DENIED_TEXT)
        return
    if complaint.user_id != user_id and not in_staff_place(update, context):
        await update.message.reply_text(PLACE_TEXT)  # staff, with someone else's complaint
        return
    events = await context.store.read(history, receipt)
    await update.message.reply_text(formatting.status_text(complaint, events))


async def my_complaints(update: Update, context: BotContext) -> None:
    """Lists the citizen's own complaints, newest first."""
    complaints = await context.store.read(
        list_complaints, user_id=update.effective_user.id, limit=MY_COMPLAINTS_SHOWN
    )
    if not complaints:
        await update.message.reply_text(NO_COMPLAINTS_TEXT)
        return
    lines = [
        "내가 접수한 민원 (최근 순):",
        *map(formatting.complaint_line, complaints),
        "자세히 보기: /status 접수번호",
    ]
    await update.message.reply_text("\n".join(lines))


def _next_or_cancel():
    return keyboard([[("다음 ▶", keyboards.ATTACHMENTS_DONE), ("취소", keyboards.CANCEL)]])


def _button(data: str, callback) -> CallbackQueryHandler:
    return CallbackQueryHandler(callback, pattern=f"^{data}$")


def build_conversation(
    question_handler: BaseHandler, timeout_seconds: float
) -> ConversationHandler:
    """The complaint conversation; ``question_handler`` (free text) may start it too."""
    text = filters.TEXT & ~filters.COMMAND & NEW_MESSAGE
    photo, location = filters.PHOTO & NEW_MESSAGE, filters.LOCATION & NEW_MESSAGE
    document = filters.Document.ALL & NEW_MESSAGE
    restart = [
        CommandHandler("complaint", ask_content, filters=PRIVATE),
        _button(keyboards.NEW_COMPLAINT, ask_content),
        _button(keyboards.COMPLAINT_FROM_QUESTION, start_from_question),
        _button(keyboards.COMPLAINT_FROM_PROBLEM, start_from_problem),
    ]
    states = {
        CONTENT: [
            MessageHandler(text, receive_content),
            MessageHandler(photo, receive_photo),
            MessageHandler(document, receive_document),
            MessageHandler(location, receive_location),
        ],
        ATTACH: [
            MessageHandler(text, receive_more_text),
            MessageHandler(photo, receive_photo),
            MessageHandler(document, receive_document),
            MessageHandler(location, receive_location),
            _button(keyboards.ATTACHMENTS_DONE, ask_department),
            _button(keyboards.ADD_TO_DRAFT, add_pending),
            _button(keyboards.ANSWER_INSTEAD, answer_pending),
        ],
        DEPARTMENT: [
            CallbackQueryHandler(choose_department, pattern=f"^{keyboards.DEPARTMENT}"),
            MessageHandler(text, type_department),
        ],
        CONSENT: [_button(keyboards.AGREE, agree), _button(keyboards.ANONYMOUS, go_anonymous)],
        PHONE: [MessageHandler(text, receive_phone), _button(keyboards.SKIP_PHONE, skip_phone)],
        CONFIRM: [_button(keyboards.SUBMIT, submit)],
        ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
    }
    fallbacks = [
        CommandHandler("cancel", cancel, filters=NEW_MESSAGE),
        _button(keyboards.CANCEL, cancel),
        *restart,
        MessageHandler(~filters.COMMAND & NEW_MESSAGE, remind),
    ]
    # Buttons are tracked per chat and user, not per message, on purpose: one draft per citizen.
    # PTB warns about that combination; the warning does not apply here.
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*CallbackQueryHandler", category=PTBUserWarning
        )
        return ConversationHandler(
            entry_points=[*restart, question_handler],
            states=states,
            fallbacks=fallbacks,
            name=CONVERSATION,
            persistent=True,
            conversation_timeout=timeout_seconds,
        )
