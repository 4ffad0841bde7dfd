"""Complaints (민원): intake, status workflow, replies, history, the complaints of a period
(display.complaints_csv writes them as a spreadsheet) and statistics.

Every change writes a history row; the complainant's notice of it is composed in display and
queued by notices.py in the same transaction, so a status change is never recorded without its
notice or vice versa. Functions here return data and compose no words for people.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlite_utils

from db.database import KST, as_utc, kst_day_start, raises_unavailable, timestamp, transaction
from db.office_calendar import initial_deadline
from db.privacy import mask_rrn, redact_personal_data

RECEIVED = "접수"
IN_PROGRESS = "처리중"
DONE = "완료"
REJECTED = "반려"
TRANSFERRED = "이관"
STATUSES = (RECEIVED, IN_PROGRESS, DONE, REJECTED, TRANSFERRED)
# History kinds: status changes and replies are the complainant's too; internal notes and
# records of who viewed the personal data are for staff only.
STATUS, REPLY, NOTE, VIEW = "status", "reply", "note", "view"
CITIZEN_KINDS = frozenset({STATUS, REPLY})
# 완료 and 반려 are final: nothing follows them, so closing twice is refused. A transferred
# complaint may be transferred again (the receiving department passes it on).
TRANSITIONS: dict[str, frozenset[str]] = {
    RECEIVED: frozenset({IN_PROGRESS, DONE, REJECTED, TRANSFERRED}),
    IN_PROGRESS: frozenset({DONE, REJECTED, TRANSFERRED}),
    TRANSFERRED: frozenset({IN_PROGRESS, DONE, REJECTED, TRANSFERRED}),
    DONE: frozenset(),
    REJECTED: frozenset(),
}

# No 0/O or 1/I: receipts are read aloud over the phone and typed back in.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RECEIPT_RANDOM_CHARS = 4
# 32**4 ≈ 1M receipts per day. By the birthday bound, 100 complaints a day draw a taken one
# about once in 200 days, so create_complaint retries; five misses in a row never happen.
RECEIPT_ATTEMPTS = 5

_DIGITS = re.compile(r"[0-9]+")


class ComplaintNotFound(Exception):
    "No complaint with this receipt number."


class InvalidTransition(Exception):
    "This status change is not allowed from the complaint's current status."


class AlreadyReplied(Exception):
    "A reply with this idempotency key was stored before; it is not stored or sent again."


# A file (not a photo) is kept among a complaint's attachments as this prefix + its Telegram
# file_id, so [첨부 보기] sends it back as a document; Telegram file ids never contain ':'.
DOCUMENT_PREFIX = "document:"


@dataclass(frozen=True)
class Complaint:
    receipt: str
    user_id: int
    chat_id: int
    content: str
    department: str | None
    region: str | None
    status: str
    phone: str | None
    anonymous: bool
    consent: bool
    attachments: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    created_at: str
    updated_at: str
    complaint_type: str | None = None
    due_at: str | None = None
    extended_at: str | None = None
    extension_reason: str | None = None

    @property
    def masked_phone(self) -> str | None:
        """The phone number with its middle digits hidden, or None."""
        return mask_phone(self.phone) if self.phone else None


def new_receipt(now: datetime | None = None) -> str:
    """A fresh receipt number 'YYYYMMDD-XXXX' (Korean date, 4 random unambiguous characters)."""
    day = as_utc(now).astimezone(KST).strftime("%Y%m%d")
    suffix = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_RANDOM_CHARS))
    return f"{day}-{suffix}"


def mask_phone(phone: str) -> str:
    """Hides the middle of a phone number: '010-1234-5678' → '010-****-5678'.

    Any input is accepted; at most the first 3-4 and last 4 digits stay visible, and
    numbers of 4 digits or fewer are hidden completely.
    """
    groups = list(_DIGITS.finditer(phone))
    digits = "".join(g.group() for g in groups)
    first, last = (groups[0].group(), groups[-1].group()) if groups else ("", "")
    if len(groups) >= 3 and len(digits) >= 8 and len(first) <= 4 and len(last) <= 4:
        masked = list(phone)
        for group in groups[1:-1]:
            masked[group.start() : group.end()] = "*" * (group.end() - group.start())
        return "".join(masked)
    if len(digits) <= 4:
        return "*" * len(digits)
    head = 2 if digits.startswith("02") else 3
    if len(digits) < head + 4 + 1:
        head = 0
    middle = "*" * (len(digits) - head - 4)
    return "-".join(part for part in (digits[:head], middle, digits[-4:]) if part)


@raises_unavailable
def create_complaint(
    db: sqlite_utils.Database,
    *,
    idempotency_key: str,
    user_id: int,
    chat_id: int,
    content: str,
    department: str | None,
    region: str | None,
    phone: str | None,
    anonymous: bool,
    consent: bool,
    attachments: Sequence[str] = (),
    latitude: float | None = None,
    longitude: float | None = None,
    now: datetime | None = None,
    on_created: Callable[[sqlite_utils.Database, Complaint], object] | None = None,
) -> Complaint:
    """Stores a new complaint (status 접수) with its first history row.

    Resident registration numbers in every text (content, department, region, phone) are masked
    before anything is written (db.privacy). The same
    idempotency_key (e.g. built from the Telegram update) always returns the first complaint.
    ``on_created(db, complaint)`` runs inside the same transaction, only for a new complaint
    (e.g. to queue the staff-chat post in db.outbox): both are stored, or neither.
    """
    if not content.strip():
        raise ValueError("content is empty: ask the citizen to describe the complaint")
    if isinstance(attachments, str) or not all(isinstance(a, str) for a in attachments):
        raise ValueError("attachments must be a sequence of Telegram file_id strings")
    content, _ = redact_personal_data(content)
    department, region, phone = mask_rrn(department), mask_rrn(region), mask_rrn(phone)
    created = timestamp(now)
    for _ in range(RECEIPT_ATTEMPTS):
        existing = _by_idempotency_key(db, idempotency_key)
        if existing:
            return existing
        receipt = new_receipt(now)
        try:
            with transaction(db):
                db["complaints"].insert(
                    {
                        "receipt": receipt,
                        "idempotency_key": idempotency_key,
                        "user_id": user_id,
                        "chat_id": chat_id,
                        "content": content,
                        "department": department,
                        "region": region,
                        "status": RECEIVED,
                        "phone": phone,
                        "anonymous": int(anonymous),
                        "consent": int(consent),
                        "attachments": json.dumps(list(attachments)),
                        "latitude": latitude,
                        "longitude": longitude,
                        "created_at": created,
                        "updated_at": created,
                        **initial_deadline(db, content, as_utc(now)),
                    }
                )
                _add_history(
                    db,
                    receipt,
                    kind=STATUS,
                    actor_id=user_id,
                    from_status=None,
                    to_status=RECEIVED,
                    note=RECEIVED,
                    created_at=created,
                )
                if on_created is not None:
                    on_created(db, require_complaint(db, receipt))
        except sqlite3.IntegrityError as exc:
            # Either the receipt was taken or another connection stored this key first;
            # the loop looks the key up again before drawing a new receipt.
            if "complaints.receipt" not in str(exc) and "idempotency_key" not in str(exc):
                raise
            continue
        return require_complaint(db, receipt)
    raise RuntimeError(
        f"could not store complaint {idempotency_key!r} after "
        f"{RECEIPT_ATTEMPTS} receipt collisions"
    )


@raises_unavailable
def complaint_for_key(db: sqlite_utils.Database, idempotency_key: str) -> Complaint | None:
    """The complaint stored under this idempotency key, or None."""
    return _by_idempotency_key(db, idempotency_key)


@raises_unavailable
def get_complaint(db: sqlite_utils.Database, receipt: str) -> Complaint | None:
    """The complaint with this receipt number (case-insensitive), or None."""
    row = next(db["complaints"].rows_where("receipt = ?", [receipt.strip().upper()]), None)
    return complaint_from_row(row) if row else None


@raises_unavailable
def list_complaints(
    db: sqlite_utils.Database,
    *,
    status: str | None = None,
    user_id: int | None = None,
    department: str | None = None,
    limit: int = 10,
    offset: int = 0,
) -> list[Complaint]:
    """Complaints matching every given filter, newest first."""
    where, args = _filters(status=status, user_id=user_id, department=department)
    rows = db["complaints"].rows_where(
        where, args, order_by="created_at desc, rowid desc", limit=limit, offset=offset
    )
    return [complaint_from_row(row) for row in rows]


@raises_unavailable
def count_complaints(
    db: sqlite_utils.Database,
    *,
    status: str | None = None,
    user_id: int | None = None,
    since: datetime | None = None,
) -> int:
    """How many complaints match every given filter (``since``: filed at or after it)."""
    where, args = _filters(status=status, user_id=user_id)
    if since is not None:
        where = " and ".join(filter(None, (where, "created_at >= ?")))
        args.append(timestamp(since))
    return db["complaints"].count_where(where, args)


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
    """Moves a complaint to new_status and records who did it (notices.change_status also
    tells the complainant).

    이관 (transfer) needs the receiving department; any other status may also set one. Resident
    registration numbers in the note and department are masked before they are stored.
    """
    if new_status not in STATUSES:
        raise ValueError(f"unknown status {new_status!r}: use one of {', '.join(STATUSES)}")
    if new_status == TRANSFERRED and not department:
        raise ValueError("이관 needs department=...: name the department receiving the complaint")
    changed = timestamp(now)
    note, department = mask_rrn(note), mask_rrn(department)
    with transaction(db):
        complaint = require_complaint(db, receipt)
        if new_status not in TRANSITIONS[complaint.status]:
            allowed = [s for s in STATUSES if s in TRANSITIONS[complaint.status]]
            raise InvalidTransition(
                f"{complaint.receipt}: {complaint.status} → {new_status} is not allowed; "
                f"next can be {', '.join(allowed) or 'nothing, it is closed'}"
            )
        updates = {"status": new_status, "updated_at": changed}
        if department:
            updates["department"] = department
        db["complaints"].update(complaint.receipt, updates)
        _add_history(
            db,
            complaint.receipt,
            kind=STATUS,
            actor_id=actor_id,
            from_status=complaint.status,
            to_status=new_status,
            note=note,
            created_at=changed,
        )
        return require_complaint(db, complaint.receipt)


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
    """Records a staff reply (resident registration numbers masked); notices.add_reply also
    queues it for the complainant.

    The same ``idempotency_key`` (e.g. the chat and message id of the staff member's text)
    raises AlreadyReplied instead of storing and sending the answer a second time.
    """
    if not text.strip():
        raise ValueError("reply text is empty: write the answer for the citizen")
    text = mask_rrn(text)
    replied = timestamp(now)
    with transaction(db):
        complaint = require_complaint(db, receipt)
        if idempotency_key is not None and db["complaint_history"].count_where(
            "idempotency_key = ?", [idempotency_key]
        ):
            raise AlreadyReplied(idempotency_key)
        db["complaints"].update(complaint.receipt, {"updated_at": replied})
        add_event(
            db,
            complaint,
            kind=REPLY,
            actor_id=actor_id,
            note=text,
            created_at=replied,
            idempotency_key=idempotency_key,
        )
        return require_complaint(db, complaint.receipt)


@raises_unavailable
def add_note(
    db: sqlite_utils.Database,
    receipt: str,
    *,
    actor_id: int,
    text: str,
    now: datetime | None = None,
) -> Complaint:
    """Records an internal note that only staff see (/view); the complainant is not told."""
    if not text.strip():
        raise ValueError("note text is empty: write the note for the other staff")
    with transaction(db):
        complaint = require_complaint(db, receipt)
        add_event(
            db, complaint, kind=NOTE, actor_id=actor_id, note=text, created_at=timestamp(now)
        )
        return complaint


@raises_unavailable
def record_view(
    db: sqlite_utils.Database,
    receipt: str,
    *,
    actor_id: int,
    what: str,
    now: datetime | None = None,
) -> None:
    """Records that a staff member saw a complaint's personal data (phone, photos, location)."""
    with transaction(db):
        complaint = require_complaint(db, receipt)
        add_event(
            db, complaint, kind=VIEW, actor_id=actor_id, note=what, created_at=timestamp(now)
        )


@raises_unavailable
def history(db: sqlite_utils.Database, receipt: str) -> list[dict]:
    """Every status change, reply, internal note and view of the complaint, oldest first."""
    return list(
        db["complaint_history"].rows_where("receipt = ?", [receipt.strip().upper()], order_by="id")
    )


@raises_unavailable
def received_between(
    db: sqlite_utils.Database, *, since: date | None = None, until: date | None = None
) -> list[Complaint]:
    """Complaints received between since and until (Korean dates, inclusive; None: open-ended),
    oldest first."""
    where, args = [], []
    if since:
        where.append("created_at >= ?")
        args.append(timestamp(kst_day_start(since)))
    if until:
        where.append("created_at < ?")
        args.append(timestamp(kst_day_start(until + timedelta(days=1))))
    rows = db["complaints"].rows_where(
        " and ".join(where) or None, args, order_by="created_at, rowid"
    )
    return list(map(complaint_from_row, rows))


@raises_unavailable
def stats_by_status(db: sqlite_utils.Database) -> dict[str, int]:
    """Number of complaints in each status, every status listed (zero included)."""
    counts = dict.fromkeys(STATUSES, 0)
    for row in db.query("select status, count(*) as n from complaints group by status"):
        counts[row["status"]] = row["n"]
    return counts


@raises_unavailable
def stats_by_department(db: sqlite_utils.Database) -> dict[str, int]:
    """Number of complaints per department ('미지정' when none), largest first."""
    rows = db.query(
        "select coalesce(department, '미지정') as department, count(*) as n "
        "from complaints group by 1 order by n desc, department"
    )
    return {row["department"]: row["n"] for row in rows}


def _filters(**filters: object) -> tuple[str | None, list[object]]:
    clauses = [(f"{column} = ?", value) for column, value in filters.items() if value is not None]
    return (" and ".join(c for c, _ in clauses) or None), [v for _, v in clauses]


def _by_idempotency_key(db: sqlite_utils.Database, key: str) -> Complaint | None:
    row = next(db["complaints"].rows_where("idempotency_key = ?", [key]), None)
    return complaint_from_row(row) if row else None


def require_complaint(db: sqlite_utils.Database, receipt: str) -> Complaint:
    """The complaint with this receipt, for changes that need one: ComplaintNotFound if none."""
    complaint = get_complaint(db, receipt)
    if complaint is None:
        raise ComplaintNotFound(receipt)
    return complaint


def _add_history(
    db: sqlite_utils.Database,
    receipt: str,
    *,
    kind: str,
    actor_id: int,
    from_status: str | None,
    to_status: str | None,
    note: str,
    created_at: str,
    idempotency_key: str | None = None,
) -> None:
    db["complaint_history"].insert(
        {
            "receipt": receipt,
            "kind": kind,
            "actor_id": actor_id,
            "from_status": from_status,
            "to_status": to_status,
            "note": mask_rrn(note),
            "created_at": created_at,
            "idempotency_key": idempotency_key,
        }
    )


def add_event(
    db: sqlite_utils.Database,
    complaint: Complaint,
    *,
    kind: str,
    actor_id: int,
    note: str,
    created_at: str,
    idempotency_key: str | None = None,
) -> None:
    """A history row that leaves the status as it is: a reply, note, view, type or extension.

    Call it inside the transaction that makes the change, so the row and the change commit
    together (db/workbench.py records type changes and extensions with it).
    """
    _add_history(
        db,
        complaint.receipt,
        kind=kind,
        actor_id=actor_id,
        from_status=complaint.status,
        to_status=complaint.status,
        note=note,
        created_at=created_at,
        idempotency_key=idempotency_key,
    )


def complaint_from_row(row: dict) -> Complaint:
    """A ``complaints`` table row (as sqlite_utils returns it) as a Complaint."""
    return Complaint(
        receipt=row["receipt"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        content=row["content"],
        department=row["department"],
        region=row["region"],
        status=row["status"],
        phone=row["phone"],
        anonymous=bool(row["anonymous"]),
        consent=bool(row["consent"]),
        attachments=tuple(json.loads(row["attachments"])),
        latitude=row["latitude"],
        longitude=row["longitude"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        complaint_type=row.get("complaint_type"),
        due_at=row.get("due_at"),
        extended_at=row.get("extended_at"),
        extension_reason=row.get("extension_reason"),
    )


@raises_unavailable
def purge_closed(db: sqlite_utils.Database, *, days: int, now: datetime | None = None) -> int:
    """Deletes complaints closed (완료/반려) more than ``days`` ago, with their history and their
    outbox rows (staff post, answers, status notices) — the retention period promised in the
    consent text. Open complaints are never deleted. Returns how many complaints went."""
    if days < 0:
        raise ValueError("days must be 0 or more")
    cutoff = timestamp(as_utc(now) - timedelta(days=days))
    with transaction(db):
        receipts = [
            row[0]
            for row in db.execute(
                "select receipt from complaints where status in (?, ?) and updated_at < ?",
                [DONE, REJECTED, cutoff],
            )
        ]
        for receipt in receipts:
            # Rows queued before outbox.receipt existed name the complaint in their text.
            db.execute(
                "delete from outbox where receipt = ? or (receipt is null and instr(text, ?) > 0)",
                [receipt, receipt],
            )
            db.execute("delete from complaint_history where receipt = ?", [receipt])
            db.execute("delete from complaints where receipt = ?", [receipt])
        return len(receipts)
