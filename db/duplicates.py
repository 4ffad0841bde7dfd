"""Similar open complaints (유사 민원), links between them, and repeated complaints (§23).

A new complaint is similar to an open one filed within SIMILAR_WITHIN_DAYS when their texts
score at least SIMILAR_TEXT_MIN and, if both have a location, they lie at most
SIMILAR_DISTANCE_M apart. Linked complaints share answers: ``reply_to_linked`` records the
same reply on each, and notices.reply_to_linked tells every linked citizen through db.outbox.
A repeated complaint is linked and closed by notices.close_as_repeated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils
from rapidfuzz import fuzz, process

from db.complaints import (
    DONE,
    REJECTED,
    Complaint,
    add_reply,
    get_complaint,
    require_complaint,
)
from db.database import raises_unavailable, timestamp, transaction

SIMILAR_WITHIN_DAYS = 30
SIMILAR_DISTANCE_M = 100.0
# text_similarity (rapidfuzz ratio of the texts without spaces, so 불법 주차 = 불법주차). Measured
# on tests/test_db_duplicates.py's pairs: the same problem told twice scores 56–71 ('가로등이
# 고장났어요 밤에 너무 어두워요' / '우리 집 앞 가로등이 고장나서 어두워요' 61), different problems
# 9–10; 45 sits between. WRatio separated them as well but cost 16 ms per 2,500 candidates
# against ratio's 1.2 ms (benchmarks/load.py files 2,500 complaints).
SIMILAR_TEXT_MIN = 45.0
# Only the newest open complaints are compared, so filing stays cheap however many are open
# (a complaint repeated after 100 newer open ones is not flagged; 300 cost 4 ms a complaint
# under benchmarks/load.py, 100 cost 1.5 ms).
MAX_CANDIDATES = 100
COMPARED_CHARS = 200  # the start of each text says what the problem is
MAX_SIMILAR_SHOWN = 3
EARTH_RADIUS_M = 6_371_000.0


class SameComplaint(Exception):
    "A complaint cannot be linked to itself."


@dataclass(frozen=True)
class Similar:
    complaint: Complaint
    score: float
    distance_m: float | None


def text_similarity(a: str, b: str) -> float:
    """0–100: how alike two complaint texts are, spaces ignored."""
    return fuzz.ratio(_squeeze(a), _squeeze(b))


def _squeeze(text: str) -> str:
    return "".join(text[:COMPARED_CHARS].split())


def distance_m(a: Complaint, b: Complaint) -> float | None:
    """Great-circle distance in metres, or None unless both have a location."""
    return _metres((a.latitude, a.longitude), (b.latitude, b.longitude))


def _metres(a: tuple, b: tuple) -> float | None:
    if None in (*a, *b):
        return None
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    dlat, dlon = lat2 - lat1, math.radians(b[1] - a[1])
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


@raises_unavailable
def similar_open(
    db: sqlite_utils.Database, complaint: Complaint, *, limit: int = MAX_SIMILAR_SHOWN
) -> list[Similar]:
    """Open complaints filed up to SIMILAR_WITHIN_DAYS before this one that look the same."""
    since = timestamp(
        datetime.fromisoformat(complaint.created_at) - timedelta(days=SIMILAR_WITHIN_DAYS)
    )
    # '+status' keeps SQLite off the status index: walking created_at backwards and stopping
    # at MAX_CANDIDATES took 0.9 ms with 2,250 open complaints, the status index 20 ms. Spaces
    # are removed in SQL: the same in Python took longer than the comparison.
    rows = db.execute(
        "select receipt, replace(replace(replace(substr(content, 1, ?), ' ', ''), char(10), ''), "
        "char(9), ''), latitude, longitude from complaints "
        "where receipt != ? and +status in ('접수', '처리중', '이관') and created_at >= ? "
        "and created_at <= ? order by created_at desc limit ?",
        [COMPARED_CHARS, complaint.receipt, since, complaint.created_at, MAX_CANDIDATES],
    ).fetchall()
    texts = {receipt: text for receipt, text, _, _ in rows}
    places = {receipt: (lat, lon) for receipt, _, lat, lon in rows}
    found = []  # newest first: the candidates come in that order
    for _, score, receipt in process.extract_iter(
        _squeeze(complaint.content), texts, scorer=fuzz.ratio, score_cutoff=SIMILAR_TEXT_MIN
    ):
        distance = _metres((complaint.latitude, complaint.longitude), places[receipt])
        if distance is None or distance <= SIMILAR_DISTANCE_M:
            found.append((receipt, score, distance))
            if len(found) == limit:
                break
    return [
        Similar(require_complaint(db, receipt), score, distance)
        for receipt, score, distance in found
    ]


@raises_unavailable
def link(
    db: sqlite_utils.Database,
    receipt: str,
    other: str,
    *,
    actor_id: int,
    now: datetime | None = None,
) -> None:
    """Links two complaints (both ways); linking again changes nothing."""
    with transaction(db):
        a, b = require_complaint(db, receipt), require_complaint(db, other)
        if a.receipt == b.receipt:
            raise SameComplaint(receipt)
        for left, right in ((a.receipt, b.receipt), (b.receipt, a.receipt)):
            db.execute(
                "insert or ignore into complaint_links (receipt, linked, linked_by, "
                "linked_at) values (?, ?, ?, ?)",
                [left, right, actor_id, timestamp(now)],
            )


@raises_unavailable
def linked(db: sqlite_utils.Database, receipt: str) -> list[str]:
    """Every complaint linked to this one, directly or through others, oldest receipt first."""
    seen, todo = {receipt}, [receipt]
    while todo:
        for (other,) in db.execute(
            "select linked from complaint_links where receipt = ?", [todo.pop()]
        ).fetchall():
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return sorted(seen - {receipt})


@raises_unavailable
def reply_to_linked(
    db: sqlite_utils.Database,
    receipt: str,
    *,
    actor_id: int,
    text: str,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Records the reply on the complaint and every open linked one, in one transaction;
    returns the receipts answered. A repeated ``idempotency_key`` raises AlreadyReplied and
    stores nothing (each linked copy is keyed by it and its receipt)."""
    with transaction(db):
        others = [get_complaint(db, r) for r in linked(db, receipt)]  # purged ones are gone
        answered = [
            require_complaint(db, receipt).receipt,
            *[c.receipt for c in others if c and c.status not in (DONE, REJECTED)],
        ]
        for each in answered:
            key = (
                idempotency_key
                if each == receipt or idempotency_key is None
                else (f"{idempotency_key}>{each}")
            )
            add_reply(db, each, actor_id=actor_id, text=text, idempotency_key=key, now=now)
    return answered
