"""The complaint changes a citizen is told about: the change and its notice (display's words)
are stored in one transaction, or neither."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

import notices
from complaint_rows import NOW, make
from db import complaints, outbox
from db.complaints import DONE, IN_PROGRESS, RECEIVED
from db.deadlines import QUERY_LAW
from db.workbench import BadExtension
from display import extension_problem, kst_text


def test_change_status_writes_history_and_notifies_the_complainant(db):
    complaint = make(db)
    later = NOW + timedelta(hours=1)
    changed = notices.change_status(
        db, complaint.receipt, IN_PROGRESS, actor_id=5, note="담당자가 확인 중입니다", now=later
    )
    assert changed.updated_at == "2025-03-01T04:00:00.000000+00:00"
    last = complaints.history(db, complaint.receipt)[-1]
    assert {k: last[k] for k in ("kind", "actor_id", "from_status", "to_status", "note")} == {
        "kind": "status",
        "actor_id": 5,
        "from_status": RECEIVED,
        "to_status": IN_PROGRESS,
        "note": "담당자가 확인 중입니다",
    }
    [notice] = outbox.due(db, now=later)
    assert (notice.chat_id, notice.kind) == (22, "status")
    assert notice.text == (
        f"[민원 {complaint.receipt}] 상태가 '처리중'(으)로 바뀌었습니다.\n담당자가 확인 중입니다"
    )


def test_change_status_without_note(db):
    complaint = make(db)
    notices.change_status(db, complaint.receipt, DONE, actor_id=5, now=NOW)
    assert [n.text for n in outbox.due(db, now=NOW)] == [
        f"[민원 {complaint.receipt}] 상태가 '완료'(으)로 바뀌었습니다."
    ]


def test_change_status_is_one_transaction(db, monkeypatch):
    complaint = make(db)

    def telegram_outbox_broken(*args, **kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(outbox, "enqueue", telegram_outbox_broken)
    with pytest.raises(RuntimeError, match="outbox unavailable"):
        notices.change_status(db, complaint.receipt, IN_PROGRESS, actor_id=5)
    assert complaints.get_complaint(db, complaint.receipt) == complaint
    assert len(complaints.history(db, complaint.receipt)) == 1
    assert db["outbox"].count == 0
    assert not db.conn.in_transaction


def test_add_reply_records_and_notifies_in_one_transaction(db, monkeypatch):
    complaint = make(db)
    replied = notices.add_reply(db, complaint.receipt, actor_id=5, text="내일 수리합니다", now=NOW)
    assert replied.status == RECEIVED
    last = complaints.history(db, complaint.receipt)[-1]
    assert (last["kind"], last["actor_id"], last["note"]) == ("reply", 5, "내일 수리합니다")
    assert [n.text for n in outbox.due(db, now=NOW)] == [
        f"[민원 {complaint.receipt}] 담당자 답변: 내일 수리합니다"
    ]

    monkeypatch.setattr(outbox, "enqueue", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        notices.add_reply(db, complaint.receipt, actor_id=5, text="두 번째")
    assert len(complaints.history(db, complaint.receipt)) == 2


def test_a_reply_with_the_same_key_is_stored_and_queued_once(db):
    complaint = make(db)
    notices.add_reply(
        db, complaint.receipt, actor_id=7, text="답변", idempotency_key="-100:5", now=NOW
    )
    with pytest.raises(complaints.AlreadyReplied):
        notices.add_reply(
            db, complaint.receipt, actor_id=7, text="답변", idempotency_key="-100:5", now=NOW
        )
    notices.add_reply(db, complaint.receipt, actor_id=7, text="다른 답변", now=NOW)
    notices.add_reply(db, complaint.receipt, actor_id=7, text="또 다른 답변", now=NOW)
    assert [n.text.split(": ", 1)[1] for n in outbox.due(db, now=NOW)] == [
        "답변",
        "다른 답변",
        "또 다른 답변",
    ]


def test_db_changes_alone_queue_nothing_for_the_citizen(db):
    """db/ stores the change and returns data; the notice is notices.py's to queue."""
    complaint = make(db)
    complaints.add_reply(db, complaint.receipt, actor_id=5, text="내일 수리합니다", now=NOW)
    complaints.change_status(db, complaint.receipt, DONE, actor_id=5, now=NOW)
    assert db["outbox"].count == 0


def test_type_and_extension_notes_are_worded_for_staff(db):
    complaint = make(db)
    typed = notices.set_type(db, complaint.receipt, QUERY_LAW, actor_id=5, now=NOW)
    notices.extend_deadline(
        db, complaint.receipt, date(2025, 4, 30), reason=" 현장  조사 필요 ", actor_id=5, now=NOW
    )
    notes = [e["note"] for e in complaints.history(db, complaint.receipt)[1:]]
    assert notes == [
        f"민원 유형 고충 → 질의(법령해석), 처리기한 {kst_text(typed.due_at)}",
        "처리기한 연장 → 2025-04-30: 현장 조사 필요",
    ]
    assert [n.text for n in outbox.due(db, now=NOW)] == [
        f"[민원 {complaint.receipt}] 민원 유형이 '질의(법령해석)'(으)로 정해져 처리기한이 "
        f"{kst_text(typed.due_at)}입니다.",
        f"[민원 {complaint.receipt}] 처리기한이 2025-04-30 18:00(으)로 연장되었습니다.\n"
        "사유: 현장 조사 필요",
    ]


def test_an_extension_earlier_than_the_due_date_is_refused_in_words(db):
    complaint = make(db)
    with pytest.raises(BadExtension) as refused:
        notices.extend_deadline(
            db, complaint.receipt, date(2025, 3, 4), reason="앞당김", actor_id=5, now=NOW
        )
    assert extension_problem(refused.value) == (
        f"새 처리기한은 지금 기한({kst_text(complaint.due_at)})보다 늦어야 합니다."
    )
    assert db["outbox"].count == 0


def test_a_repeated_complaint_is_linked_closed_and_told_why(db):
    first = make(db)
    again = make(db, key="update-2", now=NOW + timedelta(days=1))
    notices.close_as_repeated(
        db, again.receipt, first.receipt.lower(), actor_id=5, text="앞선 답변을 참고해 주세요"
    )
    note = (
        f"반복 민원으로 종결합니다(민원처리법 §23, 앞선 민원 {first.receipt}).\n"
        "앞선 답변을 참고해 주세요"
    )
    assert complaints.history(db, again.receipt)[-1]["note"] == note
    assert complaints.get_complaint(db, again.receipt).status == DONE
    rows = list(db["outbox"].rows_where(order_by="id"))
    assert [(r["kind"], r["text"].split("\n")[0]) for r in rows] == [
        ("status", f"[민원 {again.receipt}] 상태가 '완료'(으)로 바뀌었습니다."),
        ("survey", f"[만족도 조사] {again.receipt}"),
    ]
