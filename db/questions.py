"""Question log behind the admin /stats command.

Only the text of questions, out-of-scope messages and greetings is kept; for any other intent
(complaints above all) just the intent, band and match are logged, never what was written.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from db.database import KST, as_utc, kst_day_start, raises_unavailable, timestamp
from db.privacy import redact_personal_data

TEXT_LOGGED_INTENTS = frozenset({"question", "out_of_scope", "greeting"})
# A greeting that found no answer is not a gap in the knowledge base.
UNANSWERED_INTENTS = ("question", "out_of_scope")
ANSWERED_BAND = "answer"
WEEK = timedelta(days=7)
TOP_UNANSWERED = 10
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class QuestionStats:
    today: int
    week: int
    answered_rate: float
    top_unanswered: list[tuple[str, int]]


@raises_unavailable
def log_question(
    db: sqlite_utils.Database,
    *,
    user_id: int,
    query: str,
    intent: str,
    band: str,
    entry_id: str | None,
    score: float | None,
    now: datetime | None = None,
) -> None:
    """Logs one handled message; the text is kept only for TEXT_LOGGED_INTENTS (redacted)."""
    text = redact_personal_data(query)[0] if intent in TEXT_LOGGED_INTENTS else None
    # Plain SQL: this runs for every message, and Table.insert re-reads the table's schema.
    db.execute(
        "insert into questions (user_id, query, intent, band, entry_id, score, asked_at) "
        "values (?, ?, ?, ?, ?, ?, ?)",
        [user_id, text, intent, band, entry_id, score, timestamp(now)],
    )


@raises_unavailable
def purge_older_than(db: sqlite_utils.Database, days: int, *, now: datetime | None = None) -> int:
    """Deletes log rows older than days; returns how many were deleted."""
    if days < 0:
        raise ValueError("days must be 0 or more")
    cutoff = timestamp(as_utc(now) - timedelta(days=days))
    return db.execute("delete from questions where asked_at < ?", [cutoff]).rowcount


@raises_unavailable
def question_stats(db: sqlite_utils.Database, *, now: datetime | None = None) -> QuestionStats:
    """Counts for today (Korean date) and the last 7 days, with the most asked unanswered."""
    now = as_utc(now)
    table = db["questions"]
    until = timestamp(now)
    day_start = timestamp(kst_day_start(now.astimezone(KST)))
    week_start = timestamp(now - WEEK)
    window = "asked_at >= ? and asked_at <= ?"
    today = table.count_where(window, [day_start, until])
    week = table.count_where(window, [week_start, until])
    answered = table.count_where(f"{window} and band = ?", [week_start, until, ANSWERED_BAND])
    unanswered = table.rows_where(
        f"{window} and band != ? and query is not null "
        f"and intent in ({', '.join('?' * len(UNANSWERED_INTENTS))})",
        [week_start, until, ANSWERED_BAND, *UNANSWERED_INTENTS],
        order_by="asked_at desc, id desc",
        select="query",
    )
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for row in unanswered:
        key = _SPACES.sub("", row["query"])
        if key:
            counts[key] += 1
            shown.setdefault(key, row["query"].strip())  # the most recent wording
    return QuestionStats(
        today=today,
        week=week,
        answered_rate=answered / week if week else 0.0,
        top_unanswered=[(shown[key], n) for key, n in counts.most_common(TOP_UNANSWERED)],
    )


@raises_unavailable
def recent_questions(
    db: sqlite_utils.Database, *, days: int = 30, limit: int = 500, now: datetime | None = None
) -> list[str]:
    """The distinct questions citizens asked in the last ``days`` (newest first, at most
    ``limit``): what an admin's upload preview re-answers to say which answers would change."""
    since = timestamp(as_utc(now) - timedelta(days=days))
    rows = db.execute(
        "select query from questions where asked_at >= ? and intent = 'question' "
        "and query is not null group by query order by max(asked_at) desc limit ?",
        [since, limit],
    ).fetchall()
    return [row[0] for row in rows]


@raises_unavailable
def unanswered_questions(
    db: sqlite_utils.Database, *, days: int = 7, now: datetime | None = None
) -> list[str]:
    """Every question of the last ``days`` that got no answer or only a suggestion (low
    confidence), newest first, once per time it was asked: what /unanswered groups."""
    rows = db.execute(
        "select query from questions where asked_at >= ? and asked_at <= ? and band != ? "
        f"and query is not null and intent in ({', '.join('?' * len(UNANSWERED_INTENTS))}) "
        "order by asked_at desc, id desc",
        [
            timestamp(as_utc(now) - timedelta(days=days)),
            timestamp(now),
            ANSWERED_BAND,
            *UNANSWERED_INTENTS,
        ],
    ).fetchall()
    return [row[0] for row in rows]


@raises_unavailable
def answered_since(db: sqlite_utils.Database, entry_id: str, since: datetime) -> int:
    """How many questions ``entry_id`` answered from ``since`` on (/stats, taught answers)."""
    return db.execute(
        "select count(*) from questions where entry_id = ? and band = ? and asked_at >= ?",
        [entry_id, ANSWERED_BAND, timestamp(since)],
    ).fetchone()[0]
