"""Admin commands: reload the knowledge base, statistics, grant and revoke staff roles."""
from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import ContextTypes

from db.complaints import stats_by_department, stats_by_status
from db.outbox import delivery_stats
from db.questions import question_stats
from db.staff import ROLES, STAFF, grant, revoke
from handlers import formatting, menu
from handlers.access import ADMIN_ROLES, allowed
from handlers.arguments import parse_user_id
from knowledge.base import KnowledgeError, load_knowledge_base

ROLE_LABELS = {"staff": "담당 직원", "admin": "관리자"}
RELOADING_TEXT = "지식베이스를 다시 불러오는 중입니다…"
BUSY_TEXT = "이미 지식베이스를 불러오는 중입니다. 끝나면 결과를 알려 드립니다."
GRANT_USAGE = "사용법: /grant 사용자ID [staff|admin]"
REVOKE_USAGE = "사용법: /revoke 사용자ID"
SEMANTIC_OFF_TEXT = "의미 검색: 꺼져 있습니다 (RETRIEVAL=lexical, 낱말 검색으로 답합니다)"


async def reload_knowledge(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Rebuilds the knowledge base in a thread; on errors the old one stays in use."""
    if not await allowed(update, context, "/reload", ADMIN_ROLES):
        return
    lock: asyncio.Lock = context.bot_data["reload_lock"]
    if lock.locked():
        await update.message.reply_text(BUSY_TEXT)
        return
    async with lock:
        await update.message.reply_text(RELOADING_TEXT)
        await update.message.reply_text(await swap_knowledge_base(context.bot_data))


async def swap_knowledge_base(bot_data: dict) -> str:
    """Loads KNOWLEDGE_DIR again; swaps it in only if valid. Returns the report for the admin."""
    old = bot_data["kb"]
    try:
        new = await asyncio.to_thread(load_knowledge_base, bot_data["settings"].knowledge_dir,
                                      tokenizer=bot_data["tokenizer"])
    except KnowledgeError as exc:
        return formatting.problems_text(exc.problems)
    bot_data["kb"] = new  # one assignment: a question sees either the old or the new kb
    if bot_data.get("semantic") is not None:
        bot_data["semantic"].prepare(new)  # embeds only changed passages; words answer meanwhile
    return formatting.reload_text(new, old.diff(new))


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reports questions asked and answered, top unanswered questions, complaint counts and
    notifications not delivered (the outbox gives up after ten tries over about three hours)."""
    if not await allowed(update, context, "/stats", ADMIN_ROLES):
        return
    db = context.bot_data["db"]
    text = formatting.stats_text(question_stats(db), stats_by_status(db), stats_by_department(db),
                                 delivery_stats(db))
    semantic = context.bot_data.get("semantic")
    text += "\n[검색]\n" + (semantic.status_text() if semantic else SEMANTIC_OFF_TEXT)
    await update.message.reply_text(text)


async def grant_role(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Gives a user the staff (default) or admin role: /grant ID [staff|admin]."""
    if not await allowed(update, context, "/grant", ADMIN_ROLES):
        return
    user_id = parse_user_id(context.args[0]) if context.args else None
    role = context.args[1].lower() if len(context.args) > 1 else STAFF
    if user_id is None or role not in ROLES or len(context.args) > 2:
        await update.message.reply_text(GRANT_USAGE)
        return
    grant(context.bot_data["db"], user_id, role=role, granted_by=update.effective_user.id)
    await context.bot_data["wal_sync"].wait()
    await menu.set_menu_for(context.bot, user_id, role)
    await update.message.reply_text(f"{user_id}에게 {ROLE_LABELS[role]} 권한을 주었습니다.")


async def revoke_role(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Withdraws a role granted in the bot: /revoke ID."""
    if not await allowed(update, context, "/revoke", ADMIN_ROLES):
        return
    user_id = parse_user_id(context.args[0]) if len(context.args) == 1 else None
    settings = context.bot_data["settings"]
    if user_id is None:
        text = REVOKE_USAGE
    elif user_id in settings.admin_ids | settings.staff_ids:
        text = f"{user_id}은(는) 설정(ADMIN_IDS/STAFF_IDS)에 있는 ID입니다. 설정에서 빼고 다시 시작해 주세요."
    elif revoke(context.bot_data["db"], user_id, revoked_by=update.effective_user.id):
        await context.bot_data["wal_sync"].wait()
        await menu.set_menu_for(context.bot, user_id, None)
        text = f"{user_id}의 권한을 회수했습니다."
    else:
        text = f"{user_id}에게 부여된 권한이 없습니다."
    await update.message.reply_text(text)
