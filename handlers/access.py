"""Who and what may reach a handler: new messages only, private chats, staff and admin roles.

Usage:
    @requires(STAFF_ROLES)             # or ADMIN_ROLES; refused users are told and logged
    async def inbox(update: Update, context: BotContext) -> None: ...

Roles come from ``db.staff.role_of`` on every call (never cached), so a /revoke takes effect
at once and an old staff button pressed by someone else is refused.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import filters

from db.privacy import mask_rrn
from db.staff import ADMIN, STAFF, log_denied, role_of
from handlers.context import BotContext

logger = logging.getLogger(__name__)

# Edited messages are left alone on purpose: the reply to the first version has already been
# sent, and answering every correction again would only confuse the conversation.
NEW_MESSAGE = filters.UpdateType.MESSAGE
PRIVATE = filters.ChatType.PRIVATE & NEW_MESSAGE

DENIED_TEXT = "권한이 없습니다. 이 명령은 담당 직원만 사용할 수 있습니다."
ADMIN_DENIED_TEXT = "권한이 없습니다. 이 명령은 관리자만 사용할 수 있습니다."
PLACE_TEXT = (
    "민원 업무는 봇과의 1:1 대화나 직원 대화방에서만 볼 수 있습니다. 그곳에서 다시 해 주세요."
)
STAFF_ROLES = (STAFF, ADMIN)
ADMIN_ROLES = (ADMIN,)

Callback = Callable[[Update, BotContext], Awaitable[Any]]


async def user_role(context: BotContext, user_id: int) -> str | None:
    """'admin', 'staff' or None for ``user_id``, from the settings and the grants table."""
    settings = context.settings
    return await context.store.read(
        role_of, user_id, admin_ids=settings.admin_ids, staff_ids=settings.staff_ids
    )


async def allowed(
    update: Update,
    context: BotContext,
    action: str,
    roles: tuple[str, ...] = STAFF_ROLES,
) -> bool:
    """True if the user has one of ``roles``; otherwise refuses politely and logs the attempt."""
    user = update.effective_user
    if user is not None and await user_role(context, user.id) in roles:
        return True
    user_id = user.id if user else 0
    await context.store.write(log_denied, user_id, action)
    logger.warning("denied %s to user %s", mask_rrn(action), user_id)
    text = ADMIN_DENIED_TEXT if roles == ADMIN_ROLES else DENIED_TEXT
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message:
        await update.effective_message.reply_text(text)
    return False


def in_staff_place(update: Update, context: BotContext) -> bool:
    """True in a private chat with the bot or in STAFF_CHAT_ID: the only chats where complaint
    data may appear."""
    chat = update.effective_chat
    staff_chat_id = context.settings.staff_chat_id
    return chat is not None and (chat.type == ChatType.PRIVATE or chat.id == staff_chat_id)


async def staff_allowed(
    update: Update,
    context: BotContext,
    action: str,
    roles: tuple[str, ...] = STAFF_ROLES,
) -> bool:
    """``allowed`` for ``roles``, and only in a staff place; elsewhere one line says where to go
    (nothing of the data) and the attempt is logged at INFO."""
    if not await allowed(update, context, action, roles):
        return False
    if in_staff_place(update, context):
        return True
    chat_id = update.effective_chat.id if update.effective_chat else None
    logger.info(
        "%s by user %s refused outside a staff place (chat %s)",
        mask_rrn(action),
        update.effective_user.id,
        chat_id,
    )
    if update.callback_query:
        await update.callback_query.answer(PLACE_TEXT, show_alert=True)
    elif update.effective_message:
        await update.effective_message.reply_text(PLACE_TEXT)
    return False


def requires(
    roles: tuple[str, ...] = STAFF_ROLES, *, action: str | None = None
) -> Callable[[Callback], Callback]:
    """Decorator: the callback runs only for a user with one of ``roles`` in a staff place.

    Anyone else gets what ``staff_allowed`` answers (the denial, or where to go) and the attempt
    is logged under ``action``: by default the command ("/inbox") or "button <data>".
    """

    def decorate(callback: Callback) -> Callback:
        @functools.wraps(callback)
        async def checked(update: Update, context: BotContext) -> Any:
            label = action or action_label(update)
            if not await staff_allowed(update, context, label, roles):
                return None
            return await callback(update, context)

        checked.required_roles = roles
        return checked

    return decorate


def action_label(update: Update) -> str:
    """How a refused attempt is logged: the command without its @bot suffix, or the button."""
    if update.callback_query is not None:
        return f"button {update.callback_query.data}"
    text = update.effective_message.text if update.effective_message else None
    return (text or "").split(maxsplit=1)[0].split("@", 1)[0] if text else "message"


class RepliesToBot(filters.MessageFilter):
    """A reply to one of the bot's own messages whose text ``marked`` accepts: a staff or
    teaching prompt's mark, a relay post's "[상담 #번호]"."""

    def __init__(self, marked: Callable[[str], bool], name: str) -> None:
        super().__init__(name=name)
        self._marked = marked

    def filter(self, message) -> bool:
        asked = message.reply_to_message
        return (
            asked is not None
            and asked.from_user is not None
            and asked.from_user.id == message.get_bot().id
            and self._marked(asked.text or "")
        )
