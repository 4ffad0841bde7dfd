"""Staff and admin commands for deadlines: type, extension, due list, closed days, 법정민원 table,
and the daily jobs (morning digest in the staff chat, progress notices to citizens).

Usage (staff): /type 번호 유형 · /extend 번호 YYYY-MM-DD 사유 · /due
Usage (admin): /closed [YYYY-MM-DD 사유 | -YYYY-MM-DD] · /statutory [이름 일수]
Templates: /template (목록) · /template 번호 (이 민원에 맞는 상용구, 채운 글) ·
           /template add [유형=…] [부서=…] 이름 | 본문 (미리보기 뒤 [저장]) ·
           /template del ID (지울 상용구를 보여 준 뒤 [삭제]) ·
           /template auto ID [끄기] (관리자: 새 민원마다 접수 직후 보내는 자동 접수 안내)
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from datetime import date

import sqlite_utils
from telegram import CallbackQuery, Update
from telegram.ext import filters

from db import deadlines
from db.complaints import ComplaintNotFound, InvalidTransition, get_complaint
from db.database import DatabaseUnavailable
from db.duplicates import SameComplaint, link, linked
from db.office_calendar import (
    BadStatutoryPeriod,
    add_closed_day,
    list_closed_days,
    remove_closed_day,
    set_statutory_period,
    statutory_periods,
)
from db.templates import (
    BadTemplate,
    NewTemplate,
    Template,
    TemplateChanged,
    TemplateNotFound,
    add_template,
    checked_template,
    delete_template,
    get_template,
    set_auto_ack,
    templates_for,
)
from db.workbench import (
    BadExtension,
    ComplaintClosed,
    DeadlineAlreadyExtended,
    InboxFilter,
    departments,
    due_digest,
    inbox,
)
from display import (
    due_text,
    extension_problem,
    filled_template,
    statutory_problem,
    template_problem,
)
from handlers import formatting, keyboards
from handlers.access import ADMIN_ROLES, STAFF_ROLES, requires
from handlers.arguments import parse_receipt, parse_template_add
from handlers.context import BotContext
from notices import close_as_repeated, extend_deadline, send_progress_notices, set_type

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
    "/template add [유형=…] [부서=…] 이름 | 본문 · /template del 번호 · "
    "/template auto 번호 [끄기] (관리자, 자동 접수 안내). "
    "자리표시자: {접수번호} {처리기한} {부서} {유형}"
)
TEMPLATE_ADD_USAGE = (
    "사용법: /template add [유형=고충] [부서=도로과] 이름 | 본문\n"
    "유형과 부서는 적지 않아도 됩니다. 적으면 그 유형이나 부서의 민원에만 이 상용구가 "
    f"나옵니다. 유형: {', '.join(deadlines.TYPES)} 또는 법정:이름. 띄어쓰기가 있는 값은 "
    '따옴표로 묶어 주세요 (예: 유형="법정:여권 발급"). 저장하기 전에 미리보기를 보여 드립니다.'
)
TEMPLATE_DRAFT = "template_draft"  # user_data: the admin's previewed template and its token
TEMPLATE_PREVIEW_TEXT = "[미리보기] 아래 상용구를 저장합니다. 맞으면 [저장]을 눌러 주세요."
NEW_DEPARTMENT_TEXT = (
    "※ 아직 '{department}' 부서의 민원이 없습니다. 민원의 부서 이름과 글자까지 같아야 "
    "이 상용구가 나옵니다."
)
TEMPLATE_GONE_TEXT = "이미 처리했거나 취소했거나 새 미리보기로 바뀐 상용구입니다."
TEMPLATE_DROPPED_TEXT = "상용구를 저장하지 않고 취소했습니다."
TEMPLATE_REMOVAL_TEXT = (
    "[삭제 확인] 아래 상용구를 지웁니다. 지운 상용구는 되돌릴 수 없습니다. 맞으면 [삭제]를 눌러 "
    "주세요."
)
AUTO_ACK_REMOVAL_TEXT = "※ 자동 접수 안내로 정한 상용구입니다. 지우면 새 민원에 보내지 않습니다."
TEMPLATE_REMOVED_TEXT = "상용구 #{id} '{name}'을(를) 지웠습니다."
TEMPLATE_KEPT_TEXT = "상용구를 지우지 않고 취소했습니다."
TEMPLATE_CHANGED_TEXT = (
    "상용구 #{id}이(가) 확인 뒤에 바뀌었거나 지워져 지우지 않았습니다. /template del {id} 로 "
    "다시 확인해 주세요."
)
TEMPLATE_MISSING_TEXT = "상용구 {number}이(가) 없습니다."
TEMPLATE_SAVED_TEXT = "상용구 #{id} '{name}'을(를) 저장했습니다."
TEMPLATE_NOT_SAVED_TEXT = "저장하지 못했습니다: {problem} /template add 로 다시 적어 주세요."
ALL_TYPES, ALL_DEPARTMENTS = "모든 유형", "모든 부서"
TEMPLATE_CHANGES = ("add", "del", "auto")
MAX_ID_DIGITS = 18  # a longer number is no template id and would not fit SQLite's integers
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
        await update.message.reply_text(formatting.describe_kind_error(kind))
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
        text = extension_problem(exc)
    else:
        await context.wal_sync.wait()
        text = f"민원 {receipt}의 처리기한을 연장하고 민원인에게 알렸습니다: {due_text(complaint)}"
    await update.message.reply_text(text)


@requires(STAFF_ROLES)
async def due_list(update: Update, context: BotContext) -> None:
    """Open complaints, earliest due first, with the digest's counts on top."""
    total, found = await context.store.read(inbox, InboxFilter(due="open"), limit=DUE_LIST_SIZE)
    digest = await context.store.read(due_digest)
    lines = [formatting.digest_text(digest), "", f"[처리기한 순 열린 민원 {total}건]"]
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
    except BadStatutoryPeriod as exc:
        await update.message.reply_text(f"{statutory_problem(exc)} {STATUTORY_USAGE}")
        return
    await update.message.reply_text(f"법정민원 '법정:{name}'의 처리기간을 {days}일로 정했습니다.")


