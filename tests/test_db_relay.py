"""db.relay: office hours across holidays, one claimant, idle ends counted in office time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from db.database import KST
from db.relay import (
    OPEN,
    OfficeHours,
    add_message,
    claim,
    close_relay,
    idle_relays,
    open_relay,
    relay_id_in,
)

HOURS = OfficeHours()


@pytest.mark.parametrize(
    ("moment", "opening"),
    [
        (datetime(2025, 3, 4, 10, 0), datetime(2025, 3, 4, 10, 0)),  # open: now
        (datetime(2025, 3, 4, 8, 59), datetime(2025, 3, 4, 9, 0)),  # before opening
        (datetime(2025, 3, 4, 18, 0), datetime(2025, 3, 5, 9, 0)),  # closing time is closed
        (datetime(2025, 3, 8, 10, 0), datetime(2025, 3, 10, 9, 0)),  # Saturday
        (datetime(2025, 2, 28, 19, 0), datetime(2025, 3, 4, 9, 0)),  # 삼일절 on Sat, 3/3 대체
        (datetime(2025, 1, 24, 18, 30), datetime(2025, 1, 31, 9, 0)),  # 설날 and 1/27 임시
        (datetime(2025, 10, 2, 18, 30), datetime(2025, 10, 10, 9, 0)),  # 개천절, 추석, 한글날
    ],
)
def test_next_opening_skips_weekends_and_holidays(moment, opening):
    assert HOURS.next_opening(moment.replace(tzinfo=KST)) == opening.replace(tzinfo=KST)


def test_the_office_calendar_closes_extra_days():
    closed = frozenset({date(2025, 3, 5)})
    assert HOURS.next_opening(datetime(2025, 3, 4, 19, tzinfo=KST), closed) == datetime(
        2025, 3, 6, 9, tzinfo=KST
    )


def test_one_claimant_and_one_end(db):
    relay, new = open_relay(db, user_id=42, chat_id=42, name="시민", staff_chat_id=-1)
    assert new and open_relay(db, user_id=42, chat_id=42, name="시민", staff_chat_id=-1) == (
        relay,
        False,
    )
    assert claim(db, relay.id, staff_id=800) and not claim(db, relay.id, staff_id=900)
    assert close_relay(db, relay.id, closed_by="citizen", notices={42: "끝"}) is not None
    assert close_relay(db, relay.id, closed_by="staff", notices={42: "끝"}) is None
    assert db["outbox"].count_where("text = '끝'") == 1


def test_idle_time_counts_from_the_next_opening(db):
    friday_evening = datetime(2025, 3, 7, 20, 0, tzinfo=KST)
    relay, _ = open_relay(
        db, user_id=42, chat_id=42, name="시민", staff_chat_id=-1, now=friday_evening
    )
    idle = timedelta(minutes=30)
    monday = datetime(2025, 3, 10, 9, 0, tzinfo=KST)
    assert idle_relays(db, idle=idle, hours=HOURS, now=monday + timedelta(minutes=29)) == []
    [stale] = idle_relays(db, idle=idle, hours=HOURS, now=monday + timedelta(minutes=30))
    assert stale.id == relay.id
    claim(db, relay.id, staff_id=800, now=monday)
    add_message(
        db,
        relay.id,
        "staff",
        "안녕하세요",
        actor_id=800,
        to_chat_id=42,
        outbox_text="안녕하세요",
        now=monday + timedelta(minutes=20),
    )
    later = monday + timedelta(minutes=40)
    assert idle_relays(db, idle=idle, hours=HOURS, now=later.astimezone(UTC)) == []
    assert [r.status for r in idle_relays(db, idle=idle, hours=HOURS, now=later + idle)] == [OPEN]


@pytest.mark.parametrize(
    ("text", "relay_id"),
    [("[상담 #12] 시민: 안녕", 12), ("[상담 #] 없음", None), ("상담 #3", None), (None, None)],
)
def test_relay_id_in(text, relay_id):
    assert relay_id_in(text) == relay_id


def test_an_ended_relay_and_its_messages_go_with_the_complaint_retention(db):
    from db.retention import purge_expired

    then = datetime(2025, 3, 4, 10, tzinfo=KST)
    ended, _ = open_relay(db, user_id=42, chat_id=42, name="시민", staff_chat_id=-1, now=then)
    add_message(
        db, ended.id, "citizen", "안녕", actor_id=42, to_chat_id=-1, outbox_text="x", now=then
    )
    close_relay(db, ended.id, closed_by="citizen", now=then)
    still_open, _ = open_relay(db, user_id=43, chat_id=43, name="이웃", staff_chat_id=-1, now=then)
    add_message(
        db, still_open.id, "citizen", "여보세요", actor_id=43, to_chat_id=-1, outbox_text="y"
    )
    purge_expired(db, complaint_days=10, log_days=90, now=then + timedelta(days=9))
    assert db["relays"].count == 2
    purge_expired(db, complaint_days=10, log_days=90, now=then + timedelta(days=11))
    assert [r["id"] for r in db["relays"].rows] == [still_open.id]
    assert [m["text"] for m in db["relay_messages"].rows] == ["여보세요"]
