"""Console chat: the same Application and handlers as on Telegram, driven from a terminal.

Usage:
    python bot.py            # when TELEGRAM_BOT_TOKEN is not set
    python bot.py chat

Each input line becomes a real Update from one console user (a line starting with "/" is a
command); the bot's replies are printed with their buttons as "[#1 label]", and typing "#1"
presses that button. Complaints are stored in DATABASE_PATH like on Telegram. /quit or end of
input (Ctrl-D) leaves.
"""

from __future__ import annotations

import asyncio
import re
from typing import TextIO

from config import Settings
from console.local_api import ApiCall, LocalBotApi, LocalChat
from handlers.app import build_application, configure_logging, running
from knowledge.base import KnowledgeBase
from nlp.tokenizer import Tokenizer

CONSOLE_USER_ID = 1
QUIT = "/quit"
LOADING_TEXT = "지식베이스를 불러오는 중입니다… (처음에는 몇 초 걸립니다)"
BANNER = (
    "──────────────────────────────────────────\n"
    " 지자체 정책·민원 안내 봇 (콘솔 모드)\n"
    " · 질문을 입력하세요. 예: 새마을지도자 자녀 장학금 조건\n"
    " · 명령: /help /region /complaint /status 접수번호 /my /cancel\n"
    " · 버튼은 번호로 누릅니다: #1, #2 …\n"
    f" · 콘솔 사용자 ID는 {CONSOLE_USER_ID}입니다 "
    "(ADMIN_IDS에 넣으면 관리자 명령도 쓸 수 있습니다).\n"
    f" · 끝내기: {QUIT} 또는 Ctrl-D\n"
    "──────────────────────────────────────────"
)
GOODBYE_TEXT = "안녕히 가세요."
NO_BUTTON_TEXT = "그 번호의 버튼이 없습니다. 가장 최근에 보인 버튼 번호를 입력해 주세요."
UNREADABLE_TEXT = "입력을 읽을 수 없습니다 (UTF-8 텍스트만 됩니다)."
_BUTTON = re.compile(r"#(\d{1,3})")
_SHOWN = ("sendMessage", "editMessageText", "sendDocument")


class ConsoleScreen:
    """Prints what the bot sends and remembers the buttons shown last."""

    def __init__(self, out: TextIO, own_chat_id: int) -> None:
        self.out = out
        self.own_chat_id = own_chat_id
        self.keyboard: tuple[int, int, list[tuple[str, str]]] | None = None

    def show(self, call: ApiCall) -> None:
        """Prints one outgoing message (or callback notice) with numbered buttons."""
        if call.method == "answerCallbackQuery" and call.params.get("text"):
            self.write(f"봇(알림)> {call.params['text']}")
        if call.method not in _SHOWN or call.error:
            return
        where = "" if call.chat_id == self.own_chat_id else f" → 채팅 {call.chat_id}"
        label = "봇(수정)" if call.method == "editMessageText" else "봇"
        text = call.text
        if call.document:
            text = f"[파일 {call.document[0]}, {len(call.document[1])}바이트] {text}"
        self.write(f"{label}{where}> {text}")
        if call.buttons:
            self.keyboard = (call.chat_id, call.message_id, call.buttons)
            numbered = (f"[#{n} {label}]" for n, (label, _) in enumerate(call.buttons, 1))
            self.write("   " + " ".join(numbered))

    def button(self, number: int) -> tuple[int, int, str] | None:
        """(chat id, message id, callback data) of button ``number`` of the last keyboard."""
        if self.keyboard is None or not 1 <= number <= len(self.keyboard[2]):
            return None
        chat_id, message_id, buttons = self.keyboard
        return chat_id, message_id, buttons[number - 1][1]

    def write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()


def run_console(
    settings: Settings,
    stdin: TextIO,
    stdout: TextIO,
    *,
    kb: KnowledgeBase | None = None,
    tokenizer: Tokenizer | None = None,
) -> int:
    """Chats on ``stdin``/``stdout`` until end of input or /quit; returns the exit code."""
    # The chat is the output: only warnings reach stderr unless LOG_LEVEL=DEBUG.
    configure_logging("DEBUG" if settings.log_level == "DEBUG" else "WARNING")
    return asyncio.run(_chat(settings, stdin, stdout, kb, tokenizer))


async def _chat(
    settings: Settings,
    stdin: TextIO,
    stdout: TextIO,
    kb: KnowledgeBase | None,
    tokenizer: Tokenizer | None,
) -> int:
    screen = ConsoleScreen(stdout, CONSOLE_USER_ID)
    api = LocalBotApi(on_call=screen.show)
    application = build_application(settings, request=api, kb=kb, tokenizer=tokenizer)
    screen.write(LOADING_TEXT)
    async with running(application):
        screen.write(BANNER)
        me = LocalChat(application, api, CONSOLE_USER_ID, first_name="콘솔")
        while (line := await _read_line(stdin, screen)) is not None and line != QUIT:
            await _handle_line(line, me, screen)
    screen.write(GOODBYE_TEXT)
    return 0


async def _read_line(stdin: TextIO, screen: ConsoleScreen) -> str | None:
    """The next stripped line, "" for an unreadable one, None at end of input."""
    try:
        line = await asyncio.to_thread(stdin.readline)
    except UnicodeDecodeError:
        screen.write(UNREADABLE_TEXT)
        return ""
    return line.strip() if line else None


async def _handle_line(line: str, me: LocalChat, screen: ConsoleScreen) -> None:
    """Sends the line as a message, or presses the numbered button."""
    if not line:
        return
    match = _BUTTON.fullmatch(line)
    if match is None:
        await me.send(line)
        return
    button = screen.button(int(match.group(1)))
    if button is None:
        screen.write(NO_BUTTON_TEXT)
        return
    chat_id, message_id, data = button
    chat = LocalChat(me.application, me.api, me.user_id, me.first_name, chat_id=chat_id)
    await chat.press(data=data, message_id=message_id)
