"""Scheduled jobs and logging: the outbox job delivers on its own, the question log is purged,
and no log line carries what a citizen wrote."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from db.questions import log_question
from handlers.app import configure_logging

CITIZEN, STAFF = 42, 800


async def test_jobs_are_scheduled_at_start(local_bot):
    names = {job.name for job in local_bot.application.job_queue.jobs()}
    assert {"outbox", "purge expired"} <= names


async def test_the_outbox_job_delivers_without_help(local_bot_factory, eventually, file_complaint):
    async with local_bot_factory(outbox_interval_seconds=0.1) as bot:
        stored = file_complaint(bot.db, "가로등 고장", user_id=CITIZEN)
        await bot.chat(STAFF).send(f"/close {stored.receipt}")
        await eventually(lambda: bot.api.texts(CITIZEN))
        assert bot.api.texts(CITIZEN) == [
            f"[민원 {stored.receipt}] 상태가 '완료'(으)로 바뀌었습니다."
        ]


async def test_the_daily_job_purges_old_questions(local_bot):
    long_ago = datetime.now(UTC) - timedelta(days=91)
    log_question(
        local_bot.db,
        user_id=1,
        query="오래된 질문",
        intent="question",
        band="answer",
        entry_id=None,
        score=None,
        now=long_ago,
    )
    log_question(
        local_bot.db,
        user_id=1,
        query="새 질문",
        intent="question",
        band="answer",
        entry_id=None,
        score=None,
    )
    [job] = local_bot.application.job_queue.get_jobs_by_name("purge expired")
    await job.run(local_bot.application)
    assert [row["query"] for row in local_bot.db["questions"].rows] == ["새 질문"]


async def test_no_log_line_carries_the_complaint_text(local_bot, caplog):
    saved = {name: logging.getLogger(name).level for name in ("telegram", "httpx", "apscheduler")}
    try:
        configure_logging("DEBUG")
        caplog.set_level(logging.DEBUG)
        me = local_bot.chat(CITIZEN)
        await me.send("/complaint")
        await me.send("옆집 김철수 씨가 쓰레기를 무단 투기합니다")
        await me.press("다음 ▶")
        await me.press("잘 모르겠어요")
        await me.press("익명으로 접수")  # the summary repeats the text to the citizen
        await me.press("접수하기")  # and the staff alert carries it
        assert "김철수" in local_bot.api.texts(-100500)[-1]
        assert "김철수" not in caplog.text
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


async def test_flood_control_waits_exactly_what_telegram_asked(local_bot):
    """Three 429s with retry_after 3 delay the staff post by about 9 s, not by the backoff."""
    from db import outbox
    from db.database import timestamp
    from handlers.jobs import STAFF_POST, deliver_due

    posted = outbox.enqueue(local_bot.db, -100, "새 민원", kind=STAFF_POST)
    now = datetime.now(UTC)
    for _ in range(3):
        local_bot.api.fail_next(
            "sendMessage", code=429, description="Too Many Requests", retry_after=3
        )
        assert await deliver_due(local_bot.application.bot, local_bot.store) == 0
        deferred = outbox.get(local_bot.db, posted)
        wait = datetime.fromisoformat(deferred.next_attempt_at) - datetime.now(UTC)
        assert timedelta(seconds=2) < wait <= timedelta(seconds=3)
        local_bot.db["outbox"].update(posted, {"next_attempt_at": timestamp(now)})
    assert await deliver_due(local_bot.application.bot, local_bot.store) == 1
    assert outbox.get(local_bot.db, posted).attempts == 0  # flood control is no failed attempt
