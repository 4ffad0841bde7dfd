"""An in-process Bot API and a local user, so the real Application runs without Telegram.

Usage:
    api = LocalBotApi()
    application = build_application(settings, request=api)
    async with running(application):
        chat = LocalChat(application, api, user_id=42)
        await chat.send("/start")                 # a real Update through process_update
        await chat.press("전주시")                 # taps an inline button by its label
        api.texts(42)                             # what the bot said to chat 42

``LocalBotApi`` answers the methods the bot uses (getMe, sendMessage, editMessageText,
answerCallbackQuery, setMyCommands, sendDocument …), records every call and never opens a
socket. The console chat prints what it records; tests assert on it. Its ``MessageStore`` (the
messages, and Telegram's answers and limits) also serves the HTTP fake in tests/fake_bot_api.py.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.constants import CallbackQueryLimit, InlineKeyboardButtonLimit, MessageLimit
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from display import telegram_length

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "민원안내봇",
    "username": "civic_local_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Telegram's limits, enforced here so tests fail where Telegram would answer 400 Bad Request.
MAX_MESSAGE_CHARS = MessageLimit.MAX_TEXT_LENGTH
MAX_CAPTION_CHARS = MessageLimit.CAPTION_LENGTH
MAX_ALERT_CHARS = CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH
MAX_CALLBACK_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
_TRUE_METHODS = frozenset(
    {
        "answerCallbackQuery",
        "setMyCommands",
        "deleteMyCommands",
        "deleteWebhook",
        "setWebhook",
        "sendChatAction",
        "close",
        "logOut",
        "setChatMenuButton",
    }
)


@dataclass
class ApiCall:
    """One request the bot made: method, parameters, uploaded document, and the answer given."""

    method: str
    params: dict[str, Any]
    document: tuple[str, bytes] | None = None
    result: Any = None
    error: str | None = None

    @property
    def message_id(self) -> int | None:
        """The id of the message this call sent or edited."""
        if isinstance(self.result, dict):
            return self.result.get("message_id")
        return int(self.params["message_id"]) if "message_id" in self.params else None

    @property
    def chat_id(self) -> int | None:
        chat_id = self.params.get("chat_id")
        return int(chat_id) if chat_id is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) of every inline button, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [
            (b["text"], b.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]


@dataclass
class _Failure:
    code: int
    description: str
    retry_after: int | None = None


class LocalBotApi(BaseRequest):
    """A Bot API that lives in this process: records calls and answers like Telegram would."""

    def __init__(self, on_call: Callable[[ApiCall], None] | None = None) -> None:
        self.calls: list[ApiCall] = []
        self.store = MessageStore(BOT_USER)
        self.messages = self.store.messages
        self.on_call = on_call
        self._update_ids = itertools.count(1)
        self._failures: dict[str, list[_Failure]] = {}
        self.files = self.store.files

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def fail_next(
        self,
        method: str,
        *,
        code: int = 502,
        description: str = "Bad Gateway",
        retry_after: int | None = None,
    ) -> None:
        """Makes the next call of ``method`` fail (429 with ``retry_after`` for flood control)."""
        self._failures.setdefault(method, []).append(_Failure(code, description, retry_after))

    def new_message_id(self) -> int:
        return self.store.new_message_id()

    def new_update_id(self) -> int:
        return next(self._update_ids)

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[ApiCall]:
        """Recorded calls, optionally only those to one chat or of one method."""
        return [
            c
            for c in self.calls
            if (chat_id is None or c.chat_id == chat_id) and (method is None or c.method == method)
        ]

    def texts(self, chat_id: int) -> list[str]:
        """Texts the bot sent or edited into ``chat_id``, oldest first."""
        return [
            c.text
            for c in self.sent(chat_id)
            if c.method in ("sendMessage", "editMessageText", "sendDocument")
        ]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        """Answers one Bot API request from memory."""
        endpoint = url.rsplit("/", 1)[-1]
        if "/file/bot" in url:  # a file download after getFile
            return (200, self.files[endpoint]) if endpoint in self.files else (404, b"")
        call = ApiCall(
            endpoint,
            dict(request_data.parameters) if request_data else {},
            _document(request_data),
        )
        self.calls.append(call)
        code, body = self._answer(call)
        if self.on_call:
            self.on_call(call)
        return code, json.dumps(body).encode()

    def _answer(self, call: ApiCall) -> tuple[int, dict]:
        failures = self._failures.get(call.method)
        if failures:
            failure = failures.pop(0)
            call.error = failure.description
            body = {"ok": False, "error_code": failure.code, "description": failure.description}
            if failure.retry_after:
                body["parameters"] = {"retry_after": failure.retry_after}
            return failure.code, body
        if call.method in ("getUpdates", "getMyCommands"):
            call.result = []
            return 200, {"ok": True, "result": call.result}
        return self.store.answer(call)


class MessageStore:
    """The chats as Telegram keeps them, and its answers to sending and editing.

    Messages are kept by (chat_id, message_id); a call breaking one of Telegram's limits gets the
    400 Bad Request Telegram gives. Shared by ``LocalBotApi`` and the HTTP fake Bot API of the
    end-to-end tests, so both refuse exactly the same things.
    """

    def __init__(self, bot_user: dict, *, first_message_id: int = 1) -> None:
        self.bot_user = bot_user
        self.messages: dict[tuple[int, int], dict] = {}
        self.files: dict[str, bytes] = {}  # file_id → content, for getFile and its download
        self._message_ids = itertools.count(first_message_id)

    def new_message_id(self) -> int:
        """The next message id, for the bot's messages and for those users send alike."""
        return next(self._message_ids)

    def answer(self, call: ApiCall) -> tuple[int, dict]:
        """Telegram's answer to ``call`` (HTTP status, JSON body); sets its result or error."""
        try:
            call.result = self._result(call)
        except LookupError as exc:
            call.error = f"Bad Request: {exc.args[0]}"
            return 400, {"ok": False, "error_code": 400, "description": call.error}
        return 200, {"ok": True, "result": call.result}

    def _result(self, call: ApiCall) -> Any:
        _check_limits(call)
        if call.method == "getMe":
            return self.bot_user
        if call.method in _TRUE_METHODS:
            return True
        if call.method in ("sendMessage", "sendDocument", "sendPhoto", "sendLocation"):
            return self._store(call.chat_id, self.new_message_id(), call)
        if call.method == "getFile":
            file_id = call.params.get("file_id", "")
            if file_id not in self.files:
                raise LookupError("wrong file_id or the file is temporarily unavailable")
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": len(self.files[file_id]),
                "file_path": f"documents/{file_id}",
            }
        if call.method in ("editMessageText", "editMessageReplyMarkup"):
            return self._edit(call)
        raise LookupError(f"method {call.method} is not supported by the local Bot API")

    def _store(self, chat_id: int, message_id: int, call: ApiCall) -> dict:
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat_dict(chat_id),
            "from": self.bot_user,
        }
        if call.method == "sendDocument":
            message["document"] = {
                "file_id": f"doc{message_id}",
                "file_unique_id": f"d{message_id}",
                "file_name": call.document[0] if call.document else "file",
            }
            message["caption"] = call.params.get("caption", "")
        elif call.method == "sendPhoto":
            photo = str(call.params.get("photo", ""))
            message["photo"] = [
                {"file_id": photo, "file_unique_id": photo, "width": 1, "height": 1}
            ]
            message["caption"] = call.params.get("caption", "")
        elif call.method == "sendLocation":
            message["location"] = {
                "latitude": call.params["latitude"],
                "longitude": call.params["longitude"],
            }
        else:
            message["text"] = call.params.get("text", "")
        if _keyboard(call):
            message["reply_markup"] = call.params["reply_markup"]
        self.messages[(chat_id, message_id)] = message
        return message

    def _edit(self, call: ApiCall) -> dict:
        key = (call.chat_id, int(call.params.get("message_id", 0)))
        old = self.messages.get(key)
        if old is None:
            raise LookupError("message to edit not found")
        new = dict(old)
        if call.method == "editMessageText":
            new["text"] = call.params.get("text", "")
        new.pop("reply_markup", None)
        if _keyboard(call):
            new["reply_markup"] = call.params["reply_markup"]
        if new == old:
            raise LookupError(
                "message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup "
                "of the message"
            )
        self.messages[key] = new
        return new


