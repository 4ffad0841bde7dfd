"""Type, due date, extension, digest, progress notices and the filtered inbox."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from db.complaints import DONE, get_complaint, history
from db.database import KST
from db.deadlines import GRIEVANCE, OTHER, QUERY, QUERY_LAW, UnknownType
from db.office_calendar import add_closed_day, set_statutory_period
from db.workbench import (
    BadExtension,
    ComplaintClosed,
    DeadlineAlreadyExtended,
    InboxFilter,
    deadline_compliance,
    due_digest,
    inbox,
    volume_by_department_and_week,
)
from display import extension_problem
from notices import change_status, extend_deadline, send_progress_notices, set_type

CITIZEN = 42
# Tue 2025-03-04 10:00 KST, a plain working week.
FILED = datetime(2025, 3, 4, 10, tzinfo=KST)


@pytest.fixture
def make(file_complaint):
    def make(db, n=1, content="가로등이 고장났어요", when=FILED, department="도로과"):
        return file_complaint(
            db,
            content,
            idempotency_key=f"k{n}",
            department=department,
            region="전주시",
            now=when,
        )

    return make


def notices(db) -> list[str]:
    return [row["text"] for row in db["outbox"].rows_where(order_by="id")]


def test_a_new_complaint_gets_a_suggested_type_and_its_due_date(db, make):
    complaint = make(db)
    assert complaint.complaint_type == GRIEVANCE
    assert datetime.fromisoformat(complaint.due_at) == datetime(2025, 3, 12, 18, tzinfo=KST)
    query = make(db, 2, content="여권 재발급 절차가 궁금합니다")
    assert query.complaint_type == QUERY


def test_an_admin_closed_day_moves_later_due_dates(db, make):
    add_closed_day(db, date(2025, 3, 7), reason="개청 기념일", added_by=900)
    assert datetime.fromisoformat(make(db).due_at) == datetime(2025, 3, 13, 18, tzinfo=KST)


def test_changing_the_type_counts_the_due_date_again_and_tells_the_citizen(db, make):
    complaint = make(db)
    changed = set_type(db, complaint.receipt, QUERY_LAW, actor_id=800, now=FILED)
    assert changed.complaint_type == QUERY_LAW
    assert datetime.fromisoformat(changed.due_at) == datetime(2025, 3, 21, 18, tzinfo=KST)
    assert history(db, complaint.receipt)[-1]["kind"] == "type"
    assert notices(db) == [
        f"[민원 {complaint.receipt}] 민원 유형이 '질의(법령해석)'(으)로 정해져 "
        "처리기한이 2025-03-21 18:00입니다."
    ]
    with pytest.raises(UnknownType):
        set_type(db, complaint.receipt, "아무거나", actor_id=800)


def test_statutory_types_use_the_admin_table(db, make):
    set_statutory_period(db, "여권 발급", 4, updated_by=900)
    changed = set_type(db, make(db).receipt, "법정:여권 발급", actor_id=800)
    # 4 days = 32 working hours from Tue 10:00: Mon 3/10 10:00.
    assert datetime.fromisoformat(changed.due_at) == datetime(2025, 3, 10, 10, tzinfo=KST)
    with pytest.raises(ValueError):
        set_statutory_period(db, "너무 긴 것", 700, updated_by=900)


def test_one_extension_with_reason_is_told_to_the_citizen(db, make):
    complaint = make(db)
    extended = extend_deadline(
        db, complaint.receipt, date(2025, 3, 20), reason="현장 조사 필요", actor_id=800, now=FILED
    )
    assert datetime.fromisoformat(extended.due_at) == datetime(2025, 3, 20, 18, tzinfo=KST)
    assert extended.extension_reason == "현장 조사 필요"
    assert notices(db)[-1] == (
        f"[민원 {complaint.receipt}] 처리기한이 2025-03-20 18:00(으)로 "
        "연장되었습니다.\n사유: 현장 조사 필요"
    )
    with pytest.raises(DeadlineAlreadyExtended):
        extend_deadline(
            db, complaint.receipt, date(2025, 3, 27), reason="또", actor_id=800, now=FILED
        )


@pytest.mark.parametrize(
    "new_due, reason, message",
    [
        (date(2025, 3, 20), " ", "사유"),
        (date(2025, 3, 15), "주말", "근무일이 아닙니다"),
        (date(2025, 3, 11), "앞당김", "늦어야 합니다"),
    ],
)
def test_bad_extensions_are_refused(db, new_due, reason, message, make):
    complaint = make(db)
    with pytest.raises(BadExtension) as refused:
        extend_deadline(db, complaint.receipt, new_due, reason=reason, actor_id=800, now=FILED)
    assert message in extension_problem(refused.value)
    assert get_complaint(db, complaint.receipt).extended_at is None


def test_closed_complaints_keep_their_deadline(db, make):
    complaint = make(db)
    change_status(db, complaint.receipt, DONE, actor_id=800)
    with pytest.raises(ComplaintClosed):
        extend_deadline(
            db, complaint.receipt, date(2025, 3, 20), reason="x", actor_id=800, now=FILED
        )


def test_digest_sorts_open_complaints_by_urgency(db, make):
    overdue = make(db, 1, when=datetime(2025, 2, 3, 10, tzinfo=KST))
    today = make(db, 2, content="기타 요청", when=datetime(2025, 3, 4, 9, tzinfo=KST))
    set_type(db, today.receipt, OTHER, actor_id=800)  # due 3/4 12:00
    soon = make(db, 3, when=datetime(2025, 2, 25, 10, tzinfo=KST))  # 3/3 off: due 3/6
    later = make(db, 4)
    done = make(db, 5, when=datetime(2025, 2, 3, 10, tzinfo=KST))
    change_status(db, done.receipt, DONE, actor_id=800)
    digest = due_digest(db, now=datetime(2025, 3, 4, 10, 30, tzinfo=KST))
    assert [c.receipt for c in digest.overdue] == [overdue.receipt]
    assert [c.receipt for c in digest.today] == [today.receipt]
    assert [c.receipt for c in digest.soon] == [soon.receipt]
    assert later.receipt not in {c.receipt for c in digest.overdue + digest.today + digest.soon}


def test_progress_notice_after_thirty_days_then_every_thirty(db, make):
    old = make(db, 1, when=datetime(2025, 1, 2, 10, tzinfo=KST))
    make(db, 2)
    now = datetime(2025, 2, 5, 10, tzinfo=KST)
    assert send_progress_notices(db, now=now) == 1
    assert notices(db)[-1].startswith(
        f"[민원 {old.receipt}] 접수하신 민원을 아직 처리하고 있습니다."
    )
    assert send_progress_notices(db, now=now + timedelta(days=1)) == 0
    assert send_progress_notices(db, now=now + timedelta(days=30)) == 1


def test_inbox_filters_sorts_and_searches(db, make):
    a = make(db, 1, content="가로등 고장 100% 안 켜짐", department="도로과")
    b = make(
        db,
        2,
        content="여권 재발급 절차가 궁금합니다",
        department="민원과",
        when=datetime(2025, 3, 5, 10, tzinfo=KST),
    )
    c = make(
        db,
        3,
        content="쓰레기 무단투기",
        department="도로과",
        when=datetime(2025, 2, 3, 10, tzinfo=KST),
    )
    now = datetime(2025, 3, 5, 11, tzinfo=KST)
    assert [x.receipt for x in inbox(db, InboxFilter(), now=now)[1]] == [
        c.receipt,
        a.receipt,
        b.receipt,
    ]
    assert inbox(db, InboxFilter(sort="new"), now=now)[1][0].receipt == b.receipt
    assert [x.receipt for x in inbox(db, InboxFilter(department="도로과", sort="new"))[1]] == [
        a.receipt,
        c.receipt,
    ]
    assert [x.receipt for x in inbox(db, InboxFilter(text="100%"))[1]] == [a.receipt]
    assert [x.receipt for x in inbox(db, InboxFilter(due="overdue"), now=now)[1]] == [c.receipt]
    assert inbox(db, InboxFilter(complaint_type=QUERY))[0] == 1
    assert [x.receipt for x in inbox(db, InboxFilter(since=date(2025, 3, 5)))[1]] == [b.receipt]
    assert [x.receipt for x in inbox(db, InboxFilter(until=date(2025, 2, 28)))[1]] == [c.receipt]


def test_dashboard_figures(db, make):
    on_time = make(db, 1)
    late = make(db, 2, when=datetime(2025, 2, 3, 10, tzinfo=KST))
    make(db, 3, when=datetime(2025, 2, 4, 10, tzinfo=KST), department="민원과")
    change_status(
        db, on_time.receipt, DONE, actor_id=800, now=datetime(2025, 3, 5, 10, tzinfo=KST)
    )
    change_status(db, late.receipt, DONE, actor_id=800, now=datetime(2025, 3, 5, 10, tzinfo=KST))
    compliance = deadline_compliance(db, now=datetime(2025, 3, 5, 11, tzinfo=KST))
    assert compliance == {
        "2025-02": {"on_time": 0, "late": 1, "overdue": 1},
        "2025-03": {"on_time": 1, "late": 0, "overdue": 0},
    }
    volume = volume_by_department_and_week(db, now=datetime(2025, 3, 5, tzinfo=KST))
    assert volume == {"도로과": {"2025-W05": 1, "2025-W09": 1}, "민원과": {"2025-W05": 1}}
