"""Staff commands and the staff-chat buttons for complaints.

Every command and every button press checks the user's role again and the chat
(``handlers.access.requires``): an old staff button forwarded or replayed by someone else
is refused and logged, and complaint data appears only in a private chat with the bot or in
the staff chat.

[답변] and [반려] ask for the text with a prompt message (ForceReply). Only a reply to that
prompt, in that chat, by the staff member who asked, is taken (``db.prompts``: the prompt and
its deadline are on disk, so they survive a restart); it is shown as a preview, and only
[보내기] stores it and queues it for the citizen. /reply and /close name the complaint in the
same message, are stored at once and are keyed by that message, so a retried or re-delivered
command never reaches the citizen twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import sqlite_utils
from telegram import ForceReply, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from db.complaints import (
    DOCUMENT_PREFIX,
    DONE,
    IN_PROGRESS,
    RECEIVED,
    REJECTED,
    TRANSFERRED,
    TRANSITIONS,
    AlreadyReplied,
    Complaint,
    ComplaintNotFound,
    InvalidTransition,
    add_note,
    get_complaint,
    history,
    received_between,
    record_view,
)
from db.outbox import sent_messages
from db.prompts import (
    REJECT,
    REPLY,
    Prompt,
    ask_again,
    close_prompt,
    get_prompt,
    open_prompt,
    prompt_for_message,
    save_draft,
    set_preview,
)
from db.workbench import InboxFilter
from db.workbench import inbox as workbench_inbox
from display import MAX_NOTE_UNITS, complaints_csv, due_text, telegram_length
from handlers import formatting, jobs, keyboards
from handlers.access import NEW_MESSAGE, STAFF_ROLES, RepliesToBot, requires
from handlers.arguments import parse_period, parse_receipt
from handlers.context import BotContext
from notices import change_status, reply_to_linked

logger = logging.getLogger(__name__)

PAGE_SIZE = 5
OVERDUE_MARK = " ⚠ 기한 지남"
ALL = "all"
# Inbox filter codes for callback data (ASCII) ↔ the Korean status names staff type.
STATUS_CODES = {
    ALL: None,
    "new": RECEIVED,
    "prog": IN_PROGRESS,
    "done": DONE,
    "rej": REJECTED,
    "xfer": TRANSFERRED,
}
CODE_BY_NAME = {name: code for code, name in STATUS_CODES.items() if name} | {"전체": ALL}
INBOX_PATTERN = rf"^{keyboards.INBOX}({'|'.join(STATUS_CODES)}):(\d+)\Z"
BUTTON_STATUS = {keyboards.PROGRESS: IN_PROGRESS, keyboards.DONE: DONE}

INBOX_USAGE = "사용법: /inbox [접수|처리중|완료|반려|이관]"
VIEW_USAGE = "사용법: /view 접수번호"
REPLY_USAGE = "사용법: /reply 접수번호 답변 내용 (줄바꿈은 그대로 전달됩니다)"
ASSIGN_USAGE = "사용법: /assign 접수번호 부서이름"
NOTE_USAGE = "사용법: /note 접수번호 내부 메모 (민원인에게는 보이지 않습니다)"
NOTE_TOO_LONG_TEXT = (
    f"답변과 메모는 한 메시지에 {MAX_NOTE_UNITS:,}자까지 보낼 수 있습니다 "
    "(이모지 등 일부 문자는 2자로 셉니다). 나눠서 보내 주세요."
)
TOO_LONG_DETAIL = "지금 {length:,}자입니다."
APPEAL_TEXT = (
    "이의가 있으시면 이 대화방에서 /complaint 로 반려된 접수번호를 적어 이의 신청 민원을 "
    "접수해 주세요."
)
REJECT_NOTE = "반려 사유: {reason}\n" + APPEAL_TEXT
MAX_REASON_UNITS = MAX_NOTE_UNITS - telegram_length(REJECT_NOTE.format(reason=""))
REASON_TOO_LONG_TEXT = (
    f"반려 사유는 {MAX_REASON_UNITS:,}자까지 적을 수 있습니다. 줄여서 다시 답장해 주세요."
)
TEXT_LIMITS = {
    REPLY: (MAX_NOTE_UNITS, NOTE_TOO_LONG_TEXT),
    REJECT: (MAX_REASON_UNITS, REASON_TOO_LONG_TEXT),
}
MAX_DEPARTMENT_CHARS = 50  # as long as a department a citizen may type (handlers.complaint)
DEPARTMENT_TOO_LONG_TEXT = (
    f"부서 이름은 {MAX_DEPARTMENT_CHARS}자까지 적을 수 있습니다. {ASSIGN_USAGE}"
)
CLOSE_USAGE = "사용법: /close 접수번호 [민원인에게 보낼 처리 결과] (내부 메모는 /note)"
EXPORT_USAGE = "사용법: /export [시작일 종료일] (예: /export 2025-03-01 2025-03-31)"
NOT_FOUND_TEXT = "접수번호 {receipt}인 민원이 없습니다."
REPLY_SAVED_TEXT = "민원 {receipt}에 답변을 등록했습니다. 민원인에게 곧 전달됩니다."
ALREADY_REPLIED_TEXT = "이 답변은 민원 {receipt}에 이미 등록했습니다. 다시 보내지 않습니다."
NOTE_SAVED_TEXT = "민원 {receipt}에 내부 메모를 남겼습니다. 민원인에게는 보이지 않습니다."
# Prompts: each starts with a mark, so a reply to one is recognised without a look-up.
REPLY_MARK, REASON_MARK = "[답변 작성]", "[반려 사유]"
PROMPT_MARKS = (REPLY_MARK, REASON_MARK)
# A message replying to one of the bot's answer or reason prompts.
REPLIES_TO_PROMPT = RepliesToBot(lambda text: text.startswith(PROMPT_MARKS), "RepliesToPrompt")
REPLY_PROMPT_TEXT = (
    REPLY_MARK + " {name}님, 민원 {receipt}에 보낼 답변을 이 메시지에 답장으로 "
    "적어 주세요. 보내기 전에 미리보기를 보여 드립니다. ({minutes}분 안에)"
)
REASON_PROMPT_TEXT = (
    REASON_MARK + " {name}님, 민원 {receipt}을(를) 반려하는 이유를 이 메시지에 "
    "답장으로 적어 주세요. 이의 신청 방법과 함께 민원인에게 전달됩니다. ({minutes}분 안에)"
)
PLACEHOLDERS = {REPLY: "민원인에게 보낼 답변", REJECT: "반려 사유"}
PREVIEW_HEADERS = {
    REPLY: (
        "[미리보기] 민원 {receipt}의 민원인에게 아래 답변을 보냅니다. "
        "맞으면 [보내기]를 눌러 주세요."
    ),
    REJECT: (
        "[미리보기] 민원 {receipt}을(를) 반려하고 민원인에게 아래 내용을 보냅니다. "
        "맞으면 [보내기]를 눌러 주세요."
    ),
}
PROMPT_GONE_TEXT = "이 요청은 시간이 지났거나 이미 끝났습니다. 민원의 버튼을 다시 눌러 주세요."
PROMPT_EXPIRED_TEXT = "작성 시간이 지나 이 요청은 끝났습니다. 민원의 버튼을 다시 눌러 주세요."
NOT_YOUR_PROMPT_TEXT = "다른 직원이 연 요청입니다. 민원의 버튼을 직접 눌러 주세요."
PREVIEW_GONE_TEXT = "이미 보냈거나 취소했거나 새 미리보기로 바뀐 내용입니다."
EMPTY_TEXT = "내용이 비어 있습니다. 다시 답장해 주세요."
REPLY_CANCELLED_TEXT = "보내지 않고 취소했습니다."
NOT_SENT_TEXT = "보내지 않았습니다. 그사이 민원의 상태가 바뀌었습니다."
REWRITE_TEXT = "새 요청 메시지에 답장으로 다시 적어 주세요. 이 내용은 보내지 않았습니다."
REJECTED_TEXT = "민원 {receipt}을(를) 반려했습니다. 민원인에게 사유와 이의 신청 방법을 알립니다."
NO_ATTACHMENTS_TEXT = "이 민원에는 사진이나 위치가 없습니다."
PHOTO_FAILED_TEXT = "사진 {failed}장을 보내지 못했습니다 (텔레그램에서 더 이상 받을 수 없는 파일)."


@requires(STAFF_ROLES)
async def inbox(update: Update, context: BotContext) -> None:
    """Lists complaints by due date (overdue first, as the web console does), optionally of one
    status, with ◀ ▶ paging."""
    code = CODE_BY_NAME.get(context.args[0]) if context.args else ALL
    if code is None or len(context.args) > 1:
        await update.message.reply_text(INBOX_USAGE)
        return
    text, markup = await context.store.read(inbox_page, code, 0)
    await update.message.reply_text(text, reply_markup=markup)


@requires(STAFF_ROLES, action="inbox page")
async def turn_inbox_page(update: Update, context: BotContext) -> None:
    """Shows the previous or next inbox page in place."""
    query = update.callback_query
    code, offset = context.matches[0].groups()
    await query.answer()
    text, markup = await context.store.read(inbox_page, code, int(offset))
    await keyboards.edit_message(query, text, markup)


def inbox_page(
    db: sqlite_utils.Database, code: str, offset: int, *, now: datetime | None = None
) -> tuple[str, object]:
    """The text and ◀ ▶ buttons of one inbox page (an offset past the end shows the last page)."""
    now = now or datetime.now(UTC)
    status = STATUS_CODES[code]
    filters = InboxFilter(status=status, sort="due")
    total, _ = workbench_inbox(db, filters, limit=0)
    offset = max(0, min(offset, (total - 1) // PAGE_SIZE * PAGE_SIZE if total else 0))
    _, complaints = workbench_inbox(db, filters, limit=PAGE_SIZE, offset=offset)
    if not complaints:
        return f"민원함 ({status or '전체'}): 민원이 없습니다.", None
    header = (
        f"민원함 ({status or '전체'}, 처리기한 순) {offset + 1}–{offset + len(complaints)} "
        f"/ {total}건"
    )
    lines = [header, *(_inbox_line(c, now) for c in complaints), "자세히: /view 접수번호"]
    return "\n".join(lines), keyboards.pager(code, offset, PAGE_SIZE, total)


def _inbox_line(complaint: Complaint, now: datetime) -> str:
    """The complaint's list line with its due date, marked when an open one is overdue."""
    due = due_text(complaint)
    late = (
        TRANSITIONS[complaint.status]
        and complaint.due_at
        and datetime.fromisoformat(complaint.due_at) < now
    )
    mark = OVERDUE_MARK if late else ""
    return f"{formatting.complaint_line(complaint)}\n   처리기한: {due}{mark}"