def _keyboard(call: ApiCall) -> bool:
    """Whether ``call`` gives its message inline buttons (Telegram drops an empty keyboard)."""
    markup = call.params.get("reply_markup")
    return isinstance(markup, dict) and bool(markup.get("inline_keyboard"))


def _check_limits(call: ApiCall) -> None:
    """Refuses what Telegram refuses: empty or too long texts, oversized buttons, bad
    parse_mode."""
    text = call.params.get("text")
    if call.method in ("sendMessage", "editMessageText"):
        if not str(text or "").strip():
            raise LookupError("message text is empty")
        if telegram_length(str(text)) > MAX_MESSAGE_CHARS:
            raise LookupError("message is too long")
    caption = str(call.params.get("caption") or "")
    if (
        call.method in ("sendDocument", "sendPhoto")
        and telegram_length(caption) > MAX_CAPTION_CHARS
    ):
        raise LookupError("message caption is too long")
    if call.method == "answerCallbackQuery" and telegram_length(str(text or "")) > MAX_ALERT_CHARS:
        raise LookupError("MESSAGE_TOO_LONG")
    if call.params.get("parse_mode") not in (None, "HTML", "MarkdownV2", "Markdown"):
        raise LookupError("unsupported parse_mode")
    markup = call.params.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []) if isinstance(markup, dict) else []:
        for button in row:
            if len(str(button.get("callback_data", "")).encode("utf-8")) > MAX_CALLBACK_BYTES:
                raise LookupError("BUTTON_DATA_INVALID")


