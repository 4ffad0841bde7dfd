"""The one error handler: log, apologise to the user in Korean, report to the admins.

Logs never contain what a citizen wrote (complaints carry personal data): an update is
described by its ids and kind only. Admins get one report per kind of error every ten minutes,
with how many like it were held back: a locked database or a Telegram outage fails every update,
and a report for each would flood their chats and use up the bot's sending rate.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass

from telegram import Update
from telegram.error import TelegramError

from db.database import DatabaseUnavailable
from handlers.context import BotContext

logger = logging.getLogger(__name__)

APOLOGY_TEXT = "죄송합니다. 처리 중 문제가 생겼습니다. 잠시 후 다시 시도해 주세요."
TRY_LATER_TEXT = "지금은 저장소를 쓸 수 없어 처리하지 못했습니다. 잠시 후 다시 시도해 주세요."
MAX_ERROR_CHARS = 300
REPORT_INTERVAL_SECONDS = 600.0


def describe_update(update: object) -> str:
    """Ids and kind of an update, without any text the user wrote."""
    if not isinstance(update, Update):
        return "no update (job or internal error)"
    kind = "callback" if update.callback_query else "message" if update.message else "other"
    chat = update.effective_chat.id if update.effective_chat else "-"
    user = update.effective_user.id if update.effective_user else "-"
    command = ""
    message = update.message
    if message and message.text and message.text.startswith("/"):
        command = " " + message.text.split(maxsplit=1)[0][:32]
    elif update.callback_query and update.callback_query.data:
        command = " " + update.callback_query.data.split(":", 1)[0]
    return f"update {update.update_id} {kind}{command} chat {chat} user {user}"


async def handle_error(update: object, context: BotContext) -> None:
    """Logs the error, tells the user to try again and reports it to every admin."""
    where = describe_update(update)
    logger.error("error while handling %s", where, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat:
        text = TRY_LATER_TEXT if isinstance(context.error, DatabaseUnavailable) else APOLOGY_TEXT
        await _send(context, update.effective_chat.id, text)
    error = f"{type(context.error).__name__}: {context.error}"[:MAX_ERROR_CHARS]
    held_back = take_report(context.error_reports, error, time.monotonic())
    if held_back is None:
        return
    more = f"\n(앞선 보고 뒤 같은 오류 {held_back}건은 보고하지 않았습니다)" if held_back else ""
    for admin_id in sorted(context.settings.admin_ids):
        await _send(context, admin_id, f"[오류 보고] {error}\n{where}{more}")


@dataclass
class Reported:
    """When an error of one kind was last reported, and how many like it came since."""

    at: float
    held_back: int = 0


def take_report(reports: dict[str, Reported], error: str, now: float) -> int | None:
    """None if an error of this kind was reported less than REPORT_INTERVAL_SECONDS ago (it is
    counted); otherwise how many were held back since the last report. The kind is the text
    with its numbers left out ("retry in 7 seconds" and "in 9 seconds" are one kind)."""
    kind = re.sub(r"\d+", "#", error)
    last = reports.get(kind)
    if last is not None and now - last.at < REPORT_INTERVAL_SECONDS:
        last.held_back += 1
        return None
    reports[kind] = Reported(now)
    return last.held_back if last else 0


async def _send(context: BotContext, chat_id: int, text: str) -> None:
    try:
        await context.bot.send_message(chat_id, text)
    except TelegramError as exc:
        logger.warning("could not send the error notice to %s: %s", chat_id, exc)
