"""SQLite off the event loop, as datasette does: one writer thread fed by a queue, reads in a
small pool of read-only connections, and the event loop only awaits.

Every function of db/ stays a plain synchronous function taking the database first; the store
runs it on the right thread. A database locked by another process then delays the writes
waiting for it, not every reply: a question's log row is queued (``queue``) and written when
the lock ends, while its answer goes out at once. Reads never wait for a writer (WAL).

An awaited write fails like before (DatabaseUnavailable after the busy timeout) and the caller
tells the person to try again; a queued write that finds the database locked or full is kept
and tried again every RETRY_SECONDS, in order, until it is written or the store closes. Group
commit is unchanged: after ``await store.write(...)`` the commit is made, and ``WalSync.wait``
(db.durability) puts it on the disk before a receipt is sent.

Usage:
    store = Store("data/bot.db", busy_timeout_ms=1000)    # opens and migrates the database
    complaint = await store.write(create_complaint, idempotency_key="k", ...)
    rows = await store.read(list_complaints, user_id=42)
    store.queue(log_question, user_id=42, question="...")  # not awaited: kept until written
    await store.close()                                   # after every queued write
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import sqlite_utils

from db.database import DEFAULT_BUSY_TIMEOUT_MS, DatabaseUnavailable, is_unavailable, open_database

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")
DbFunction = Callable[Concatenate[sqlite_utils.Database, P], R]

# Two readers: the bot's reads are short (an index lookup, a page of 10 rows), and a second
# core is the most the bot has; more threads would only wait for the GIL.
READERS = 2
# A queued write that found the database locked is tried again this often: a lock held by
# another process (a backup, the admin CLI) lasts milliseconds to seconds.
RETRY_SECONDS = 0.2
# A reader waits this long for a checkpoint or recovery; in WAL mode nothing else blocks it.
READ_BUSY_TIMEOUT_MS = 1000
_STOP = object()


class StoreClosed(Exception):
    "The store was closed: the application is shutting down."


@dataclass
class _Write:
    """One write waiting for the writer thread; ``future`` is None for a queued write."""

    fn: Callable[..., Any]
    args: tuple
    kwargs: dict
    future: Future | None = None


class Store:
    """The bot's database: one writer thread, a pool of readers, all awaited from the loop."""

    def __init__(
        self,
        path: str | Path | None,
        *,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        readers: int = READERS,
    ) -> None:
        """Opens (creating and migrating) the database and starts the writer thread."""
        self.path = path
        self.in_memory = path is None or str(path) == ":memory:"
        # The writer's connection; tests and start-up may use it before the loop runs.
        self.db = open_database(path, busy_timeout_ms=busy_timeout_ms, durable=False)
        self._jobs: queue.Queue = queue.Queue()
        self._retry: deque[_Write] = deque()
        self._unfinished = 0  # writes handed over and not yet done (or given up)
        self._count_lock = threading.Lock()
        self._closed = False
        self._local = threading.local()
        self._readers: list[sqlite_utils.Database] = []
        self._readers_lock = threading.Lock()
        self._read_pool = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="db-read")
        self._writer = threading.Thread(target=self._write_loop, name="db-write", daemon=True)
        self._writer.start()

    async def write(self, fn: DbFunction[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """``fn(db, *args, **kwargs)`` on the writer thread; its result or its exception."""
        future: Future = Future()
        self._put(_Write(fn, args, kwargs, future))
        return await asyncio.wrap_future(future)

    def queue(self, fn: DbFunction[P, Any], *args: P.args, **kwargs: P.kwargs) -> None:
        """Queues ``fn(db, *args, **kwargs)`` without waiting: for writes nobody is told about
        (the question log). A locked or full database delays it; other errors are logged."""
        self._put(_Write(fn, args, kwargs))

    async def read(self, fn: DbFunction[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """``fn(db, *args, **kwargs)`` on a read-only connection; its result or its exception.

        An in-memory database has no second connection: its reads queue with the writes.
        """
        if self._closed:
            raise StoreClosed("the database is closed")
        if self.in_memory:
            return await self.write(fn, *args, **kwargs)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._read_pool, self._read, fn, args, kwargs)

    def pending(self) -> int:
        """Writes not yet done: queued, running or kept for a retry."""
        with self._count_lock:
            return self._unfinished

    async def flush(self) -> None:
        """Returns once every write handed over before the call is done, kept ones included
        (so it waits for a lock to end)."""
        future: Future = Future()
        self._put(_Write(_flushed, (), {}, future))
        await asyncio.wrap_future(future)

    async def close(self) -> None:
        """Writes everything queued (retrying a locked database for at most the busy timeout
        once more), stops the threads and closes the connections."""
        if self._closed:
            return
        self._closed = True
        self._jobs.put(_STOP)
        await asyncio.to_thread(self._writer.join)
        self._read_pool.shutdown(wait=True)
        with self._readers_lock:
            for reader in self._readers:
                reader.close()
        self.db.close()

    def _put(self, job: _Write) -> None:
        if self._closed:
            raise StoreClosed("the database is closed")
        with self._count_lock:
            self._unfinished += 1
        self._jobs.put(job)

    def _finished(self, count: int = 1) -> None:
        with self._count_lock:
            self._unfinished -= count

    def _read(self, fn: Callable[..., R], args: tuple, kwargs: dict) -> R:
        reader = getattr(self._local, "db", None)
        if reader is None:
            reader = self._local.db = self._open_reader()
        try:
            return fn(reader, *args, **kwargs)
        except sqlite3.OperationalError as exc:
            if is_unavailable(exc):
                raise DatabaseUnavailable(str(exc)) from exc
            raise

    def _open_reader(self) -> sqlite_utils.Database:
        """A read-only connection of this pool thread (the writer created the file first)."""
        uri = f"file:{Path(self.path).resolve()}?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout={READ_BUSY_TIMEOUT_MS}")
        except sqlite3.OperationalError as exc:  # the file or its folder is gone
            raise DatabaseUnavailable(f"cannot open {self.path} to read: {exc}") from exc
        reader = sqlite_utils.Database(conn)
        with self._readers_lock:
            self._readers.append(reader)
        return reader

    def _write_loop(self) -> None:
        """The writer thread: runs writes in order; keeps queued ones the database refused."""
        next_retry = 0.0
        while True:
            wait = max(0.0, next_retry - time.monotonic()) if self._retry else None
            try:
                job = self._jobs.get(timeout=wait)
            except queue.Empty:
                job = None
            if job is _STOP:
                self._retry_kept(final=True)
                return
            if job is not None and (job.future is None or job.fn is _flushed) and self._retry:
                self._retry.append(job)  # behind the kept ones: the database still refuses
            elif job is not None:
                self._run(job)
            if self._retry and time.monotonic() >= next_retry:
                self._retry_kept()
                next_retry = time.monotonic() + RETRY_SECONDS

    def _run(self, job: _Write) -> None:
        if job.future is not None and not job.future.set_running_or_notify_cancel():
            self._finished()
            return  # the awaiting caller was cancelled before the write began
        try:
            result = job.fn(self.db, *job.args, **job.kwargs)
        except BaseException as exc:  # handed to the caller, or kept, or logged
            if job.future is None and (
                isinstance(exc, DatabaseUnavailable) or is_unavailable(exc)
            ):
                self._retry.append(job)
                return
            self._finished()
            if job.future is not None:
                job.future.set_exception(_unavailable(exc))
            else:
                logger.error("queued write %s failed", _name(job.fn), exc_info=exc)
            return
        self._finished()
        if job.future is not None:
            job.future.set_result(result)

    def _retry_kept(self, *, final: bool = False) -> None:
        """Tries the kept writes in order and stops at the first still refused. Without waiting
        for the lock (busy timeout 0) unless ``final``: a probe must not hold up the writes
        someone awaits."""
        if final:
            self._drain_kept(final=True)
            return
        timeout = self.db.execute("PRAGMA busy_timeout").fetchone()[0]
        self.db.execute("PRAGMA busy_timeout=0")
        try:
            self._drain_kept(final=False)
        finally:
            self.db.execute(f"PRAGMA busy_timeout={int(timeout)}")

    def _drain_kept(self, *, final: bool) -> None:
        while self._retry:
            job = self._retry.popleft()
            kept = len(self._retry)
            self._run(job)
            if len(self._retry) > kept:  # refused again: back to the front, try later
                self._retry.rotate(1)
                if not final:
                    return
                lost = [self._retry.popleft() for _ in range(len(self._retry))]
                self._finished(len(lost))
                for waiting in (j.future for j in lost if j.future is not None):
                    waiting.set_exception(StoreClosed("closed while the database was locked"))
                logger.error(
                    "database still unavailable at shutdown: %d queued writes lost (%s)",
                    len(lost),
                    ", ".join(sorted({_name(j.fn) for j in lost})),
                )
                return


def _unavailable(exc: BaseException) -> BaseException:
    """SQLite's "locked", I/O and disk-full errors as DatabaseUnavailable (as db.database's
    ``raises_unavailable`` does), so every caller handles one exception; others unchanged."""
    if isinstance(exc, DatabaseUnavailable) or not is_unavailable(exc):
        return exc
    unavailable = DatabaseUnavailable(str(exc))
    unavailable.__cause__ = exc
    return unavailable


def _flushed(db: sqlite_utils.Database) -> None:
    """The no-op write ``flush`` waits for: it runs after every write handed over before it."""


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", repr(fn))
