"""Scheduled jobs: deliver queued notifications to citizens, purge the old question log.

Status changes and staff replies are written to ``db.outbox`` in the same transaction as the
change; this job sends them afterwards. A failed send stays in the outbox and is retried with
backoff (longer when Telegram asks for it with RetryAfter), so nothing is lost.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Bot
from telegram.error import RetryAfter, TelegramError
from telegram.ext import ContextTypes

from db.database import DatabaseUnavailable
from db.outbox import due, mark_failed, mark_sent
from db.questions import purge_older_than

logger = logging.getLogger(__name__)

BATCH_SIZE = 50


async def send_notifications(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delivers the notifications that are due."""
    await deliver_due(context.bot, context.bot_data["db"])


async def deliver_due(bot: Bot, db) -> int:
    """Sends due notifications once each; returns how many were sent."""
    try:
        notifications = due(db, limit=BATCH_SIZE)
    except DatabaseUnavailable as exc:
        logger.warning("outbox unavailable, will retry: %s", exc)
        return 0
    sent = 0
    for notification in notifications:
        try:
            await bot.send_message(notification.chat_id, notification.text)
        except RetryAfter as exc:  # flood control: stop this round, Telegram said when to retry
            mark_failed(db, notification.id, str(exc), retry_after_seconds=_seconds(exc.retry_after))
            break
        except TelegramError as exc:
            logger.warning("notification %s failed: %s", notification.id, exc)
            mark_failed(db, notification.id, str(exc), retry_after_seconds=0)
        else:
            mark_sent(db, notification.id)
            sent += 1
    return sent


async def purge_question_log(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Deletes question-log rows older than the retention period."""
    days = context.bot_data["settings"].question_log_retention_days
    removed = purge_older_than(context.bot_data["db"], days)
    logger.info("purged %d question-log rows older than %d days", removed, days)


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