@requires(STAFF_ROLES)
async def view(update: Update, context: BotContext) -> None:
    """Shows one complaint in full (phone number included) with its action buttons; the view
    is recorded in the complaint's history."""
    receipt = parse_receipt(" ".join(context.args))
    if receipt is None:
        await update.message.reply_text(VIEW_USAGE)
        return
    complaint = await context.store.read(get_complaint, receipt)
    if complaint is None:
        await update.message.reply_text(NOT_FOUND_TEXT.format(receipt=receipt))
        return
    seen = "상세 열람 (연락처 포함)" if complaint.phone else "상세 열람"
    await context.store.write(record_view, receipt, actor_id=update.effective_user.id, what=seen)
    events = await context.store.read(history, receipt)
    await update.message.reply_text(
        formatting.complaint_detail(complaint, events), reply_markup=_actions(complaint)
    )


@requires(STAFF_ROLES)
async def reply(update: Update, context: BotContext) -> None:
    """Sends a staff answer to the complainant: /reply 번호 내용 (line breaks kept)."""
    receipt, text = _receipt_and_text(update.message)
    if receipt is None or not text:
        await update.message.reply_text(REPLY_USAGE)
        return
    if await _refused_as_too_long(update.message, text):
        return
    try:
        await context.store.write(
            reply_to_linked,
            receipt,
            actor_id=update.effective_user.id,
            text=text,
            idempotency_key=_message_key(update.message),
        )
    except ComplaintNotFound:
        await update.message.reply_text(NOT_FOUND_TEXT.format(receipt=receipt))
        return
    except AlreadyReplied:
        await update.message.reply_text(ALREADY_REPLIED_TEXT.format(receipt=receipt))
        return
    await context.wal_sync.wait()
    await update.message.reply_text(REPLY_SAVED_TEXT.format(receipt=receipt))


