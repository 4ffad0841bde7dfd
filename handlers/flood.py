"""Flood control: per-user limits on messages per minute and on complaints per day.

Usage:
    application.add_handler(flood.FloodControl(settings), group=FLOOD_GROUP)  # first of all
    if await flood.refuse_complaint(update, context):                  # complaint start, submit
        return ConversationHandler.END

Messages and button presses from one user are counted in a sliding minute. Over
FLOOD_MESSAGES_PER_MINUTE an update goes no further (ApplicationHandlerStop) and the user is
told once per minute, not once per message, so a flood never makes the bot flood back.
Complaints are counted in the database (filed in the last 24 hours) when a complaint starts
and again when it is submitted. Staff and admins are exempt from both limits.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from config import Settings
from db.complaints import count_complaints
from db.database import DatabaseUnavailable
from handlers.access import user_role
from handlers.context import BotContext

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
COMPLAINT_WINDOW = timedelta(hours=24)
# Users whose last message is older than the window are forgotten once this many are tracked.
MAX_TRACKED_USERS = 10_000
SLOW_DOWN_TEXT = (
    "메시지를 너무 빨리 보내고 계십니다. 1분쯤 뒤에 다시 보내 주세요. "
    "그동안 보내신 메시지는 처리하지 않았습니다."
)
COMPLAINT_LIMIT_TEXT = (
    "민원은 24시간 동안 {limit}건까지 접수할 수 있습니다. "
    "접수하신 민원은 /my 에서 볼 수 있습니다. "
    "급한 일은 정부민원안내콜센터(국번 없이 110)로 연락해 주세요."
)


class MessageLimiter:
    """Sliding one-minute windows per user: whether an update may pass, and whether to say so."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.clock = clock
        self._recent: dict[int, deque[float]] = {}  # the user's last ``per_minute`` updates
        self._told_until: dict[int, float] = {}

    def allow(self, user_id: int) -> bool:
        """Counts one update; False once the user sent ``per_minute`` in the last minute."""
        now = self.clock()
        if len(self._recent) > MAX_TRACKED_USERS:
            self._forget_idle(now)
        recent = self._recent.setdefault(user_id, deque(maxlen=self.per_minute))
        allowed = len(recent) < self.per_minute or recent[0] <= now - WINDOW_SECONDS
        recent.append(now)  # refused updates count too: a steady flood stays refused
        return allowed

    def should_tell(self, user_id: int) -> bool:
        """True at most once per window for a refused user."""
        now = self.clock()
        if self._told_until.get(user_id, float("-inf")) > now:
            return False
        self._told_until[user_id] = now + WINDOW_SECONDS
        return True

    def _forget_idle(self, now: float) -> None:
        idle = [uid for uid, recent in self._recent.items() if recent[-1] <= now - WINDOW_SECONDS]
        for uid in idle:
            del self._recent[uid]
            self._told_until.pop(uid, None)


class FloodControl(TypeHandler):
    """The handler of the first group (handlers.app.FLOOD_GROUP): stops updates from a user
    over the message limit."""

    __slots__ = ("limiter",)

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(Update, self._limit_messages)
        self.limiter = MessageLimiter(settings.flood_messages_per_minute, clock=clock)

    async def _limit_messages(self, update: Update, context: BotContext) -> None:
        """Lets the update through, or stops it (telling the user once per window)."""
        user = update.effective_user
        counted = update.message or update.callback_query  # not edits, not member updates
        if user is None or not counted or self.limiter.allow(user.id):
            return
        if await is_exempt(context, user.id):  # asked only over the limit: one read less
            return
        tell = self.limiter.should_tell(user.id)
        if tell:  # once per window, like the notice: a flood must not flood the log either
            logger.info("flood control: dropping updates from user %s for a minute", user.id)
        await _tell_slow_down(update, tell=tell)
        raise ApplicationHandlerStop


async def is_exempt(context: BotContext, user_id: int) -> bool:
    """Staff and admins are never limited (an unreadable role counts as a citizen)."""
    try:
        return await user_role(context, user_id) is not None
    except DatabaseUnavailable:
        return False


async def refuse_complaint(
    update: Update, context: BotContext, *, now: datetime | None = None
) -> bool:
    """True, after telling the citizen, when they filed FLOOD_COMPLAINTS_PER_DAY in 24 hours."""
    user = update.effective_user
    limit = context.settings.flood_complaints_per_day
    if await is_exempt(context, user.id):
        return False
    since = (now or datetime.now(UTC)) - COMPLAINT_WINDOW
    if await context.store.read(count_complaints, user_id=user.id, since=since) < limit:
        return False
    logger.info("flood control: complaint limit reached for user %s", user.id)
    if update.callback_query:
        await update.callback_query.answer()
    await update.effective_chat.send_message(COMPLAINT_LIMIT_TEXT.format(limit=limit))
    return True


async def _tell_slow_down(update: Update, *, tell: bool) -> None:
    """Answers a refused update: the notice once per window, in private chats only."""
    private = update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE
    try:
        if update.callback_query:  # Telegram shows a spinner until a press is answered
            await update.callback_query.answer(SLOW_DOWN_TEXT if tell else None, show_alert=tell)
        elif tell and private:
            await update.effective_chat.send_message(SLOW_DOWN_TEXT)
    except TelegramError as exc:
        logger.warning("could not send the flood notice: %s", exc)
