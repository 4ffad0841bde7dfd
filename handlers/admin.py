"""Admin commands: reload the knowledge base, statistics, grant and revoke staff roles, and
files sent to the bot: read in the background → preview → [반영] publishes a numbered version
(/kb_versions, /rollback N)."""

from __future__ import annotations

import asyncio
import secrets
import tempfile
from datetime import datetime
from pathlib import Path

import sqlite_utils
from telegram import Update
from telegram.constants import FileSizeLimit
from telegram.ext import ApplicationHandlerStop

from db.complaints import stats_by_department, stats_by_status
from db.database import KST
from db.outbox import delivery_stats
from db.questions import answered_since, question_stats, recent_questions
from db.satisfaction import by_department_and_month
from db.staff import ROLES, STAFF, grant, revoke
from handlers import formatting, keyboards, menu
from handlers.access import ADMIN_ROLES, requires, user_role
from handlers.arguments import parse_user_id
from handlers.context import BotContext
from knowledge.base import KnowledgeBase, KnowledgeError
from knowledge.library import LibraryError, preview_file
from knowledge.readers import ReadError, reader_for
from knowledge.versions import list_versions, publish_files, rollback
from nlp import listing
from nlp.responder import changed_answers
from nlp.retrieval import load_knowledge_base

ROLE_LABELS = {"staff": "담당 직원", "admin": "관리자"}
RELOADING_TEXT = "지식베이스를 다시 불러오는 중입니다…"
BUSY_TEXT = "이미 지식베이스를 불러오는 중입니다. 끝나면 결과를 알려 드립니다."
GRANT_USAGE = "사용법: /grant 사용자ID [staff|admin]"
REVOKE_USAGE = "사용법: /revoke 사용자ID"
READING_TEXT = "{name}을(를) 읽는 중입니다…"
NEED_REGION_TEXT = (
    "어느 지역의 자료인지 파일 설명(캡션)에 지역 이름을 적어 다시 보내 주세요. 지역: {regions}"
)
TOO_BIG_TEXT = "파일이 너무 큽니다({size} MB). {limit} MB 이하로 보내 주세요."
REFUSED_TEXT = "{name}을(를) 넣지 않았습니다: {reason}"
PREVIEW_TEXT = (
    "미리보기 — 아직 반영하지 않았습니다.\n{report}\n"
    "이 자료를 넣으면 달라지는 답: {changed}개 (최근 {days}일 질문 {asked}개 중)\n\n"
    "[반영]을 누르면 지역 '{region}'에 넣고 새 버전으로 게시합니다."
)
CHANGED_ANSWER_DAYS = 30  # the questions of the last month are re-answered for the preview
# At most this many of them (the most recent): each is answered twice, 3–6 ms a time on this
# machine when quiet, ~45 ms under a load average of 17 — 200 keeps the preview within 20 s.
CHANGED_ANSWER_LIMIT = 200
GONE_TEXT = "이미 처리했거나 오래된 미리보기입니다. 파일을 다시 보내 주세요."
CANCELLED_TEXT = "취소했습니다. 지식베이스는 바뀌지 않았습니다."
ROLLBACK_USAGE = "사용법: /rollback 버전번호 (목록: /kb_versions)"
# 20 MB: the largest file a bot may download with getFile from the Bot API (sending allows 50)
MAX_UPLOAD_BYTES = FileSizeLimit.FILESIZE_DOWNLOAD
MB = 1_000_000
TAUGHT_SHOWN = 10  # taught answers listed in /stats, newest first
SEMANTIC_OFF_TEXT = "의미 검색: 꺼져 있습니다 (RETRIEVAL=lexical, 낱말 검색으로 답합니다)"


@requires(ADMIN_ROLES)
async def reload_knowledge(update: Update, context: BotContext) -> None:
    """Rebuilds the knowledge base in a thread; on errors the old one stays in use."""
    lock: asyncio.Lock = context.reload_lock
    if lock.locked():
        await update.message.reply_text(BUSY_TEXT)
        return
    async with lock:
        await update.message.reply_text(RELOADING_TEXT)
        await update.message.reply_text(await swap_knowledge_base(context))


async def swap_knowledge_base(context: BotContext) -> str:
    """Loads KNOWLEDGE_DIR again; swaps it in only if valid. Returns the report for the admin."""
    old = context.kb
    try:
        new = await asyncio.to_thread(
            load_knowledge_base,
            context.settings.knowledge_dir,
            tokenizer=context.tokenizer,
        )
    except KnowledgeError as exc:
        return formatting.problems_text(exc.problems)
    await asyncio.to_thread(listing.prepare, new)  # before a message meets it
    context.kb = new  # one assignment: a question sees either the old or the new kb
    if context.semantic is not None:
        context.semantic.prepare(new)  # embeds only changed passages; words answer meanwhile
    return formatting.reload_text(new, old.diff(new))


