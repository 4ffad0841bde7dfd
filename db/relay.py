"""상담원 연결: a citizen's live conversation with a staff member, relayed through the staff chat.

A relay is ``waiting`` until a staff member claims it, then ``open`` until either side ends it
or it stays idle too long, then ``closed``. Every relayed text is stored (resident registration
numbers masked, db.privacy) and queued in the outbox in the same transaction, so a message is
never lost between the two chats; the relay and its messages follow the complaint retention
(db.retention).

Usage:
    relay = open_relay(db, user_id=42, chat_id=42, name="홍길동", staff_chat_id=-100)
    claimed = claim(db, relay.id, staff_id=800)      # False: someone else (or nobody) got it
    add_message(db, relay.id, FROM_STAFF, "안녕하세요", actor_id=800, to_chat_id=42)
    close_relay(db, relay.id, closed_by=CITIZEN_SIDE)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlite_utils

from db.database import KST, as_utc, raises_unavailable, timestamp, transaction
from db.deadlines import is_working_day
from db.outbox import enqueue
from db.privacy import mask_rrn

WAITING, OPEN, CLOSED = "waiting", "open", "closed"
FROM_CITIZEN, FROM_STAFF = "citizen", "staff"
CITIZEN_SIDE, STAFF_SIDE, IDLE = "citizen", "staff", "idle"
RELAY_KIND = "relay"  # outbox kind of a relayed text or a relay notice
RELAY_POST_KIND = "relay_post"  # outbox kind of the staff-chat post with [연결 받기]
RELAY_MARK = "[상담 #{id}]"
_RELAY_ID = re.compile(r"^\[상담 #(\d{1,18})\]")
# How far ahead next_opening looks for a working day: longer than any run of holidays
# (설날 or 추석 with a weekend and a substitute day is at most five days).
MAX_CLOSED_RUN_DAYS = 30


class RelayNotFound(Exception):
    "No relay with this id."


@dataclass(frozen=True)
class OfficeHours:
    """When staff answer: ``opens``–``closes`` KST on working days (db.deadlines)."""

    opens: time = time(9)
    closes: time = time(18)

    def is_open(self, moment: datetime, closed_days: frozenset[date] = frozenset()) -> bool:
        """Whether ``moment`` falls in office hours."""
        local = moment.astimezone(KST)
        return is_working_day(local.date(), closed_days) and self.opens <= local.time() < (
            self.closes
        )

    def next_opening(
        self, moment: datetime, closed_days: frozenset[date] = frozenset()
    ) -> datetime:
        """``moment`` itself in office hours, else when the office next opens (KST)."""
        local = moment.astimezone(KST)
        if self.is_open(local, closed_days):
            return local
        day = local.date() if local.time() < self.opens else local.date() + timedelta(days=1)
        for _ in range(MAX_CLOSED_RUN_DAYS):
            if is_working_day(day, closed_days):
                return datetime.combine(day, self.opens, KST)
            day += timedelta(days=1)
        raise ValueError(f"no working day within {MAX_CLOSED_RUN_DAYS} days of {local:%Y-%m-%d}")


@dataclass(frozen=True)
class Relay:
    id: int
    user_id: int
    chat_id: int
    name: str
    status: str
    staff_id: int | None
    staff_chat_id: int
    post_outbox_id: int | None
    created_at: str
    claimed_at: str | None
    last_activity_at: str
    closed_at: str | None
    closed_by: str | None


def relay_mark(relay_id: int) -> str:
    """The mark every staff-chat text of a relay starts with."""
    return RELAY_MARK.format(id=relay_id)


def relay_id_in(text: str | None) -> int | None:
    """The relay id a staff-chat text starts with (``relay_mark``), or None."""
    match = _RELAY_ID.match(text or "")
    return int(match.group(1)) if match else None


@raises_unavailable
def open_relay(
    db: sqlite_utils.Database,
    *,
    user_id: int,
    chat_id: int,
    name: str,
    staff_chat_id: int,
    post: str = "",
    now: datetime | None = None,
) -> tuple[Relay, bool]:
    """The citizen's unfinished relay, or a new waiting one whose staff-chat post (``post``,
    after the relay's mark) is queued; True if it is new."""
    with transaction(db):
        current = active_relay(db, user_id)
        if current is not None:
            return current, False
        at = timestamp(now)
        relay_id = (
            db["relays"]
            .insert(
                {
                    "user_id": user_id,
                    "chat_id": chat_id,
                    "name": mask_rrn(name),
                    "status": WAITING,
                    "staff_chat_id": staff_chat_id,
                    "created_at": at,
                    "last_activity_at": at,
                }
            )
            .last_pk
        )
        outbox_id = enqueue(
            db, staff_chat_id, f"{relay_mark(relay_id)} {post}", kind=RELAY_POST_KIND, now=now
        )
        db["relays"].update(relay_id, {"post_outbox_id": outbox_id})
    return get_relay(db, relay_id), True


