"""Retention: every table keeps what it holds no longer than README and the consent text say.

The clock is fast-forwarded by passing ``now`` to the purge: the rows keep their real times.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import notices
from db import complaints, outbox
from db.complaints import DONE, IN_PROGRESS, list_complaints
from db.persistence import SQLitePersistence
from db.retention import RETENTION, purge_expired
from handlers.jobs import deliver_due

CITIZEN, OTHER, DRAFTING, STAFF, ADMIN = 42, 43, 44, 800, 900
NOW = datetime(2025, 3, 1, 3, 0, tzinfo=UTC)
COMPLAINT_DAYS, LOG_DAYS = 1095, 90


def test_every_table_has_a_retention_rule(db):
    """A table added without a rule in db.retention.RETENTION fails here."""
    assert sorted(db.table_names()) == sorted(RETENTION)


def counts(db) -> dict[str, int]:
    return {table: db[table].count for table in db.table_names() if db[table].count}


async def file_complaint(me, content: str) -> None:
    await me.send("/complaint")
    await me.send(content)
    await me.press("다음 ▶")
    await me.press("잘 모르겠어요")
    await me.press("익명으로 접수")
    await me.press("접수하기")


async def test_after_the_retention_period_no_table_holds_personal_data(local_bot):
    """Issue 10 #9: closed complaints went, but their outbox rows (staff post, answers, notices),
    persisted user data, conversations and denied attempts stayed forever."""
    db, app = local_bot.db, local_bot.application
    await file_complaint(local_bot.chat(CITIZEN), "우리 집 앞 가로등이 고장났어요")
    await file_complaint(local_bot.chat(OTHER), "공원 벤치가 부서졌어요")
    closed, still_open = sorted(list_complaints(db), key=lambda c: c.user_id)
    notices.add_reply(db, closed.receipt, actor_id=STAFF, text="내일 고치겠습니다")
    notices.change_status(db, closed.receipt, DONE, actor_id=STAFF, note="교체했습니다")
    notices.change_status(db, still_open.receipt, IN_PROGRESS, actor_id=STAFF)
    await local_bot.chat(CITIZEN).send("외계인 등록증 재발급 수수료가 얼마인가요")  # question log
    await local_bot.chat(CITIZEN).send("/inbox")  # denied attempt
    await local_bot.chat(ADMIN).send("/grant 555 staff")
    await local_bot.chat(ADMIN).send("/revoke 555")
    drafting = local_bot.chat(DRAFTING)
    await drafting.send("/complaint")
    await drafting.send("쓰다 만 민원")  # a draft: user data and a conversation state
    await deliver_due(app.bot, local_bot.store)
    await app.update_persistence()
    await app.persistence.flush()  # user data and conversations are written by their thread
    await local_bot.store.flush()  # the question log row is queued
    before = counts(db)
    assert {
        "complaints",
        "complaint_history",
        "outbox",
        "questions",
        "denied_attempts",
        "staff",
        "persistence_user_data",
        "persistence_conversations",
    } <= set(before)

    now = datetime.now(UTC)
    purge_expired(
        db, complaint_days=COMPLAINT_DAYS, log_days=LOG_DAYS, now=now + timedelta(days=1)
    )
    assert counts(db) == before

    purge_expired(
        db,
        complaint_days=COMPLAINT_DAYS,
        log_days=LOG_DAYS,
        now=now + timedelta(days=LOG_DAYS + 1),
    )
    left = counts(db)
    assert not {
        "questions",
        "denied_attempts",
        "persistence_user_data",
        "persistence_conversations",
    } & set(left)
    assert left["complaints"] == 2

    purge_expired(
        db,
        complaint_days=COMPLAINT_DAYS,
        log_days=LOG_DAYS,
        now=now + timedelta(days=COMPLAINT_DAYS + 1),
    )
    assert [c.receipt for c in list_complaints(db)] == [still_open.receipt]  # open: kept
    assert db["complaint_history"].count_where("receipt != ?", [still_open.receipt]) == 0
    assert counts(db) == {
        "_migrations": len(list(db["_migrations"].rows)),
        "complaints": 1,
        "complaint_history": 2,
    }


def test_purging_a_complaint_takes_its_outbox_rows_sent_or_not(db, file_complaint):
    old = NOW - timedelta(days=COMPLAINT_DAYS + 1)
    filed = file_complaint(
        db,
        "가로등 고장",
        user_id=CITIZEN,
        idempotency_key="k",
        now=old,
        on_created=lambda d, c: outbox.enqueue(
            d, -100, f"[새 민원] {c.receipt}", kind="staff", receipt=c.receipt, now=old
        ),
    )
    outbox.enqueue(db, -100, f"[민원 {filed.receipt}] 예전 방식의 행", kind="status", now=old)
    notices.change_status(db, filed.receipt, DONE, actor_id=STAFF, now=old)
    unrelated = outbox.enqueue(db, OTHER, "다른 알림", kind="status", now=NOW)
    assert complaints.purge_closed(db, days=COMPLAINT_DAYS, now=NOW) == 1
    assert [row["id"] for row in db["outbox"].rows] == [unrelated]


@pytest.mark.parametrize(
    ("sent", "dead", "age_days", "kept"),
    [
        (True, False, COMPLAINT_DAYS + 1, False),
        (False, True, COMPLAINT_DAYS + 1, False),
        (True, False, COMPLAINT_DAYS - 1, True),
        (False, False, COMPLAINT_DAYS + 1, True),  # still being tried: never thrown away unsent
    ],
)
def test_delivered_or_dead_notifications_go_after_the_retention(db, sent, dead, age_days, kept):
    queued = NOW - timedelta(days=age_days)
    notice = outbox.enqueue(db, CITIZEN, "알림", kind="status", now=queued)
    if sent:
        outbox.mark_sent(db, notice, now=queued)
    if dead:
        db["outbox"].update(notice, {"dead": 1})
    purge_expired(db, complaint_days=COMPLAINT_DAYS, log_days=LOG_DAYS, now=NOW)
    assert db["outbox"].count == int(kept)


async def test_the_daily_job_forgets_stale_user_data_in_memory_too(local_bot):
    me = local_bot.chat(CITIZEN)
    await me.send("/complaint")
    await me.send("쓰다 만 민원")
    await local_bot.application.update_persistence()
    await local_bot.application.persistence.flush()
    long_ago = (datetime.now(UTC) - timedelta(days=LOG_DAYS + 1)).isoformat()
    for table in ("persistence_user_data", "persistence_conversations"):
        local_bot.db.execute(f"update {table} set updated_at = ?", [long_ago])
    [job] = local_bot.application.job_queue.get_jobs_by_name("purge expired")
    await job.run(local_bot.application)
    await local_bot.application.update_persistence()
    await local_bot.application.persistence.flush()
    assert CITIZEN not in local_bot.application.user_data
    assert local_bot.db["persistence_user_data"].count == 0
    assert local_bot.db["persistence_conversations"].count == 0


async def test_stale_conversation_data_is_not_loaded_at_start(tmp_path):
    path = tmp_path / "bot.db"
    first = SQLitePersistence(path)
    await first.update_user_data(CITIZEN, {"last_question": "오래된 질문"})
    await first.update_user_data(OTHER, {"last_question": "새 질문"})
    await first.update_conversation("complaint", (CITIZEN, CITIZEN), 1)
    await first.flush()
    long_ago = (datetime.now(UTC) - timedelta(days=LOG_DAYS + 1)).isoformat()
    first._db.execute(
        "update persistence_user_data set updated_at = ? where user_id = ?", [long_ago, CITIZEN]
    )
    first._db.execute("update persistence_conversations set updated_at = ?", [long_ago])
    first.close()
    second = SQLitePersistence(path, retention=timedelta(days=LOG_DAYS))
    assert await second.get_user_data() == {OTHER: {"last_question": "새 질문"}}
    assert await second.get_conversations("complaint") == {}
    second.close()


def test_workbench_tables_follow_their_complaint_or_expiry(db, file_complaint):
    """Satisfaction, links, console sessions, codes and failed sign-ins have a retention too."""
    from db import duplicates, satisfaction
    from web import auth

    def file(content: str):
        return file_complaint(db, content, user_id=CITIZEN, idempotency_key=content, now=NOW)

    closed, still_open = file("가로등 고장"), file("보도블록 파손")
    notices.change_status(db, closed.receipt, DONE, actor_id=STAFF, now=NOW)
    satisfaction.rate(db, closed.receipt, user_id=CITIZEN, score=4, now=NOW)
    satisfaction.comment(db, closed.receipt, user_id=CITIZEN, text="친절 900101-1234567")
    assert "1234567" not in db["satisfaction"].get(closed.receipt)["comment"]
    duplicates.link(db, closed.receipt, still_open.receipt, actor_id=STAFF, now=NOW)
    auth.open_session(db, STAFF, now=NOW)
    auth.send_login_code(db, STAFF, now=NOW)
    auth.record_failure(db, "127.0.0.1", now=NOW)
    tables = (
        "satisfaction",
        "complaint_links",
        "web_sessions",
        "web_login_codes",
        "web_login_attempts",
    )
    assert all(db[t].count for t in tables)
    purge_expired(
        db,
        complaint_days=COMPLAINT_DAYS,
        log_days=LOG_DAYS,
        now=NOW + timedelta(days=COMPLAINT_DAYS + 1),
    )
    assert {t: db[t].count for t in tables} == dict.fromkeys(tables, 0)
    assert [c.receipt for c in list_complaints(db)] == [still_open.receipt]


def test_a_console_sign_in_code_leaves_the_outbox_after_a_day(db):
    from web import auth

    auth.send_login_code(db, STAFF, now=NOW)
    purge_expired(db, complaint_days=COMPLAINT_DAYS, log_days=LOG_DAYS, now=NOW)
    assert db["outbox"].count == 1  # still to be delivered
    purge_expired(
        db,
        complaint_days=COMPLAINT_DAYS,
        log_days=LOG_DAYS,
        now=NOW + timedelta(days=1, seconds=1),
    )
    assert db["outbox"].count == 0
