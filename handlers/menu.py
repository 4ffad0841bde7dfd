"""The command menus Telegram shows each audience (set with setMyCommands at start-up).

Citizens see the default menu; the staff chat and each staff member's private chat also see
the staff commands, and admins the admin commands.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from db.staff import ADMIN, STAFF

logger = logging.getLogger(__name__)

CITIZEN_COMMANDS = (
    BotCommand("start", "시작하기와 안내"),
    BotCommand("help", "도움말"),
    BotCommand("region", "관심 지역 선택"),
    BotCommand("source", "마지막 답의 출처 (문서 파일과 줄)"),
    BotCommand("complaint", "민원 접수"),
    BotCommand("status", "민원 처리 상황 보기 (접수번호)"),
    BotCommand("my", "내가 접수한 민원"),
    BotCommand("cancel", "작성 중인 민원 취소"),
    BotCommand("agent", "상담원 연결"),
    BotCommand("endchat", "상담원 연결 종료"),
)
STAFF_COMMANDS = (
    BotCommand("inbox", "민원함 [상태]"),
    BotCommand("view", "민원 보기 (접수번호)"),
    BotCommand("reply", "민원 답변 (접수번호 내용)"),
    BotCommand("assign", "부서 이관 (접수번호 부서)"),
    BotCommand("close", "완료 처리 (접수번호 [민원인에게 보낼 메모])"),
    BotCommand("note", "내부 메모 (접수번호 내용, 직원만 봄)"),
    BotCommand("export", "CSV 내보내기 [시작일 종료일]"),
    BotCommand("due", "처리기한 순 민원"),
    BotCommand("type", "민원 유형 (접수번호 유형)"),
    BotCommand("extend", "처리기한 연장 (접수번호 날짜 사유)"),
    BotCommand("template", "상용구 [접수번호]"),
    BotCommand("link", "유사 민원 연결 (접수번호 접수번호)"),
    BotCommand("repeat", "반복 민원 종결 (접수번호 앞선접수번호)"),
)
ADMIN_COMMANDS = (
    BotCommand("reload", "지식베이스 다시 불러오기"),
    BotCommand("stats", "질문·민원 통계"),
    BotCommand("grant", "권한 주기 (ID [staff|admin])"),
    BotCommand("revoke", "권한 회수 (ID)"),
    BotCommand("closed", "추가 휴무일 [날짜 사유]"),
    BotCommand("statutory", "법정민원 처리기간 [이름 일수]"),
    BotCommand("kb_versions", "지식베이스 버전 목록"),
    BotCommand("rollback", "지식베이스 되돌리기 (버전번호)"),
)


def commands_for(role: str | None) -> tuple[BotCommand, ...]:
    """The private-chat menu for a role (None: citizen)."""
    if role == ADMIN:
        return CITIZEN_COMMANDS + STAFF_COMMANDS + ADMIN_COMMANDS
    if role == STAFF:
        return CITIZEN_COMMANDS + STAFF_COMMANDS
    return CITIZEN_COMMANDS


async def publish_menus(
    bot: Bot, *, staff_chat_id: int | None, roles: Iterable[tuple[int, str]]
) -> None:
    """Sets the default menu, the staff chat's menu and one menu per staff member."""
    await bot.set_my_commands(CITIZEN_COMMANDS, scope=BotCommandScopeDefault())
    if staff_chat_id is not None:
        await _set(bot, staff_chat_id, STAFF_COMMANDS)
    for user_id, role in roles:
        await _set(bot, user_id, commands_for(role))


async def set_menu_for(bot: Bot, user_id: int, role: str | None) -> None:
    """Shows ``user_id`` the menu of their (new) role; None restores the citizen menu."""
    if role is None:
        try:
            await bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
        except TelegramError as exc:
            logger.warning("could not reset the menu of %s: %s", user_id, exc)
        return
    await _set(bot, user_id, commands_for(role))


async def _set(bot: Bot, chat_id: int, commands: tuple[BotCommand, ...]) -> None:
    # A user who never opened the bot has no chat yet: that must not stop the bot.
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        logger.warning("could not set the menu for chat %s: %s", chat_id, exc)