@requires(STAFF_ROLES)
async def note(update: Update, context: BotContext) -> None:
    """Adds an internal note that only staff see in /view: /note 번호 내용."""
    receipt, text = _receipt_and_text(update.message)
    if receipt is None or not text:
        await update.message.reply_text(NOTE_USAGE)
        return
    if await _refused_as_too_long(update.message, text):
        return
    try:
        await context.store.write(add_note, receipt, actor_id=update.effective_user.id, text=text)
    except ComplaintNotFound:
        await update.message.reply_text(NOT_FOUND_TEXT.format(receipt=receipt))
        return
    await context.wal_sync.wait()
    await update.message.reply_text(NOTE_SAVED_TEXT.format(receipt=receipt))


@requires(STAFF_ROLES)
async def assign(update: Update, context: BotContext) -> None:
    """Transfers a complaint to another department, again if it was transferred before:
    /assign 번호 부서."""
    receipt = parse_receipt(context.args[0]) if context.args else None
    department = " ".join(context.args[1:]).strip()
    if receipt is None or not department:
        await update.message.reply_text(ASSIGN_USAGE)
        return
    if len(department) > MAX_DEPARTMENT_CHARS:
        await update.message.reply_text(DEPARTMENT_TOO_LONG_TEXT)
        return
    before = await context.store.read(get_complaint, receipt)
    if before is not None and before.status == TRANSFERRED and before.department == department:
        await update.message.reply_text(
            f"민원 {receipt}은(는) 이미 {department}(으)로 이관되어 있습니다."
        )
        return
    again = before is not None and before.status == TRANSFERRED
    note = f"{before.department} → {department} 재이관" if again else f"{department}(으)로 이관"
    if await _change(update, context, receipt, TRANSFERRED, department=department, note=note):
        await update.message.reply_text(f"민원 {receipt}을(를) {department}(으)로 이관했습니다.")