@raises_unavailable
def active_relay(db: sqlite_utils.Database, user_id: int) -> Relay | None:
    """The citizen's waiting or open relay, if any."""
    row = next(
        db["relays"].rows_where(
            "user_id = ? and status != ?", [user_id, CLOSED], order_by="id desc", limit=1
        ),
        None,
    )
    return _relay(row) if row else None


@raises_unavailable
def users_in_relays(db: sqlite_utils.Database) -> set[int]:
    """The citizens whose relay is waiting or open."""
    rows = db.execute("select distinct user_id from relays where status != ?", [CLOSED])
    return {user_id for (user_id,) in rows}


@raises_unavailable
def get_relay(db: sqlite_utils.Database, relay_id: int) -> Relay:
    """The relay with this id; RelayNotFound if there is none."""
    row = next(db["relays"].rows_where("id = ?", [relay_id]), None)
    if row is None:
        raise RelayNotFound(relay_id)
    return _relay(row)


@raises_unavailable
def claim(
    db: sqlite_utils.Database, relay_id: int, *, staff_id: int, now: datetime | None = None
) -> bool:
    """Gives a waiting relay to ``staff_id``; False if it was not waiting (one claimant only:
    a second tap, by anyone, changes nothing)."""
    at = timestamp(now)
    with transaction(db):
        changed = db.execute(
            "update relays set status = ?, staff_id = ?, claimed_at = ?, last_activity_at = ? "
            "where id = ? and status = ?",
            [OPEN, staff_id, at, at, relay_id, WAITING],
        ).rowcount
    return changed == 1


@raises_unavailable
def add_message(
    db: sqlite_utils.Database,
    relay_id: int,
    direction: str,
    text: str,
    *,
    actor_id: int,
    to_chat_id: int,
    outbox_text: str,
    now: datetime | None = None,
) -> int:
    """Stores one relayed text (masked) and queues ``outbox_text`` for ``to_chat_id``; returns
    the outbox id. RelayNotFound if the relay is closed or unknown."""
    at = timestamp(now)
    with transaction(db):
        if db["relays"].count_where("id = ? and status != ?", [relay_id, CLOSED]) == 0:
            raise RelayNotFound(relay_id)
        outbox_id = enqueue(db, to_chat_id, outbox_text, kind=RELAY_KIND, now=now)
        db["relay_messages"].insert(
            {
                "relay_id": relay_id,
                "direction": direction,
                "actor_id": actor_id,
                "text": mask_rrn(text),
                "outbox_id": outbox_id,
                "created_at": at,
            }
        )
        db["relays"].update(relay_id, {"last_activity_at": at})
    return outbox_id


@raises_unavailable
def messages(db: sqlite_utils.Database, relay_id: int) -> list[dict]:
    """The relay's stored texts, oldest first."""
    return list(db["relay_messages"].rows_where("relay_id = ?", [relay_id], order_by="id"))


@raises_unavailable
def close_relay(
    db: sqlite_utils.Database,
    relay_id: int,
    *,
    closed_by: str,
    notices: dict[int, str] | None = None,
    now: datetime | None = None,
) -> list[int] | None:
    """Ends a relay and queues ``notices`` (chat id → text) with it; returns their outbox ids,
    or None if it had already ended (a second [연결 종료] tells nobody again)."""
    with transaction(db):
        changed = db.execute(
            "update relays set status = ?, closed_at = ?, closed_by = ? "
            "where id = ? and status != ?",
            [CLOSED, timestamp(now), closed_by, relay_id, CLOSED],
        ).rowcount
        if not changed:
            return None
        return [
            enqueue(db, chat_id, text, kind=RELAY_KIND, now=now)
            for chat_id, text in (notices or {}).items()
        ]


@raises_unavailable
def idle_relays(
    db: sqlite_utils.Database,
    *,
    idle: timedelta,
    hours: OfficeHours,
    closed_days: frozenset[date] = frozenset(),
    now: datetime | None = None,
) -> list[Relay]:
    """Unfinished relays nobody wrote in for ``idle`` of office time: a request left outside
    office hours starts counting when the office opens."""
    now = as_utc(now)
    rows = db["relays"].rows_where("status != ?", [CLOSED], order_by="id")
    stale = []
    for relay in map(_relay, rows):
        last = datetime.fromisoformat(relay.last_activity_at)
        if hours.next_opening(last, closed_days) + idle <= now:
            stale.append(relay)
    return stale


@raises_unavailable
def staff_post(db: sqlite_utils.Database, relay_id: int) -> tuple[int, int] | None:
    """(chat id, message id) of the relay's staff-chat post once it was sent."""
    row = db.execute(
        "select outbox.chat_id, outbox.message_id from relays join outbox "
        "on outbox.id = relays.post_outbox_id where relays.id = ? and outbox.message_id "
        "is not null",
        [relay_id],
    ).fetchone()
    return (row[0], row[1]) if row else None


def _relay(row: dict) -> Relay:
    return Relay(**{name: row[name] for name in Relay.__dataclass_fields__})
