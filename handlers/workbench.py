"""Staff and admin commands for deadlines: type, extension, due list, closed days, 법정민원 table,
and the daily jobs (morning digest in the staff chat, progress notices to citizens).

Usage (staff): /type 번호 유형 · /extend 번호 YYYY-MM-DD 사유 · /due
Usage (admin): /closed [YYYY-MM-DD 사유 | -YYYY-MM-DD] · /statutory [이름 일수]
Templates: /template (목록) · /template 번호 (이 민원에 맞는 상용구, 채운 글) ·
           /template add 이름 | 본문 · /template del ID ·
           /template auto ID [끄기] (관리자: 새 민원마다 접수 직후 보내는 자동 접수 안내)
"""

from __future__ import annotations

import logging
from datetime import date

import sqlite_utils
from telegram import Update
from telegram.ext import filters

from db import deadlines
from db.complaints import ComplaintNotFound, InvalidTransition, get_complaint
from db.database import DatabaseUnavailable
from db.duplicates import SameComplaint, close_as_repeated, link, linked
from db.office_calendar import (
    add_closed_day,
    list_closed_days,
    remove_closed_day,
    set_statutory_period,
    statutory_periods,
)
from db.templates import (
    TemplateNotFound,
    add_template,
    delete_template,
    fill,
    set_auto_ack,
    templates_for,
)
from db.workbench import (
    BadExtension,
    ComplaintClosed,
    DeadlineAlreadyExtended,
    InboxFilter,
    describe_kind_error,
    digest_text,
    due_digest,
    due_text,
    extend_deadline,
    inbox,
    send_progress_notices,
    set_type,
)
from handlers import formatting
from handlers.access import ADMIN_ROLES, STAFF_ROLES, requires
from handlers.arguments import parse_receipt
from handlers.context import BotContext

logger = logging.getLogger(__name__)

TYPE_USAGE = f"사용법: /type 접수번호 유형 ({', '.join(deadlines.TYPES)}, 법정:이름)"
EXTEND_USAGE = "사용법: /extend 접수번호 YYYY-MM-DD 연장 사유 (한 번만 연장할 수 있습니다)"
CLOSED_USAGE = (
    "사용법: /closed (목록) · /closed 2025-05-02 사유 (휴무일 추가) · /closed -2025-05-02 (삭제)"
)
STATUTORY_USAGE = (
    "사용법: /statutory (목록) · /statutory 여권 발급 4 (법정민원 이름과 처리기간 일수)"
)
NOT_FOUND_TEXT = "접수번호 {receipt}인 민원이 없습니다."
CLOSED_TEXT = "민원 {receipt}은(는) 이미 끝난 민원이라 처리기한을 바꿀 수 없습니다."
DUE_LIST_SIZE = 20
AUTO_ACK_MARK = " [자동 접수 안내]"
TEMPLATE_USAGE = (
    "사용법: /template (목록) · /template 접수번호 (채운 상용구) · "
    "/template add 이름 | 본문 · /template del 번호 · "
    "/template auto 번호 [끄기] (관리자, 자동 접수 안내). "
    "자리표시자: {접수번호} {처리기한} {부서} {유형}"
)

TEMPLATE_CHANGES = ("add", "del", "auto")
# "/template add …", "/template del 3", "/template auto 3": the admins' sub-commands.
TEMPLATE_CHANGE = filters.Regex(rf"^/template(@\w+)?\s+({'|'.join(TEMPLATE_CHANGES)})(\s|$)")


@requires(STAFF_ROLES)
async def change_type(update: Update, context: BotContext) -> None:
    """Sets a complaint's type, which sets its due date again: /type 번호 유형."""
    receipt = parse_receipt(context.args[0]) if context.args else None
    kind = " ".join(context.args[1:]).strip()
    if receipt is None or not kind:
        await update.message.reply_text(TYPE_USAGE)
        return
    if kind.startswith(deadlines.STATUTORY_PREFIX) and kind.removeprefix(
        deadlines.STATUTORY_PREFIX
    ) not in await context.store.read(statutory_periods):
        await update.message.reply_text(
            f"법정민원 표에 '{kind}'이(가) 없습니다. {STATUTORY_USAGE}"
        )
        return
    try:
        complaint = await context.store.write(
            set_type, receipt, kind, actor_id=update.effective_user.id
        )
    except deadlines.UnknownType:
        await update.message.reply_text(describe_kind_error(kind))
        return
    except ComplaintNotFound:
        await update.message.reply_text(NOT_FOUND_TEXT.format(receipt=receipt))
        return
    except ComplaintClosed:
        await update.message.reply_text(CLOSED_TEXT.format(receipt=receipt))
        return
    await update.message.reply_text(
        f"민원 {receipt}의 유형을 바꿨습니다. 처리기한: {due_text(complaint)}"
    )


