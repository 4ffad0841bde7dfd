"""The office's own calendar: extra closed days and the 법정민원 periods, both kept by admins,
and the type and due date a new complaint starts with.

Public holidays come from the ``holidays`` package (db.deadlines); this table adds the days the
office is closed on its own (e.g. a local 임시공휴일 the package does not know yet).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlite_utils

from db import deadlines
from db.database import raises_unavailable, timestamp


@raises_unavailable
def closed_days(db: sqlite_utils.Database) -> frozenset[date]:
    """The admin's extra closed days."""
    return frozenset(
        date.fromisoformat(day) for (day,) in db.execute("select day from closed_days").fetchall()
    )


@raises_unavailable
def list_closed_days(db: sqlite_utils.Database) -> list[dict]:
    """The extra closed days with their reasons, earliest first."""
    return list(db["closed_days"].rows_where(order_by="day"))


@raises_unavailable
def add_closed_day(
    db: sqlite_utils.Database,
    day: date,
    *,
    reason: str,
    added_by: int,
    now: datetime | None = None,
) -> None:
    """Marks ``day`` closed (again: the reason is replaced). Due dates set later skip it."""
    db["closed_days"].upsert(
        {
            "day": day.isoformat(),
            "reason": reason,
            "added_by": added_by,
            "added_at": timestamp(now),
        },
        pk="day",
    )


@raises_unavailable
def remove_closed_day(db: sqlite_utils.Database, day: date) -> bool:
    """Opens ``day`` again; False if it was not in the list."""
    return db.execute("delete from closed_days where day = ?", [day.isoformat()]).rowcount > 0


@raises_unavailable
def statutory_periods(db: sqlite_utils.Database) -> dict[str, int]:
    """법정민원 kinds and their periods in days, from the admin's table."""
    return {
        name: days
        for name, days in db.execute("select name, days from statutory_periods").fetchall()
    }


class BadStatutoryPeriod(ValueError):
    "The 법정민원 name is empty or holds ':' (``days`` is None), or ``days`` is out of range."

    def __init__(self, name: str, days: int | None = None) -> None:
        super().__init__(name, days)
        self.name, self.days = name, days


@raises_unavailable
def set_statutory_period(
    db: sqlite_utils.Database,
    name: str,
    days: int,
    *,
    updated_by: int,
    now: datetime | None = None,
) -> None:
    """Adds or changes one 법정민원 kind, e.g. ('여권 발급', 4); BadStatutoryPeriod if the name
    or the number of days cannot be one (display.statutory_problem says which)."""
    name = " ".join(name.split())
    if not name or ":" in name:
        raise BadStatutoryPeriod(name)
    if not 1 <= days <= deadlines.MAX_STATUTORY_DAYS:
        raise BadStatutoryPeriod(name, days)
    db["statutory_periods"].upsert(
        {"name": name, "days": days, "updated_by": updated_by, "updated_at": timestamp(now)},
        pk="name",
    )


def due_for(db: sqlite_utils.Database, kind: str, received: datetime) -> datetime:
    """The due date of a complaint of ``kind`` received at ``received`` (UnknownType if none)."""
    period = deadlines.period_for(kind, statutory_periods(db))
    return deadlines.due_at(received, period, closed_days=closed_days(db))


def initial_deadline(db: sqlite_utils.Database, content: str, received: datetime) -> dict:
    """The columns a new complaint starts with: the suggested type and its due date."""
    kind = deadlines.suggest_type(content)
    return {"complaint_type": kind, "due_at": timestamp(due_for(db, kind, received))}
