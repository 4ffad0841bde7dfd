"""Concurrent updates that stay in order per user: a ``BaseUpdateProcessor`` with one lane per
user.

Usage:
    ApplicationBuilder().concurrent_updates(PerUserUpdateProcessor(64))

python-telegram-bot processes updates one by one unless ``concurrent_updates`` is set, and with
it set, two updates of one citizen may run at once: a ConversationHandler then reads the same
state twice (a double tap on 접수하기, or "다음" overtaking the complaint text it follows). This
processor keeps each user's updates strictly in arrival order and lets different users run
concurrently, up to ``max_concurrent_updates`` at a time.

Each key (the user, else the chat, else one shared key) gets a lane: in effect a per-key lock
whose waiters are queued updates rather than tasks holding a slot. The first update of an idle
key opens the lane and runs; later updates of the same key join the lane's queue and return at
once, so a citizen who sends twenty messages holds one concurrency slot, not twenty, and cannot
starve everybody else (a plain ``asyncio.Lock`` per key would be awaited inside the slot that
PTB's ``process_update`` already holds). The lane runs its queue in order and is removed when it
empties, so the lane table never holds more than ``max_concurrent_updates`` keys.
``Application.stop`` still processes everything queued: it waits for the task running each lane.

Polling and webhooks both deliver through this processor; ``application.process_update`` called
directly (tests, the console) bypasses it and runs at once.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Hashable
from inspect import iscoroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger(__name__)

GLOBAL_KEY: Hashable = ("global",)


def ordering_key(update: object) -> Hashable:
    """Whose updates must stay in order: the user's, else the chat's, else everybody's."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
    return GLOBAL_KEY


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Runs updates of different users concurrently and each user's updates one after another."""

    __slots__ = ("_lanes",)

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._lanes: dict[Hashable, deque[Awaitable[Any]]] = {}

    @property
    def active_keys(self) -> int:
        """How many keys have an update running now (the size of the lane table)."""
        return len(self._lanes)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Runs ``coroutine`` now if its key is idle, else queues it behind the running update."""
        key = ordering_key(update)
        lane = self._lanes.get(key)
        if lane is not None:
            lane.append(coroutine)
            return
        lane = self._lanes[key] = deque([coroutine])
        try:
            await _run_in_order(lane)
        finally:
            del self._lanes[key]
            _discard(lane)

    async def initialize(self) -> None:
        """Nothing to allocate: lanes are made on demand."""

    async def shutdown(self) -> None:
        """Nothing to free: every lane ends with its last update."""


async def _run_in_order(lane: deque[Awaitable[Any]]) -> None:
    """Awaits the lane's updates oldest first until none is left; one failure does not stop it.

    ``Application.process_update`` hands handler errors to the error handler itself, so only a
    failure of that machinery lands here; it is logged and the next update still runs.
    """
    while lane:
        coroutine = lane.popleft()
        try:
            await coroutine
        except Exception:
            logger.exception("processing a queued update failed")


def _discard(lane: deque[Awaitable[Any]]) -> None:
    """Closes updates that will never run (the lane was cancelled), so nothing leaks a warning."""
    for coroutine in lane:
        if iscoroutine(coroutine):
            coroutine.close()
    lane.clear()
