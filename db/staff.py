"""Who may use the staff and admin commands, and who tried without being allowed.

Ids from the settings (ADMIN_IDS, STAFF_IDS) always win; the database holds the roles that
admins grant from inside the bot. Revoked grants are kept with who revoked them and when.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import datetime

import sqlite_utils

from db.database import raises_unavailable, timestamp
from db.privacy import mask_rrn

STAFF = "staff"
ADMIN = "admin"
ROLES = (STAFF, ADMIN)


@dataclass(frozen=True)
class StaffMember:
    user_id: int
    role: str
    granted_by: int
    granted_at: str


@raises_unavailable
def grant(
    db: sqlite_utils.Database,
    user_id: int,
    *,
    role: str,
    granted_by: int,
    now: datetime | None = None,
) -> StaffMember:
    """Gives user_id the role ('staff' or 'admin'), replacing any earlier grant."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: use 'staff' or 'admin'")
    member = StaffMember(
        user_id=user_id, role=role, granted_by=granted_by, granted_at=timestamp(now)
    )
    db["staff"].upsert({**asdict(member), "revoked_by": None, "revoked_at": None}, pk="user_id")
    return member


@raises_unavailable
def revoke(
    db: sqlite_utils.Database, user_id: int, *, revoked_by: int, now: datetime | None = None
) -> bool:
    """Withdraws user_id's granted role; False if there was none to withdraw."""
    cursor = db.execute(
        "update staff set revoked_by = ?, revoked_at = ? where user_id = ? and revoked_at is null",
        [revoked_by, timestamp(now), user_id],
    )
    return cursor.rowcount > 0


@raises_unavailable
def role_of(
    db: sqlite_utils.Database,
    user_id: int,
    *,
    admin_ids: Collection[int],
    staff_ids: Collection[int],
) -> str | None:
    """'admin', 'staff' or None: settings first, then the roles granted in the bot.

    Asked for every update (flood control exempts staff), hence plain SQL: Table.rows_where
    re-reads the table's schema each time.
    """
    if user_id in admin_ids:
        return ADMIN
    if user_id in staff_ids:
        return STAFF
    row = db.execute(
        "select role from staff where user_id = ? and revoked_at is null", [user_id]
    ).fetchone()
    return row[0] if row else None


@raises_unavailable
def log_denied(
    db: sqlite_utils.Database, user_id: int, command: str, *, now: datetime | None = None
) -> None:
    """Records that user_id tried a command their role does not allow (the command as typed or
    the button's data, which anyone can forge: resident registration numbers are masked)."""
    db["denied_attempts"].insert(
        {"user_id": user_id, "command": mask_rrn(command), "attempted_at": timestamp(now)}
    )


@raises_unavailable
def list_staff(db: sqlite_utils.Database) -> list[StaffMember]:
    """Current grants made in the bot (not the settings ids), admins first."""
    rows = db["staff"].rows_where(
        "revoked_at is null",
        order_by="role, user_id",
        select="user_id, role, granted_by, granted_at",
    )
    return [StaffMember(**row) for row in rows]
