"""Similar open complaints: text and distance on both sides of their thresholds, links that
share answers, repeated complaints closed with a note (§23)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from db.complaints import DONE, get_complaint, history
from db.database import KST
from db.duplicates import (
    SIMILAR_TEXT_MIN,
    SameComplaint,
    distance_m,
    link,
    linked,
    similar_open,
    text_similarity,
)
from notices import change_status, close_as_repeated, reply_to_linked

FILED = datetime(2025, 3, 4, 10, tzinfo=KST)
# The pairs SIMILAR_TEXT_MIN was measured on: (a, b, same problem?).
PAIRS = [
    ("가로등이 고장났어요 밤에 너무 어두워요", "우리 집 앞 가로등이 고장나서 어두워요", True),
    ("도로에 구멍이 패였어요", "도로 구멍 때문에 타이어가 터졌어요", True),
    ("불법 주차 차량 신고합니다", "불법주차 신고", True),
    ("가로등이 고장났어요", "쓰레기 무단투기가 심합니다", False),
    ("여권 재발급 절차가 궁금합니다", "가로등이 고장났어요", False),
]


@pytest.fixture
def make(file_complaint):
    def make(db, n, content, when=FILED, location=None, user=42):
        lat, lon = location or (None, None)
        return file_complaint(
            db,
            content,
            user_id=user,
            idempotency_key=f"k{n}",
            department="도로과",
            region="전주시",
            latitude=lat,
            longitude=lon,
            now=when,
        )

    return make


@pytest.mark.parametrize("a, b, same", PAIRS)
def test_the_text_threshold_separates_the_measured_pairs(a, b, same):
    assert (text_similarity(a, b) >= SIMILAR_TEXT_MIN) is same


def test_similar_needs_text_time_distance_and_an_open_status(db, make):
    first = make(db, 1, PAIRS[0][0], when=FILED - timedelta(days=3), location=(35.8200, 127.1480))
    make(db, 2, PAIRS[0][0], when=FILED - timedelta(days=31))  # too old
    make(db, 3, "쓰레기 무단투기가 심합니다", when=FILED - timedelta(days=1))
    far = make(db, 4, PAIRS[0][0], when=FILED - timedelta(days=2), location=(35.8300, 127.1480))
    closed = make(db, 5, PAIRS[0][0], when=FILED - timedelta(days=1))
    change_status(db, closed.receipt, DONE, actor_id=800)
    new = make(db, 6, PAIRS[0][1], location=(35.8205, 127.1482))  # about 58 m from the first
    assert 50 < distance_m(new, first) < 70 and distance_m(new, far) > 1000
    assert [s.complaint.receipt for s in similar_open(db, new)] == [first.receipt]


def test_linked_complaints_share_one_answer(db, make):
    a, b, c = (make(db, n, PAIRS[0][0], user=40 + n) for n in (1, 2, 3))
    link(db, a.receipt, b.receipt, actor_id=800)
    link(db, b.receipt, c.receipt, actor_id=800)
    link(db, a.receipt, b.receipt, actor_id=800)  # again: nothing changes
    assert linked(db, a.receipt) == sorted([b.receipt, c.receipt])
    change_status(db, c.receipt, DONE, actor_id=800)
    assert reply_to_linked(db, a.receipt, actor_id=800, text="내일 고칩니다") == [
        a.receipt,
        b.receipt,
    ]
    replies = list(db["outbox"].rows_where("kind = 'reply'", order_by="id"))
    assert [r["chat_id"] for r in replies] == [41, 42]
    with pytest.raises(SameComplaint):
        link(db, a.receipt, a.receipt, actor_id=800)


def test_a_repeated_complaint_is_closed_pointing_at_the_first(db, make):
    first = make(db, 1, PAIRS[0][0])
    again = make(db, 2, PAIRS[0][0])
    close_as_repeated(
        db, again.receipt, first.receipt, actor_id=800, text="앞선 답변을 참고해 주세요"
    )
    assert get_complaint(db, again.receipt).status == DONE
    assert history(db, again.receipt)[-1]["note"].startswith(
        f"반복 민원으로 종결합니다(민원처리법 §23, 앞선 민원 {first.receipt})."
    )
    assert linked(db, again.receipt) == [first.receipt]
