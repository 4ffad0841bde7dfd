"""Reply templates (상용구) kept by admins, per complaint type and department, with placeholders
filled from the complaint (display.filled_template): {접수번호}, {처리기한}, {부서}, {유형}.

Staff pick one, edit the filled text and send it as an ordinary reply (db.complaints.add_reply),
so a template never reaches a citizen unread — except the automatic acknowledgement (자동 접수
안내), which an admin marks once and every new complaint it fits then gets right after its
receipt (``acknowledgement``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from db import deadlines
from db.complaints import Complaint
from db.database import raises_unavailable, timestamp
from db.office_calendar import statutory_periods

PLACEHOLDERS = ("접수번호", "처리기한", "부서", "유형")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")  # {name}; group 1 is the name
MAX_NAME_CHARS = 40
_COLUMNS = "id, name, body, complaint_type, department, auto_ack"
MAX_BODY_CHARS = 3000  # leaves room for the reply header within Telegram's 4,096
MAX_DEPARTMENT_CHARS = 50  # as long as a department a citizen or staff may type


# Why a template is refused (BadTemplate.problem; display.template_problem words it).
MISSING, TOO_LONG, UNKNOWN_PLACEHOLDER = "missing", "too long", "unknown placeholder"
UNKNOWN_TYPE, DEPARTMENT_TOO_LONG = "unknown type", "department too long"


class BadTemplate(ValueError):
    "A template's fields are not acceptable: ``problem`` says why, about ``value``."

    def __init__(self, problem: str, value: object = None) -> None:
        super().__init__(problem, value)
        self.problem, self.value = problem, value


class TemplateNotFound(Exception):
    "No template with this id."


class TemplateChanged(Exception):
    "The template with this id is no longer the one that was shown."


@dataclass(frozen=True)
class Template:
    id: int
    name: str
    body: str
    complaint_type: str | None
    department: str | None
    auto_ack: bool = False


@dataclass(frozen=True)
class NewTemplate:
    """A template's fields before it is stored: as an admin typed them
    (handlers.arguments.parse_template_add), then as ``checked_template`` accepted them."""

    name: str
    body: str
    complaint_type: str | None = None
    department: str | None = None


@raises_unavailable
def checked_template(
    db: sqlite_utils.Database,
    name: str,
    body: str,
    *,
    complaint_type: str | None = None,
    department: str | None = None,
) -> NewTemplate:
    """The fields with their spaces tidied; BadTemplate naming the first problem: an empty or
    too long name, body or department, an unknown placeholder, or a type that is neither one
    of deadlines.TYPES nor a 법정민원 kind of the table (a template of an unknown type would
    never fit a complaint)."""
    name, body = " ".join(name.split()), body.strip()
    complaint_type = " ".join((complaint_type or "").split()) or None
    department = " ".join((department or "").split()) or None
    if not name or not body:
        raise BadTemplate(MISSING)
    if len(name) > MAX_NAME_CHARS or len(body) > MAX_BODY_CHARS:
        raise BadTemplate(TOO_LONG)
    unknown = [p for p in PLACEHOLDER.findall(body) if p not in PLACEHOLDERS]
    if unknown:
        raise BadTemplate(UNKNOWN_PLACEHOLDER, unknown[0])
    if complaint_type is not None and not _known_type(db, complaint_type):
        raise BadTemplate(UNKNOWN_TYPE, complaint_type)
    if department is not None and len(department) > MAX_DEPARTMENT_CHARS:
        raise BadTemplate(DEPARTMENT_TOO_LONG)
    return NewTemplate(name, body, complaint_type, department)


@raises_unavailable
def add_template(
    db: sqlite_utils.Database,
    name: str,
    body: str,
    *,
    created_by: int,
    complaint_type: str | None = None,
    department: str | None = None,
    now: datetime | None = None,
) -> int:
    """Stores a template; BadTemplate naming the problem (``checked_template``)."""
    new = checked_template(db, name, body, complaint_type=complaint_type, department=department)
    return (
        db["reply_templates"]
        .insert(
            {
                "name": new.name,
                "body": new.body,
                "complaint_type": new.complaint_type,
                "department": new.department,
                "created_by": created_by,
                "created_at": timestamp(now),
            }
        )
        .last_pk
    )


def _known_type(db: sqlite_utils.Database, kind: str) -> bool:
    """One of deadlines.TYPES, or '법정:이름' for a 법정민원 kind of the table."""
    if kind in deadlines.TYPES:
        return True
    name = kind.removeprefix(deadlines.STATUTORY_PREFIX)
    return kind.startswith(deadlines.STATUTORY_PREFIX) and name in statutory_periods(db)


@raises_unavailable
def delete_template(
    db: sqlite_utils.Database, template_id: int, *, shown: Template | None = None
) -> None:
    """Removes a template; TemplateNotFound if there is none. With ``shown`` (what the admin
    confirmed), TemplateChanged instead if the stored one differs: its auto-ack mark changed, or
    it was removed and a newer template took its id."""
    if shown is not None and get_template(db, template_id) != shown:
        raise TemplateChanged(template_id)
    if not db.execute("delete from reply_templates where id = ?", [template_id]).rowcount:
        raise TemplateNotFound(template_id)


@raises_unavailable
def templates_for(db: sqlite_utils.Database, complaint: Complaint | None = None) -> list[Template]:
    """Templates fitting the complaint's type and department (unset = fits all), or all."""
    rows = db.execute(f"select {_COLUMNS} from reply_templates order by name, id").fetchall()
    found = [_template(row) for row in rows]
    if complaint is None:
        return found
    return [
        t
        for t in found
        if t.complaint_type in (None, complaint.complaint_type)
        and t.department in (None, complaint.department)
    ]


@raises_unavailable
def get_template(db: sqlite_utils.Database, template_id: int) -> Template:
    """The template with this id; TemplateNotFound if there is none."""
    row = db.execute(
        f"select {_COLUMNS} from reply_templates where id = ?",
        [template_id],
    ).fetchone()
    if row is None:
        raise TemplateNotFound(template_id)
    return _template(row)


@raises_unavailable
def set_auto_ack(db: sqlite_utils.Database, template_id: int, on: bool) -> None:
    """Marks (or unmarks) a template as the automatic acknowledgement of the new complaints
    it fits; TemplateNotFound if there is none."""
    changed = db.execute(
        "update reply_templates set auto_ack = ? where id = ?", [int(on), template_id]
    ).rowcount
    if not changed:
        raise TemplateNotFound(template_id)


@raises_unavailable
def acknowledgement(db: sqlite_utils.Database, complaint: Complaint) -> Template | None:
    """The automatic acknowledgement template for a new complaint, or None: of the marked
    templates that fit it, the most specific (type and department, then department, then
    type, then global), the oldest on a tie."""
    fitting = [t for t in templates_for(db, complaint) if t.auto_ack]
    if not fitting:
        return None
    return min(fitting, key=lambda t: (t.department is None, t.complaint_type is None, t.id))


def _template(row: tuple) -> Template:
    *fields, auto_ack = row
    return Template(*fields, auto_ack=bool(auto_ack))
