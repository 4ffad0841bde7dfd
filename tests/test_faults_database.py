"""The database is locked by another process, or its disk is full.

Locked: a second connection holds BEGIN EXCLUSIVE on the bot's file. Full: ``PRAGMA
max_page_count`` pins the bot's connections to the file's current size, so the next write that
needs a page fails with SQLITE_FULL ("database or disk is full"), exactly as a full disk does.
The bot's busy timeouts (1 s, and 0.25 s for python-telegram-bot persistence; see
handlers.app.DB_BUSY_TIMEOUT_MS) are cut to 0.1 s here: the same failure, sooner.

What these tests prove: the citizen gets "잠시 후 다시 시도해 주세요"; questions are still
answered; nothing half-written is left (no complaint without its history or staff post) and
PRAGMA integrity_check says ok; once the cause goes away the same citizen files with the same
tap; a notification is never lost (it may be sent twice, see the last test).
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from db import outbox
from db.complaints import list_complaints
from handlers.errors import TRY_LATER_TEXT
from handlers.jobs import deliver_due

CITIZEN, OTHER, STAFF, STAFF_CHAT = 42, 43, 800, -100500
QUESTION, ANSWER = "새마을지도자 자녀 장학금 조건", "[새마을지도자 자녀 장학금 지원]"
LONG_CONTENT = "도로 파손 " * 600  # needs new pages: a full disk cannot take it


def pragma(db, statement: str) -> None:
    db.execute(statement)


def fill_the_disk(db) -> None:
    """No page more than the file has now: the next write needing one fails as on a full disk."""
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")


async def on_both_connections(bot, change, *args) -> None:
    """``change(db, *args)`` on the bot's two writing connections: the store's, on its writer
    thread, and python-telegram-bot persistence's."""
    await bot.store.write(change, *args)
    change(bot.application.persistence._db, *args)


@pytest.fixture
async def bot(local_bot):
    await on_both_connections(local_bot, pragma, "PRAGMA busy_timeout = 100")
    return local_bot


async def file_until_summary(me, content: str = "가로등이 깜빡여요") -> int:
    await me.send("/complaint")
    await me.send(content)
    await me.press("다음 ▶")
    await me.press("잘 모르겠어요")
    await me.press("익명으로 접수")
    return me.api.sent(me.user_id, "sendMessage")[-1].message_id  # edited into the summary


def said(calls) -> str:
    return "\n".join(c.text for c in calls if c.method in ("sendMessage", "editMessageText"))


def integrity(path) -> list[tuple]:
    with sqlite3.connect(path) as check:
        return check.execute("PRAGMA integrity_check").fetchall()


def assert_nothing_half_written(db) -> None:
    """Every complaint has its first history row and its staff post, and nothing else exists."""
    receipts = {c.receipt for c in list_complaints(db, limit=100)}
    history = {row["receipt"] for row in db["complaint_history"].rows}
    posts = [row for row in db["outbox"].rows if row["kind"] == "staff"]
    assert history == receipts and len(posts) == len(receipts)


async def submit_after_recovery(bot, me, summary_id: int) -> None:
    """The citizen taps [접수하기] on the same summary again, and it is filed at this tap."""
    calls = await me.press(data="c:ok", message_id=summary_id)
    assert "접수번호:" in said(calls)


