"""The changes to a complaint that its citizen is told about: each runs the change in db/ and
queues the notice display composes, in one transaction, so a change is never stored without its
notice or the other way round. The Telegram commands (handlers/) and the web console (web/) call
these, so the citizen is told the same way whoever acted.

Usage:
    change_status(db, "20250301-AB2C", IN_PROGRESS, actor_id=800)  # + "상태가 '처리중'(으)로 …"
    reply_to_linked(db, "20250301-AB2C", actor_id=800, text="보수했습니다.")
    send_progress_notices(db)                                         # the 30-day notices

db/ stores and returns data; display words it; this module joins the two and nothing else.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlite_utils

import display
from db import complaints, duplicates, outbox, satisfaction, workbench
from db.complaints import DONE, Complaint
from db.database import as_utc, raises_unavailable, transaction

STATUS = "status"  # outbox kind of a status, type or due-date notice
REPLY = "reply"  # outbox kind of a staff answer


@raises_unavailable
def change_status(
    db: sqlite_utils.Database,
    receipt: str,
    new_status: str,
    *,
    actor_id: int,
    note: str = "",
    department: str | None = None,
    now: datetime | None = None,
) -> Complaint:
    """db.complaints.change_status, telling the complainant (with the note); 완료 also queues
    the satisfaction survey."""
    with transaction(db):
        changed = complaints.change_status(
            db, receipt, new_status, actor_id=actor_id, note=note, department=department, now=now
        )
        notice = display.status_notice(changed.receipt, new_status, note)
        _tell(db, changed, notice, STATUS, now)
        if new_status == DONE:
            survey = display.survey_text(changed.receipt)
            satisfaction.queue_survey(db, changed.receipt, changed.chat_id, survey, now=now)
        return changed


@raises_unavailable
def add_reply(
    db: sqlite_utils.Database,
    receipt: str,
    *,
    actor_id: int,
    text: str,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Complaint:
    """db.complaints.add_reply, queuing the answer for the complainant."""
    with transaction(db):
        replied = complaints.add_reply(
            db, receipt, actor_id=actor_id, text=text, idempotency_key=idempotency_key, now=now
        )
        _tell(db, replied, display.reply_notice(replied.receipt, text), REPLY, now)
        return replied


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
    """db.duplicates.reply_to_linked, queuing the answer for every complainant answered;
    returns their receipts."""
    with transaction(db):
        answered = duplicates.reply_to_linked(
            db, receipt, actor_id=actor_id, text=text, idempotency_key=idempotency_key, now=now
        )
        for each in answered:
            complaint = complaints.require_complaint(db, each)
            _tell(db, complaint, display.reply_notice(each, text), REPLY, now)
        return answered


@raises_unavailable
def close_as_repeated(
    db: sqlite_utils.Database,
    receipt: str,
    original: str,
    *,
    actor_id: int,
    text: str,
    now: datetime | None = None,
) -> Complaint:
    """Closes a repeated complaint (법 §23): links it to the one already answered and completes
    it with a note pointing there, which the complainant is told."""
    with transaction(db):
        first = complaints.require_complaint(db, original)
        duplicates.link(db, receipt, first.receipt, actor_id=actor_id, now=now)
        note = display.repeated_note(first.receipt, text)
        return change_status(db, receipt, DONE, actor_id=actor_id, note=note, now=as_utc(now))


@raises_unavailable
def set_type(
    db: sqlite_utils.Database,
    receipt: str,
    kind: str,
    *,
    actor_id: int,
    now: datetime | None = None,
) -> Complaint:
    """db.workbench.set_type; the complainant is told the due date when it changes."""
    with transaction(db):
        before = complaints.get_complaint(db, receipt)  # None: set_type says what is wrong
        after = workbench.set_type(
            db,
            receipt,
            kind,
            actor_id=actor_id,
            note=lambda old, new: display.type_note(
                old.complaint_type, new.complaint_type or "", new.due_at
            ),
            now=now,
        )
        if before is not None and after.due_at and after.due_at != before.due_at:
            notice = display.type_notice(after.receipt, after.complaint_type or "", after.due_at)
            _tell(db, after, notice, STATUS, now)
        return after


@raises_unavailable
def extend_deadline(
    db: sqlite_utils.Database,
    receipt: str,
    new_due: date,
    *,
    reason: str,
    actor_id: int,
    now: datetime | None = None,
) -> Complaint:
    """db.workbench.extend_deadline, telling the complainant the reason and the new date."""
    with transaction(db):
        extended = workbench.extend_deadline(
            db,
            receipt,
            new_due,
            reason=reason,
            actor_id=actor_id,
            note=display.extension_note(new_due, reason),
            now=now,
        )
        notice = display.extension_notice(
            extended.receipt, new_due, extended.extension_reason or ""
        )
        _tell(db, extended, notice, STATUS, now)
        return extended


@raises_unavailable
def send_progress_notices(db: sqlite_utils.Database, *, now: datetime | None = None) -> int:
    """Tells each citizen whose complaint is open for db.workbench.PROGRESS_NOTICE_DAYS (again)
    that it is still being handled; returns how many were queued."""
    with transaction(db):
        found = workbench.take_progress_due(db, now=now)
        for complaint in found:
            _tell(db, complaint, display.progress_notice(complaint), STATUS, now)
    return len(found)


def _tell(
    db: sqlite_utils.Database, complaint: Complaint, text: str, kind: str, now: datetime | None
) -> None:
    outbox.enqueue(db, complaint.chat_id, text, kind=kind, receipt=complaint.receipt, now=now)