@requires(ADMIN_ROLES)
async def stats(update: Update, context: BotContext) -> None:
    """Reports questions asked and answered, top unanswered questions, complaint counts and
    notifications not delivered (the outbox gives up after ten tries over about three hours)."""
    text = await context.store.read(_stats_text)
    text += "\n" + await context.store.read(taught_text, context.kb)
    semantic = context.semantic
    text += "\n[검색]\n" + (semantic.status_text() if semantic else SEMANTIC_OFF_TEXT)
    await update.message.reply_text(text)


def _stats_text(db: sqlite_utils.Database) -> str:
    text = formatting.stats_text(
        question_stats(db), stats_by_status(db), stats_by_department(db), delivery_stats(db)
    )
    return text + "\n" + formatting.satisfaction_text(by_department_and_month(db))


@requires(ADMIN_ROLES)
async def grant_role(update: Update, context: BotContext) -> None:
    """Gives a user the staff (default) or admin role: /grant ID [staff|admin]."""
    user_id = parse_user_id(context.args[0]) if context.args else None
    role = context.args[1].lower() if len(context.args) > 1 else STAFF
    if user_id is None or role not in ROLES or len(context.args) > 2:
        await update.message.reply_text(GRANT_USAGE)
        return
    await context.store.write(grant, user_id, role=role, granted_by=update.effective_user.id)
    await context.wal_sync.wait()
    await menu.set_menu_for(context.bot, user_id, role)
    await update.message.reply_text(f"{user_id}에게 {ROLE_LABELS[role]} 권한을 주었습니다.")


@requires(ADMIN_ROLES)
async def revoke_role(update: Update, context: BotContext) -> None:
    """Withdraws a role granted in the bot: /revoke ID."""
    user_id = parse_user_id(context.args[0]) if len(context.args) == 1 else None
    settings = context.settings
    if user_id is None:
        text = REVOKE_USAGE
    elif user_id in settings.admin_ids | settings.staff_ids:
        text = (
            f"{user_id}은(는) 설정(ADMIN_IDS/STAFF_IDS)에 있는 ID입니다. "
            "설정에서 빼고 다시 시작해 주세요."
        )
    elif await context.store.write(revoke, user_id, revoked_by=update.effective_user.id):
        await context.wal_sync.wait()
        await menu.set_menu_for(context.bot, user_id, None)
        text = f"{user_id}의 권한을 회수했습니다."
    else:
        text = f"{user_id}에게 부여된 권한이 없습니다."
    await update.message.reply_text(text)


async def take_admin_file(update: Update, context: BotContext) -> None:
    """A document in a private chat, tried before the citizen handlers (``handlers.app``'s
    ADMIN_FILE_GROUP): an admin's goes to ``receive_file`` and no further; anyone else's goes
    on, so a citizen's caption is answered as a question.

    The role is read off the event loop. The file is read in a task of its own, so a long
    preview does not hold up the admin's next messages; the check itself blocks, since only a
    blocking handler can stop the update.
    """
    user = update.effective_user
    if user is None or await user_role(context, user.id) not in ADMIN_ROLES:
        return
    context.application.create_task(  # errors reach the error handler with this update
        receive_file(update, context),
        update=update,
        # python-telegram-bot's own prefix for the tasks of non-blocking handlers, which the
        # console and the tests (console.local_api.LocalChat) wait for
        name=f"Application:{context.bot.id}:admin_file",
    )
    raise ApplicationHandlerStop


