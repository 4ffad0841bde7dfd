"""Notifications that must reach a chat even if Telegram is down: written first, sent later.

A sender loop calls due(), tries each, then mark_sent() or mark_failed(). Failed rows back off
exponentially, rows deferred by Telegram's flood control wait exactly as long as it asked; after
MAX_ATTEMPTS failures they are marked dead and kept for an admin to look at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from db.database import as_utc, raises_unavailable, timestamp, transaction
from db.privacy import mask_rrn

MAX_ATTEMPTS = 10
# 30 s, 1 min, 2 min ... doubling, but never more than an hour apart: the ten attempts then
# span about three hours, longer than Telegram outages usually last, before one is dead.
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0


class NotificationNotFound(Exception):
    "No notification with this id in the outbox."


@dataclass(frozen=True)
class Notification:
    id: int
    chat_id: int
    text: str
    kind: str
    attempts: int
    last_error: str | None
    dead: bool
    created_at: str
    next_attempt_at: str
    sent_at: str | None
    receipt: str | None = None
    message_id: int | None = None  # the Telegram message it became, once sent


@raises_unavailable
def enqueue(
    db: sqlite_utils.Database,
    chat_id: int,
    text: str,
    *,
    kind: str,
    receipt: str | None = None,
    now: datetime | None = None,
) -> int:
    """Stores a notification to send to chat_id as soon as possible; returns its id.

    Resident registration numbers in the text are masked (db.privacy). ``receipt`` names the
    complaint it is about: the row is deleted with it (db.retention).
    """
    created = timestamp(now)
    table = db["outbox"].insert(
        {
            "chat_id": chat_id,
            "text": mask_rrn(text),
            "kind": kind,
            "attempts": 0,
            "dead": 0,
            "created_at": created,
            "next_attempt_at": created,
            "receipt": receipt,
        }
    )
    return table.last_pk


@dataclass(frozen=True)
class DeliveryStats:
    """What the outbox holds undelivered: still being tried, and given up (dead)."""

    pending: int
    dead: int
    latest_dead: tuple[Notification, ...]


@raises_unavailable
def delivery_stats(db: sqlite_utils.Database, *, shown: int = 3) -> DeliveryStats:
    """Counts of undelivered notifications, with the newest dead ones for an admin to act on."""
    pending, dead = db.execute(
        "select coalesce(sum(dead = 0), 0), coalesce(sum(dead = 1), 0) from outbox "
        "where sent_at is null"
    ).fetchone()
    rows = db["outbox"].rows_where("dead = 1 and sent_at is null", order_by="id desc", limit=shown)
    return DeliveryStats(pending, dead, tuple(_notification(row) for row in rows))


@raises_unavailable
def due(
    db: sqlite_utils.Database, *, now: datetime | None = None, limit: int = 50
) -> list[Notification]:
    """Unsent, live notifications whose next attempt is due, oldest first."""
    rows = db["outbox"].rows_where(
        "dead = 0 and sent_at is null and next_attempt_at <= ?",
        [timestamp(now)],
        order_by="next_attempt_at, id",
        limit=limit,
    )
    return [_notification(row) for row in rows]


@raises_unavailable
def get(db: sqlite_utils.Database, notification_id: int) -> Notification:
    """The notification with this id; NotificationNotFound if there is none."""
    row = next(db["outbox"].rows_where("id = ?", [notification_id]), None)
    if row is None:
        raise NotificationNotFound(notification_id)
    return _notification(row)


@raises_unavailable
def mark_sent(
    db: sqlite_utils.Database,
    notification_id: int,
    *,
    message_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Records that the notification reached its chat (as ``message_id``, to edit it later)."""
    with transaction(db):
        get(db, notification_id)
        db["outbox"].update(notification_id, {"sent_at": timestamp(now), "message_id": message_id})


@raises_unavailable
def sent_messages(
    db: sqlite_utils.Database, *, kind: str, text_prefix: str
) -> list[tuple[int, int]]:
    """(chat id, message id) of the sent notifications of ``kind`` whose text starts with
    ``text_prefix`` (e.g. a complaint's staff-chat post, to take its buttons away)."""
    escaped = text_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = db.execute(
        "select chat_id, message_id from outbox where kind = ? and message_id is not null "
        "and text like ? escape '\\' order by id",
        [kind, escaped + "%"],
    ).fetchall()
    return [(chat_id, message_id) for chat_id, message_id in rows]


@raises_unavailable
def mark_failed(
    db: sqlite_utils.Database,
    notification_id: int,
    error: str,
    *,
    retry_after_seconds: float,
    now: datetime | None = None,
) -> Notification:
    """Schedules the next attempt after a failed one.

    Telegram's flood control (retry_after_seconds > 0) is obeyed exactly: the message was not
    refused, only deferred, so it counts no attempt and adds no backoff. Any other error counts
    an attempt and backs off exponentially; after MAX_ATTEMPTS the notification is marked dead
    and no longer due.
    """
    with transaction(db):
        attempts = get(db, notification_id).attempts
        if retry_after_seconds > 0:
            delay = retry_after_seconds
        else:
            attempts += 1
            delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1))
        db["outbox"].update(
            notification_id,
            {
                "attempts": attempts,
                "last_error": mask_rrn(error),
                "dead": int(attempts >= MAX_ATTEMPTS),
                "next_attempt_at": timestamp(as_utc(now) + timedelta(seconds=delay)),
            },
        )
        return get(db, notification_id)


def _notification(row: dict) -> Notification:
    return Notification(**{**row, "dead": bool(row["dead"])})
