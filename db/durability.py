"""Group commit: commits do not wait for the disk; a promise to a person does, sharing the wait.

The bot's connection commits with SQLite's synchronous=NORMAL: a commit is safe from a crash
or ``kill -9`` at once, and from a power cut once the write-ahead log (WAL) reaches the disk.
Before the bot tells someone a write is kept (a receipt number, "완료 처리했습니다") it awaits
``WalSync.wait()``: one fsync of the WAL, on a worker thread, started after that commit. Every
commit made while an fsync runs is covered by the next one, so under load one fsync serves many
complaints, and the event loop never stops for the disk. Measured by benchmarks/load.py: an
fsync on each commit, on the loop, cost a third of the bot's time per complaint.

A commit is only as durable as the file it went to. SQLite keeps writing to a database file and
log that were deleted (the data folder removed, the ``-wal`` file lost) as long as it has them
open, and all of it is gone at the next start. So a wait also checks that the database file is
still the one opened (same inode, still linked) and that its log is there and is still the one
it first found (another connection opened after the log was deleted makes a new, empty one at
the same path); if not, it raises DatabaseUnavailable and no promise is made.

Usage:
    sync = WalSync("data/bot.db")
    create_complaint(db, ...)      # committed
    await sync.wait()              # ... and on the disk
    sync.close()
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from db.database import DatabaseUnavailable


class WalSync:
    """Waits until everything committed to one database file so far is on the disk."""

    def __init__(self, path: str | Path | None) -> None:
        """Open the database first: the file found now is the one every wait checks."""
        in_memory = path is None or str(path) == ":memory:"
        self._database = None if in_memory else Path(path)
        self._wal = None if in_memory else Path(f"{path}-wal")
        self._inode = None if in_memory else _inode(Path(path))
        # The log the open connections write to: found now, or at the first wait if none yet.
        self._wal_inode = None if in_memory else _inode(self._wal)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fsync")
        self._lock = asyncio.Lock()  # binds to the event loop of its first use
        self._asked = 0  # waits begun
        self._covered = 0  # waits the last finished fsync covers

    async def wait(self) -> None:
        """Returns once commits made before the call are on the disk (at once for :memory:).

        Raises DatabaseUnavailable when the disk fails, or the database file or its log is no
        longer on the disk where it was opened: the commit stands (or is lost), the promise waits.
        """
        if self._wal is None or self._database is None:
            return
        self._asked += 1
        ticket = self._asked
        async with self._lock:  # one fsync at a time; those waiting meanwhile share the next
            if self._covered >= ticket:
                return
            covers = self._asked  # every wait begun so far committed before this fsync starts
            wal_inode = await asyncio.get_running_loop().run_in_executor(
                self._executor, _fsync, self._database, self._inode, self._wal, self._wal_inode
            )
            self._wal_inode = self._wal_inode or wal_inode
            self._covered = covers

    def close(self) -> None:
        """Stops the worker thread (after an fsync in progress)."""
        self._executor.shutdown(wait=True)


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino


def _fsync(
    database: Path,
    inode: tuple[int, int] | None,
    wal: Path,
    wal_inode: tuple[int, int] | None,
) -> tuple[int, int]:
    """fsync flushes a file's written pages whichever descriptor wrote them. After a commit in
    WAL mode the log exists (SQLite deletes it only when the last connection closes), so a
    missing or replaced log, or a database file missing or replaced, means the commit went to
    deleted files. Returns the log's (device, inode)."""
    try:
        fd = os.open(wal, os.O_RDONLY)
    except FileNotFoundError as exc:
        raise DatabaseUnavailable(f"{wal.name} is missing: the commit is not on the disk") from exc
    try:
        stat = os.fstat(fd)
        found = (stat.st_dev, stat.st_ino)
        if wal_inode is not None and found != wal_inode:
            raise DatabaseUnavailable(f"{wal.name} was replaced: the commit is not on the disk")
        os.fsync(fd)
    except OSError as exc:
        raise DatabaseUnavailable(f"fsync {wal.name}: {exc}") from exc
    finally:
        os.close(fd)
    now = _inode(database)
    if now is None or (inode is not None and now != inode):
        raise DatabaseUnavailable(f"{database.name} was removed or replaced while open")
    return found
