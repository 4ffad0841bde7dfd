"""The staff workbench over complaints: type and legal deadline, one extension, the morning
digest, progress notices, the filtered inbox and the dashboard figures.

The Telegram commands (handlers.workbench) and the web console (web/) call these same
functions (through notices.py for the changes the citizen is told about, in the same
transaction as the change), so both see one truth. Nothing here composes words for people:
history notes come from the caller (display), refusals name their problem (BadExtension).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlite_utils

from db import deadlines
from db.complaints import (
    DONE,
    IN_PROGRESS,
    RECEIVED,
    REJECTED,
    TRANSFERRED,
    Complaint,
    add_event,
    complaint_from_row,
    require_complaint,
)
from db.database import KST, as_utc, kst_day_start, raises_unavailable, timestamp, transaction
from db.office_calendar import closed_days, due_for, statutory_periods

OPEN_STATUSES = (RECEIVED, IN_PROGRESS, TRANSFERRED)
CLOSED_STATUSES = (DONE, REJECTED)
# 민원인에게 처리 상황을 알리는 간격: 30일이 지나도 끝나지 않은 민원은 30일마다 알립니다.
PROGRESS_NOTICE_DAYS = 30
# The digest's "곧 마감": due after today and at most this many days ahead.
DUE_SOON_DAYS = 2
SORTS = {
    "due": "due_at is null, due_at, created_at",
    "new": "created_at desc",
    "old": "created_at",
}
DUE_FILTERS = ("overdue", "today", "soon", "open")
MAX_REASON_CHARS = 500
# Why an extension is refused (BadExtension.problem; display.extension_problem words it).
NO_REASON, REASON_TOO_LONG, CLOSED_DAY = "no reason", "reason too long", "closed day"
NOT_LATER, IN_THE_PAST = "not later", "in the past"


class DeadlineAlreadyExtended(Exception):
    "The processing period of this complaint was already extended once."


class ComplaintClosed(Exception):
    "The complaint is 완료 or 반려; its deadline no longer changes."


class BadExtension(Exception):
    "The new due date or the reason is not acceptable: ``problem`` says why, about ``value``."

    def __init__(self, problem: str, value: object = None) -> None:
        super().__init__(problem, value)
        self.problem, self.value = problem, value


@raises_unavailable
def set_type(
    db: sqlite_utils.Database,
    receipt: str,
    kind: str,
    *,
    actor_id: int,
    note: Callable[[Complaint, Complaint], str],
    now: datetime | None = None,
) -> Complaint:
    """Changes the complaint's type; an unextended due date is counted again from receipt.
    ``note(before, after)`` is the history row's text (display.type_note)."""
    kind = kind.strip()
    if not deadlines.is_type(kind):
        raise deadlines.UnknownType(kind)
    changed = timestamp(now)
    with transaction(db):
        complaint = require_complaint(db, receipt)
        if complaint.status in CLOSED_STATUSES:
            raise ComplaintClosed(complaint.receipt)
        due = complaint.due_at
        if not complaint.extended_at:
            due = timestamp(due_for(db, kind, datetime.fromisoformat(complaint.created_at)))
        db["complaints"].update(
            complaint.receipt, {"complaint_type": kind, "due_at": due, "updated_at": changed}
        )
        after = require_complaint(db, complaint.receipt)
        add_event(
            db,
            complaint,
            kind="type",
            actor_id=actor_id,
            note=note(complaint, after),
            created_at=changed,
        )
        return after


