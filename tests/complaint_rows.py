"""A complaint row for db-level tests: one citizen's complaint with every field filled, filed at
a fixed time so due dates and notices are the same on every run."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils

from db import complaints
from db.complaints import Complaint

NOW = datetime(2025, 3, 1, 3, 0, tzinfo=UTC)  # 12:00 in Korea


def make(db: sqlite_utils.Database, key: str = "update-1", **overrides) -> Complaint:
    """A stored complaint (``overrides`` replace any field create_complaint takes)."""
    fields = dict(
        idempotency_key=key,
        user_id=11,
        chat_id=22,
        content="가로등이 고장났어요",
        department=None,
        region="동구",
        phone="010-1234-5678",
        anonymous=False,
        consent=True,
        now=NOW,
    )
    return complaints.create_complaint(db, **{**fields, **overrides})
