"""Builds the Telegram Application: handlers, persistence, jobs, start-up and shutdown.

Usage:
    run_bot(settings)                                  # polling, or a webhook if WEBHOOK_URL
    serve(build_application(settings, kb=kb), settings, stop_signals=None)   # e2e tests
    application = build_application(settings, request=LocalBotApi())   # console and tests
    async with running(application):
        await application.process_update(update)

post_init starts the tokenizer and loads the knowledge base unless given (both in a thread: the
JVM and the index take seconds; run_bot loads them before starting), opens the database
(``store``: one writer thread and a pool of readers, db.store), and sets every service
handlers read from their ``BotContext`` (handlers.context). A commit does not wait for the
disk; ``wal_sync`` (db.durability) does, before a receipt or a staff member's "done" is sent.
post_shutdown writes what is queued and closes the database. ``bot_data`` holds live objects and is
therefore not persisted, and no handler uses ``chat_data``; user_data and
the conversations are persisted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import time, timedelta
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PersistenceInput,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from config import Settings
from db.durability import WalSync
from db.persistence import SQLitePersistence
from db.relay import users_in_relays
from db.staff import list_staff
from db.store import Store
from handlers import (
    admin,
    citizen,
    complaint,
    flood,
    jobs,
    keyboards,
    menu,
    relay,
    staff,
    survey,
    teaching,
    workbench,
)
from handlers.access import NEW_MESSAGE, PRIVATE
from handlers.context import BotContext, set_services
from handlers.errors import handle_error
from knowledge.base import KnowledgeBase
from nlp import listing
from nlp.cache import ReplyCache
from nlp.retrieval import load_knowledge_base
from nlp.semantic import SemanticService
from nlp.tokenizer import Tokenizer, get_tokenizer
from transport.matching import new_matcher
from transport.ordering import PerUserUpdateProcessor
from transport.request import AiohttpRequest

logger = logging.getLogger(__name__)

LOCAL_TOKEN = "0:local-console"  # used only with an in-process request, never sent anywhere
PURGE_TIME = time(4, 0, tzinfo=ZoneInfo("Asia/Seoul"))
DIGEST_TIME = time(8, 30, tzinfo=ZoneInfo("Asia/Seoul"))  # before the office opens at 09:00
PROGRESS_NOTICE_TIME = time(10, 0, tzinfo=ZoneInfo("Asia/Seoul"))
HTTP_CONNECTIONS = 64  # one per update handled at once (MAX_CONCURRENT_UPDATES' default)
STORED = PersistenceInput(bot_data=False, chat_data=False, callback_data=False)
# Handler groups, tried in this order (python-telegram-bot runs the first matching handler of
# each group; ApplicationHandlerStop ends the update): flood control, then an admin's file
# (taken, or passed on to the citizen handlers of group 0), then saving the state.
FLOOD_GROUP = -2
ADMIN_FILE_GROUP = -1
SAVE_STATE_GROUP = 100  # after every other handler: the conversation state is final by then
# While another process holds the write lock, a write someone awaits (a complaint, a staff
# action) waits this long on the writer thread (db.store) before "잠시 후 다시 시도해
# 주세요"; the event loop goes on answering. Real writers hold the lock for milliseconds.
DB_BUSY_TIMEOUT_MS = 1000
# python-telegram-bot waits 1 s, then 1.5 times longer each try (at most 30 s): ten tries span
# about two minutes before the bot gives up starting.
BOOTSTRAP_RETRIES = 10
JOB_QUEUE_MISSING = (
    "APScheduler가 없어 알림 발송과 대화 시간 제한을 쓸 수 없습니다 / the job queue is missing: "
    "pip install 'python-telegram-bot[job-queue]==22.8'"
)


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    kb: KnowledgeBase | None = None,
    tokenizer: Tokenizer | None = None,
    web_console: bool = False,
) -> Application:
    """The bot with every handler registered; ``kb``/``tokenizer`` skip loading (tests);
    ``web_console`` also serves the staff console (web/) from the same event loop."""
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token or LOCAL_TOKEN)
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.rate_limit_per_second,
                overall_time_period=1,
                group_max_rate=settings.rate_limit_group_per_minute,
                group_time_period=60,
            )
        )
        .persistence(
            SQLitePersistence(
                settings.database_path,
                update_interval=1,
                store_data=STORED,
                retention=timedelta(days=settings.question_log_retention_days),
            )
        )
        .post_init(_starter(settings, kb, tokenizer, web_console))
        .post_shutdown(_stop_services)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(PerUserUpdateProcessor(settings.max_concurrent_updates))
    )
    if settings.telegram_base_url:
        builder.base_url(f"{settings.telegram_base_url}/bot")
        builder.base_file_url(f"{settings.telegram_base_url}/file/bot")
    if request is None:
        builder.request(AiohttpRequest(HTTP_CONNECTIONS)).get_updates_request(AiohttpRequest(1))
    else:
        builder.request(request).get_updates_request(request)
    application = builder.build()
    if application.job_queue is None:
        raise RuntimeError(JOB_QUEUE_MISSING)
    register_handlers(application, settings)
    return application


def register_handlers(application: Application, settings: Settings) -> None:
    """Every handler, in the order they are tried, and the one error handler."""
    question = MessageHandler(
        PRIVATE & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND, citizen.answer_question
    )
    # Staff and admin commands accept any chat: their callbacks check the user's role (and
    # the chat). A button with empty data would match every pattern: refused first. An admin's
    # file during their own complaint draft belongs to the complaint, not the knowledge base.
    document = PRIVATE & filters.Document.ALL & ~complaint.DraftOpen(application.user_data)
    application.add_handlers(
        [
            CallbackQueryHandler(keyboards.refuse_unknown, pattern=keyboards.no_data),
            *relay.build_handlers(application.bot_data),
            *staff.build_handlers(),
            *teaching.build_handlers(),
            MessageHandler(
                PRIVATE & filters.TEXT & ~filters.COMMAND & survey.REPLY_TO_SURVEY,
                survey.comment_on_complaint,
            ),
            complaint.build_conversation(question, settings.complaint_timeout_seconds),
            CommandHandler("start", citizen.start, filters=PRIVATE),
            CommandHandler("help", citizen.show_help, filters=NEW_MESSAGE),
            CommandHandler("region", citizen.ask_region, filters=PRIVATE),
            CommandHandler("status", complaint.show_status, filters=NEW_MESSAGE),
            CommandHandler("my", complaint.my_complaints, filters=PRIVATE),
            CommandHandler("cancel", citizen.nothing_to_cancel, filters=NEW_MESSAGE),
            CallbackQueryHandler(citizen.show_entry, pattern=keyboards.ENTRY_PATTERN),
            CallbackQueryHandler(citizen.show_detail, pattern=keyboards.DETAIL_PATTERN),
            CallbackQueryHandler(citizen.show_source, pattern=keyboards.SOURCE_PATTERN),
            CallbackQueryHandler(citizen.next_list_page, pattern=keyboards.LIST_PAGE_PATTERN),
            CommandHandler("source", citizen.show_source, filters=PRIVATE),
            CallbackQueryHandler(citizen.choose_region, pattern=keyboards.REGION_PATTERN),
            CallbackQueryHandler(
                citizen.find_departments, pattern=f"^{keyboards.FIND_DEPARTMENT}$"
            ),
            CommandHandler("inbox", staff.inbox, filters=NEW_MESSAGE),
            CommandHandler("view", staff.view, filters=NEW_MESSAGE),
            CommandHandler("reply", staff.reply, filters=NEW_MESSAGE),
            CommandHandler("assign", staff.assign, filters=NEW_MESSAGE),
            CommandHandler("close", staff.close, filters=NEW_MESSAGE),
            CommandHandler("note", staff.note, filters=NEW_MESSAGE),
            CommandHandler("export", staff.export, filters=NEW_MESSAGE),
            CommandHandler("type", workbench.change_type, filters=NEW_MESSAGE),
            CommandHandler("extend", workbench.extend, filters=NEW_MESSAGE),
            CommandHandler("due", workbench.due_list, filters=NEW_MESSAGE),
            CommandHandler("closed", workbench.closed_days, filters=NEW_MESSAGE),
            CommandHandler("statutory", workbench.statutory, filters=NEW_MESSAGE),
            CommandHandler(
                "template",
                workbench.change_template,
                filters=NEW_MESSAGE & workbench.TEMPLATE_CHANGE,
            ),
            CommandHandler("template", workbench.template, filters=NEW_MESSAGE),
            CallbackQueryHandler(workbench.template_button, pattern=keyboards.TEMPLATE_PATTERN),
            CommandHandler("link", workbench.link_complaints, filters=NEW_MESSAGE),
            CommandHandler("repeat", workbench.repeat, filters=NEW_MESSAGE),
            CallbackQueryHandler(survey.rate_complaint, pattern=survey.RATE_PATTERN),
            CommandHandler("reload", admin.reload_knowledge, filters=NEW_MESSAGE, block=False),
            CommandHandler("stats", admin.stats, filters=NEW_MESSAGE),
            CommandHandler("grant", admin.grant_role, filters=NEW_MESSAGE),
            CommandHandler("revoke", admin.revoke_role, filters=NEW_MESSAGE),
            CommandHandler("kb_versions", admin.show_versions, filters=NEW_MESSAGE),
            CommandHandler("unanswered", teaching.show_unanswered, filters=NEW_MESSAGE),
            CommandHandler("rollback", admin.rollback_version, filters=NEW_MESSAGE, block=False),
            CallbackQueryHandler(
                admin.upload_button, pattern=keyboards.UPLOAD_PATTERN, block=False
            ),
            MessageHandler(PRIVATE & filters.COMMAND, citizen.unknown_command),
            MessageHandler(PRIVATE & ~filters.TEXT, citizen.explain_non_text),
            CallbackQueryHandler(citizen.stale_button),
        ]
    )
    application.add_handler(flood.FloodControl(settings), group=FLOOD_GROUP)
    application.add_handler(
        MessageHandler(document, admin.take_admin_file), group=ADMIN_FILE_GROUP
    )
    application.add_handler(TypeHandler(Update, save_state), group=SAVE_STATE_GROUP)
    application.add_error_handler(handle_error)


async def save_state(update: Update, context: BotContext) -> None:
    """Writes this update's conversation state and user data now, not up to a second later.

    python-telegram-bot persists every ``update_interval``; a crash — or a SIGTERM, which the
    JVM turns into an immediate exit — would lose the steps answered in that last second.
    """
    context.application.mark_data_for_update_persistence(
        chat_ids=update.effective_chat.id if update.effective_chat else None,
        user_ids=update.effective_user.id if update.effective_user else None,
    )
    await context.application.update_persistence()


def _starter(
    settings: Settings,
    kb: KnowledgeBase | None,
    tokenizer: Tokenizer | None,
    web_console: bool = False,
):
    async def start_services(application: Application) -> None:
        """Loads tokenizer and knowledge base, opens the database, publishes menus, adds jobs."""
        words = tokenizer or await asyncio.to_thread(
            get_tokenizer, settings.nlp_tagger, cache_dir=settings.morpheme_cache_dir
        )
        knowledge = kb or await asyncio.to_thread(
            load_knowledge_base, settings.knowledge_dir, tokenizer=words
        )
        await asyncio.to_thread(listing.prepare, knowledge)  # before the first message
        # made durable by wal_sync where a person is told
        store = Store(settings.database_path, busy_timeout_ms=DB_BUSY_TIMEOUT_MS)
        set_services(
            application,
            settings=settings,
            tokenizer=words,
            kb=knowledge,
            store=store,
            wal_sync=WalSync(settings.database_path),
            replies=ReplyCache(settings.reply_cache_size),
            matcher=new_matcher(),
            reload_lock=asyncio.Lock(),
            outbox_lock=asyncio.Lock(),
            semantic=_semantic_service(settings, knowledge),
            uploads={},
            error_reports={},
            preview_outcomes={},
            lessons={},
            teaching_prompts={},
            relays=relay.ActiveRelays(await store.read(users_in_relays)),
        )
        roles = [(uid, "admin") for uid in settings.admin_ids]
        roles += [(uid, "staff") for uid in settings.staff_ids - settings.admin_ids]
        roles += [(m.user_id, m.role) for m in await store.read(list_staff)]
        await menu.publish_menus(
            application.bot, staff_chat_id=settings.staff_chat_id, roles=roles
        )
        application.job_queue.run_repeating(
            jobs.send_notifications, settings.outbox_interval_seconds, name="outbox"
        )
        application.job_queue.run_daily(jobs.purge_expired_data, PURGE_TIME, name="purge expired")
        application.job_queue.run_daily(
            workbench.post_morning_digest, DIGEST_TIME, days=(0, 1, 2, 3, 4), name="morning digest"
        )
        application.job_queue.run_repeating(
            relay.end_idle_relays, relay.IDLE_CHECK_SECONDS, name="idle relays"
        )
        application.job_queue.run_daily(
            workbench.queue_progress_notices, PROGRESS_NOTICE_TIME, name="progress notices"
        )
        if web_console:
            from web.server import start_in_loop

            application.bot_data["web_console"] = start_in_loop(
                settings, telegram_file_fetcher(application.bot)
            )
        logger.info(
            "knowledge base: %d entries from %s", len(knowledge.entries), settings.knowledge_dir
        )

    return start_services


def telegram_file_fetcher(bot: Bot) -> Callable[[str], Awaitable[bytes]]:
    """The web console's photo source: a file's bytes through ``bot`` (getFile, then the
    download); web.photos.PhotoUnavailable when Telegram cannot give it."""
    from web.photos import PhotoUnavailable

    async def fetch(file_id: str) -> bytes:
        try:
            telegram_file = await bot.get_file(file_id)
            return bytes(await telegram_file.download_as_bytearray())
        except TelegramError as exc:
            raise PhotoUnavailable(str(exc)) from exc

    return fetch


def _semantic_service(settings: Settings, kb: KnowledgeBase) -> SemanticService | None:
    """With RETRIEVAL=hybrid, starts embedding the knowledge base in the background (questions
    are answered by words until it is ready, or for good if the model cannot be loaded)."""
    if settings.retrieval != "hybrid":
        return None
    service = SemanticService(settings.semantic_cache_path, settings.semantic_model)
    service.prepare(kb)
    return service


async def _stop_services(application: Application) -> None:
    """Stops the web console, the matcher and fsync threads, writes what is queued and closes
    the database."""
    console = application.bot_data.pop("web_console", None)
    if console is not None:
        from web.server import stop

        await stop(console)
    matcher = application.bot_data.pop("matcher", None)
    if matcher is not None:
        matcher.shutdown()
    wal_sync = application.bot_data.pop("wal_sync", None)
    if wal_sync is not None:
        wal_sync.close()
    store = application.bot_data.pop("store", None)
    if store is not None:
        await store.close()  # after every queued write
    application.persistence.close()


@asynccontextmanager
async def running(application: Application) -> AsyncIterator[Application]:
    """Runs the application without an updater: the caller feeds it updates."""
    await application.initialize()
    try:
        await application.post_init(application)
        await application.start()
        try:
            yield application
        finally:
            await application.stop()
    finally:
        await application.shutdown()
        await application.post_shutdown(application)


def configure_logging(level: str) -> None:
    """Logs to stderr at ``level``, without the libraries' dumps of what people wrote.

    httpx logs every URL (bot token included) at INFO, python-telegram-bot logs whole updates and
    request parameters (complaint texts) at DEBUG, and APScheduler logs every outbox run at INFO;
    those loggers are kept above that even when LOG_LEVEL=DEBUG.
    """
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLevelName(level)))


def run_bot(settings: Settings) -> None:
    """Runs the bot until interrupted: a webhook server if WEBHOOK_URL is set, else polling.

    The tokenizer and the knowledge base are loaded first, in this main thread: a broken
    knowledge file then stops the start (KnowledgeError naming file and line) before Telegram
    is contacted, and the process can exit — with the JVM started from a worker thread, JPype
    waits forever at exit.
    """
    configure_logging(settings.log_level)
    tokenizer = get_tokenizer(settings.nlp_tagger, cache_dir=settings.morpheme_cache_dir)
    kb = load_knowledge_base(settings.knowledge_dir, tokenizer=tokenizer)
    serve(
        build_application(settings, kb=kb, tokenizer=tokenizer, web_console=settings.web_console),
        settings,
    )


def serve(application: Application, settings: Settings, **options: Any) -> None:
    """Runs ``application`` against Telegram until stopped; ``options`` go to run_polling or
    run_webhook.

    The first calls (getMe, deleteWebhook or setWebhook) are retried on network errors, so a
    start during a network or Telegram hiccup waits instead of exiting; a wrong token still
    exits at once.
    """
    options.setdefault("bootstrap_retries", BOOTSTRAP_RETRIES)
    if settings.webhook_url:
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlparse(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
            **options,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES, **options)
