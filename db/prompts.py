"""Open requests for a staff member's text: the answer to a complaint or the reason to reject it.

The bot asks with a message (a ForceReply prompt); only a reply to that message, in that chat,
by the staff member who asked, is taken (handlers.staff). Each prompt is a row keyed by the
chat and the prompt's message id, with its deadline, so after a restart an old prompt is still
recognised and refused once it has expired. The text written lands here as a draft until the
staff member taps [보내기] on the preview; the row is deleted once sent or cancelled, and
expired rows are deleted whenever a new prompt opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from db.database import as_utc, raises_unavailable, timestamp, transaction

REPLY = "reply"
REJECT = "reject"
ACTIONS = (REPLY, REJECT)


@dataclass(frozen=True)
class Prompt:
    id: int
    chat_id: int
    message_id: int
    user_id: int
    receipt: str
    action: str
    text: str | None
    source_key: str | None
    preview_message_id: int | None
    created_at: str
    expires_at: str

    def expired(self, now: datetime | None = None) -> bool:
        """True once the deadline has passed."""
        return self.expires_at <= timestamp(now)


@raises_unavailable
def open_prompt(
    db: sqlite_utils.Database,
    *,
    chat_id: int,
    message_id: int,
    user_id: int,
    receipt: str,
    action: str,
    ttl_seconds: float,
    now: datetime | None = None,
) -> Prompt:
    """Records the prompt message the bot just sent; it expires ``ttl_seconds`` from now."""
    if action not in ACTIONS:
        raise ValueError(f"unknown prompt action {action!r}: use one of {', '.join(ACTIONS)}")
    with transaction(db):
        purge_expired(db, now=now)
        prompt_id = (
            db["staff_prompts"]
            .insert(
                {
                    "chat_id": chat_id,
                    "message_id": message_id,
                    "user_id": user_id,
                    "receipt": receipt,
                    "action": action,
                    "text": None,
                    "source_key": None,
                    "preview_message_id": None,
                    "created_at": timestamp(now),
                    "expires_at": _deadline(ttl_seconds, now),
                },
                replace=True,
            )
            .last_pk
        )
    return get_prompt(db, prompt_id)


@raises_unavailable
def prompt_for_message(db: sqlite_utils.Database, chat_id: int, message_id: int) -> Prompt | None:
    """The prompt sent as ``message_id`` in ``chat_id``, or None (never asked, done, purged)."""
    row = next(
        db["staff_prompts"].rows_where("chat_id = ? and message_id = ?", [chat_id, message_id]),
        None,
    )
    return Prompt(**row) if row else None


@raises_unavailable
def get_prompt(db: sqlite_utils.Database, prompt_id: int) -> Prompt | None:
    """The prompt with this id, or None."""
    row = next(db["staff_prompts"].rows_where("id = ?", [prompt_id]), None)
    return Prompt(**row) if row else None


@raises_unavailable
def save_draft(
    db: sqlite_utils.Database,
    prompt_id: int,
    *,
    text: str,
    source_key: str,
    ttl_seconds: float,
    now: datetime | None = None,
) -> None:
    """Keeps the written text (from the message ``source_key``) until it is sent or dropped;
    the staff member gets ``ttl_seconds`` again to look at the preview."""
    with transaction(db):
        db["staff_prompts"].update(
            prompt_id,
            {
                "text": text,
                "source_key": source_key,
                "preview_message_id": None,
                "expires_at": _deadline(ttl_seconds, now),
            },
        )


@raises_unavailable
def set_preview(db: sqlite_utils.Database, prompt_id: int, preview_message_id: int) -> None:
    """Records the preview message whose [보내기] sends the draft (an older preview does not)."""
    with transaction(db):
        db["staff_prompts"].update(prompt_id, {"preview_message_id": preview_message_id})


@raises_unavailable
def ask_again(
    db: sqlite_utils.Database,
    prompt_id: int,
    *,
    message_id: int,
    ttl_seconds: float,
    now: datetime | None = None,
) -> None:
    """[수정]: the draft is dropped and a new prompt message takes the old one's place."""
    with transaction(db):
        db["staff_prompts"].update(
            prompt_id,
            {
                "message_id": message_id,
                "text": None,
                "source_key": None,
                "preview_message_id": None,
                "expires_at": _deadline(ttl_seconds, now),
            },
        )


@raises_unavailable
def close_prompt(db: sqlite_utils.Database, prompt_id: int) -> None:
    """Deletes the prompt and its draft (sent, cancelled or expired)."""
    with transaction(db):
        db.execute("delete from staff_prompts where id = ?", [prompt_id])


@raises_unavailable
def purge_expired(db: sqlite_utils.Database, *, now: datetime | None = None) -> int:
    """Deletes expired prompts and their drafts; returns how many."""
    with transaction(db):
        return db.execute(
            "delete from staff_prompts where expires_at <= ?", [timestamp(now)]
        ).rowcount


def _deadline(ttl_seconds: float, now: datetime | None) -> str:
    return timestamp(as_utc(now) + timedelta(seconds=ttl_seconds))