@requires(STAFF_ROLES)
async def extend(update: Update, context: BotContext) -> None:
    """Extends the due date once, with a reason told to the citizen: /extend 번호 날짜 사유."""
    receipt = parse_receipt(context.args[0]) if context.args else None
    new_due = _date(context.args[1]) if len(context.args) > 1 else None
    reason = " ".join(context.args[2:]).strip()
    if receipt is None or new_due is None or not reason:
        await update.message.reply_text(EXTEND_USAGE)
        return
    try:
        complaint = await context.store.write(
            extend_deadline,
            receipt,
            new_due,
            reason=reason,
            actor_id=update.effective_user.id,
        )
    except ComplaintNotFound:
        text = NOT_FOUND_TEXT.format(receipt=receipt)
    except ComplaintClosed:
        text = CLOSED_TEXT.format(receipt=receipt)
    except DeadlineAlreadyExtended:
        text = f"민원 {receipt}의 처리기한은 이미 한 번 연장했습니다."
    except BadExtension as exc:
        text = str(exc)
    else:
        await context.wal_sync.wait()
        text = f"민원 {receipt}의 처리기한을 연장하고 민원인에게 알렸습니다: {due_text(complaint)}"
    await update.message.reply_text(text)


@requires(STAFF_ROLES)
async def due_list(update: Update, context: BotContext) -> None:
    """Open complaints, earliest due first, with the digest's counts on top."""
    total, found = await context.store.read(inbox, InboxFilter(due="open"), limit=DUE_LIST_SIZE)
    digest = await context.store.read(due_digest)
    lines = [digest_text(digest), "", f"[처리기한 순 열린 민원 {total}건]"]
    lines += [
        f"· {c.receipt} {due_text(c)} · {c.status}\n   {formatting.preview(c.content)}"
        for c in found
    ] or ["· 없음"]
    await update.message.reply_text(formatting.fit("\n".join(lines)))


@requires(ADMIN_ROLES)
async def closed_days(update: Update, context: BotContext) -> None:
    """Lists, adds or removes the office's extra closed days (admins)."""
    if not context.args:
        listed = await context.store.read(list_closed_days)
        days = [f"· {row['day']} {row['reason']}" for row in listed]
        await update.message.reply_text("\n".join(["[추가 휴무일]", *(days or ["· 없음"])]))
        return
    first = context.args[0]
    day = _date(first.removeprefix("-"))
    if day is None:
        await update.message.reply_text(CLOSED_USAGE)
        return
    if first.startswith("-"):
        removed = await context.store.write(remove_closed_day, day)
        await update.message.reply_text(
            f"{day}을(를) 휴무일에서 뺐습니다."
            if removed
            else f"{day}은(는) 휴무일 목록에 없습니다."
        )
        return
    reason = " ".join(context.args[1:]).strip()
    if not reason:
        await update.message.reply_text(CLOSED_USAGE)
        return
    await context.store.write(
        add_closed_day, day, reason=reason, added_by=update.effective_user.id
    )
    await update.message.reply_text(
        f"{day}을(를) 휴무일로 정했습니다. 이후 정하는 처리기한에 반영됩니다."
    )


@requires(ADMIN_ROLES)
async def statutory(update: Update, context: BotContext) -> None:
    """Lists or sets the 법정민원 kinds and their periods (admins): /statutory 이름 일수."""
    if not context.args:
        periods = await context.store.read(statutory_periods)
        rows = [f"· 법정:{name} {days}일" for name, days in sorted(periods.items())]
        await update.message.reply_text("\n".join(["[법정민원 처리기간]", *(rows or ["· 없음"])]))
        return
    if len(context.args) < 2 or not context.args[-1].isdigit():
        await update.message.reply_text(STATUTORY_USAGE)
        return
    name, days = " ".join(context.args[:-1]), int(context.args[-1])
    try:
        await context.store.write(
            set_statutory_period, name, days, updated_by=update.effective_user.id
        )
    except ValueError as exc:
        await update.message.reply_text(f"{exc} {STATUTORY_USAGE}")
        return
    await update.message.reply_text(f"법정민원 '법정:{name}'의 처리기간을 {days}일로 정했습니다.")


@requires(STAFF_ROLES)
async def template(update: Update, context: BotContext) -> None:
    """Lists templates, or shows them filled for one complaint."""
    args = context.args
    if not args:
        templates = await context.store.read(templates_for)
        lines = [
            f"· #{t.id} {t.name}{AUTO_ACK_MARK if t.auto_ack else ''}: "
            f"{formatting.preview(t.body, 60)}"
            for t in templates
        ]
        await update.message.reply_text(
            "\n".join(["[상용구]", *(lines or ["· 없음"]), TEMPLATE_USAGE])
        )
        return
    receipt = parse_receipt(args[0])
    complaint = await context.store.read(get_complaint, receipt) if receipt else None
    if complaint is None:
        await update.message.reply_text(
            NOT_FOUND_TEXT.format(receipt=args[0]) if receipt else TEMPLATE_USAGE
        )
        return
    templates = await context.store.read(templates_for, complaint)
    filled = [f"#{t.id} {t.name}\n{fill(t, complaint)}" for t in templates]
    text = "\n\n".join(
        [
            f"[민원 {complaint.receipt}에 맞는 상용구] 고쳐서 /reply 로 보내세요.",
            *(filled or ["맞는 상용구가 없습니다."]),
        ]
    )
    await update.message.reply_text(formatting.fit(text))