@raises_unavailable
def extend_deadline(
    db: sqlite_utils.Database,
    receipt: str,
    new_due: date,
    *,
    reason: str,
    actor_id: int,
    note: str,
    now: datetime | None = None,
) -> Complaint:
    """Extends the processing period once, to the end of ``new_due``, for ``reason``
    (시행령 §21; notices.extend_deadline tells the citizen); ``note`` is the history row's text
    (display.extension_note)."""
    reason = " ".join(reason.split())
    if not reason:
        raise BadExtension(NO_REASON)
    if len(reason) > MAX_REASON_CHARS:
        raise BadExtension(REASON_TOO_LONG)
    changed = timestamp(now)
    with transaction(db):
        complaint = require_complaint(db, receipt)
        if complaint.status in CLOSED_STATUSES:
            raise ComplaintClosed(complaint.receipt)
        if complaint.extended_at:
            raise DeadlineAlreadyExtended(complaint.receipt)
        if not deadlines.is_working_day(new_due, closed_days(db)):
            raise BadExtension(CLOSED_DAY, new_due)
        due = datetime.combine(new_due, deadlines.WORK_BLOCKS[-1][1], KST)
        if complaint.due_at and due <= datetime.fromisoformat(complaint.due_at):
            raise BadExtension(NOT_LATER, complaint.due_at)
        if due <= as_utc(now):
            raise BadExtension(IN_THE_PAST, new_due)
        db["complaints"].update(
            complaint.receipt,
            {
                "due_at": timestamp(due),
                "extended_at": changed,
                "extension_reason": reason,
                "updated_at": changed,
            },
        )
        add_event(
            db,
            complaint,
            kind="extend",
            actor_id=actor_id,
            note=note,
            created_at=changed,
        )
        return require_complaint(db, complaint.receipt)


@dataclass(frozen=True)
class Digest:
    """Open complaints by urgency, for the morning post in the staff chat."""

    overdue: list[Complaint]
    today: list[Complaint]
    soon: list[Complaint]


@raises_unavailable
def due_digest(db: sqlite_utils.Database, *, now: datetime | None = None) -> Digest:
    """Overdue, due later today and due within DUE_SOON_DAYS, each earliest first."""
    moment = as_utc(now)
    tomorrow = kst_day_start(moment.astimezone(KST).date() + timedelta(days=1))
    soon_end = tomorrow + timedelta(days=DUE_SOON_DAYS)

    def between(start: datetime | None, end: datetime) -> list[Complaint]:
        where = "due_at < ?" if start is None else "due_at >= ? and due_at < ?"
        args = [timestamp(end)] if start is None else [timestamp(start), timestamp(end)]
        return _open_where(db, where, args)

    return Digest(between(None, moment), between(moment, tomorrow), between(tomorrow, soon_end))


def _open_where(db: sqlite_utils.Database, where: str, args: list) -> list[Complaint]:
    marks = ", ".join("?" * len(OPEN_STATUSES))
    rows = db["complaints"].rows_where(
        f"status in ({marks}) and {where}", [*OPEN_STATUSES, *args], order_by="due_at"
    )
    return [complaint_from_row(row) for row in rows]


