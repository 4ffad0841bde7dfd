"""Complaints: intake, idempotency, the status workflow, history, outbox and export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from complaint_rows import NOW, make
from db import complaints, outbox
from db.complaints import (
    DONE,
    IN_PROGRESS,
    RECEIVED,
    REJECTED,
    STATUSES,
    TRANSFERRED,
    ComplaintNotFound,
    InvalidTransition,
)
from db.privacy import RRN_MASK
from display import complaints_csv


def test_create_stores_every_field(db):
    complaint = make(db, attachments=["file-a", "file-b"], latitude=37.5, longitude=127.0)
    assert complaint == complaints.get_complaint(db, complaint.receipt)
    assert complaint.status == RECEIVED
    assert complaint.attachments == ("file-a", "file-b")
    assert (complaint.user_id, complaint.chat_id, complaint.region) == (11, 22, "동구")
    assert (complaint.latitude, complaint.longitude) == (37.5, 127.0)
    assert complaint.created_at == complaint.updated_at == "2025-03-01T03:00:00.000000+00:00"
    assert complaint.masked_phone == "010-****-5678"
    assert complaint.receipt.startswith("20250301-")


def test_create_redacts_resident_numbers_before_storing(db):
    complaint = make(db, content="주민번호 900101-1234567 로 신청했어요")
    assert complaint.content == f"주민번호 {RRN_MASK} 로 신청했어요"
    stored = db.execute("select content from complaints").fetchone()[0]
    assert "1234567" not in stored


def test_create_writes_the_first_history_row(db):
    complaint = make(db)
    assert [
        {k: row[k] for k in ("kind", "actor_id", "from_status", "to_status", "note")}
        for row in complaints.history(db, complaint.receipt)
    ] == [
        {
            "kind": "status",
            "actor_id": 11,
            "from_status": None,
            "to_status": RECEIVED,
            "note": RECEIVED,
        }
    ]


def test_create_is_idempotent_on_the_same_key(db):
    first = make(db, key="update-7")
    again = make(db, key="update-7", content="다른 내용")
    assert again == first
    assert complaints.count_complaints(db) == 1
    assert len(complaints.history(db, first.receipt)) == 1
    assert make(db, key="update-8").receipt != first.receipt


def test_create_retries_when_the_receipt_is_taken(db, monkeypatch):
    taken = make(db, key="first")
    draws = iter([taken.receipt, taken.receipt, "20250301-ZZZZ"])
    monkeypatch.setattr(complaints, "new_receipt", lambda now=None: next(draws))
    second = make(db, key="second")
    assert second.receipt == "20250301-ZZZZ"
    assert complaints.count_complaints(db) == 2


def test_a_thousand_complaints_get_a_thousand_receipts(db):
    receipts = {make(db, key=f"update-{i}").receipt for i in range(1000)}
    assert len(receipts) == 1000


def test_create_refuses_empty_content(db):
    with pytest.raises(ValueError, match="content is empty"):
        make(db, content="  ")


def test_get_complaint_accepts_lowercase_and_unknown(db):
    complaint = make(db)
    assert complaints.get_complaint(db, complaint.receipt.lower()) == complaint
    assert complaints.get_complaint(db, "20000101-AAAA") is None


def test_list_is_newest_first_and_filters(db):
    a = make(db, key="a", now=NOW)
    b = make(db, key="b", now=NOW + timedelta(hours=1), user_id=99)
    c = make(db, key="c", now=NOW + timedelta(hours=2))
    complaints.change_status(db, c.receipt, TRANSFERRED, actor_id=1, department="도로과")
    assert [x.receipt for x in complaints.list_complaints(db)] == [c.receipt, b.receipt, a.receipt]
    assert [x.receipt for x in complaints.list_complaints(db, user_id=99)] == [b.receipt]
    assert [x.receipt for x in complaints.list_complaints(db, status=RECEIVED)] == [
        b.receipt,
        a.receipt,
    ]
    assert [x.receipt for x in complaints.list_complaints(db, department="도로과")] == [c.receipt]
    assert [x.receipt for x in complaints.list_complaints(db, limit=1, offset=1)] == [b.receipt]
    assert complaints.count_complaints(db) == 3
    assert complaints.count_complaints(db, status=RECEIVED, user_id=11) == 1


ALLOWED = {
    (RECEIVED, IN_PROGRESS),
    (RECEIVED, DONE),
    (RECEIVED, REJECTED),
    (RECEIVED, TRANSFERRED),
    (IN_PROGRESS, DONE),
    (IN_PROGRESS, REJECTED),
    (IN_PROGRESS, TRANSFERRED),
    (TRANSFERRED, IN_PROGRESS),
    (TRANSFERRED, DONE),
    (TRANSFERRED, REJECTED),
    (TRANSFERRED, TRANSFERRED),  # the receiving department passes it on
}
# How to bring a fresh complaint (접수) to each status.
PATHS = {
    RECEIVED: [],
    IN_PROGRESS: [IN_PROGRESS],
    TRANSFERRED: [TRANSFERRED],
    DONE: [DONE],
    REJECTED: [REJECTED],
}


def move(db, receipt, status):
    return complaints.change_status(db, receipt, status, actor_id=5, department="도로과")


@pytest.mark.parametrize("old", STATUSES)
@pytest.mark.parametrize("new", STATUSES)
def test_transitions(db, old, new):
    complaint = make(db)
    for step in PATHS[old]:
        move(db, complaint.receipt, step)
    if (old, new) in ALLOWED:
        assert move(db, complaint.receipt, new).status == new
    else:
        with pytest.raises(InvalidTransition):
            move(db, complaint.receipt, new)
        assert complaints.get_complaint(db, complaint.receipt).status == old


def test_closing_twice_is_refused(db):
    complaint = make(db)
    complaints.change_status(db, complaint.receipt, DONE, actor_id=5)
    with pytest.raises(InvalidTransition):
        complaints.change_status(db, complaint.receipt, DONE, actor_id=5)
    assert len(complaints.history(db, complaint.receipt)) == 2


def test_transfer_needs_and_sets_the_department(db):
    complaint = make(db)
    with pytest.raises(ValueError, match="department"):
        complaints.change_status(db, complaint.receipt, TRANSFERRED, actor_id=5)
    moved = complaints.change_status(
        db, complaint.receipt, TRANSFERRED, actor_id=5, department="환경과"
    )
    assert (moved.status, moved.department) == (TRANSFERRED, "환경과")


def test_unknown_status_and_receipt(db):
    complaint = make(db)
    with pytest.raises(ValueError, match="unknown status"):
        complaints.change_status(db, complaint.receipt, "보류", actor_id=5)
    with pytest.raises(ComplaintNotFound):
        complaints.change_status(db, "20000101-AAAA", DONE, actor_id=5)
    with pytest.raises(ComplaintNotFound):
        complaints.add_reply(db, "20000101-AAAA", actor_id=5, text="답변")


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_export_csv_has_bom_korean_header_and_masked_phones(db):
    complaint = make(db, anonymous=True)
    data = complaints_csv(complaints.received_between(db, since=None, until=None))
    assert data.startswith(b"\xef\xbb\xbf")
    assert read_csv(data) == [
        ["접수번호", "접수일시", "상태", "부서", "지역", "내용", "연락처(마스킹)", "익명", "동의"],
        [
            complaint.receipt,
            "2025-03-01 12:00",
            RECEIVED,
            "",
            "동구",
            "가로등이 고장났어요",
            "010-****-5678",
            "예",
            "예",
        ],
    ]
    assert b"1234-5678" not in data


def test_export_csv_date_range_is_inclusive_in_korean_dates(db):
    # 2025-02-28 15:30 UTC is 2025-03-01 00:30 in Korea.
    inside_early = make(db, key="a", now=datetime(2025, 2, 28, 15, 30, tzinfo=UTC))
    inside_late = make(db, key="b", now=datetime(2025, 3, 2, 14, 59, tzinfo=UTC))
    make(db, key="c", now=datetime(2025, 2, 28, 14, 59, tzinfo=UTC))
    make(db, key="d", now=datetime(2025, 3, 2, 15, 0, tzinfo=UTC))
    found = complaints.received_between(db, since=date(2025, 3, 1), until=date(2025, 3, 2))
    rows = read_csv(complaints_csv(found))
    assert [row[0] for row in rows[1:]] == [inside_early.receipt, inside_late.receipt]
    assert len(read_csv(complaints_csv(complaints.received_between(db)))) == 5


def test_export_csv_defuses_formulas(db):
    make(db, content='=HYPERLINK("http://evil")')
    rows = read_csv(complaints_csv(complaints.received_between(db)))
    assert rows[1][5] == '\'=HYPERLINK("http://evil")'


def test_stats(db):
    a = make(db, key="a")
    make(db, key="b")
    c = make(db, key="c")
    complaints.change_status(db, a.receipt, TRANSFERRED, actor_id=5, department="도로과")
    complaints.change_status(db, c.receipt, DONE, actor_id=5, department="도로과")
    assert complaints.stats_by_status(db) == {
        RECEIVED: 1,
        IN_PROGRESS: 0,
        DONE: 1,
        REJECTED: 0,
        TRANSFERRED: 1,
    }
    assert complaints.stats_by_department(db) == {"도로과": 2, "미지정": 1}


def test_purge_closed_keeps_open_and_recent_complaints(db):
    """The consent text promises deletion after the retention period; nothing purged it before."""
    old = datetime(2020, 1, 1, tzinfo=UTC)
    done = make(db, "p1", now=old)
    complaints.change_status(db, done.receipt, DONE, actor_id=9, now=old)
    still_open = make(db, "p2", now=old)
    recent = make(db, "p3")
    complaints.change_status(db, recent.receipt, REJECTED, actor_id=9, now=NOW)
    assert complaints.purge_closed(db, days=1095, now=NOW) == 1
    assert complaints.get_complaint(db, done.receipt) is None
    assert complaints.history(db, done.receipt) == []
    assert complaints.get_complaint(db, still_open.receipt) and complaints.get_complaint(
        db, recent.receipt
    )
    with pytest.raises(ValueError):
        complaints.purge_closed(db, days=-1)


def test_notes_and_views_are_history_for_staff_without_a_notice(db):
    complaint = make(db)
    complaints.add_note(db, complaint.receipt, actor_id=7, text="전화로 확인함", now=NOW)
    complaints.record_view(db, complaint.receipt, actor_id=8, what="첨부 열람", now=NOW)
    events = [
        (e["kind"], e["actor_id"], e["note"]) for e in complaints.history(db, complaint.receipt)
    ]
    assert events[1:] == [("note", 7, "전화로 확인함"), ("view", 8, "첨부 열람")]
    assert outbox.due(db, now=NOW) == []
    with pytest.raises(ValueError):
        complaints.add_note(db, complaint.receipt, actor_id=7, text="  ")
    with pytest.raises(ComplaintNotFound):
        complaints.record_view(db, "20200101-ZZZZ", actor_id=8, what="상세 열람")