def chat_dict(chat_id: int, *, title: str = "직원 단체방") -> dict:
    """How Telegram describes a chat: private for positive ids, a supergroup for negative ones."""
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "사용자"}
    return {"id": chat_id, "type": "supergroup", "title": title}


def _document(request_data: RequestData | None) -> tuple[str, bytes] | None:
    if request_data is None or not request_data.contains_files:
        return None
    for name, value, *_ in request_data.multipart_data.values():
        content = value if isinstance(value, bytes) else value.read()
        return name, content
    return None


@dataclass
class LocalChat:
    """One user writing to the bot in one chat (their private chat unless ``chat_id`` is given).

    Updates are built as the JSON Telegram would send and parsed with ``Update.de_json``, so
    handlers see exactly what they would see in production.
    """

    application: Application
    api: LocalBotApi
    user_id: int
    first_name: str = "시민"
    chat_id: int | None = None

    @property
    def user(self) -> dict:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": "ko",
        }

    @property
    def chat(self) -> dict:
        return chat_dict(self.chat_id if self.chat_id is not None else self.user_id)

    async def send(self, text: str, **fields: Any) -> list[ApiCall]:
        """Sends ``text``; a leading "/word" is marked as a bot command, like Telegram does."""
        if text.startswith("/") and len(text) > 1:
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split(maxsplit=1)[0])}
            ]
        return await self.send_message(text=text, **fields)

    async def send_message(self, **fields: Any) -> list[ApiCall]:
        """Sends any message (photo=[…], location={…}, sticker={…}) and returns the bot's calls."""
        message = {
            "message_id": self.api.new_message_id(),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            **fields,
        }
        return await self._process({"update_id": self.api.new_update_id(), "message": message})

    async def press(
        self, label: str | None = None, *, data: str | None = None, message_id: int | None = None
    ) -> list[ApiCall]:
        """Taps the newest button with ``label``, or sends ``data`` as if from ``message_id``."""
        message, button_data = self._find_button(label, data, message_id)
        query = {
            "id": str(self.api.new_update_id()),
            "from": self.user,
            "chat_instance": "local",
            "data": button_data,
            "message": message,
        }
        return await self._process(
            {"update_id": self.api.new_update_id(), "callback_query": query}
        )

    async def send_file(
        self, name: str, data: bytes, caption: str | None = None, **fields: Any
    ) -> list[ApiCall]:
        """Sends a document the bot can fetch with getFile (``file_size`` may be overridden)."""
        file_id = f"upload{len(self.api.files) + 1}"
        self.api.files[file_id] = data
        document = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": name,
            "file_size": len(data),
            **fields,
        }
        extra = {"caption": caption} if caption else {}
        return await self.send_message(document=document, **extra)

    def buttons(self) -> list[tuple[str, str]]:
        """(label, data) of the newest bot message in this chat that has buttons."""
        for (chat_id, _), message in sorted(self.api.messages.items(), reverse=True):
            if chat_id == self.chat["id"] and message.get("reply_markup"):
                return ApiCall("", message).buttons
        return []

    def _find_button(
        self, label: str | None, data: str | None, message_id: int | None
    ) -> tuple[dict, str]:
        for (chat_id, mid), message in sorted(self.api.messages.items(), reverse=True):
            if chat_id != self.chat["id"] or message_id not in (None, mid):
                continue
            if data is not None:
                return message, data
            for text, callback_data in ApiCall("", message).buttons:
                if text == label:
                    return message, callback_data
        raise LookupError(f"no button {label or data!r} in chat {self.chat['id']}")

    async def _process(self, data: dict) -> list[ApiCall]:
        """Processes the update, waiting also for handlers that run without blocking (/reload)."""
        start, before = len(self.api.calls), asyncio.all_tasks()
        await self.application.process_update(Update.de_json(data, self.application.bot))
        spawned = [
            t for t in asyncio.all_tasks() - before if t.get_name().startswith("Application:")
        ]
        await asyncio.gather(*spawned, return_exceptions=True)
        return self.api.calls[start:]
