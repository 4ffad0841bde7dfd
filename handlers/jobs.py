"""Scheduled jobs: deliver queued notifications to citizens and staff, purge expired data.

Status changes, staff replies and the staff-chat post of a new complaint are written to
``db.outbox`` in the same transaction as the change; this job sends them afterwards. A failed
send stays in the outbox and is retried with backoff (longer when Telegram asks for it with
RetryAfter), so nothing is lost. One delivery runs at a time (``outbox_lock``), so a handler
sending a fresh post at once (``deliver_now``) and the job never send the same row twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import sqlite_utils
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import RetryAfter, TelegramError

from db.complaints import get_complaint
from db.database import DatabaseUnavailable
from db.outbox import Notification, NotificationNotFound, due, get, mark_failed, mark_sent
from db.relay import RELAY_POST_KIND, relay_id_in
from db.retention import purge_expired
from db.satisfaction import SURVEY
from db.store import Store
from display import survey_receipt
from handlers import formatting, keyboards, survey
from handlers.context import BotContext
from web.photos import cache_dir, purge_orphans

logger = logging.getLogger(__name__)

BATCH_SIZE = 50
STAFF_POST = "staff"  # outbox kind of a new complaint's post in the staff chat


async def send_notifications(context: BotContext) -> None:
    """Delivers the notifications that are due."""
    async with context.outbox_lock:
        await deliver_due(context.bot, context.store)


async def deliver_now(context: BotContext, notification_id: int) -> bool:
    """Sends one queued notification at once if no delivery is running; True if it was sent.

    Otherwise it stays queued and the outbox job sends it on its next run.
    """
    lock = context.outbox_lock
    if lock.locked():
        return False
    async with lock:
        try:
            notification = await context.store.read(get, notification_id)
            if notification.sent_at or notification.dead:
                return False
            return await _send(context.bot, context.store, notification)
        except (RetryAfter, NotificationNotFound, DatabaseUnavailable):
            return False


async def deliver_due(bot: Bot, store: Store) -> int:
    """Sends due notifications once each; returns how many were sent."""
    sent = 0
    try:
        for notification in await store.read(due, limit=BATCH_SIZE):
            sent += await _send(bot, store, notification)
    except RetryAfter:  # flood control: stop this round, Telegram said when to retry
        pass
    except DatabaseUnavailable as exc:
        logger.warning("outbox unavailable, will retry: %s", exc)
    return sent


async def _send(bot: Bot, store: Store, notification: Notification) -> bool:
    """Sends one notification and records the outcome; a failed one stays queued."""
    try:
        message = await bot.send_message(
            notification.chat_id,
            formatting.fit(notification.text),
            reply_markup=_buttons(notification),
        )
    except RetryAfter as exc:
        logger.warning(
            "notification %s deferred by Telegram's flood control: %s", notification.id, exc
        )
        await store.write(
            mark_failed, notification.id, str(exc), retry_after_seconds=_seconds(exc.retry_after)
        )
        raise
    except TelegramError as exc:
        logger.warning("notification %s failed: %s", notification.id, exc)
        await store.write(mark_failed, notification.id, str(exc), retry_after_seconds=0)
        return False
    await store.write(mark_sent, notification.id, message_id=message.message_id)
    return True


def _buttons(notification: Notification) -> InlineKeyboardMarkup | None:
    """A staff-chat post of a new complaint carries its action buttons, a satisfaction survey
    its 1–5 buttons and a 상담원 연결 post [연결 받기], rebuilt from the receipt or relay id in
    the text."""
    if notification.kind == SURVEY:
        surveyed = survey_receipt(notification.text)
        return survey.rating_buttons(surveyed) if surveyed else None
    if notification.kind == RELAY_POST_KIND:
        relay_id = relay_id_in(notification.text)
        return keyboards.relay_post(relay_id) if relay_id else None
    receipt = formatting.staff_alert_receipt(notification.text)
    return (
        keyboards.staff_actions(receipt) if notification.kind == STAFF_POST and receipt else None
    )


async def purge_expired_data(context: BotContext) -> None:
    """Deletes what is older than its retention (db.retention): closed complaints with their
    history and notifications (and the console's cached photos of them), old question and
    denied-command logs, stale conversation data (also dropped from memory, so it is not
    written back)."""
    settings = context.settings
    purged = await context.store.write(
        purge_expired,
        complaint_days=settings.complaint_retention_days,
        log_days=settings.question_log_retention_days,
    )
    for user_id in purged.user_ids:
        context.application.drop_user_data(user_id)
    purged.rows["photo_cache"] = await context.store.read(
        _purge_photo_cache, cache_dir(settings.database_path)
    )
    logger.info("purged expired rows: %s", ", ".join(f"{t} {n}" for t, n in purged.rows.items()))


def _purge_photo_cache(db: sqlite_utils.Database, folder: Path) -> int:
    """Drops the console's cached photos of complaints that are gone (web.photos)."""
    return purge_orphans(folder, lambda receipt: get_complaint(db, receipt) is not None)


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