@requires(STAFF_ROLES)
async def template(update: Update, context: BotContext) -> None:
    """Lists templates, or shows them filled for one complaint."""
    args = context.args
    if not args:
        templates = await context.store.read(templates_for)
        lines = [
            f"· #{t.id} {t.name}{_scope(t)}{AUTO_ACK_MARK if t.auto_ack else ''}: "
            f"{formatting.preview(t.body, 60)}"
            for t in templates
        ]
        listed = "\n".join(["[상용구]", *(lines or ["· 없음"]), TEMPLATE_USAGE])
        await update.message.reply_text(formatting.fit(listed))
        return
    receipt = parse_receipt(args[0])
    complaint = await context.store.read(get_complaint, receipt) if receipt else None
    if complaint is None:
        await update.message.reply_text(
            NOT_FOUND_TEXT.format(receipt=args[0]) if receipt else TEMPLATE_USAGE
        )
        return
    templates = await context.store.read(templates_for, complaint)
    filled = [f"#{t.id} {t.name}\n{filled_template(t, complaint)}" for t in templates]
    text = "\n\n".join(
        [
            f"[민원 {complaint.receipt}에 맞는 상용구] 고쳐서 /reply 로 보내세요.",
            *(filled or ["맞는 상용구가 없습니다."]),
        ]
    )
    await update.message.reply_text(formatting.fit(text))


@requires(ADMIN_ROLES)
async def change_template(update: Update, context: BotContext) -> None:
    """/template add (shown first, saved by [저장]), del or auto: the admins' sub-commands,
    routed here by TEMPLATE_CHANGE."""
    if context.args[0] == "add":
        await _preview_template(update, context)
    elif context.args[0] == "del":
        await _confirm_removal(update, context)
    else:
        await update.message.reply_text(await context.store.write(_mark_auto_ack, context.args))


@requires(ADMIN_ROLES)
async def template_button(update: Update, context: BotContext) -> None:
    """[저장] stores the previewed template (once), [삭제] removes the one shown, [취소] drops
    either."""
    query = update.callback_query
    action, token = context.matches[0].groups()
    draft = context.user_data.get(TEMPLATE_DRAFT)
    removal = draft is not None and "remove" in draft
    expected = (keyboards.REMOVE if removal else keyboards.SAVE, keyboards.DISCARD)
    if not draft or draft["token"] != token or action not in expected:
        await query.answer(TEMPLATE_GONE_TEXT, show_alert=True)
        return
    await query.answer()
    if action == keyboards.DISCARD:
        del context.user_data[TEMPLATE_DRAFT]
        await keyboards.edit_message(
            query, TEMPLATE_KEPT_TEXT if removal else TEMPLATE_DROPPED_TEXT
        )
        return
    if removal:
        await _remove_shown(query, context, Template(**draft["remove"]))
        return
    new = NewTemplate(**{name: draft[name] for name in NewTemplate.__dataclass_fields__})
    try:
        template_id = await context.store.write(
            add_template,
            new.name,
            new.body,
            created_by=update.effective_user.id,
            complaint_type=new.complaint_type,
            department=new.department,
        )
    except BadTemplate as exc:  # the 법정민원 kind was removed since the preview
        text = TEMPLATE_NOT_SAVED_TEXT.format(problem=template_problem(exc))
    else:
        text = TEMPLATE_SAVED_TEXT.format(id=template_id, name=new.name)
        text = formatting.fit(f"{text}\n{template_summary(new)}")
    del context.user_data[TEMPLATE_DRAFT]
    await keyboards.edit_message(query, text)


