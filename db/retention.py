"""How long each table keeps what it holds, and the daily purge that enforces it.

Complaints follow the retention the consent text promises (COMPLAINT_RETENTION_DAYS after
closing, with everything that copies them); logs and conversation state follow the question-log
retention (QUESTION_LOG_RETENTION_DAYS). RETENTION names every table: a table added without a
rule here fails tests/test_db_retention.py.

Usage:
    purged = purge_expired(db, complaint_days=1095, log_days=90)
    purged.user_ids   # whose persisted user_data went: drop it from memory too
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlite_utils

from db import prompts
from db.complaints import purge_closed
from db.database import as_utc, raises_unavailable, timestamp, transaction
from db.questions import purge_older_than

COMPLAINTS = "COMPLAINT_RETENTION_DAYS after closing"
LOGS = "QUESTION_LOG_RETENTION_DAYS"
RETENTION: dict[str, str] = {
    "complaints": f"closed (완료/반려): {COMPLAINTS}; open: kept",
    "complaint_history": "with its complaint",
    "outbox": "with its complaint; console sign-in codes a day after queueing; else, once "
    "delivered or given up, COMPLAINT_RETENTION_DAYS after queueing",
    "staff": "revoked roles: COMPLAINT_RETENTION_DAYS after revoking; current roles: kept",
    "denied_attempts": f"{LOGS} after the attempt",
    "questions": f"{LOGS} after asking",
    "persistence_user_data": f"{LOGS} after its last change",
    "persistence_chat_data": f"{LOGS} after its last change",
    "persistence_conversations": f"{LOGS} after its last change",
    "persistence_bot_data": "never written (handlers.app.STORED)",
    "persistence_callback_data": "never written (handlers.app.STORED)",
    "staff_prompts": "until the prompt expires (COMPLAINT_TIMEOUT_SECONDS)",
    "satisfaction": "with its complaint",
    "complaint_links": "with either complaint",
    "relays": "ended (상담 종료): COMPLAINT_RETENTION_DAYS after ending; open: kept",
    "relay_messages": "with its relay",
    "web_sessions": "until the session expires",
    "web_login_codes": "until the code expires",
    "web_login_attempts": f"{LOGS} after the attempt",
    "web_accounts": "until an admin removes the account (scrypt hash only, no plain password)",
    "reply_templates": "admin-kept texts, no personal data: kept",
    "closed_days": "admin-kept calendar, no personal data: kept",
    "statutory_periods": "admin-kept table, no personal data: kept",
    "_migrations": "schema versions only, no personal data: kept",
    "sqlite_sequence": "SQLite's AUTOINCREMENT counters (staff_prompts), no personal data: kept",
}
SIGN_IN_CODE = "login"  # outbox kind of a web console sign-in code (web.auth)
_PERSISTED = ("persistence_user_data", "persistence_chat_data", "persistence_conversations")


@dataclass(frozen=True)
class Purged:
    """How many rows each table lost, and whose persisted user data went."""

    rows: dict[str, int] = field(default_factory=dict)
    user_ids: tuple[int, ...] = ()


@raises_unavailable
def purge_expired(
    db: sqlite_utils.Database, *, complaint_days: int, log_days: int, now: datetime | None = None
) -> Purged:
    """Deletes every row older than its table's retention (RETENTION)."""
    if complaint_days < 0 or log_days < 0:
        raise ValueError("retention days must be 0 or more")
    now = as_utc(now)
    kept_until = timestamp(now - timedelta(days=complaint_days))
    logged_until = timestamp(now - timedelta(days=log_days))
    rows = {
        "complaints": purge_closed(db, days=complaint_days, now=now),
        "questions": purge_older_than(db, log_days, now=now),
        "staff_prompts": prompts.purge_expired(db, now=now),
    }
    with transaction(db):
        rows["outbox"] = db.execute(
            "delete from outbox where (sent_at is not null or dead = 1) and created_at < ?",
            [kept_until],
        ).rowcount
        rows["outbox"] += db.execute(
            "delete from outbox where kind = ? and created_at < ?",
            [SIGN_IN_CODE, timestamp(now - timedelta(days=1))],
        ).rowcount
        gone = "not in (select receipt from complaints)"
        rows["satisfaction"] = db.execute(
            f"delete from satisfaction where receipt {gone}"
        ).rowcount
        rows["relays"] = db.execute(
            "delete from relays where closed_at < ?", [kept_until]
        ).rowcount
        rows["relay_messages"] = db.execute(
            "delete from relay_messages where relay_id not in (select id from relays)"
        ).rowcount
        rows["complaint_links"] = db.execute(
            f"delete from complaint_links where receipt {gone} or linked {gone}"
        ).rowcount
        for table in ("web_sessions", "web_login_codes"):
            rows[table] = db.execute(
                f"delete from {table} where expires_at < ?", [timestamp(now)]
            ).rowcount
        rows["web_login_attempts"] = db.execute(
            "delete from web_login_attempts where attempted_at < ?", [logged_until]
        ).rowcount
        rows["staff"] = db.execute("delete from staff where revoked_at < ?", [kept_until]).rowcount
        rows["denied_attempts"] = db.execute(
            "delete from denied_attempts where attempted_at < ?", [logged_until]
        ).rowcount
        user_ids = tuple(
            row[0]
            for row in db.execute(
                "select user_id from persistence_user_data where updated_at < ?", [logged_until]
            )
        )
        for table in _PERSISTED:
            rows[table] = db.execute(
                f"delete from {table} where updated_at < ?", [logged_until]
            ).rowcount
    return Purged(rows, user_ids)