@requires(STAFF_ROLES)
async def close(update: Update, context: BotContext) -> None:
    """Marks a complaint 완료, with an optional note for the citizen (line breaks kept):
    /close 번호 [메모]. The staff-chat post loses its buttons."""
    receipt, text = _receipt_and_text(update.message)
    if receipt is None:
        await update.message.reply_text(CLOSE_USAGE)
        return
    if await _refused_as_too_long(update.message, text):
        return
    complaint = await _change(update, context, receipt, DONE, note=text)
    if complaint:
        await update.message.reply_text(f"민원 {receipt}을(를) 완료 처리했습니다.")
        await _retire_staff_posts(context, complaint)


@requires(STAFF_ROLES)
async def export(update: Update, context: BotContext) -> None:
    """Sends the complaints received in a period (default: all) as a CSV file."""
    try:
        since, until = parse_period(context.args)
    except ValueError as exc:
        await update.message.reply_text(f"{exc}\n{EXPORT_USAGE}")
        return
    data = complaints_csv(await context.store.read(received_between, since=since, until=until))
    name = f"complaints_{since or 'all'}_{until or 'all'}.csv"
    period = f"{since} ~ {until}" if since else "전체 기간"
    await update.message.reply_document(data, filename=name, caption=f"민원 내보내기 ({period})")


@requires(STAFF_ROLES)
async def status_button(update: Update, context: BotContext) -> None:
    """Applies [처리중] [완료] from the staff chat, re-checking the presser's role."""
    query = update.callback_query
    action, receipt = context.matches[0].groups()
    complaint = await _change(update, context, receipt, BUTTON_STATUS[action])
    if complaint is None:
        return
    await query.answer(f"'{complaint.status}'(으)로 바꿨습니다.")
    events = await context.store.read(history, receipt)
    detail = formatting.complaint_detail(complaint, events)
    await keyboards.edit_message(query, detail, _actions(complaint))
    await _retire_staff_posts(context, complaint)


