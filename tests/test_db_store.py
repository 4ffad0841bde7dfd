"""The database off the event loop (db.store): one writer thread, read-only readers, awaited.

A second connection holding BEGIN EXCLUSIVE stands for another process locking the file (the
admin CLI, a backup). What these tests prove: a question is answered while its log row waits
for the lock, and the row is written once the lock ends; a write someone awaits fails with
DatabaseUnavailable instead; an exception raised in a db function reaches the awaiting caller;
stopping the application writes every queued write first.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest

from db.database import DatabaseUnavailable
from db.questions import log_question
from db.staff import grant
from db.store import Store, StoreClosed

CITIZEN = 42
QUESTION, ANSWER = "새마을지도자 자녀 장학금 조건", "[새마을지도자 자녀 장학금 지원]"


@pytest.fixture
async def store(tmp_path):
    opened = Store(tmp_path / "bot.db", busy_timeout_ms=50)
    await opened.write(create_notes)
    yield opened
    await opened.close()


def create_notes(db) -> None:
    """The table the store tests write in (on the writer thread, like every write)."""
    db.execute("create table notes (n integer)")


def note(db, n: int) -> int:
    db.execute("insert into notes (n) values (?)", [n])
    return n


def notes(db) -> list[int]:
    return [row[0] for row in db.execute("select n from notes order by rowid")]


def locked(path) -> sqlite3.Connection:
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    return locker


def questions_logged(path) -> list[int]:
    with sqlite3.connect(path) as reader:  # a WAL reader is never blocked by the lock
        return [row[0] for row in reader.execute("select user_id from questions")]


async def test_a_locked_database_does_not_delay_a_question_and_its_log_row_waits(local_bot):
    path = local_bot.settings.database_path
    locker = locked(path)
    try:
        calls = await local_bot.chat(CITIZEN).send(QUESTION)
        assert any(ANSWER in c.text for c in calls)  # answered while the lock is held ...
        assert questions_logged(path) == []  # ... before its log row could be written
        assert local_bot.store.pending() == 1
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    await local_bot.store.flush()
    assert questions_logged(path) == [CITIZEN]
    assert local_bot.store.pending() == 0


async def test_queued_writes_wait_out_a_lock_in_order_and_awaited_ones_fail(store):
    locker = locked(store.path)
    try:
        for n in range(5):
            store.queue(note, n)
        with pytest.raises(DatabaseUnavailable):
            await store.write(note, 99)  # someone is waiting: told to try again, not kept
        assert await store.read(notes) == []
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    await store.flush()
    assert await store.read(notes) == [0, 1, 2, 3, 4]


def broken(db) -> None:
    raise ValueError("broken on purpose")


async def test_an_exception_in_a_db_function_reaches_the_awaiting_caller(store):
    with pytest.raises(ValueError, match="broken on purpose"):
        await store.write(broken)
    with pytest.raises(ValueError, match="broken on purpose"):
        await store.read(broken)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await store.read(note, 1)  # a write passed as a read fails loudly
    assert await store.write(note, 2) == 2  # the writer goes on
    assert await store.read(notes) == [2]


async def test_a_failing_queued_write_is_logged_and_the_next_ones_are_written(store, caplog):
    store.queue(broken)
    store.queue(note, 3)
    await store.flush()
    assert await store.read(notes) == [3]
    assert "queued write broken failed" in caplog.text


async def test_close_writes_what_is_queued_and_refuses_more(tmp_path):
    opened = Store(tmp_path / "bot.db")
    await opened.write(create_notes)
    for n in range(200):
        opened.queue(note, n)
    await opened.close()
    with sqlite3.connect(tmp_path / "bot.db") as reader:
        assert notes(reader) == list(range(200))
    with pytest.raises(StoreClosed):
        opened.queue(note, 1)
    with pytest.raises(StoreClosed):
        await opened.read(notes)


async def test_stopping_the_application_writes_every_queued_write(local_bot_factory):
    async with local_bot_factory() as bot:
        path = bot.settings.database_path
        for user_id in range(300):
            bot.store.queue(
                log_question,
                user_id=user_id,
                query="q",
                intent="question",
                band="none",
                entry_id=None,
                score=None,
            )
    assert sorted(questions_logged(path)) == list(range(300))


async def test_an_in_memory_database_reads_through_the_writer():
    opened = Store(":memory:")
    await opened.write(create_notes)
    await opened.write(note, 7)
    assert await opened.read(notes) == [7]
    await opened.close()


async def test_a_tests_write_never_joins_a_transaction_of_the_writer_thread(local_bot):
    """local_bot.db is the test's own connection: while the writer thread holds a transaction
    that it then rolls back, a row the test writes waits for the lock and is kept. On the
    writer's connection it would have joined that transaction and been rolled back with it."""
    inside, release = threading.Event(), threading.Event()

    def held_then_rolled_back(db) -> None:
        db.execute("BEGIN IMMEDIATE")
        inside.set()
        release.wait(timeout=10)
        db.execute("ROLLBACK")

    held = asyncio.ensure_future(local_bot.store.write(held_then_rolled_back))
    await asyncio.to_thread(inside.wait, 10)
    threading.Timer(0.2, release.set).start()  # while the test's write waits for the lock
    grant(local_bot.db, 555, role="staff", granted_by=900)
    await held
    assert [row["user_id"] for row in local_bot.db["staff"].rows] == [555]
    assert local_bot.db.conn is not local_bot.store.db.conn