@requires(ADMIN_ROLES)
async def change_template(update: Update, context: BotContext) -> None:
    """/template add, del or auto (admins; TEMPLATE_CHANGE routes them here)."""
    text = await context.store.write(_change_template, update, context.args)
    await update.message.reply_text(text)


def _change_template(db: sqlite_utils.Database, update: Update, args: list[str]) -> str:
    if args[0] == "auto":
        off = len(args) == 3 and args[2] in ("끄기", "off")
        if (
            len(args) not in (2, 3)
            or not args[1].lstrip("#").isdigit()
            or (len(args) == 3 and not off)
        ):
            return TEMPLATE_USAGE
        try:
            set_auto_ack(db, int(args[1].lstrip("#")), not off)
        except TemplateNotFound:
            return f"상용구 {args[1]}이(가) 없습니다."
        if off:
            return f"상용구 {args[1]}을(를) 자동 접수 안내에서 뺐습니다."
        return (
            f"상용구 {args[1]}을(를) 자동 접수 안내로 정했습니다. 맞는 새 민원마다 접수 직후 "
            "민원인에게 보냅니다."
        )
    if args[0] == "del":
        if len(args) != 2 or not args[1].lstrip("#").isdigit():
            return TEMPLATE_USAGE
        try:
            delete_template(db, int(args[1].lstrip("#")))
        except TemplateNotFound:
            return f"상용구 {args[1]}이(가) 없습니다."
        return f"상용구 {args[1]}을(를) 지웠습니다."
    text = update.message.text.split(maxsplit=2)[2] if len(args) > 1 else ""
    name, bar, body = text.partition("|")
    if not bar:
        return TEMPLATE_USAGE
    try:
        template_id = add_template(db, name, body, created_by=update.effective_user.id)
    except ValueError as exc:
        return str(exc)
    return f"상용구 #{template_id} '{name.strip()}'을(를) 저장했습니다."


LINK_USAGE = (
    "사용법: /link 접수번호 접수번호 (유사 민원 연결: 답변이 연결된 민원인 모두에게 갑니다)"
)
REPEAT_USAGE = "사용법: /repeat 접수번호 앞선접수번호 [안내 내용] (반복 민원 종결, 민원처리법 §23)"


@requires(STAFF_ROLES)
async def link_complaints(update: Update, context: BotContext) -> None:
    """Links two similar complaints: /link 번호 번호."""
    receipts = [parse_receipt(a) for a in context.args]
    if len(receipts) != 2 or None in receipts:
        await update.message.reply_text(LINK_USAGE)
        return
    try:
        await context.store.write(
            link, receipts[0], receipts[1], actor_id=update.effective_user.id
        )
    except ComplaintNotFound as exc:
        await update.message.reply_text(NOT_FOUND_TEXT.format(receipt=exc.args[0]))
        return
    except SameComplaint:
        await update.message.reply_text(LINK_USAGE)
        return
    group = [receipts[0], *await context.store.read(linked, receipts[0])]
    await update.message.reply_text(
        f"연결했습니다: {', '.join(group)}. /reply 나 웹 콘솔의 답변은 "
        "연결된 민원 모두에 기록됩니다(웹 콘솔)."
    )


@requires(STAFF_ROLES)
async def repeat(update: Update, context: BotContext) -> None:
    """Closes a repeated complaint pointing at the earlier one: /repeat 번호 앞선번호 [내용]."""
    receipts = [parse_receipt(a) for a in context.args[:2]]
    if len(receipts) != 2 or None in receipts:
        await update.message.reply_text(REPEAT_USAGE)
        return
    try:
        await context.store.write(
            close_as_repeated,
            receipts[0],
            receipts[1],
            actor_id=update.effective_user.id,
            text=" ".join(context.args[2:]),
        )
    except ComplaintNotFound as exc:
        text = NOT_FOUND_TEXT.format(receipt=exc.args[0])
    except (SameComplaint, InvalidTransition):
        text = f"민원 {receipts[0]}은(는) 반복 민원으로 종결할 수 없습니다. {REPEAT_USAGE}"
    else:
        await context.wal_sync.wait()
        text = f"민원 {receipts[0]}을(를) 반복 민원으로 종결하고 민원인에게 알렸습니다."
    await update.message.reply_text(text)


async def post_morning_digest(context: BotContext) -> None:
    """Posts the due-today, overdue and due-soon complaints in the staff chat (daily job)."""
    chat_id = context.settings.staff_chat_id
    if chat_id is None:
        return
    try:
        text = digest_text(await context.store.read(due_digest))
    except DatabaseUnavailable as exc:
        logger.warning("morning digest skipped: %s", exc)
        return
    await context.bot.send_message(chat_id, formatting.fit(text))


async def queue_progress_notices(context: BotContext) -> None:
    """Queues the 30-day progress notices of complaints still open (daily job)."""
    queued = await context.store.write(send_progress_notices)
    logger.info("queued %d progress notices", queued)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
