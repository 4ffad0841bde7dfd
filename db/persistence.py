"""A python-telegram-bot persistence on SQLite, so a restart mid-conversation loses nothing.

Usage:
    persistence = SQLitePersistence("data/bot.db", update_interval=1)
    application = ApplicationBuilder().token(TOKEN).persistence(persistence).build()
    ConversationHandler(..., name="complaint", persistent=True)

Every change is handed to a writer thread of its own (one tiny SQLite write per changed item,
on its own connection to the same database file) and written within milliseconds, which
survives a crash of the bot but not a power cut (``open_database(durable=False)``: a
conversation may then go back a step). The event loop never waits for it: while another
process locks the database, the newest value of each item waits in memory and is written when
the lock ends (``flush`` waits for that, as python-telegram-bot does at shutdown). A value equal to
the one last written is not written again (PTB offers every user's data after every update,
changed or not). Values are stored as JSON: keep user_data, chat_data and bot_data to JSON
types with string keys (tuples come back as lists).

Every string is stored with resident registration numbers masked (db.privacy), whatever a
handler put in user_data. Rows record when they last changed: with ``retention`` given, rows
unchanged for longer are deleted when the bot starts (db.retention purges them daily too).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from db.database import as_utc, is_unavailable, open_database, timestamp
from db.privacy import mask_strings

logger = logging.getLogger(__name__)

_SINGLE_ROW_ID = 1
# The writer thread waits this long for a lock, then keeps what it could not write and tries
# again RETRY_SECONDS later; newer values replace kept ones meanwhile.
BUSY_TIMEOUT_MS = 250
RETRY_SECONDS = 0.2
# At shutdown ``flush`` waits this long for a lock to end before the kept writes are given up
# (logged): python-telegram-bot stops the bot only after it returns.
FLUSH_SECONDS = 10.0

# The shapes PTB passes in (spelled out here: PTB keeps its own aliases private).
Data = dict[Any, Any]
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


class SQLitePersistence(BasePersistence[Data, Data, Data]):
    """Stores user_data, chat_data, bot_data, callback_data and conversations in SQLite."""

    __slots__ = (
        "_changed",
        "_closing",
        "_db",
        "_pending",
        "_retention",
        "_states",
        "_writer",
        "_written",
    )

    def __init__(
        self,
        path: str | Path | None,
        *,
        store_data: PersistenceInput | None = None,
        update_interval: float = 1,
        retention: timedelta | None = None,
    ) -> None:
        super().__init__(store_data=store_data, update_interval=update_interval)
        self._db = open_database(path, busy_timeout_ms=BUSY_TIMEOUT_MS, durable=False)
        self._retention = retention
        self._written: dict[tuple, str] = {}  # (table, id) -> JSON handed to the writer
        self._states: dict[tuple, object] = {}  # (name, key JSON) -> state handed to the writer
        self._pending: dict[tuple, tuple[str, list]] = {}  # key -> newest (sql, parameters)
        self._changed = threading.Condition()
        self._closing = False
        self._writer = threading.Thread(target=self._write_loop, name="persistence", daemon=True)
        self._writer.start()

    def close(self) -> None:
        """Writes what is handed over (one more try if the database is locked), stops the
        writer thread and closes the database connection."""
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._writer.join()
        self._db.close()

    async def get_user_data(self) -> dict[int, Data]:
        """All stored user_data by user id."""
        return self._load_by_id("persistence_user_data", "user_id")

    async def get_chat_data(self) -> dict[int, Data]:
        """All stored chat_data by chat id."""
        return self._load_by_id("persistence_chat_data", "chat_id")

    async def get_bot_data(self) -> Data:
        """The stored bot_data, or an empty dict."""
        return self._load_single("persistence_bot_data") or {}

    async def get_callback_data(self) -> CDCData | None:
        """The stored callback data cache, or None."""
        data = self._load_single("persistence_callback_data")
        if data is None:
            return None
        return [(uuid, float(time), button) for uuid, time, button in data[0]], data[1]

    async def get_conversations(self, name: str) -> ConversationDict:
        """The stored states of the conversation handler called name (stale ones deleted)."""
        self._forget_stale("persistence_conversations")
        rows = self._db["persistence_conversations"].rows_where("name = ?", [name])
        loaded = {tuple(json.loads(row["key"])): json.loads(row["state"]) for row in rows}
        self._states.update({(name, json.dumps(list(key))): s for key, s in loaded.items()})
        return loaded

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Stores a conversation's new state; None (conversation ended) deletes it."""
        key_json = json.dumps(list(key))
        item = ("persistence_conversations", name, key_json)
        if new_state is None:
            self._states.pop((name, key_json), None)
            self._hand_over(
                item,
                "delete from persistence_conversations where name = ? and key = ?",
                [name, key_json],
            )
            return
        self._hand_over(
            item,
            "insert into persistence_conversations (name, key, state, updated_at) "
            "values (?, ?, ?, ?) on conflict (name, key) do update set "
            "state = excluded.state, updated_at = excluded.updated_at",
            [name, key_json, _dumps(new_state), timestamp()],
        )
        self._states[(name, key_json)] = new_state

    def saved_state(self, name: str, key: ConversationKey) -> object | None:
        """The conversation's state as last handed over to be stored (None: not in one)."""
        return self._states.get((name, json.dumps(list(key))))

    def saved_user_data(self, user_id: int) -> Data:
        """One user's user_data as last handed over to be stored (masked), or an empty dict."""
        text = self._written.get(("persistence_user_data", user_id))
        return json.loads(text) if text else {}

    async def update_user_data(self, user_id: int, data: Data) -> None:
        """Stores one user's user_data, unless it is what was last stored."""
        self._store_by_id("persistence_user_data", "user_id", user_id, data)

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        """Stores one chat's chat_data, unless it is what was last stored."""
        self._store_by_id("persistence_chat_data", "chat_id", chat_id, data)

    async def update_bot_data(self, data: Data) -> None:
        """Stores bot_data."""
        self._store_single("persistence_bot_data", data)

    async def update_callback_data(self, data: CDCData) -> None:
        """Stores the callback data cache."""
        self._store_single("persistence_callback_data", data)

    async def drop_chat_data(self, chat_id: int) -> None:
        """Deletes one chat's chat_data."""
        item = ("persistence_chat_data", chat_id)
        self._written.pop(item, None)
        self._hand_over(item, "delete from persistence_chat_data where chat_id = ?", [chat_id])

    async def drop_user_data(self, user_id: int) -> None:
        """Deletes one user's user_data."""
        item = ("persistence_user_data", user_id)
        self._written.pop(item, None)
        self._hand_over(item, "delete from persistence_user_data where user_id = ?", [user_id])

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        """Nothing to do: this process is the only writer, so memory is never stale."""

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        """Nothing to do: this process is the only writer, so memory is never stale."""

    async def refresh_bot_data(self, bot_data: Data) -> None:
        """Nothing to do: this process is the only writer, so memory is never stale."""

    async def save_step(
        self, name: str, key: ConversationKey, state: object | None, user_id: int, data: Data
    ) -> bool:
        """Stores a conversation's new state and its user's data and waits until both are
        written (at most FLUSH_SECONDS; False if the database stayed locked that long).

        A handler calls this before the reply that shows the step: stored after it, a crash in
        between took the citizen back a step the chat had already moved past."""
        await self.update_user_data(user_id, data)
        await self.update_conversation(name, key, state)
        items = {
            ("persistence_user_data", user_id),
            ("persistence_conversations", name, json.dumps(list(key))),
        }
        return await asyncio.to_thread(self._wait_items_written, items, FLUSH_SECONDS)

    async def flush(self) -> None:
        """Waits until everything handed over is written (at most FLUSH_SECONDS)."""
        if not await asyncio.to_thread(self._wait_written, FLUSH_SECONDS):
            logger.error("persistence: the database stayed locked; writes still waiting")

    def _hand_over(self, item: tuple, sql: str, parameters: list) -> None:
        """Gives the writer thread the newest write of ``item`` (replacing a waiting one)."""
        with self._changed:
            self._pending[item] = (sql, parameters)
            self._changed.notify_all()

    def _wait_items_written(self, items: set[tuple], timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: not items & self._pending.keys(), timeout)

    def _wait_written(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: not self._pending, timeout)

    def _write_loop(self) -> None:
        """The writer thread: writes what is handed over; keeps it while the database is
        locked, and gives it up (logged) only when closing finds it still locked."""
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._pending or self._closing)
                if not self._pending:
                    return
                batch = dict(self._pending)
            refused = self._write(batch)
            with self._changed:
                for item, write in batch.items():
                    if self._pending.get(item) is write and item not in refused:
                        del self._pending[item]  # written, and nothing newer came meanwhile
                self._changed.notify_all()
                if not refused:
                    continue
                if self._closing:
                    logger.error(
                        "persistence: database locked at shutdown, %d writes lost",
                        len(self._pending),
                    )
                    self._pending.clear()
                    self._changed.notify_all()
                    return
            time.sleep(RETRY_SECONDS)

    def _write(self, batch: dict[tuple, tuple[str, list]]) -> set[tuple]:
        """Writes ``batch`` in order; returns the items a locked or full database refused."""
        items = list(batch)
        for n, item in enumerate(items):
            sql, parameters = batch[item]
            try:
                self._db.execute(sql, parameters)
            except sqlite3.Error as exc:
                if is_unavailable(exc):
                    return set(items[n:])  # the rest would wait for the same lock
                logger.error("persistence: write of %s failed", item[0], exc_info=exc)
                self._written.pop(item, None)  # a later change writes it again
        return set()

    def _forget_stale(self, table: str) -> None:
        if self._retention is not None:
            cutoff = timestamp(as_utc() - self._retention)
            self._db.execute(f"delete from {table} where updated_at < ?", [cutoff])

    def _load_by_id(self, table: str, id_column: str) -> dict[int, Data]:
        self._forget_stale(table)
        loaded = {}
        for row in self._db[table].rows:
            self._written[(table, row[id_column])] = row["data"]
            loaded[row[id_column]] = json.loads(row["data"])
        return loaded

    def _store_by_id(self, table: str, id_column: str, row_id: int, data: Data) -> None:
        text = _dumps(data)
        if self._written.get((table, row_id)) == text:
            return
        self._hand_over(
            (table, row_id),
            f"insert into {table} ({id_column}, data, updated_at) values (?, ?, ?) "
            f"on conflict ({id_column}) do update set data = excluded.data, "
            f"updated_at = excluded.updated_at",
            [row_id, text, timestamp()],
        )
        self._written[(table, row_id)] = text

    def _load_single(self, table: str) -> Any:
        row = next(self._db[table].rows_where("id = ?", [_SINGLE_ROW_ID]), None)
        return json.loads(row["data"]) if row else None

    def _store_single(self, table: str, data: object) -> None:
        self._hand_over(
            (table,),
            f"insert into {table} (id, data) values (?, ?) "
            "on conflict (id) do update set data = excluded.data",
            [_SINGLE_ROW_ID, _dumps(data)],
        )


def _dumps(value: object) -> str:
    return json.dumps(mask_strings(value), ensure_ascii=False)
