"""SQLitePersistence: every kind of data survives closing and reopening the database file."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime

from telegram import Chat, Message, MessageEntity, Update, User
from telegram.ext import (
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from db.persistence import SQLitePersistence

CONTENT, CONFIRM = range(2)
CHAT_ID, USER_ID = 42, 7


async def test_round_trip_of_every_kind_of_data(tmp_path):
    path = tmp_path / "bot.db"
    first = SQLitePersistence(path, update_interval=1)
    await first.update_user_data(USER_ID, {"draft": "가로등 고장", "photos": ["f1"]})
    await first.update_user_data(8, {"draft": "지울 것"})
    await first.update_chat_data(CHAT_ID, {"region": "동구"})
    await first.update_chat_data(43, {"region": "서구"})
    await first.update_bot_data({"started": "2025-03-01"})
    await first.update_callback_data(([("uuid-1", 1700000000.5, {"btn": "ok"})], {"m1": "uuid-1"}))
    await first.update_conversation("complaint", (CHAT_ID, USER_ID), CONFIRM)
    await first.update_conversation("complaint", (CHAT_ID, 8), CONTENT)
    await first.update_conversation("complaint", (CHAT_ID, 8), None)
    await first.drop_user_data(8)
    await first.drop_chat_data(43)
    await first.flush()
    first.close()

    second = SQLitePersistence(path)
    assert await second.get_user_data() == {USER_ID: {"draft": "가로등 고장", "photos": ["f1"]}}
    assert await second.get_chat_data() == {CHAT_ID: {"region": "동구"}}
    assert await second.get_bot_data() == {"started": "2025-03-01"}
    assert await second.get_callback_data() == (
        [("uuid-1", 1700000000.5, {"btn": "ok"})],
        {"m1": "uuid-1"},
    )
    assert await second.get_conversations("complaint") == {(CHAT_ID, USER_ID): CONFIRM}
    assert await second.get_conversations("other") == {}
    second.close()


async def test_empty_persistence(tmp_path):
    persistence = SQLitePersistence(tmp_path / "bot.db")
    assert await persistence.get_user_data() == {}
    assert await persistence.get_chat_data() == {}
    assert await persistence.get_bot_data() == {}
    assert await persistence.get_callback_data() is None
    persistence.close()


async def test_stored_as_readable_json(tmp_path):
    persistence = SQLitePersistence(tmp_path / "bot.db")
    await persistence.update_conversation("complaint", (CHAT_ID, USER_ID), CONTENT)
    await persistence.update_user_data(USER_ID, {"draft": "가로등"})
    await persistence.flush()
    rows = persistence._db.execute("select key, state from persistence_conversations").fetchall()
    assert rows == [(json.dumps([CHAT_ID, USER_ID]), "0")]
    data = persistence._db.execute("select data from persistence_user_data").fetchone()[0]
    assert data == '{"draft": "가로등"}'
    persistence.close()


def stored_user_data(persistence: SQLitePersistence) -> list[tuple[int, str]]:
    return persistence._db.execute("select user_id, data from persistence_user_data").fetchall()


async def test_unchanged_data_is_not_written_again(tmp_path):
    """PTB offers every user's data after every update; only a change reaches the file."""
    persistence = SQLitePersistence(tmp_path / "bot.db")
    await persistence.update_user_data(USER_ID, {"region": "전주시"})
    await persistence.flush()
    persistence._db.execute("update persistence_user_data set data = '{\"marker\": 1}'")
    await persistence.update_user_data(USER_ID, {"region": "전주시"})
    await persistence.flush()
    assert stored_user_data(persistence) == [(USER_ID, '{"marker": 1}')]
    await persistence.update_user_data(USER_ID, {"region": "나주시"})
    await persistence.flush()
    assert stored_user_data(persistence) == [(USER_ID, '{"region": "나주시"}')]
    persistence.close()


async def test_data_loaded_at_start_or_dropped_is_compared_correctly(tmp_path):
    path = tmp_path / "bot.db"
    first = SQLitePersistence(path)
    await first.update_user_data(USER_ID, {"region": "전주시"})
    first.close()
    second = SQLitePersistence(path)
    assert await second.get_user_data() == {USER_ID: {"region": "전주시"}}
    await second.drop_user_data(USER_ID)
    await second.update_user_data(USER_ID, {"region": "전주시"})
    await second.flush()
    assert stored_user_data(second) == [(USER_ID, '{"region": "전주시"}')]
    second.close()


async def test_a_write_refused_by_a_lock_waits_and_only_the_newest_value_is_written(tmp_path):
    """The event loop is not held up: the writes return at once and wait for the lock."""
    path = tmp_path / "bot.db"
    persistence = SQLitePersistence(path)
    locker = sqlite3.connect(path)
    locker.execute("begin immediate")
    try:
        await persistence.update_user_data(USER_ID, {"region": "전주시"})
        await persistence.update_conversation("complaint", (CHAT_ID, USER_ID), CONTENT)
        await persistence.update_user_data(USER_ID, {"region": "나주시"})
        assert locker.execute("select count(*) from persistence_user_data").fetchone() == (0,)
    finally:
        locker.rollback()
        locker.close()
    await persistence.flush()
    assert stored_user_data(persistence) == [(USER_ID, '{"region": "나주시"}')]
    assert await persistence.get_conversations("complaint") == {(CHAT_ID, USER_ID): CONTENT}
    persistence.close()


