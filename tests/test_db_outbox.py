"""Outbox: due notifications, sending, backoff and dead-lettering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from db import outbox
from db.outbox import MAX_ATTEMPTS, NotificationNotFound

NOW = datetime(2025, 3, 1, 3, 0, tzinfo=UTC)


def test_enqueued_notifications_are_due_oldest_first(db):
    first = outbox.enqueue(db, 1, "첫째", kind="status", now=NOW)
    second = outbox.enqueue(db, 2, "둘째", kind="reply", now=NOW + timedelta(seconds=1))
    assert [n.id for n in outbox.due(db, now=NOW + timedelta(seconds=1))] == [first, second]
    assert [n.id for n in outbox.due(db, now=NOW)] == [first]
    assert outbox.due(db, now=NOW - timedelta(seconds=1)) == []
    assert [n.id for n in outbox.due(db, now=NOW + timedelta(days=1), limit=1)] == [first]


def test_sent_notifications_are_no_longer_due(db):
    notification_id = outbox.enqueue(db, 1, "안내", kind="status", now=NOW)
    outbox.mark_sent(db, notification_id, now=NOW)
    assert outbox.due(db, now=NOW + timedelta(days=1)) == []
    assert outbox.get(db, notification_id).sent_at == "2025-03-01T03:00:00.000000+00:00"


def test_failure_backs_off_exponentially(db):
    notification_id = outbox.enqueue(db, 1, "안내", kind="status", now=NOW)
    delays = []
    for _ in range(4):
        failed = outbox.mark_failed(
            db, notification_id, "Timed out", retry_after_seconds=0, now=NOW
        )
        delays.append(datetime.fromisoformat(failed.next_attempt_at) - NOW)
    assert delays == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert (failed.attempts, failed.last_error, failed.dead) == (4, "Timed out", False)
    assert outbox.due(db, now=NOW + timedelta(seconds=239)) == []
    assert [n.id for n in outbox.due(db, now=NOW + timedelta(seconds=240))] == [notification_id]


@pytest.mark.parametrize("retry_after", [3, 300])
def test_telegram_retry_after_is_obeyed_exactly_and_counts_no_attempt(db, retry_after):
    notification_id = outbox.enqueue(db, 1, "안내", kind="status", now=NOW)
    outbox.mark_failed(db, notification_id, "Timed out", retry_after_seconds=0, now=NOW)
    for _ in range(3):
        deferred = outbox.mark_failed(
            db, notification_id, "Flood control", retry_after_seconds=retry_after, now=NOW
        )
        assert datetime.fromisoformat(deferred.next_attempt_at) == NOW + timedelta(
            seconds=retry_after
        )
    assert (deferred.attempts, deferred.dead) == (1, False)
    failed = outbox.mark_failed(db, notification_id, "Timed out", retry_after_seconds=0, now=NOW)
    assert datetime.fromisoformat(failed.next_attempt_at) == NOW + timedelta(seconds=60)


def test_backoff_is_capped_at_an_hour(db):
    notification_id = outbox.enqueue(db, 1, "안내", kind="status", now=NOW)
    delays = []
    for _ in range(MAX_ATTEMPTS - 1):
        failed = outbox.mark_failed(db, notification_id, "down", retry_after_seconds=0, now=NOW)
        delays.append((datetime.fromisoformat(failed.next_attempt_at) - NOW).total_seconds())
    assert delays[-3:] == [1920, 3600, 3600]


def test_after_ten_failures_the_notification_is_dead_but_kept(db):
    notification_id = outbox.enqueue(db, 1, "안내", kind="status", now=NOW)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        failed = outbox.mark_failed(
            db, notification_id, f"error {attempt}", retry_after_seconds=0, now=NOW
        )
        assert failed.dead == (attempt == MAX_ATTEMPTS)
    assert outbox.due(db, now=NOW + timedelta(days=365)) == []
    kept = outbox.get(db, notification_id)
    assert (kept.attempts, kept.dead, kept.last_error, kept.text) == (10, True, "error 10", "안내")


def kill(db, notification_id: int) -> None:
    for attempt in range(MAX_ATTEMPTS):
        outbox.mark_failed(
            db,
            notification_id,
            f"Forbidden: bot was blocked ({attempt})",
            retry_after_seconds=0,
            now=NOW,
        )


def test_delivery_stats_count_what_is_still_tried_and_what_was_given_up(db):
    assert outbox.delivery_stats(db) == outbox.DeliveryStats(0, 0, ())
    sent = outbox.enqueue(db, 1, "보냄", kind="status", now=NOW)
    outbox.mark_sent(db, sent, now=NOW)
    outbox.enqueue(db, 2, "대기", kind="reply", now=NOW)
    dead = [outbox.enqueue(db, 3 + n, f"실패 {n}", kind="status", now=NOW) for n in range(4)]
    for notification_id in dead:
        kill(db, notification_id)
    stats = outbox.delivery_stats(db, shown=3)
    assert (stats.pending, stats.dead) == (1, 4)
    assert [n.id for n in stats.latest_dead] == dead[:0:-1]  # the newest three


def test_unknown_notification(db):
    with pytest.raises(NotificationNotFound):
        outbox.mark_sent(db, 404)
    with pytest.raises(NotificationNotFound):
        outbox.mark_failed(db, 404, "x", retry_after_seconds=0)


def test_the_sent_message_id_is_kept_to_find_a_post_again(db):
    post = outbox.enqueue(db, -100, "[새 민원] 20250301-AB2C\n내용", kind="staff", now=NOW)
    other = outbox.enqueue(db, -100, "[새 민원] 20250301-AB2D\n내용", kind="staff", now=NOW)
    reply = outbox.enqueue(db, 5, "[새 민원] 20250301-AB2C\n", kind="reply", now=NOW)
    for notification_id, message_id in ((post, 41), (other, 42), (reply, 43)):
        outbox.mark_sent(db, notification_id, message_id=message_id, now=NOW)
    assert outbox.get(db, post).message_id == 41
    found = outbox.sent_messages(db, kind="staff", text_prefix="[새 민원] 20250301-AB2C\n")
    assert found == [(-100, 41)]
    assert outbox.sent_messages(db, kind="staff", text_prefix="[새 민원] 2025%") == []
    assert outbox.sent_messages(db, kind="staff", text_prefix="[새 민원] 20250301_AB2C") == []
