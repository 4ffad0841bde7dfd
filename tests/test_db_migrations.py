"""Migrations: applied in order, recorded, idempotent."""

from __future__ import annotations

import pytest

from db.database import open_database
from db.migrations import MIGRATIONS, applied_versions, migrate

PERSISTENCE_VERSION = 5
RETENTION_VERSION = 6


def test_versions_are_consecutive_and_named():
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert all(m.name for m in MIGRATIONS)


def test_open_database_applies_and_records_every_migration(db):
    assert applied_versions(db) == [m.version for m in MIGRATIONS]
    rows = list(db["_migrations"].rows_where(select="version, name", order_by="version"))
    assert rows == [{"version": m.version, "name": m.name} for m in MIGRATIONS]
    assert all(row["applied_at"] for row in db["_migrations"].rows)


def test_migrate_twice_applies_nothing_more(db):
    before = list(db["_migrations"].rows)
    assert migrate(db) == []
    assert list(db["_migrations"].rows) == before


def test_reopening_a_file_database_keeps_data_and_migrates_nothing(tmp_path):
    path = tmp_path / "bot.db"
    first = open_database(path)
    first["staff"].insert({"user_id": 1, "role": "staff", "granted_by": 2, "granted_at": "x"})
    first.close()
    second = open_database(path)
    assert migrate(second) == []
    assert second["staff"].count == 1
    second.close()


def test_a_missing_migration_is_applied_on_next_start(tmp_path):
    path = tmp_path / "bot.db"
    first = open_database(path)
    first.execute(
        "delete from _migrations where version in (?, ?)", [PERSISTENCE_VERSION, RETENTION_VERSION]
    )
    for table in ("user_data", "chat_data", "bot_data", "callback_data", "conversations"):
        first[f"persistence_{table}"].drop()
    first.execute("drop index idx_outbox_receipt")
    first["outbox"].transform(drop={"receipt"})
    first.close()
    second = open_database(path)
    assert applied_versions(second) == [m.version for m in MIGRATIONS]
    assert "updated_at" in second["persistence_conversations"].columns_dict
    second.close()


def test_a_failing_migration_leaves_no_trace(db, monkeypatch):
    from db import migrations

    def broken(database):
        database["half_done"].create({"id": int}, pk="id")
        raise RuntimeError("boom")

    broken_migration = migrations.Migration(99, "broken", broken)
    monkeypatch.setattr(migrations, "MIGRATIONS", [*MIGRATIONS, broken_migration])
    with pytest.raises(RuntimeError, match="boom"):
        migrate(db)
    assert 99 not in applied_versions(db)
    assert not db["half_done"].exists()