async def test_close_writes_what_was_handed_over(tmp_path):
    path = tmp_path / "bot.db"
    first = SQLitePersistence(path)
    for user_id in range(100):
        await first.update_user_data(user_id, {"n": user_id})
    first.close()
    second = SQLitePersistence(path)
    assert await second.get_user_data() == {user_id: {"n": user_id} for user_id in range(100)}
    second.close()


class OfflineRequest(BaseRequest):
    """Answers getMe and refuses everything else: these tests never touch the network."""

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url, method, request_data=None, **timeouts):
        if not url.endswith("/getMe"):
            raise AssertionError(f"unexpected Bot API call {url}")
        me = {"id": 1, "is_bot": True, "first_name": "민원봇", "username": "civic_bot"}
        return 200, json.dumps({"ok": True, "result": me}).encode()


def build_application(persistence: SQLitePersistence, seen: list[str]):
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """Starts a complaint and asks for its content."""
        seen.append("start")
        return CONTENT

    async def content(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """Stores the content and asks for confirmation."""
        seen.append(f"content:{update.message.text}")
        context.user_data["draft"] = update.message.text
        return CONFIRM

    async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """Finishes the complaint."""
        seen.append(f"confirm:{context.user_data['draft']}")
        return ConversationHandler.END

    application = (
        ApplicationBuilder()
        .token("123:TEST")
        .request(OfflineRequest())
        .get_updates_request(OfflineRequest())
        .persistence(persistence)
        .updater(None)
        .build()
    )
    application.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("complaint", start)],
            states={
                CONTENT: [MessageHandler(filters.TEXT & ~filters.COMMAND, content)],
                CONFIRM: [MessageHandler(filters.Regex("^예$"), confirm)],
            },
            fallbacks=[],
            name="complaint",
            persistent=True,
        )
    )
    return application


def text_update(application, update_id: int, text: str) -> Update:
    command = text.startswith("/")
    entities = [MessageEntity(MessageEntity.BOT_COMMAND, 0, len(text))] if command else None
    message = Message(
        message_id=update_id,
        date=datetime.now(UTC),
        chat=Chat(CHAT_ID, Chat.PRIVATE),
        from_user=User(USER_ID, "민원인", False),
        text=text,
        entities=entities,
    )
    message.set_bot(application.bot)
    return Update(update_id, message=message)


async def test_conversation_survives_a_crash_mid_complaint(tmp_path):
    path = tmp_path / "bot.db"
    seen: list[str] = []
    # The periodic persistence update runs every 0.1 s here (the bot's every second): the
    # test waits for one run, and a second-long wait was a second of the suite.
    before = SQLitePersistence(path, update_interval=0.1)
    crashed = build_application(before, seen)
    await crashed.initialize()
    await crashed.start()  # runs the periodic persistence update
    try:
        await crashed.process_update(text_update(crashed, 1, "/complaint"))
        await crashed.process_update(text_update(crashed, 2, "가로등이 꺼졌어요"))
        probe = SQLitePersistence(path)
        for _ in range(40):
            if await probe.get_conversations("complaint") == {(CHAT_ID, USER_ID): CONFIRM}:
                break
            await asyncio.sleep(0.1)
        assert await probe.get_conversations("complaint") == {(CHAT_ID, USER_ID): CONFIRM}
        probe.close()
        # The process dies here: no stop(), no shutdown(), no final flush.

        restarted = build_application(SQLitePersistence(path, update_interval=1), seen)
        async with restarted:
            await restarted.process_update(text_update(restarted, 3, "예"))
        assert seen == ["start", "content:가로등이 꺼졌어요", "confirm:가로등이 꺼졌어요"]

        after = SQLitePersistence(path)
        assert await after.get_conversations("complaint") == {}
        assert await after.get_user_data() == {USER_ID: {"draft": "가로등이 꺼졌어요"}}
        after.close()
    finally:
        await crashed.stop()
        await crashed.shutdown()


async def test_what_was_last_handed_over_is_known_without_reading_the_file(tmp_path):
    """saved_state and saved_user_data: what a step that Telegram refused puts back
    (handlers.complaint ``_step``), as loaded at start and as changed since; masked."""
    path = tmp_path / "bot.db"
    first = SQLitePersistence(path)
    await first.update_conversation("complaint", (CHAT_ID, USER_ID), CONFIRM)
    await first.update_user_data(USER_ID, {"complaint": {"content": "번호 900101-1234567"}})
    await first.flush()
    first.close()

    second = SQLitePersistence(path)
    assert second.saved_state("complaint", (CHAT_ID, USER_ID)) is None  # nothing loaded yet
    await second.get_conversations("complaint")
    await second.get_user_data()
    assert second.saved_state("complaint", (CHAT_ID, USER_ID)) == CONFIRM
    assert second.saved_user_data(USER_ID) == {"complaint": {"content": "번호 ******-*******"}}
    await second.save_step("complaint", (CHAT_ID, USER_ID), CONTENT, USER_ID, {"complaint": {}})
    assert second.saved_state("complaint", (CHAT_ID, USER_ID)) == CONTENT
    assert second.saved_user_data(USER_ID) == {"complaint": {}}
    await second.update_conversation("complaint", (CHAT_ID, USER_ID), None)
    await second.drop_user_data(USER_ID)
    assert second.saved_state("complaint", (CHAT_ID, USER_ID)) is None
    assert second.saved_user_data(USER_ID) == {}
    second.close()
