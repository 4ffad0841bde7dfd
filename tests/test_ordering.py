"""Per-user ordering with concurrent updates (transport/ordering.py).

The processor is tested on its own with slow coroutines (order, overlap, the concurrency limit,
a flooding user, the lane table), then inside the real Application: twenty citizens file
complaints at the same time through ``application.update_queue`` — the path polling takes — on
a Bot API that answers after a random delay, so handlers really interleave.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from config import SettingsError, load_settings
from console.local_api import BOT_USER, LocalBotApi, chat_dict
from db.complaints import list_complaints
from handlers.app import build_application, running
from transport.ordering import GLOBAL_KEY, PerUserUpdateProcessor, ordering_key

SLOW = 0.3  # seconds a "slow" handler takes; long against scheduling noise on a busy machine
CITIZENS = range(5001, 5021)
WAIT_SECONDS = 30.0


def _message_update(update_id: int, user_id: int | None, chat_id: int) -> Update:
    """A private (or channel, without a user) text message as Telegram would send it."""
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": 1700000000,
        "chat": chat_dict(chat_id),
        "text": "안녕하세요",
    }
    if user_id is None:
        return Update.de_json({"update_id": update_id, "channel_post": message}, None)
    message["from"] = {"id": user_id, "is_bot": False, "first_name": "시민"}
    return Update.de_json({"update_id": update_id, "message": message}, None)


class Recorder:
    """Coroutines that note when they start and end, in one shared log."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []
        self.running = 0
        self.peak = 0

    async def work(self, name: str, seconds: float = 0.0) -> None:
        self.log.append(("start", name))
        self.running += 1
        self.peak = max(self.peak, self.running)
        await asyncio.sleep(seconds)
        self.running -= 1
        self.log.append(("end", name))


async def _process_all(
    processor: PerUserUpdateProcessor, jobs: list[tuple[Update, Awaitable[Any]]]
) -> None:
    """Hands every update to the processor in order, each in its own task (as PTB does)."""
    tasks = [
        asyncio.create_task(processor.process_update(update, coroutine))
        for update, coroutine in jobs
    ]
    await asyncio.gather(*tasks)


def test_the_key_is_the_user_then_the_chat_then_global():
    assert ordering_key(_message_update(1, 42, 42)) == ("user", 42)
    assert ordering_key(_message_update(2, 42, -100500)) == ("user", 42)
    assert ordering_key(_message_update(3, None, -100777)) == ("chat", -100777)
    assert ordering_key(Update(update_id=4)) == GLOBAL_KEY
    assert ordering_key("not an update") == GLOBAL_KEY


async def test_one_users_updates_run_strictly_in_order_even_when_the_first_is_slow():
    recorder, processor = Recorder(), PerUserUpdateProcessor(8)
    async with processor:
        await _process_all(
            processor,
            [
                (_message_update(1, 42, 42), recorder.work("first", SLOW)),
                (_message_update(2, 42, 42), recorder.work("second")),
                (_message_update(3, 42, 42), recorder.work("third", SLOW / 10)),
            ],
        )
    assert recorder.log == [
        ("start", "first"),
        ("end", "first"),
        ("start", "second"),
        ("end", "second"),
        ("start", "third"),
        ("end", "third"),
    ]


async def test_different_users_overlap():
    recorder, processor = Recorder(), PerUserUpdateProcessor(8)
    async with processor:
        await _process_all(
            processor,
            [
                (_message_update(1, 42, 42), recorder.work("a", SLOW)),
                (_message_update(2, 43, 43), recorder.work("b", SLOW)),
            ],
        )
    assert recorder.peak == 2  # both were running at once


async def test_no_more_than_the_limit_run_at_once():
    recorder, processor = Recorder(), PerUserUpdateProcessor(2)
    async with processor:
        await _process_all(
            processor,
            [(_message_update(n, n, n), recorder.work(str(n), SLOW / 3)) for n in range(1, 7)],
        )
    assert recorder.peak == 2
    # two start, and each of the other four starts only after one has ended
    assert [kind for kind, _ in recorder.log[:3]] == ["start", "start", "end"]
    assert sorted(name for kind, name in recorder.log if kind == "end") == list("123456")


async def test_a_flooding_user_holds_one_slot_so_others_still_get_through():
    recorder, processor = Recorder(), PerUserUpdateProcessor(2)
    flood = [
        (_message_update(n, 42, 42), recorder.work(f"flood{n}", SLOW / 3)) for n in range(1, 6)
    ]
    async with processor:
        await _process_all(
            processor, [*flood, (_message_update(9, 43, 43), recorder.work("other"))]
        )
    assert recorder.log.index(("end", "other")) < recorder.log.index(("end", "flood1"))


async def test_lanes_are_dropped_after_a_burst_and_a_failure_does_not_stop_the_lane():
    recorder, processor = Recorder(), PerUserUpdateProcessor(4)

    async def fail() -> None:
        raise RuntimeError("broken update")

    jobs = [
        (_message_update(n, 40 + n % 3, 40 + n % 3), recorder.work(str(n), 0.001))
        for n in range(30)
    ]
    jobs.insert(1, (_message_update(99, 40, 40), fail()))
    async with processor:
        await _process_all(processor, jobs)
        assert processor.active_keys == 0
    assert sum(event == "end" for event, _ in recorder.log) == 30


