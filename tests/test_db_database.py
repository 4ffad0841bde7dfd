"""Opening the database: pragmas, WAL, parent directories, and DatabaseUnavailable."""

from __future__ import annotations

import sqlite3

import pytest

from db import complaints
from db.database import DatabaseUnavailable, open_database, raises_unavailable, transaction


def pragma(db, name):
    return db.execute(f"PRAGMA {name}").fetchone()[0]


def test_file_database_uses_wal_foreign_keys_and_busy_timeout(tmp_path):
    path = tmp_path / "nested" / "dir" / "bot.db"
    db = open_database(path)
    assert path.exists()
    assert (
        pragma(db, "journal_mode"),
        pragma(db, "foreign_keys"),
        pragma(db, "busy_timeout"),
    ) == ("wal", 1, 5000)
    db.close()


@pytest.mark.parametrize("durable, synchronous", [(True, 2), (False, 1)])  # FULL, NORMAL
def test_only_a_durable_connection_waits_for_the_disk_on_commit(tmp_path, durable, synchronous):
    db = open_database(tmp_path / "bot.db", durable=durable)
    assert db.execute("PRAGMA synchronous").fetchone()[0] == synchronous
    db.close()


@pytest.mark.parametrize("path", [None, ":memory:"])
def test_memory_database(path):
    db = open_database(path)
    assert pragma(db, "foreign_keys") == 1
    assert db["complaints"].exists()
    db.close()


def test_the_db_fixture_is_what_open_database_gives_in_memory(db):
    """conftest's ``db`` is a copy of a migrated template: same schema, rows and pragmas."""
    fresh = open_database(None)

    def state(database):
        schema = database.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name")
        migrations = database.execute("SELECT version, name FROM _migrations ORDER BY version")
        settings = [pragma(database, name) for name in ("foreign_keys", "busy_timeout")]
        return schema.fetchall(), migrations.fetchall(), settings

    assert state(db) == state(fresh)
    fresh.close()


def test_foreign_keys_are_enforced(db):
    with pytest.raises(sqlite3.IntegrityError):
        db["complaint_history"].insert(
            {"receipt": "nope", "kind": "status", "actor_id": 1, "note": "", "created_at": "x"}
        )


def test_locked_database_raises_database_unavailable(tmp_path, file_complaint):
    path = tmp_path / "bot.db"
    db = open_database(path, busy_timeout_ms=50)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseUnavailable, match="locked"):
            file_complaint(db, "내용", user_id=1, idempotency_key="k")
        assert not db.conn.in_transaction
    finally:
        other.execute("ROLLBACK")
        other.close()
    # Once the lock is gone the same call works.
    assert file_complaint(db, "내용", user_id=1, idempotency_key="k").status == complaints.RECEIVED
    db.close()


def test_opening_a_locked_database_raises_database_unavailable(tmp_path):
    path = tmp_path / "bot.db"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseUnavailable):
            open_database(path, busy_timeout_ms=50)
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_other_operational_errors_are_not_hidden(db):
    @raises_unavailable
    def broken(database):
        database.execute("select * from no_such_table")

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        broken(db)


def test_disk_full_is_unavailable():
    @raises_unavailable
    def full():
        raise sqlite3.OperationalError("database or disk is full")

    with pytest.raises(DatabaseUnavailable):
        full()


def test_transaction_rolls_back_and_nests_as_savepoints(db):
    with pytest.raises(RuntimeError):
        with transaction(db):
            db["denied_attempts"].insert({"user_id": 1, "command": "a", "attempted_at": "x"})
            raise RuntimeError
    assert db["denied_attempts"].count == 0
    with transaction(db):
        db["denied_attempts"].insert({"user_id": 1, "command": "a", "attempted_at": "x"})
        with pytest.raises(RuntimeError):
            with transaction(db):
                db["denied_attempts"].insert({"user_id": 2, "command": "b", "attempted_at": "x"})
                raise RuntimeError
    assert [row["command"] for row in db["denied_attempts"].rows] == ["a"]