@requires(STAFF_ROLES)
async def ask_for_text(update: Update, context: BotContext) -> None:
    """[답변] or [반려]: asks the staff member who pressed it for the answer or the reason, with
    a prompt that only a reply in this chat answers."""
    query = update.callback_query
    action = REPLY if context.matches[0].group(1) == keyboards.REPLY else REJECT
    receipt = context.matches[0].group(2)
    complaint = await context.store.read(get_complaint, receipt)
    if complaint is None:
        await query.answer(NOT_FOUND_TEXT.format(receipt=receipt), show_alert=True)
        return
    if action == REJECT and REJECTED not in TRANSITIONS[complaint.status]:
        await query.answer(_cannot_change(complaint, REJECTED), show_alert=True)
        return
    await query.answer()
    await _send_prompt(update, context, action, receipt)


@requires(STAFF_ROLES, action="reply text")
async def receive_prompt_text(update: Update, context: BotContext) -> None:
    """A reply to a prompt: kept as a draft and shown as a preview with [보내기] [수정] [취소]."""
    message = update.message
    prompt = await context.store.read(
        prompt_for_message, message.chat.id, message.reply_to_message.message_id
    )
    if prompt is None:
        await message.reply_text(PROMPT_GONE_TEXT)
        return
    if prompt.user_id != update.effective_user.id:
        logger.info(
            "user %s replied to prompt %s of user %s",
            update.effective_user.id,
            prompt.id,
            prompt.user_id,
        )
        await message.reply_text(NOT_YOUR_PROMPT_TEXT)
        return
    if prompt.expired():
        await context.store.write(close_prompt, prompt.id)
        await message.reply_text(PROMPT_EXPIRED_TEXT)
        return
    text = message.text.strip()
    if not text:
        await message.reply_text(EMPTY_TEXT)
        return
    if await _refused_as_too_long(message, text, *TEXT_LIMITS[prompt.action]):
        return  # the prompt stays open: a shorter reply to it may follow
    await context.store.write(
        save_draft,
        prompt.id,
        text=text,
        source_key=_message_key(message),
        ttl_seconds=_ttl(context),
    )
    header = PREVIEW_HEADERS[prompt.action].format(receipt=prompt.receipt)
    shown = text if prompt.action == REPLY else REJECT_NOTE.format(reason=text)
    preview = await message.reply_text(
        formatting.fit(f"{header}\n\n{shown}"), reply_markup=keyboards.preview_actions(prompt.id)
    )
    await context.store.write(set_preview, prompt.id, preview.message_id)


@requires(STAFF_ROLES)
async def preview_button(update: Update, context: BotContext) -> None:
    """[보내기] stores and queues the previewed text (once), [수정] asks again, [취소] drops it."""
    query = update.callback_query
    action, prompt_id = context.matches[0].group(1), int(context.matches[0].group(2))
    prompt = await context.store.read(get_prompt, prompt_id)
    tapped = query.message
    if (
        prompt is None
        or tapped is None
        or prompt.chat_id != tapped.chat.id
        or prompt.preview_message_id != tapped.message_id
    ):
        await query.answer(PREVIEW_GONE_TEXT, show_alert=True)
        return
    if prompt.user_id != update.effective_user.id:
        await query.answer(NOT_YOUR_PROMPT_TEXT, show_alert=True)
        return
    if action == keyboards.DROP or prompt.expired():
        await context.store.write(close_prompt, prompt.id)
        await query.answer()
        done = REPLY_CANCELLED_TEXT if action == keyboards.DROP else PROMPT_EXPIRED_TEXT
        await keyboards.edit_message(query, done)
        return
    if action == keyboards.EDIT:
        await query.answer()
        await keyboards.edit_message(query, REWRITE_TEXT)
        await _send_prompt(update, context, prompt.action, prompt.receipt, prompt=prompt)
        return
    if prompt.action == REPLY:
        await _send_reply(update, context, prompt)
    else:
        await _send_rejection(update, context, prompt)


