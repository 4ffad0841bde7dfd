"""Staff commands and the staff-chat buttons for complaints.

Every command and every button press checks the user's role again (``handlers.access``): an
old staff button forwarded or replayed by someone else is refused and logged.
"""
from __future__ import annotations

import warnings

from telegram import ForceReply, Update
from telegram.ext import (CallbackQueryHandler, CommandHandler, ContextTypes, ConversationHandler,
                          MessageHandler, TypeHandler, filters)
from telegram.warnings import PTBUserWarning

from db.complaints import (DONE, IN_PROGRESS, RECEIVED, REJECTED, TRANSFERRED, TRANSITIONS, Complaint,
                           ComplaintNotFound, InvalidTransition, add_reply, change_status,
                           count_complaints, export_csv, get_complaint, history, list_complaints)
from handlers import formatting, keyboards
from handlers.access import NEW_MESSAGE, allowed
from handlers.arguments import parse_period, parse_receipt

PAGE_SIZE = 5
WRITING_REPLY = 0
ALL = "all"
# Inbox filter codes for callback data (ASCII) ↔ the Korean status names staff type.
STATUS_CODES = {ALL: None, "new": RECEIVED, "prog": IN_PROGRESS, "done": DONE,
                "rej": REJECTED, "xfer": TRANSFERRED}
CODE_BY_NAME = {name: code for code, name in STATUS_CODES.items() if name} | {"전체": ALL}
BUTTON_STATUS = {keyboards.PROGRESS: IN_PROGRESS, keyboards.DONE: DONE, keyboards.REJECT: REJECTED}

INBOX_USAGE = "사용법: /inbox [접수|처리중|완료|반려|이관]"
VIEW_USAGE = "사용법: /view 접수번호"
REPLY_USAGE = "사용법: /reply 접수번호 답변 내용"
ASSIGN_USAGE = "사용법: /assign 접수번호 부서이름"
# A reply or closing note goes to the citizen in one message with a ~40-character header;
# Telegram's limit is 4,096.
MAX_NOTE_CHARS = 4000
NOTE_TOO_LONG_TEXT = f"답변과 메모는 {MAX_NOTE_CHARS:,}자까지 보낼 수 있습니다. 나눠서 보내 주세요."
MAX_DEPARTMENT_CHARS = 50  # as long as a department a citizen may type (handlers.complaint)
DEPARTMENT_TOO_LONG_TEXT = f"부서 이름은 {MAX_DEPARTMENT_CHARS}자까지 적을 수 있습니다. {ASSIGN_USAGE}"
CLOSE_USAGE = "사용법: /close 접수번호 [처리 결과 메모]"
EXPORT_USAGE = "사용법: /export [시작일 종료일] (예: /export 2025-03-01 2025-03-31)"
NOT_FOUND_TEXT = "접수번호 {receipt}인 민원이 없습니다."
REPLY_SAVED_TEXT = "민원 {receipt}에 답변을 등록했습니다. 민원인에게 곧 전달됩니다."
REPLY_CANCELLED_TEXT = "답변 작성을 취소했습니다."
REPLY_TIMEOUT_TEXT = "답변 작성 시간이 지나 취소했습니다. 다시 [답변]을 눌러 주세요."