async def _preview_template(update: Update, context: BotContext) -> None:
    """Reads "/template add …", checks it and shows it with [저장] [취소]; nothing is stored
    until [저장] (a newer preview replaces an older one)."""
    typed = update.message.text.split(maxsplit=2)
    try:
        request = parse_template_add(typed[2] if len(typed) > 2 else "")
        new = await context.store.read(
            checked_template,
            request.name,
            request.body,
            complaint_type=request.complaint_type,
            department=request.department,
        )
    except BadTemplate as exc:
        await update.message.reply_text(f"{template_problem(exc)}\n{TEMPLATE_ADD_USAGE}")
        return
    except ValueError as exc:  # parse_template_add: the line cannot be read
        await update.message.reply_text(f"{exc}\n{TEMPLATE_ADD_USAGE}")
        return
    known = new.department is None or new.department in await context.store.read(departments)
    token = secrets.token_hex(4)
    context.user_data[TEMPLATE_DRAFT] = {"token": token, **dataclasses.asdict(new)}
    await update.message.reply_text(
        formatting.fit(template_preview(new, known_department=known)),
        reply_markup=keyboards.template_actions(token),
    )


async def _confirm_removal(update: Update, context: BotContext) -> None:
    """Reads "/template del 번호" and shows the template with [삭제] [취소]; nothing is removed
    until [삭제] (a newer preview replaces an older one)."""
    args = context.args
    number = args[1].lstrip("#") if len(args) == 2 else ""
    if not number.isascii() or not number.isdigit() or len(number) > MAX_ID_DIGITS:
        await update.message.reply_text(TEMPLATE_USAGE)
        return
    try:
        shown = await context.store.read(get_template, int(number))
    except TemplateNotFound:
        await update.message.reply_text(TEMPLATE_MISSING_TEXT.format(number=args[1]))
        return
    token = secrets.token_hex(4)
    context.user_data[TEMPLATE_DRAFT] = {"token": token, "remove": dataclasses.asdict(shown)}
    lines = [TEMPLATE_REMOVAL_TEXT, *([AUTO_ACK_REMOVAL_TEXT] if shown.auto_ack else [])]
    await update.message.reply_text(
        formatting.fit("\n".join([*lines, f"번호: #{shown.id}", template_summary(shown)])),
        reply_markup=keyboards.template_removal_actions(token),
    )


async def _remove_shown(query: CallbackQuery, context: BotContext, shown: Template) -> None:
    """Removes the template the admin confirmed, unless it changed since it was shown."""
    del context.user_data[TEMPLATE_DRAFT]
    try:
        await context.store.write(delete_template, shown.id, shown=shown)
    except (TemplateChanged, TemplateNotFound):
        text = TEMPLATE_CHANGED_TEXT.format(id=shown.id)
    else:
        text = TEMPLATE_REMOVED_TEXT.format(id=shown.id, name=shown.name)
    await keyboards.edit_message(query, text)


def template_summary(new: NewTemplate | Template) -> str:
    """Name, type, department and body of a template, as its preview shows them."""
    return "\n".join(
        [
            f"이름: {new.name}",
            f"유형: {new.complaint_type or ALL_TYPES}",
            f"부서: {new.department or ALL_DEPARTMENTS}",
            "",
            new.body,
        ]
    )


def template_preview(new: NewTemplate, *, known_department: bool) -> str:
    """The preview before [저장], warning when no complaint names the department yet."""
    lines = [TEMPLATE_PREVIEW_TEXT]
    if not known_department:
        lines.append(NEW_DEPARTMENT_TEXT.format(department=new.department))
    return "\n".join([*lines, template_summary(new)])


def _scope(template: Template) -> str:
    """ " (고충 · 도로과)" for a template kept for a type or department, else nothing."""
    scope = [s for s in (template.complaint_type, template.department) if s]
    return f" ({' · '.join(scope)})" if scope else ""


def _mark_auto_ack(db: sqlite_utils.Database, args: list[str]) -> str:
    """/template auto 번호 [끄기], done; what to tell the admin."""
    number = args[1].lstrip("#") if len(args) > 1 else ""
    off = len(args) == 3 and args[2] in ("끄기", "off")
    if len(args) not in (2, 3) or not number.isdigit() or (len(args) == 3 and not off):
        return TEMPLATE_USAGE
    try:
        set_auto_ack(db, int(number), not off)
    except TemplateNotFound:
        return TEMPLATE_MISSING_TEXT.format(number=args[1])
    if off:
        return f"상용구 {args[1]}을(를) 자동 접수 안내에서 뺐습니다."
    return (
        f"상용구 {args[1]}을(를) 자동 접수 안내로 정했습니다. 맞는 새 민원마다 접수 직후 "
        "민원인에게 보냅니다."
    )


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
        text = formatting.digest_text(await context.store.read(due_digest))
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