async def receive_file(update: Update, context: BotContext) -> None:
    """An admin's file (``take_admin_file``): read on a copy of the knowledge base in the
    background, then a preview with [반영] [취소]."""
    document, kb = update.message.document, context.kb
    name = document.file_name or "파일"
    region = (update.message.caption or "").strip() or (
        kb.regions[0].name if len(kb.regions) == 1 else ""
    )
    try:
        reader_for(name)
    except ReadError as exc:
        await update.message.reply_text(REFUSED_TEXT.format(name=name, reason=exc.reason))
        return
    if (document.file_size or 0) > MAX_UPLOAD_BYTES:
        await update.message.reply_text(
            TOO_BIG_TEXT.format(size=round(document.file_size / MB), limit=MAX_UPLOAD_BYTES // MB)
        )
        return
    if not region:
        regions = ", ".join(r.name for r in kb.regions)
        await update.message.reply_text(NEED_REGION_TEXT.format(regions=regions))
        return
    await update.message.reply_text(READING_TEXT.format(name=name))
    data = bytes(await (await document.get_file()).download_as_bytearray())
    questions = await context.store.read(
        recent_questions, days=CHANGED_ANSWER_DAYS, limit=CHANGED_ANSWER_LIMIT
    )
    try:
        reports, changed = await asyncio.to_thread(
            _preview, context, name, data, region, questions
        )
    except LibraryError as exc:
        await update.message.reply_text(REFUSED_TEXT.format(name=name, reason=_one_line(exc)))
        return
    token = secrets.token_hex(4)
    context.uploads[token] = (name, data, region)
    report = "\n".join(line for r in reports for line in r.lines())
    text = PREVIEW_TEXT.format(
        report=report,
        region=region,
        changed=changed,
        asked=len(questions),
        days=CHANGED_ANSWER_DAYS,
    )
    await update.message.reply_text(text, reply_markup=keyboards.upload_actions(token))


@requires(ADMIN_ROLES, action="upload")
async def upload_button(update: Update, context: BotContext) -> None:
    """[반영] publishes the previewed file as a new version and reloads; [취소] drops it."""
    query = update.callback_query
    action, token = query.data.removeprefix(keyboards.UPLOAD).split(":", 1)
    pending = context.uploads.pop(token, None)
    await query.answer()
    if pending is None:
        await keyboards.edit_message(query, GONE_TEXT)
        return
    if action != keyboards.PUBLISH:
        await keyboards.edit_message(query, CANCELLED_TEXT)
        return
    name, data, region = pending
    directory = Path(context.settings.knowledge_dir)
    try:
        number = await asyncio.to_thread(
            _publish, directory, name, data, region, str(update.effective_user.id)
        )
    except LibraryError as exc:
        await keyboards.edit_message(query, REFUSED_TEXT.format(name=name, reason=_one_line(exc)))
        return
    report = await swap_knowledge_base(context)
    await keyboards.edit_message(query, f"{name}을(를) 반영했습니다: 버전 {number}.\n{report}")


@requires(ADMIN_ROLES)
async def show_versions(update: Update, context: BotContext) -> None:
    """Lists the published knowledge-base versions: /kb_versions."""
    versions = list_versions(Path(context.settings.knowledge_dir))
    lines = [f"{v.number}. {v.published_at} · {v.by} · {v.note}" for v in versions[-20:]]
    await update.message.reply_text(
        "\n".join(["게시한 버전 (/rollback 번호)", *lines])
        if lines
        else "아직 게시한 버전이 없습니다."
    )


@requires(ADMIN_ROLES)
async def rollback_version(update: Update, context: BotContext) -> None:
    """Brings an older version back and reloads: /rollback N."""
    if len(context.args) != 1 or not context.args[0].isdigit():
        await update.message.reply_text(ROLLBACK_USAGE)
        return
    directory = Path(context.settings.knowledge_dir)
    try:
        number = await asyncio.to_thread(
            rollback, directory, int(context.args[0]), by=str(update.effective_user.id)
        )
    except LibraryError as exc:
        await update.message.reply_text(_one_line(exc))
        return
    report = await swap_knowledge_base(context)
    await update.message.reply_text(
        f"버전 {context.args[0]}(으)로 되돌렸습니다(새 버전 {number}).\n{report}"
    )


def taught_text(db: sqlite_utils.Database, kb: KnowledgeBase) -> str:
    """/stats: how many questions each taught entry answered since it was taught."""
    taught = list(kb.curated.taught)[-TAUGHT_SHOWN:]
    if not taught:
        return "[가르친 답]\n아직 없습니다 (/unanswered)."
    lines = ["[가르친 답] 가르친 뒤 답한 질문 수"]
    for item in reversed(taught):
        entry_id = item.entry_id(kb.regions)
        entry = kb.get(entry_id) if entry_id else None
        title = entry.title if entry else item.questions[0]
        how = "별칭" if item.entry else "답"
        since = datetime.fromisoformat(item.at)
        count = answered_since(db, entry_id, since) if entry_id else 0
        when = since.astimezone(KST).strftime("%m-%d")
        lines.append(f"· «{formatting.preview(title, 40)}» — {count}번 ({when} {how}, {item.by})")
    return "\n".join(lines)


def _preview(
    context: BotContext, name: str, data: bytes, region: str, questions: list[str]
) -> tuple[list, int]:
    """Reads the file on a copy of the knowledge directory, builds the knowledge base it would
    give and re-answers ``questions`` (the last month's) with both (runs in a worker thread)."""
    directory = Path(context.settings.knowledge_dir)
    reports, new = preview_file(
        directory,
        name,
        data,
        region,
        inspect=lambda copy: load_knowledge_base(copy, tokenizer=context.tokenizer),
    )
    memory = context.preview_outcomes
    if memory.get("kb") is not context.kb:  # a reload or publish since
        memory.clear()
        memory.update(kb=context.kb, outcomes={})
    changed = changed_answers(context.kb, new, questions, before=memory["outcomes"])
    return reports, changed


def _publish(directory: Path, name: str, data: bytes, region: str, by: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        upload = Path(tmp) / Path(name).name
        upload.write_bytes(data)
        number, _ = publish_files(directory, [upload], region, by=by)
    return number


def _one_line(exc: Exception) -> str:
    """The first reason of a refusal, without the file name the message already gives."""
    first = str(exc).splitlines()[0] if str(exc) else "알 수 없는 오류"
    return first.split("넣지 못했습니다 — ", 1)[-1]
