"""Opening the database, transactions, timestamps and the one error handlers must expect.

Usage:
    db = open_database("data/bot.db")   # WAL, foreign keys, busy timeout, migrations applied
    with transaction(db):
        ...                              # BEGIN IMMEDIATE ... COMMIT, or a savepoint if nested
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import ParamSpec, TypeVar

import sqlite_utils

# Korea has no daylight saving time, so a fixed offset needs no tz database.
KST = timezone(timedelta(hours=9), "KST")

DEFAULT_BUSY_TIMEOUT_MS = 5000

# sqlite3.OperationalError messages that mean "try again later", not "the code is wrong".
_UNAVAILABLE_MESSAGES = ("locked", "disk i/o error", "database or disk is full")

P = ParamSpec("P")
R = TypeVar("R")


class DatabaseUnavailable(Exception):
    "The database is locked, full or failing; the user should try again later."


def open_database(
    path: str | Path | None,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    durable: bool = True,
) -> sqlite_utils.Database:
    """Opens (creating if needed) the database at path, or an in-memory one, and migrates it.

    Every commit survives a crash of this process. ``durable`` (the default) also waits for
    the disk on each commit, so it survives a power cut; ``durable=False`` (SQLite's
    synchronous=NORMAL) does not wait (0.6 ms less per commit here) and may lose the last
    commits on a power cut: for data that is cheap to lose, like the question log, or where
    the caller waits for the disk only when it must (db.durability.WalSync).
    """
    from db.migrations import migrate  # migrations use transaction() from this module

    in_memory = path is None or str(path) == ":memory:"
    if not in_memory:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # The application may hand calls to a worker thread (asyncio.to_thread); it never
    # uses one connection from two threads at once.
    conn = sqlite3.connect(":memory:" if in_memory else str(path), check_same_thread=False)
    db = sqlite_utils.Database(conn)
    try:
        db.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        db.execute("PRAGMA foreign_keys=ON")
        if not in_memory:
            db.enable_wal()
        if not durable:
            db.execute("PRAGMA synchronous=NORMAL")
        migrate(db)
    except BaseException as exc:
        conn.close()
        if is_unavailable(exc):
            raise DatabaseUnavailable(str(exc)) from exc
        raise
    return db


def raises_unavailable(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorator: turns 'database is locked', I/O and disk-full errors into DatabaseUnavailable."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            if is_unavailable(exc):
                raise DatabaseUnavailable(str(exc)) from exc
            raise

    return wrapper


def is_unavailable(exc: BaseException) -> bool:
    """True for SQLite's "try again later" errors: locked, I/O error, disk full."""
    message = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and any(
        marker in message for marker in _UNAVAILABLE_MESSAGES
    )


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Runs the block in one write transaction; nested blocks become savepoints.

    BEGIN IMMEDIATE takes the write lock up front, so a read-then-write block waits for
    the busy timeout instead of failing when another connection wrote in between.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    try:
        db.commit()
    except BaseException:
        db.rollback()
        raise


def as_utc(now: datetime | None = None) -> datetime:
    """The given moment (naive means UTC) or the current one, in UTC."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def timestamp(now: datetime | None = None) -> str:
    """ISO 8601 UTC text that sorts chronologically: '2025-03-01T05:00:00.000000+00:00'."""
    return as_utc(now).isoformat(timespec="microseconds")


def kst_day_start(day: date) -> datetime:
    """Midnight in Korea at the start of the given date, as a UTC datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=KST).astimezone(UTC)