async def inbox(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Lists complaints newest first, optionally of one status, with ◀ ▶ paging."""
    if not await allowed(update, context, "/inbox"):
        return
    code = CODE_BY_NAME.get(context.args[0]) if context.args else ALL
    if code is None or len(context.args) > 1:
        await update.message.reply_text(INBOX_USAGE)
        return
    text, markup = inbox_page(context.bot_data["db"], code, 0)
    await update.message.reply_text(text, reply_markup=markup)


async def turn_inbox_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Shows the previous or next inbox page in place."""
    query = update.callback_query
    if not await allowed(update, context, "inbox page"):
        return
    _, code, offset = query.data.split(":")
    await query.answer()
    text, markup = inbox_page(context.bot_data["db"], code if code in STATUS_CODES else ALL, int(offset))
    await keyboards.edit_message(query, text, markup)


def inbox_page(db, code: str, offset: int) -> tuple[str, object]:
    """The text and ◀ ▶ buttons of one inbox page (an offset past the end shows the last page)."""
    status = STATUS_CODES[code]
    total = count_complaints(db, status=status)
    offset = max(0, min(offset, (total - 1) // PAGE_SIZE * PAGE_SIZE if total else 0))
    complaints = list_complaints(db, status=status, limit=PAGE_SIZE, offset=offset)
    if not complaints:
        return f"민원함 ({status or '전체'}): 민원이 없습니다.", None
    header = f"민원함 ({status or '전체'}) {offset + 1}–{offset + len(complaints)} / {total}건"
    lines = [header, *map(formatting.complaint_line, complaints), "자세히: /view 접수번호"]
    return "\n".join(lines), keyboards.pager(code, offset, PAGE_SIZE, total)


async def view(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Shows one complaint in full (phone masked) with its action buttons."""
    if not await allowed(update, context, "/view"):
        return
    receipt = parse_receipt(" ".join(context.args))
    if receipt is None:
        await update.message.reply_text(VIEW_USAGE)
        return
    db = context.bot_data["db"]
    complaint = get_complaint(db, receipt)
    if complaint is None:
        await update.message.reply_text(NOT_FOUND_TEXT.format(receipt=receipt))
        return
    await update.message.reply_text(formatting.complaint_detail(complaint, history(db, receipt)),
                                    reply_markup=_actions(complaint))


async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Sends a staff answer to the complainant: /reply 번호 내용."""
    if not await allowed(update, context, "/reply"):
        return
    receipt = parse_receipt(context.args[0]) if context.args else None
    text = " ".join(context.args[1:]).strip()
    if receipt is None or not text:
        await update.message.reply_text(REPLY_USAGE)
        return
    await _save_reply(update, context, receipt, text)


async def assign(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Transfers a complaint to another department: /assign 번호 부서."""
    if not await allowed(update, context, "/assign"):
        return
    receipt = parse_receipt(context.args[0]) if context.args else None
    department = " ".join(context.args[1:]).strip()
    if receipt is None or not department:
        await update.message.reply_text(ASSIGN_USAGE)
        return
    if len(department) > MAX_DEPARTMENT_CHARS:
        await update.message.reply_text(DEPARTMENT_TOO_LONG_TEXT)
        return
    complaint = await _change(update, context, receipt, TRANSFERRED, department=department,
                              note=f"{department}(으)로 이관")
    if complaint:
        await update.message.reply_text(f"민원 {receipt}을(를) {department}(으)로 이관했습니다.")


async def close(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Marks a complaint 완료, with an optional note for the citizen: /close 번호 [메모]."""
    if not await allowed(update, context, "/close"):
        return
    receipt = parse_receipt(context.args[0]) if context.args else None
    if receipt is None:
        await update.message.reply_text(CLOSE_USAGE)
        return
    note = " ".join(context.args[1:]).strip()
    if len(note) > MAX_NOTE_CHARS:
        await update.message.reply_text(NOTE_TOO_LONG_TEXT)
        return
    if await _change(update, context, receipt, DONE, note=note):
        await update.message.reply_text(f"민원 {receipt}을(를) 완료 처리했습니다.")


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Sends the complaints received in a period (default: all) as a CSV file."""
    if not await allowed(update, context, "/export"):
        return
    try:
        since, until = parse_period(context.args)
    except ValueError as exc:
        await update.message.reply_text(f"{exc}\n{EXPORT_USAGE}")
        return
    data = export_csv(context.bot_data["db"], since=since, until=until)
    name = f"complaints_{since or 'all'}_{until or 'all'}.csv"
    period = f"{since} ~ {until}" if since else "전체 기간"
    await update.message.reply_document(data, filename=name, caption=f"민원 내보내기 ({period})")


async def status_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Applies [처리중] [완료] [반려] from the staff chat, re-checking the presser's role."""
    query = update.callback_query
    if not await allowed(update, context, f"button {query.data}"):
        return
    _, action, receipt = query.data.split(":", 2)
    complaint = await _change(update, context, receipt, BUTTON_STATUS[action])
    if complaint is None:
        return
    await query.answer(f"'{complaint.status}'(으)로 바꿨습니다.")
    db = context.bot_data["db"]
    await keyboards.edit_message(query, formatting.complaint_detail(complaint, history(db, receipt)),
                                 _actions(complaint))


async def ask_reply_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Asks the staff member who pressed [답변] to write the answer."""
    query = update.callback_query
    if not await allowed(update, context, "button reply"):
        return ConversationHandler.END
    receipt = query.data.rsplit(":", 1)[1]
    await query.answer()
    context.user_data["reply_to"] = receipt
    await query.message.reply_text(
        f"{update.effective_user.first_name}님, 민원 {receipt}에 보낼 답변을 이 메시지에 답장으로 "
        "적어 주세요. 취소: /cancel",
        reply_markup=ForceReply(input_field_placeholder="답변 내용"))
    return WRITING_REPLY


async def receive_reply_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Stores the written answer; the outbox delivers it to the citizen."""
    if not await allowed(update, context, "reply text"):
        return ConversationHandler.END
    if len(update.message.text) > MAX_NOTE_CHARS:  # still writing: a shorter text may follow
        await update.message.reply_text(NOTE_TOO_LONG_TEXT)
        return WRITING_REPLY
    receipt = context.user_data.pop("reply_to", "")
    await _save_reply(update, context, receipt, update.message.text)
    return ConversationHandler.END


async def cancel_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Stops writing an answer."""
    context.user_data.pop("reply_to", None)
    await update.message.reply_text(REPLY_CANCELLED_TEXT)
    return ConversationHandler.END


async def reply_timed_out(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tells the staff member an unwritten answer was dropped."""
    if context.user_data.pop("reply_to", None) is not None:
        await context.bot.send_message(update.effective_chat.id, REPLY_TIMEOUT_TEXT)


async def _save_reply(update: Update, context: ContextTypes.DEFAULT_TYPE, receipt: str,
                      text: str) -> None:
    if len(text) > MAX_NOTE_CHARS:
        await update.message.reply_text(NOTE_TOO_LONG_TEXT)
        return
    try:
        add_reply(context.bot_data["db"], receipt, actor_id=update.effective_user.id, text=text)
    except ComplaintNotFound:
        await update.message.reply_text(NOT_FOUND_TEXT.format(receipt=receipt))
        return
    await context.bot_data["wal_sync"].wait()
    await update.message.reply_text(REPLY_SAVED_TEXT.format(receipt=receipt))


async def _change(update: Update, context: ContextTypes.DEFAULT_TYPE, receipt: str, status: str,
                  **changes: str) -> Complaint | None:
    """change_status (on the disk when it returns), with not-found and not-allowed transitions
    told to the staff member."""
    db = context.bot_data["db"]
    try:
        changed = change_status(db, receipt, status, actor_id=update.effective_user.id, **changes)
        await context.bot_data["wal_sync"].wait()
        return changed
    except ComplaintNotFound:
        text = NOT_FOUND_TEXT.format(receipt=receipt)
    except InvalidTransition:
        text = f"민원 {receipt}은(는) 이미 '{get_complaint(db, receipt).status}' 상태라 '{status}'(으)로 바꿀 수 없습니다."
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await update.message.reply_text(text)
    return None


def _actions(complaint: Complaint):
    final = not TRANSITIONS[complaint.status]  # 완료 and 반려 lead nowhere
    return None if final else keyboards.staff_actions(complaint.receipt)


def build_reply_conversation(timeout_seconds: float) -> ConversationHandler:
    """[답변] → the staff member's next text in that chat becomes the reply."""
    ask = CallbackQueryHandler(ask_reply_text, pattern=f"^{keyboards.STAFF_ACTION}{keyboards.REPLY}:")
    text = filters.TEXT & ~filters.COMMAND & NEW_MESSAGE
    states = {
        WRITING_REPLY: [MessageHandler(text, receive_reply_text)],
        ConversationHandler.TIMEOUT: [TypeHandler(Update, reply_timed_out)],
    }
    cancel = [CommandHandler("cancel", cancel_reply, filters=NEW_MESSAGE)]
    # Tracked per chat and user on purpose (see handlers.complaint.build_conversation).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*CallbackQueryHandler", category=PTBUserWarning)
        return ConversationHandler(entry_points=[ask], states=states, fallbacks=cancel,
                                   name="staff_reply", persistent=True, allow_reentry=True,
                                   conversation_timeout=timeout_seconds)