async def test_a_locked_database_asks_to_try_later_and_recovers(bot):
    me = bot.chat(CITIZEN)
    summary_id = await file_until_summary(me)
    locker = sqlite3.connect(bot.settings.database_path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        assert TRY_LATER_TEXT in said(await me.press("접수하기"))
        assert list_complaints(bot.db) == []  # readers are not blocked (WAL)
        assert ANSWER in said(await bot.chat(OTHER).send(QUESTION))  # questions are answered
        assert "접수하신 민원이 없습니다" in said(await me.send("/my"))
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    await submit_after_recovery(bot, me, summary_id)
    [stored] = list_complaints(bot.db)
    assert stored.user_id == CITIZEN
    assert_nothing_half_written(bot.db)
    assert integrity(bot.settings.database_path) == [("ok",)]
    assert any(f"[새 민원] {stored.receipt}" in t for t in bot.api.texts(STAFF_CHAT))


async def test_a_full_disk_asks_to_try_later_and_recovers(bot):
    me = bot.chat(CITIZEN)
    summary_id = await file_until_summary(me, LONG_CONTENT)
    await on_both_connections(bot, fill_the_disk)
    try:
        assert TRY_LATER_TEXT in said(await me.press("접수하기"))
        assert ANSWER in said(await bot.chat(OTHER).send(QUESTION))
        assert list_complaints(bot.db) == [] and bot.db["complaint_history"].count == 0
        assert bot.db["outbox"].count == 0
        assert integrity(bot.settings.database_path) == [("ok",)]
    finally:
        await on_both_connections(bot, pragma, "PRAGMA max_page_count = 1073741823")  # space
    await submit_after_recovery(bot, me, summary_id)
    [stored] = list_complaints(bot.db)
    assert stored.content == LONG_CONTENT.strip()
    assert_nothing_half_written(bot.db)
    assert integrity(bot.settings.database_path) == [("ok",)]


async def test_staff_actions_during_a_lock_change_nothing_and_work_afterwards(bot, file_complaint):
    stored = file_complaint(bot.db, "가로등 고장", user_id=CITIZEN)
    desk = bot.chat(STAFF)
    locker = sqlite3.connect(bot.settings.database_path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        assert TRY_LATER_TEXT in said(await desk.send(f"/close {stored.receipt} 수리 완료"))
        assert TRY_LATER_TEXT in said(await desk.send(f"/reply {stored.receipt} 내일 갑니다"))
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert bot.db["complaint_history"].count == 1 and outbox.due(bot.db) == []
    assert "완료 처리했습니다" in said(await desk.send(f"/close {stored.receipt} 수리 완료"))
    assert integrity(bot.settings.database_path) == [("ok",)]


async def test_a_notification_sent_while_locked_is_not_lost(bot):
    """Sent, but the lock kept it from being marked: it is sent again later (at-least-once)."""
    notice = outbox.enqueue(bot.db, CITIZEN, "[민원] 상태가 바뀌었습니다", kind="status")
    locker = sqlite3.connect(bot.settings.database_path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        assert await deliver_due(bot.application.bot, bot.store) == 0  # no exception escapes
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert outbox.get(bot.db, notice).sent_at is None
    assert await deliver_due(bot.application.bot, bot.store) == 1
    assert outbox.get(bot.db, notice).sent_at is not None
    assert bot.api.texts(CITIZEN) == ["[민원] 상태가 바뀌었습니다"] * 2


@pytest.mark.parametrize("lost", ["folder", "wal"])
async def test_no_receipt_when_the_database_files_are_gone(local_bot_factory, tmp_path, lost):
    """Issue 10 #10: with the data folder removed while the bot ran (or its -wal file), SQLite
    committed to the deleted files, the fsync was skipped and the citizen got a receipt for a
    complaint gone at the next start. Now: "잠시 후 다시", no receipt, the draft kept."""
    folder = tmp_path / "data"
    async with local_bot_factory(database_path=str(folder / "bot.db")) as bot:
        me = bot.chat(CITIZEN)
        summary_id = await file_until_summary(me)
        if lost == "folder":
            shutil.rmtree(folder)
        else:
            (folder / "bot.db-wal").unlink()
        calls = await me.press(data="c:ok", message_id=summary_id)
        assert TRY_LATER_TEXT in said(calls) and "접수번호" not in said(calls)
        assert bot.application.user_data[CITIZEN]["complaint"]["content"] == "가로등이 깜빡여요"
        assert [c for c in bot.api.calls if c.chat_id == STAFF_CHAT] == []
