"""WalSync: what a person is told was kept is on the disk first, and waits share one fsync."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import threading
import time

import pytest

from db import durability
from db.database import DatabaseUnavailable, open_database
from db.durability import WalSync


@pytest.fixture
def fsyncs(monkeypatch):
    """Every fsync as (path of the file, moment it ended); each takes 20 ms like a slow disk."""
    done: list[tuple[str, float]] = []
    real = os.fsync

    def slow_fsync(fd: int) -> None:
        real(fd)
        time.sleep(0.02)
        done.append((os.readlink(f"/proc/self/fd/{fd}"), time.monotonic()))

    monkeypatch.setattr(durability.os, "fsync", slow_fsync)
    return done


async def test_a_wait_flushes_the_write_ahead_log_after_the_commit(tmp_path, fsyncs):
    path = tmp_path / "bot.db"
    db = open_database(path, durable=False)
    sync = WalSync(path)
    db.execute(
        "insert into staff (user_id, role, granted_by, granted_at) values (1, 'staff', 0, 'x')"
    )
    committed = time.monotonic()
    await sync.wait()
    assert [p for p, _ in fsyncs] == [f"{path}-wal"] and fsyncs[0][1] > committed
    sync.close()
    db.close()


async def test_waits_begun_together_share_one_fsync(tmp_path, fsyncs):
    path = tmp_path / "bot.db"
    open_database(path, durable=False).close()
    (tmp_path / "bot.db-wal").write_bytes(b"")
    sync = WalSync(path)
    await asyncio.gather(*(sync.wait() for _ in range(50)))
    assert 1 <= len(fsyncs) <= 2  # the first wait's fsync, then one for the 49 behind it
    sync.close()


async def test_a_wait_begun_during_an_fsync_gets_its_own(tmp_path, monkeypatch):
    """An fsync already running may have started before this wait's commit: it does not count."""
    (tmp_path / "bot.db").write_bytes(b"")
    (tmp_path / "bot.db-wal").write_bytes(b"")
    started, release, count = threading.Event(), threading.Event(), []

    def blocking_fsync(fd: int) -> None:
        count.append(fd)
        started.set()
        release.wait(5)

    monkeypatch.setattr(durability.os, "fsync", blocking_fsync)
    sync = WalSync(tmp_path / "bot.db")
    first = asyncio.create_task(sync.wait())
    await asyncio.to_thread(started.wait, 5)
    second = asyncio.create_task(sync.wait())
    await asyncio.sleep(0.05)
    release.set()
    await asyncio.wait_for(asyncio.gather(first, second), 5)
    assert len(count) == 2
    sync.close()


async def test_nothing_to_wait_for_in_memory(fsyncs):
    memory = WalSync(None)
    await memory.wait()
    assert fsyncs == []
    memory.close()


@pytest.mark.parametrize("lost", ["folder", "database", "wal"])
async def test_a_commit_to_deleted_files_is_not_confirmed(tmp_path, lost):
    """Issue 10 #10: SQLite goes on committing to a deleted database and log; the wait skipped the
    fsync for a missing log and confirmed commits that were gone at the next start."""
    folder = tmp_path / "data"
    path = folder / "bot.db"
    db = open_database(path, durable=False)
    sync = WalSync(path)
    db.execute(
        "insert into staff (user_id, role, granted_by, granted_at) values (1, 'staff', 0, 'x')"
    )
    await sync.wait()
    if lost == "folder":
        shutil.rmtree(folder)
    else:
        (path if lost == "database" else folder / "bot.db-wal").unlink()
    db.execute(
        "insert into staff (user_id, role, granted_by, granted_at) values (2, 'staff', 0, 'x')"
    )
    with pytest.raises(DatabaseUnavailable):
        await sync.wait()
    sync.close()
    db.close()


async def test_a_log_made_anew_by_another_connection_does_not_confirm_a_lost_commit(tmp_path):
    """The bot's readers (db.store) open read-only connections of their own: one opened after
    the -wal file was deleted makes a new, empty log at the same path (and fails), while the
    writer's commits still go to the deleted one. The log being there is not enough: it must be
    the one the database was opened with."""
    path = tmp_path / "bot.db"
    db = open_database(path, durable=False)
    sync = WalSync(path)
    await sync.wait()
    (tmp_path / "bot.db-wal").unlink()
    with pytest.raises(sqlite3.OperationalError):
        sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute("select 1 from staff")
    assert (tmp_path / "bot.db-wal").exists()  # a new log, not the one the writer has open
    db.execute(
        "insert into staff (user_id, role, granted_by, granted_at) values (2, 'staff', 0, 'x')"
    )
    with pytest.raises(DatabaseUnavailable, match="replaced"):
        await sync.wait()
    sync.close()
    db.close()


async def test_a_failing_disk_is_the_database_being_unavailable(tmp_path, monkeypatch):
    (tmp_path / "bot.db").write_bytes(b"")
    (tmp_path / "bot.db-wal").write_bytes(b"")

    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(durability.os, "fsync", failing_fsync)
    sync = WalSync(tmp_path / "bot.db")
    with pytest.raises(DatabaseUnavailable, match="fsync"):
        await sync.wait()
    sync.close()