@requires(STAFF_ROLES)
async def show_attachments(update: Update, context: BotContext) -> None:
    """[첨부 보기]: sends the complaint's photos and location into this chat and records who
    saw them."""
    query = update.callback_query
    receipt = context.matches[0].group(1)
    complaint = await context.store.read(get_complaint, receipt)
    if complaint is None:
        await query.answer(NOT_FOUND_TEXT.format(receipt=receipt), show_alert=True)
        return
    located = complaint.latitude is not None and complaint.longitude is not None
    if not complaint.attachments and not located:
        await query.answer(NO_ATTACHMENTS_TEXT, show_alert=True)
        return
    await query.answer()
    seen = f"사진 {len(complaint.attachments)}장" + (", 위치" if located else "")
    await context.store.write(
        record_view, receipt, actor_id=update.effective_user.id, what=f"첨부 열람 ({seen})"
    )
    chat_id, failed = update.effective_chat.id, 0
    total = len(complaint.attachments)
    for n, file_id in enumerate(complaint.attachments, start=1):
        try:
            if file_id.startswith(DOCUMENT_PREFIX):
                await context.bot.send_document(
                    chat_id,
                    file_id.removeprefix(DOCUMENT_PREFIX),
                    caption=f"민원 {receipt} 첨부 {n}/{total}",
                )
            else:
                await context.bot.send_photo(
                    chat_id, file_id, caption=f"민원 {receipt} 사진 {n}/{total}"
                )
        except BadRequest as exc:
            logger.info("photo %d of %s could not be sent: %s", n, receipt, exc)
            failed += 1
    if located:
        await context.bot.send_location(chat_id, complaint.latitude, complaint.longitude)
    if failed:
        await context.bot.send_message(chat_id, PHOTO_FAILED_TEXT.format(failed=failed))


async def _send_prompt(
    update: Update,
    context: BotContext,
    action: str,
    receipt: str,
    *,
    prompt: Prompt | None = None,
) -> None:
    """Sends the ForceReply prompt and records it (``prompt``: [수정] moves that one here)."""
    template = REPLY_PROMPT_TEXT if action == REPLY else REASON_PROMPT_TEXT
    user = update.effective_user
    text = template.format(
        name=user.first_name, receipt=receipt, minutes=max(1, round(_ttl(context) / 60))
    )
    # The name is a mention, so in a group the reply field opens for this staff member only
    # (a selective ForceReply targets the users mentioned).
    mark = REPLY_MARK if action == REPLY else REASON_MARK
    mention = MessageEntity(
        MessageEntity.TEXT_MENTION,
        telegram_length(f"{mark} "),
        telegram_length(user.first_name),
        user=user,
    )
    chat_id = update.effective_chat.id
    sent = await context.bot.send_message(
        chat_id,
        text,
        entities=[mention],
        reply_markup=ForceReply(selective=True, input_field_placeholder=PLACEHOLDERS[action]),
    )
    if prompt is None:
        await context.store.write(
            open_prompt,
            chat_id=chat_id,
            message_id=sent.message_id,
            user_id=update.effective_user.id,
            receipt=receipt,
            action=action,
            ttl_seconds=_ttl(context),
        )
    else:
        await context.store.write(
            ask_again, prompt.id, message_id=sent.message_id, ttl_seconds=_ttl(context)
        )


async def _send_reply(update: Update, context: BotContext, prompt: Prompt) -> None:
    query = update.callback_query
    try:
        await context.store.write(
            reply_to_linked,
            prompt.receipt,
            actor_id=prompt.user_id,
            text=prompt.text,
            idempotency_key=prompt.source_key,
        )
        done = REPLY_SAVED_TEXT.format(receipt=prompt.receipt)
    except AlreadyReplied:
        done = ALREADY_REPLIED_TEXT.format(receipt=prompt.receipt)
    except ComplaintNotFound:
        done = NOT_FOUND_TEXT.format(receipt=prompt.receipt)
    await context.store.write(close_prompt, prompt.id)
    await context.wal_sync.wait()
    await query.answer()
    await keyboards.edit_message(query, formatting.fit(f"{done}\n\n{prompt.text}"))


async def _send_rejection(update: Update, context: BotContext, prompt: Prompt) -> None:
    query = update.callback_query
    complaint = await _change(
        update, context, prompt.receipt, REJECTED, note=REJECT_NOTE.format(reason=prompt.text)
    )
    await context.store.write(close_prompt, prompt.id)
    if complaint is None:  # closed meanwhile: _change told the staff member
        await keyboards.edit_message(query, NOT_SENT_TEXT)
        return
    await query.answer()
    done = REJECTED_TEXT.format(receipt=prompt.receipt)
    await keyboards.edit_message(
        query, formatting.fit(f"{done}\n\n{REJECT_NOTE.format(reason=prompt.text)}")
    )
    await _retire_staff_posts(context, complaint)