def test_max_concurrent_updates_is_a_positive_whole_number():
    assert load_settings({}, env_file=None).max_concurrent_updates == 64
    assert (
        load_settings({"MAX_CONCURRENT_UPDATES": "8"}, env_file=None).max_concurrent_updates == 8
    )
    for bad in ("0", "-3", "many", "1.5"):
        with pytest.raises(SettingsError, match="^MAX_CONCURRENT_UPDATES: "):
            load_settings({"MAX_CONCURRENT_UPDATES": bad}, env_file=None)


class JitteryBotApi(LocalBotApi):
    """The in-process Bot API, answering each call after a random 0–5 ms, like a network would."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self._random = random.Random(seed)

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        await asyncio.sleep(self._random.uniform(0, 0.005))
        return await super().do_request(*args, **kwargs)


class QueuedCitizen:
    """A citizen whose updates go through ``application.update_queue``, as polling delivers
    them."""

    _ids = itertools.count(1)

    def __init__(self, application: Application, api: LocalBotApi, user_id: int) -> None:
        self.application, self.api, self.user_id = application, api, user_id
        self.user = {"id": user_id, "is_bot": False, "first_name": "시민"}

    async def send(self, text: str) -> None:
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": chat_dict(self.user_id),
            "from": self.user,
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        await self._put({"message": message})

    async def press(self, label: str, *, times: int = 1) -> None:
        """Taps the button ``label`` on the newest bot message that has it, ``times`` in a row."""
        message, data = self._button(label)
        for _ in range(times):
            await self._put(
                {
                    "callback_query": {
                        "id": str(next(self._ids)),
                        "from": self.user,
                        "chat_instance": "queued",
                        "data": data,
                        "message": message,
                    }
                }
            )

    def texts(self, contains: str) -> list[str]:
        return [text for text in self.api.texts(self.user_id) if contains in text]

    async def wait_for(self, contains: str, count: int = 1) -> None:
        await _until(
            lambda: len(self.texts(contains)) >= count,
            f"user {self.user_id}: {count}× {contains!r}",
        )

    def _button(self, label: str) -> tuple[dict, str]:
        for (chat_id, _), message in sorted(self.api.messages.items(), reverse=True):
            markup = message.get("reply_markup") or {}
            for button in (b for row in markup.get("inline_keyboard", []) for b in row):
                if chat_id == self.user_id and button["text"] == label:
                    return {**message, "from": BOT_USER}, button["callback_data"]
        raise LookupError(f"no button {label!r} for user {self.user_id}")

    async def _put(self, update: dict) -> None:
        data = {"update_id": next(self._ids), **update}
        await self.application.update_queue.put(Update.de_json(data, self.application.bot))


async def _until(predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def _content(user_id: int) -> tuple[str, str]:
    return (
        f"{user_id}번 시민: 가로등이 꺼져 있어요",
        f"{user_id}번 시민: 밤마다 어두워서 위험합니다",
    )


async def _file_complaint(citizen: QueuedCitizen) -> None:
    """The whole conversation; the start and the two content lines are sent without waiting."""
    first, second = _content(citizen.user_id)
    for text in ("/complaint", first, second):
        await citizen.send(text)
    await citizen.wait_for("현장 사진이나 위치", count=2)
    await citizen.press("다음 ▶")
    await citizen.wait_for("부서")  # suggested departments, or none found
    await citizen.press("잘 모르겠어요")
    await citizen.wait_for("개인정보 수집·이용 동의")
    await citizen.press("익명으로 접수")
    await citizen.wait_for("민원 접수 내용을 확인해 주세요")
    await citizen.press("접수하기", times=2)  # a double tap: the second must find the draft gone
    await citizen.wait_for("접수번호:")


async def test_twenty_citizens_file_complaints_at_once_through_the_real_application(
    bot_settings, kb, tokenizer
):
    api = JitteryBotApi(seed=7)
    application = build_application(bot_settings, request=api, kb=kb, tokenizer=tokenizer)
    processor = application.update_processor
    assert isinstance(processor, PerUserUpdateProcessor)
    assert processor.max_concurrent_updates == bot_settings.max_concurrent_updates
    async with running(application):
        citizens = [QueuedCitizen(application, api, user_id) for user_id in CITIZENS]
        await asyncio.gather(*(_file_complaint(citizen) for citizen in citizens))
        await _until(lambda: processor.active_keys == 0, "every lane to close")
        stored = list_complaints(application.bot_data["store"].db, limit=100)
        receipts = {c.user_id: c.texts("접수번호:") for c in citizens}
    assert sorted(c.user_id for c in stored) == list(CITIZENS)
    for complaint in stored:
        assert complaint.content == "\n".join(_content(complaint.user_id))
        [receipt_text] = receipts[complaint.user_id]
        assert f"접수번호: {complaint.receipt}" in receipt_text
    assert not [call for call in api.calls if call.error]
