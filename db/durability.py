"""Group commit: commits do not wait for the disk; a promise to a person does, sharing the wait.

The bot's connection commits with SQLite's synchronous=NORMAL: a commit is safe from a crash
or ``kill -9`` at once, and from a power cut once the write-ahead log (WAL) reaches the disk.
Before the bot tells someone a write is kept (a receipt number, "완료 처리했습니다") it awaits
``WalSync.wait()``: one fsync of the WAL, on a worker thread, started after that commit. Every
commit made while an fsync runs is covered by the next one, so under load one fsync serves many
complaints, and the event loop never stops for the disk. Measured by benchmarks/load.py: an
fsync on each commit, on the loop, cost a third of the bot's time per complaint.

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
        in_memory = path is None or str(path) == ":memory:"
        self._wal = None if in_memory else Path(f"{path}-wal")
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fsync")
        self._lock = asyncio.Lock()  # binds to the event loop of its first use
        self._asked = 0  # waits begun
        self._covered = 0  # waits the last finished fsync covers

    async def wait(self) -> None:
        """Returns once commits made before the call are on the disk (at once for :memory:).

        Raises DatabaseUnavailable when the disk fails: the commit stands, the promise waits.
        """
        if self._wal is None:
            return
        self._asked += 1
        ticket = self._asked
        async with self._lock:  # one fsync at a time; those waiting meanwhile share the next
            if self._covered >= ticket:
                return
            covers = self._asked  # every wait begun so far committed before this fsync starts
            await asyncio.get_running_loop().run_in_executor(self._executor, _fsync, self._wal)
            self._covered = covers

    def close(self) -> None:
        """Stops the worker thread (after an fsync in progress)."""
        self._executor.shutdown(wait=True)


def _fsync(path: Path) -> None:
    """fsync flushes a file's written pages whichever descriptor wrote them. No WAL file means
    nothing waits in one: SQLite's checkpoint already synced it into the database file."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        raise DatabaseUnavailable(f"fsync {path.name}: {exc}") from exc
    finally:
        os.close(fd)
