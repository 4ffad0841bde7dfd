"""Versioned schema migrations, applied in order at start-up and recorded in `_migrations`.

Add a change as a new function at the end of MIGRATIONS with the next version number;
never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import sqlite_utils

from db.database import timestamp, transaction

MIGRATIONS_TABLE = "_migrations"


class Migration(NamedTuple):
    version: int
    name: str
    fn: Callable[[sqlite_utils.Database], None]


def _complaints(db: sqlite_utils.Database) -> None:
    db["complaints"].create(
        {
            "receipt": str,
            "idempotency_key": str,
            "user_id": int,
            "chat_id": int,
            "content": str,
            "department": str,
            "region": str,
            "status": str,
            "phone": str,
            "anonymous": int,
            "consent": int,
            "attachments": str,
            "latitude": float,
            "longitude": float,
            "created_at": str,
            "updated_at": str,
        },
        pk="receipt",
        not_null=[
            "idempotency_key",
            "user_id",
            "chat_id",
            "content",
            "status",
            "anonymous",
            "consent",
            "attachments",
            "created_at",
            "updated_at",
        ],
    )
    complaints = db["complaints"]
    complaints.create_index(["idempotency_key"], unique=True)
    for column in ("status", "user_id", "department", "created_at"):
        complaints.create_index([column])
    db["complaint_history"].create(
        {
            "id": int,
            "receipt": str,
            "kind": str,
            "actor_id": int,
            "from_status": str,
            "to_status": str,
            "note": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("receipt", "complaints", "receipt")],
        not_null=["receipt", "kind", "actor_id", "note", "created_at"],
    )
    db["complaint_history"].create_index(["receipt"])


def _outbox(db: sqlite_utils.Database) -> None:
    db["outbox"].create(
        {
            "id": int,
            "chat_id": int,
            "text": str,
            "kind": str,
            "attempts": int,
            "last_error": str,
            "dead": int,
            "created_at": str,
            "next_attempt_at": str,
            "sent_at": str,
        },
        pk="id",
        not_null=["chat_id", "text", "kind", "attempts", "dead", "created_at", "next_attempt_at"],
        defaults={"attempts": 0, "dead": 0},
    )
    db["outbox"].create_index(["dead", "sent_at", "next_attempt_at"])


def _staff(db: sqlite_utils.Database) -> None:
    db["staff"].create(
        {
            "user_id": int,
            "role": str,
            "granted_by": int,
            "granted_at": str,
            "revoked_by": int,
            "revoked_at": str,
        },
        pk="user_id",
        not_null=["role", "granted_by", "granted_at"],
    )
    db["denied_attempts"].create(
        {"id": int, "user_id": int, "command": str, "attempted_at": str},
        pk="id",
        not_null=["user_id", "command", "attempted_at"],
    )
    db["denied_attempts"].create_index(["attempted_at"])


def _questions(db: sqlite_utils.Database) -> None:
    db["questions"].create(
        {
            "id": int,
            "user_id": int,
            "query": str,
            "intent": str,
            "band": str,
            "entry_id": str,
            "score": float,
            "asked_at": str,
        },
        pk="id",
        not_null=["user_id", "intent", "band", "asked_at"],
    )
    db["questions"].create_index(["asked_at"])


def _persistence(db: sqlite_utils.Database) -> None:
    db["persistence_user_data"].create(
        {"user_id": int, "data": str}, pk="user_id", not_null=["data"]
    )
    db["persistence_chat_data"].create(
        {"chat_id": int, "data": str}, pk="chat_id", not_null=["data"]
    )
    db["persistence_bot_data"].create({"id": int, "data": str}, pk="id", not_null=["data"])
    db["persistence_callback_data"].create({"id": int, "data": str}, pk="id", not_null=["data"])
    db["persistence_conversations"].create(
        {"name": str, "key": str, "state": str}, pk=("name", "key"), not_null=["state"]
    )


def _retention(db: sqlite_utils.Database) -> None:
    """What the retention purge (db.retention) needs: the complaint an outbox row belongs to,
    and when persisted conversation data last changed (rows from before count as changed now)."""
    db["outbox"].add_column("receipt", str)
    db["outbox"].create_index(["receipt"])
    now = timestamp()
    for table in ("persistence_user_data", "persistence_chat_data", "persistence_conversations"):
        db[table].add_column("updated_at", str)
        db.execute(f"update {table} set updated_at = ?", [now])


def _staff_answers(db: sqlite_utils.Database) -> None:
    """Prompts for a staff answer (ForceReply) kept on disk so their expiry survives a restart;
    reply idempotency keys; the message id of each sent notification (to edit a staff post)."""
    # AUTOINCREMENT: an id is never reused, so an old preview's button cannot reach a new prompt.
    db.execute("""
        create table staff_prompts (
            id integer primary key autoincrement, chat_id integer not null,
            message_id integer not null, user_id integer not null, receipt text not null,
            action text not null, text text, source_key text, preview_message_id integer,
            created_at text not null, expires_at text not null
        )""")
    db["staff_prompts"].create_index(["chat_id", "message_id"], unique=True)
    db["staff_prompts"].create_index(["expires_at"])
    db["complaint_history"].add_column("idempotency_key", str)
    db["complaint_history"].create_index(["idempotency_key"], unique=True)
    db["outbox"].add_column("message_id", int)
    # The [답변] conversation these prompts replace kept its state here; it is not read any more.
    db.execute("delete from persistence_conversations where name = 'staff_reply'")


def _deadlines(db: sqlite_utils.Database) -> None:
    complaints = db["complaints"]
    for column in (
        "complaint_type",
        "due_at",
        "extended_at",
        "extension_reason",
        "progress_notice_at",
    ):
        complaints.add_column(column, str)
    complaints.create_index(["due_at"])
    db["closed_days"].create(
        {"day": str, "reason": str, "added_by": int, "added_at": str},
        pk="day",
        not_null=["reason", "added_by", "added_at"],
    )
    db["statutory_periods"].create(
        {"name": str, "days": int, "updated_by": int, "updated_at": str},
        pk="name",
        not_null=["days", "updated_by", "updated_at"],
    )


def _web_console(db: sqlite_utils.Database) -> None:
    db["web_accounts"].create(
        {"username": str, "password_hash": str, "user_id": int, "created_at": str},
        pk="username",
        not_null=["password_hash", "user_id", "created_at"],
    )
    db["web_sessions"].create(
        {"token_hash": str, "user_id": int, "csrf": str, "created_at": str, "expires_at": str},
        pk="token_hash",
        not_null=["user_id", "csrf", "created_at", "expires_at"],
    )
    db["web_login_codes"].create(
        {"user_id": int, "code_hash": str, "expires_at": str, "attempts": int},
        pk="user_id",
        not_null=["code_hash", "expires_at", "attempts"],
    )
    db["web_login_attempts"].create(
        {"id": int, "client": str, "attempted_at": str},
        pk="id",
        not_null=["client", "attempted_at"],
    )
    db["web_login_attempts"].create_index(["client", "attempted_at"])


def _satisfaction(db: sqlite_utils.Database) -> None:
    db["satisfaction"].create(
        {
            "receipt": str,
            "user_id": int,
            "score": int,
            "comment": str,
            "department": str,
            "rated_at": str,
        },
        pk="receipt",
        not_null=["user_id", "score", "rated_at"],
    )
    db["satisfaction"].create_index(["rated_at"])


def _reply_templates(db: sqlite_utils.Database) -> None:
    db["reply_templates"].create(
        {
            "id": int,
            "name": str,
            "body": str,
            "complaint_type": str,
            "department": str,
            "created_by": int,
            "created_at": str,
        },
        pk="id",
        not_null=["name", "body", "created_by", "created_at"],
    )


def _complaint_links(db: sqlite_utils.Database) -> None:
    db["complaint_links"].create(
        {"receipt": str, "linked": str, "linked_by": int, "linked_at": str},
        pk=("receipt", "linked"),
        not_null=["linked_by", "linked_at"],
    )


def _relays_and_acknowledgements(db: sqlite_utils.Database) -> None:
    db["relays"].create(
        {
            "id": int,
            "user_id": int,
            "chat_id": int,
            "name": str,
            "status": str,
            "staff_id": int,
            "staff_chat_id": int,
            "post_outbox_id": int,
            "created_at": str,
            "claimed_at": str,
            "last_activity_at": str,
            "closed_at": str,
            "closed_by": str,
        },
        pk="id",
        not_null=["user_id", "chat_id", "name", "status", "created_at", "last_activity_at"],
    )
    db["relays"].create_index(["user_id", "status"])
    db["relay_messages"].create(
        {
            "id": int,
            "relay_id": int,
            "direction": str,
            "actor_id": int,
            "text": str,
            "outbox_id": int,
            "created_at": str,
        },
        pk="id",
        not_null=["relay_id", "direction", "actor_id", "text", "created_at"],
    )
    db["relay_messages"].create_index(["relay_id"])
    db["reply_templates"].add_column("auto_ack", int, not_null_default=0)


MIGRATIONS: list[Migration] = [
    Migration(1, "complaints and their history", _complaints),
    Migration(2, "notification outbox", _outbox),
    Migration(3, "staff roles and denied attempts", _staff),
    Migration(4, "question log", _questions),
    Migration(5, "telegram persistence", _persistence),
    Migration(6, "retention: outbox receipts, persistence change times", _retention),
    Migration(7, "staff answer prompts, reply keys and sent message ids", _staff_answers),
    Migration(8, "legal deadlines, closed days and 법정민원 periods", _deadlines),
    Migration(9, "web console accounts, sessions and login codes", _web_console),
    Migration(10, "satisfaction survey after 완료", _satisfaction),
    Migration(11, "reply templates", _reply_templates),
    Migration(12, "links between similar complaints", _complaint_links),
    Migration(13, "상담원 연결 relays, automatic acknowledgements", _relays_and_acknowledgements),
]


def applied_versions(db: sqlite_utils.Database) -> list[int]:
    """Versions already recorded in the migrations table, ascending."""
    if not db[MIGRATIONS_TABLE].exists():
        return []
    return [row["version"] for row in db[MIGRATIONS_TABLE].rows_where(order_by="version")]


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Applies the missing migrations, each in its own transaction; returns their versions."""
    db[MIGRATIONS_TABLE].create(
        {"version": int, "name": str, "applied_at": str},
        pk="version",
        not_null=["name", "applied_at"],
        if_not_exists=True,
    )
    done = set(applied_versions(db))
    applied: list[int] = []
    for migration in MIGRATIONS:
        if migration.version in done:
            continue
        with transaction(db):
            # Checked inside the write lock: another process may have just migrated.
            if db[MIGRATIONS_TABLE].count_where("version = ?", [migration.version]):
                continue
            migration.fn(db)
            db[MIGRATIONS_TABLE].insert(
                {"version": migration.version, "name": migration.name, "applied_at": timestamp()}
            )
        applied.append(migration.version)
    return applied