@raises_unavailable
def take_progress_due(
    db: sqlite_utils.Database, *, now: datetime | None = None
) -> list[Complaint]:
    """The complaints open for PROGRESS_NOTICE_DAYS (again) since their last progress notice,
    marked as told now: call it inside the transaction that queues their notices
    (notices.send_progress_notices)."""
    cutoff = timestamp(as_utc(now) - timedelta(days=PROGRESS_NOTICE_DAYS))
    marks = ", ".join("?" * len(OPEN_STATUSES))
    with transaction(db):
        rows = db["complaints"].rows_where(
            f"status in ({marks}) and coalesce(progress_notice_at, created_at) <= ?",
            [*OPEN_STATUSES, cutoff],
        )
        found = [complaint_from_row(row) for row in rows]
        for c in found:
            db["complaints"].update(c.receipt, {"progress_notice_at": timestamp(now)})
    return found


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox shows; every field optional. ``due``: overdue, today, soon or open."""

    status: str | None = None
    complaint_type: str | None = None
    department: str | None = None
    due: str | None = None
    text: str | None = None
    since: date | None = None
    until: date | None = None
    sort: str = "due"


@raises_unavailable
def inbox(
    db: sqlite_utils.Database,
    filters: InboxFilter,
    *,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> tuple[int, list[Complaint]]:
    """The total matching and one page of complaints, sorted by due date unless asked."""
    where, args = _inbox_where(filters, as_utc(now))
    clause = " and ".join(where) or "1"
    total = db.execute(f"select count(*) from complaints where {clause}", args).fetchone()[0]
    order = SORTS.get(filters.sort, SORTS["due"])
    cursor = db.execute(
        f"select * from complaints where {clause} order by {order} limit ? offset ?",
        [*args, limit, offset],
    )
    columns = [d[0] for d in cursor.description]
    return total, [complaint_from_row(dict(zip(columns, row))) for row in cursor.fetchall()]


def _inbox_where(f: InboxFilter, moment: datetime) -> tuple[list[str], list]:
    where: list[str] = []
    args: list = []
    for column, value in (
        ("status", f.status),
        ("complaint_type", f.complaint_type),
        ("department", f.department),
    ):
        if value:
            where.append(f"{column} = ?")
            args.append(value)
    if f.due:
        where.append(f"status in ({', '.join('?' * len(OPEN_STATUSES))})")
        args.extend(OPEN_STATUSES)
        tomorrow = kst_day_start(moment.astimezone(KST).date() + timedelta(days=1))
        ranges = {
            "overdue": (None, moment),
            "today": (moment, tomorrow),
            "soon": (tomorrow, tomorrow + timedelta(days=DUE_SOON_DAYS)),
        }
        start, end = ranges.get(f.due, (None, None))
        if start is not None:
            where.append("due_at >= ?")
            args.append(timestamp(start))
        if end is not None:
            where.append("due_at < ?")
            args.append(timestamp(end))
    if f.text:
        where.append("(content like ? escape '\\' or receipt like ? escape '\\')")
        pattern = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        args.extend([pattern, pattern])
    if f.since:
        where.append("created_at >= ?")
        args.append(timestamp(kst_day_start(f.since)))
    if f.until:
        where.append("created_at < ?")
        args.append(timestamp(kst_day_start(f.until + timedelta(days=1))))
    return where, args


@raises_unavailable
def departments(db: sqlite_utils.Database) -> list[str]:
    """Every department a complaint names, alphabetically."""
    return [
        d
        for (d,) in db.execute(
            "select distinct department from complaints where department is not null order by 1"
        ).fetchall()
    ]


@raises_unavailable
def volume_by_department_and_week(
    db: sqlite_utils.Database, *, weeks: int = 8, now: datetime | None = None
) -> dict[str, dict[str, int]]:
    """Complaints filed per department and Korean week ('2025-W09'), the last ``weeks`` weeks."""
    start = kst_day_start(as_utc(now).astimezone(KST).date() - timedelta(weeks=weeks))
    rows = db.execute(
        "select coalesce(department, '미지정'), "
        "strftime('%Y-W%W', created_at, '+9 hours'), count(*) from complaints "
        "where created_at >= ? group by 1, 2 order by 2",
        [timestamp(start)],
    ).fetchall()
    volume: dict[str, dict[str, int]] = {}
    for department, week, count in rows:
        volume.setdefault(department, {})[week] = count
    return volume


@raises_unavailable
def deadline_compliance(
    db: sqlite_utils.Database, *, now: datetime | None = None
) -> dict[str, dict[str, int]]:
    """Per Korean month of the due date: closed on time, closed late, open and overdue."""
    marks = ", ".join("?" * len(CLOSED_STATUSES))
    rows = db.execute(
        f"select strftime('%Y-%m', c.due_at, '+9 hours') as month, "
        f"sum(h.closed_at <= c.due_at), sum(h.closed_at > c.due_at), "
        f"sum(h.closed_at is null and c.due_at < ?) "
        f"from complaints c left join (select receipt, min(created_at) as closed_at "
        f"from complaint_history where to_status in ({marks}) and kind = 'status' "
        f"group by receipt) h on h.receipt = c.receipt "
        f"where c.due_at is not null group by 1 order by 1",
        [timestamp(now), *CLOSED_STATUSES],
    ).fetchall()
    return {
        month: {"on_time": on or 0, "late": late or 0, "overdue": overdue or 0}
        for month, on, late, overdue in rows
    }


def statutory_kinds(db: sqlite_utils.Database) -> list[str]:
    """The 법정민원 kinds as types staff can pick: '법정:여권 발급'."""
    return [f"{deadlines.STATUTORY_PREFIX}{name}" for name in sorted(statutory_periods(db))]