async def _change(
    update: Update, context: BotContext, receipt: str, status: str, **changes: str
) -> Complaint | None:
    """change_status (on the disk when it returns), with not-found and not-allowed transitions
    told to the staff member."""
    try:
        changed = await context.store.write(
            change_status, receipt, status, actor_id=update.effective_user.id, **changes
        )
        await context.wal_sync.wait()
        return changed
    except ComplaintNotFound:
        text = NOT_FOUND_TEXT.format(receipt=receipt)
    except InvalidTransition:
        text = _cannot_change(await context.store.read(get_complaint, receipt), status)
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await update.message.reply_text(text)
    return None


async def _retire_staff_posts(context: BotContext, complaint: Complaint) -> None:
    """Takes the buttons off a closed complaint's staff-chat post, whichever way it was closed
    (a /close, or a button on another message): they could only be refused now."""
    if TRANSITIONS[complaint.status]:
        return
    prefix = f"{formatting.STAFF_ALERT_PREFIX}{complaint.receipt}\n"
    posts = await context.store.read(sent_messages, kind=jobs.STAFF_POST, text_prefix=prefix)
    for chat_id, message_id in posts:
        try:
            await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
        except BadRequest as exc:  # already without buttons, deleted, or too old to edit
            logger.info(
                "staff post %s of %s kept its buttons: %s", message_id, complaint.receipt, exc
            )


async def _refused_as_too_long(
    message: Message, text: str, limit: int = MAX_NOTE_UNITS, refusal: str = NOTE_TOO_LONG_TEXT
) -> bool:
    """Refuses (before anything is stored) a text longer than ``limit`` UTF-16 units, the way
    Telegram counts: a text that long would reach the citizen cut short."""
    length = telegram_length(text)
    if length <= limit:
        return False
    await message.reply_text(f"{refusal} {TOO_LONG_DETAIL.format(length=length)}")
    return True


def _receipt_and_text(message: Message) -> tuple[str | None, str]:
    """The receipt and the text after it, with the staff member's line breaks and spaces."""
    text = message.text or ""
    command = next(
        (e for e in message.entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0),
        None,
    )
    parts = text[command.length if command else 0 :].strip().split(maxsplit=1)
    receipt = parse_receipt(parts[0]) if parts else None
    return receipt, parts[1] if len(parts) > 1 else ""


def _message_key(message: Message) -> str:
    """The idempotency key of an answer: the chat and the staff member's message."""
    return f"{message.chat.id}:{message.message_id}"


def _cannot_change(complaint: Complaint, status: str) -> str:
    return (
        f"민원 {complaint.receipt}은(는) 이미 '{complaint.status}' 상태라 '{status}'(으)로 "
        "바꿀 수 없습니다."
    )


def _ttl(context: BotContext) -> float:
    """How long a prompt waits for its text: as long as a citizen's complaint draft."""
    return context.settings.complaint_timeout_seconds


def _actions(complaint: Complaint) -> InlineKeyboardMarkup | None:
    located = complaint.latitude is not None and complaint.longitude is not None
    return keyboards.staff_actions(
        complaint.receipt,
        final=not TRANSITIONS[complaint.status],
        attachments=bool(complaint.attachments) or located,
    )


def build_handlers() -> list:
    """The prompt reply and the staff buttons, with strict callback patterns."""
    prompt_reply = filters.TEXT & ~filters.COMMAND & NEW_MESSAGE & REPLIES_TO_PROMPT
    return [
        MessageHandler(prompt_reply, receive_prompt_text),
        CallbackQueryHandler(status_button, pattern=keyboards.STATUS_BUTTON_PATTERN),
        CallbackQueryHandler(ask_for_text, pattern=keyboards.ASK_BUTTON_PATTERN),
        CallbackQueryHandler(show_attachments, pattern=keyboards.ATTACHMENTS_PATTERN),
        CallbackQueryHandler(preview_button, pattern=keyboards.PREVIEW_PATTERN),
        CallbackQueryHandler(turn_inbox_page, pattern=INBOX_PATTERN),
    ]
