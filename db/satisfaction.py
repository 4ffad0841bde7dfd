"""The satisfaction survey after a complaint is 완료: a 1–5 score and an optional comment.

The survey message (display.survey_text) is queued (db.outbox, kind SURVEY) in the same
transaction as the status change (notices.change_status), so every closed complaint asks
once. Only the complainant can answer; answering again
replaces the score, and the department at answer time is kept for the monthly figures.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from db import outbox
from db.database import as_utc, raises_unavailable, timestamp, transaction
from db.privacy import mask_rrn

SURVEY = "survey"  # outbox kind; handlers.jobs adds the 1–5 buttons
SCORES = range(1, 6)
MAX_COMMENT_CHARS = 1000
# The survey follows the closing notice by a minute, so it never arrives before it and the
# citizen reads the result first.
SURVEY_DELAY_SECONDS = 60


class NotYourComplaint(Exception):
    "Only the citizen who filed the complaint may rate it."


class NotClosed(Exception):
    "The complaint is not 완료, so there is nothing to rate yet."


def queue_survey(
    db: sqlite_utils.Database,
    receipt: str,
    chat_id: int,
    text: str,
    *,
    now: datetime | None = None,
) -> int:
    """Queues the survey ``text`` for a complaint just closed (call inside its transaction),
    SURVEY_DELAY_SECONDS after the closing notice."""
    notification = outbox.enqueue(db, chat_id, text, kind=SURVEY, receipt=receipt, now=now)
    later = as_utc(now) + timedelta(seconds=SURVEY_DELAY_SECONDS)
    db["outbox"].update(notification, {"next_attempt_at": timestamp(later)})
    return notification


@raises_unavailable
def rate(
    db: sqlite_utils.Database,
    receipt: str,
    *,
    user_id: int,
    score: int,
    now: datetime | None = None,
) -> None:
    """Stores the complainant's score (1–5) for a 완료 complaint."""
    if score not in SCORES:
        raise ValueError("score must be 1-5")
    with transaction(db):
        row = db.execute(
            "select user_id, status, department from complaints where receipt = ?", [receipt]
        ).fetchone()
        if row is None or row[0] != user_id:
            raise NotYourComplaint(receipt)
        if row[1] != "완료":
            raise NotClosed(receipt)
        db.execute(
            "insert into satisfaction (receipt, user_id, score, department, rated_at) "
            "values (?, ?, ?, ?, ?) on conflict(receipt) do update set "
            "score = excluded.score, rated_at = excluded.rated_at",
            [receipt, user_id, score, row[2], timestamp(now)],
        )


@raises_unavailable
def comment(db: sqlite_utils.Database, receipt: str, *, user_id: int, text: str) -> None:
    """Adds the complainant's comment to their score (NotYourComplaint if none of theirs)."""
    text = mask_rrn(text.strip()[:MAX_COMMENT_CHARS])
    changed = db.execute(
        "update satisfaction set comment = ? where receipt = ? and user_id = ?",
        [text, receipt, user_id],
    ).rowcount
    if not changed:
        raise NotYourComplaint(receipt)


@raises_unavailable
def by_department_and_month(db: sqlite_utils.Database) -> list[dict]:
    """Average score and count per department and Korean month, latest month first."""
    rows = db.execute(
        "select strftime('%Y-%m', rated_at, '+9 hours') as month, "
        "coalesce(department, '미지정') as department, avg(score), count(*) from satisfaction "
        "group by 1, 2 order by 1 desc, 2"
    ).fetchall()
    return [
        {"month": m, "department": d, "average": round(a, 2), "count": n} for m, d, a, n in rows
    ]
