"""Staff roles: settings ids, grants made in the bot, revocation and denied attempts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from db import staff
from db.staff import StaffMember

NOW = datetime(2025, 3, 1, 3, 0, tzinfo=UTC)
STAMP = "2025-03-01T03:00:00.000000+00:00"


def role(db, user_id):
    return staff.role_of(db, user_id, admin_ids=frozenset({1}), staff_ids=frozenset({2}))


def test_settings_ids_decide_first(db):
    staff.grant(db, 1, role="staff", granted_by=9)
    staff.grant(db, 2, role="admin", granted_by=9)
    assert (role(db, 1), role(db, 2)) == ("admin", "staff")


def test_unknown_users_have_no_role(db):
    assert role(db, 3) is None


def test_grant_and_revoke(db):
    granted = staff.grant(db, 3, role="staff", granted_by=1, now=NOW)
    assert granted == StaffMember(3, "staff", 1, STAMP)
    assert role(db, 3) == "staff"
    staff.grant(db, 3, role="admin", granted_by=1, now=NOW)
    assert role(db, 3) == "admin"
    assert staff.revoke(db, 3, revoked_by=1) is True
    assert role(db, 3) is None
    assert staff.revoke(db, 3, revoked_by=1) is False
    kept = db["staff"].get(3)
    assert (kept["revoked_by"], kept["role"]) == (1, "admin")
    staff.grant(db, 3, role="staff", granted_by=1)
    assert role(db, 3) == "staff"


def test_grant_refuses_unknown_roles(db):
    with pytest.raises(ValueError, match="'staff' or 'admin'"):
        staff.grant(db, 3, role="owner", granted_by=1)


def test_list_staff_shows_current_grants_admins_first(db):
    staff.grant(db, 5, role="staff", granted_by=1, now=NOW)
    staff.grant(db, 4, role="admin", granted_by=1, now=NOW)
    staff.grant(db, 6, role="staff", granted_by=1, now=NOW)
    staff.revoke(db, 6, revoked_by=1)
    assert staff.list_staff(db) == [
        StaffMember(4, "admin", 1, STAMP),
        StaffMember(5, "staff", 1, STAMP),
    ]


def test_denied_attempts_are_logged(db):
    staff.log_denied(db, 77, "/export", now=NOW)
    assert list(db["denied_attempts"].rows) == [
        {"id": 1, "user_id": 77, "command": "/export", "attempted_at": STAMP}
    ]
