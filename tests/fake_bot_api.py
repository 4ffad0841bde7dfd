"""A fake Telegram Bot API HTTP server for end-to-end tests (never the real Telegram).

Usage:
    with FakeBotApi() as api:                       # 127.0.0.1, ephemeral port, own thread
        settings = ...TELEGRAM_BASE_URL=api.url...
        api.push_message(user_id=42, text="/start")  # queued for the bot's next getUpdates
        reply = api.wait_for_message(42, "안녕하세요")
    FakeBotApi(on_call=record)   # record(method, params, answer) after each call (benchmarks)
    api.fail_next("sendMessage", code=429, retry_after=1)   # faults: error answers, slow answers,
    api.delay_next("getUpdates", 2.0)                        # dropped connections, each for the
    api.drop_next("sendMessage", processed=True)             # next call(s) of one method
    api.hold_next("sendMessage")   # no answer until the bot gives up waiting (a timeout)

Serves getUpdates (long-polls the queue of scripted updates with a short timeout) itself; every
other method is answered by console/local_api.py's MessageStore, as LocalBotApi answers it: the
same Telegram-shaped messages and the same 400 Bad Request for what Telegram refuses (empty or too
long texts, oversized button data, editing a message to what it already says).
"""

from __future__ import annotations

import itertools
import json
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from telegram.request import BaseRequest, RequestData

from console.local_api import ApiCall, MessageStore, chat_dict
from transport.request import AiohttpRequest

BOT = {
    "id": 7000000002,
    "is_bot": True,
    "first_name": "테스트봇",
    "username": "civic_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
TEXT_FIELDS = {"text", "caption", "callback_query_id", "input_field_placeholder"}
# How long shutdown() may wait for serve_forever to notice (its default, 0.5 s, at every test).
SHUTDOWN_POLL_SECONDS = 0.05
# How long a test waits for the bot before failing: a guard against a hang, not a speed check
# (on a loaded machine a bot process answered a tap after more than 10 s).
WAIT_SECONDS = 30.0
# How long the bot waits for the answer to a call the fake holds (hold_next) before it times out.
HELD_READ_TIMEOUT = 0.1


class FakeBotApi:
    """The Bot API as seen by python-telegram-bot, with a queue of updates a test scripts."""

    def __init__(
        self,
        *,
        long_poll_seconds: float = 0.2,
        on_call: Callable[[str, dict, dict], None] | None = None,
    ) -> None:
        self.long_poll_seconds = long_poll_seconds
        self.on_call = on_call
        self.faults_hit: list[tuple[str, str]] = []  # (method, fault kind), in the order met
        self._faults: dict[str, list[Fault]] = {}
        self.calls: list[tuple[str, dict]] = []
        self.store = MessageStore(BOT, first_message_id=1000)
        self.messages = self.store.messages
        self._updates: list[dict] = []
        self._changed = threading.Condition()
        self._update_ids = itertools.count(1)
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            name="fake-bot-api",
            args=(SHUTDOWN_POLL_SECONDS,),
            daemon=True,
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeBotApi:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        with self._changed:
            self._changed.notify_all()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- what a test does -----------------------------------------------------------------

    def push_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        first_name: str = "시민",
        **fields: Any,
    ) -> dict:
        """Queues a text message from a user (a leading "/word" is marked as a command)."""
        chat_id = user_id if chat_id is None else chat_id
        message = {
            "message_id": self.store.new_message_id(),
            "date": int(time.time()),
            "chat": chat_dict(chat_id),
            "from": _user(user_id, first_name),
            "text": text,
            **fields,
        }
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split(maxsplit=1)[0])}
            ]
        self._push({"message": message})
        return message

    def push_callback(
        self, user_id: int, message: dict, data: str, *, first_name: str = "시민"
    ) -> str:
        """Queues a button press on one of the bot's messages; returns the callback query id."""
        query_id = f"cq{self.store.new_message_id()}"
        self._push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": _user(user_id, first_name),
                    "chat_instance": "e2e",
                    "data": data,
                    "message": message,
                }
            }
        )
        return query_id

    def press(self, user_id: int, message: dict, label: str) -> str:
        """Presses the button with ``label`` on ``message``."""
        for row in message["reply_markup"]["inline_keyboard"]:
            for button in row:
                if button["text"] == label:
                    return self.push_callback(user_id, message, button["callback_data"])
        raise LookupError(f"no button {label!r} on message {message['message_id']}")

    def wait_for(self, predicate: Callable[[], Any], timeout: float = WAIT_SECONDS) -> Any:
        """Waits until ``predicate()`` is truthy and returns it; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = predicate()
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out after {timeout}s; calls: {self.methods()}")
                self._changed.wait(left)

    def wait_for_message(self, chat_id: int, contains: str, timeout: float = WAIT_SECONDS) -> dict:
        """The first message the bot sent or edited into ``chat_id`` that contains ``contains``."""

        def found():
            return next(
                (
                    m
                    for m in self.sent_to(chat_id)
                    if contains in m.get("text", m.get("caption", ""))
                ),
                None,
            )

        return self.wait_for(found, timeout)

    def sent_to(self, chat_id: int) -> list[dict]:
        """The bot's messages in ``chat_id`` as they are now (edits applied), oldest first."""
        return [m for (chat, _), m in sorted(self.messages.items()) if chat == chat_id]

    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]

    def params(self, method: str) -> list[dict]:
        return [params for name, params in self.calls if name == method]

    # --- faults a test injects --------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        code: int = 500,
        description: str = "Internal Server Error",
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` (to ``chat_id`` if given) get an error answer
        (429: with retry_after)."""
        self._add_fault(
            method, Fault("fail", code, description, retry_after, chat_id=chat_id), times
        )

    def delay_next(
        self, method: str, seconds: float, *, times: int = 1, chat_id: int | None = None
    ) -> None:
        """The next calls of ``method`` are answered ``seconds`` late (past the bot's read timeout
        they time out); the call still takes effect, like a message that did arrive."""
        self._add_fault(
            method, Fault("delay", seconds=seconds, processed=True, chat_id=chat_id), times
        )

    def hold_next(self, method: str, *, times: int = 1, chat_id: int | None = None) -> None:
        """The next calls of ``method`` get no answer until the bot gives up waiting and hangs
        up; then the call takes effect, like a message that arrived but whose answer came too
        late. Unlike a delay, this does not race the bot's read timeout: the answer never comes
        first. ``held_request`` gives the bot a short read timeout for exactly these calls."""
        self._add_fault(method, Fault("hold", processed=True, chat_id=chat_id), times)

    def holds(self, method: str, params: dict) -> bool:
        """Whether the next call of ``method`` with ``params`` is held (see hold_next)."""
        with self._changed:
            fault = self._matching_fault(method, params)
            return fault is not None and fault.kind == "hold"

    def drop_next(
        self, method: str, *, processed: bool = False, times: int = 1, chat_id: int | None = None
    ) -> None:
        """The next calls of ``method`` get no answer at all: the connection is closed. With
        ``processed`` the call took effect first (a message sent whose answer was lost)."""
        self._add_fault(method, Fault("drop", processed=processed, chat_id=chat_id), times)

    def _add_fault(self, method: str, fault: Fault, times: int) -> None:
        with self._changed:
            self._faults.setdefault(method, []).extend([fault] * times)

    def _matching_fault(self, method: str, params: dict) -> Fault | None:
        chat_id = params.get("chat_id")
        return next(
            (
                f
                for f in self._faults.get(method, [])
                if f.chat_id is None or chat_id is not None and int(chat_id) == f.chat_id
            ),
            None,
        )

    def _take_fault(self, method: str, params: dict) -> Fault | None:
        with self._changed:
            fault = self._matching_fault(method, params)
            if fault is None:
                return None
            self._faults[method].remove(fault)
            self.faults_hit.append((method, fault.kind))
            self._changed.notify_all()
            return fault

    def _faulty_answer(self, fault: Fault, method: str, params: dict) -> tuple[int, dict] | None:
        """The answer a fault gives instead of the normal one; None: drop the connection."""
        if fault.kind == "fail":
            body = {"ok": False, "error_code": fault.code, "description": fault.description}
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            return fault.code, body
        if fault.kind == "delay":
            time.sleep(fault.seconds)
        answer = self._answer(method, params) if fault.processed else None
        return answer if fault.kind in ("delay", "hold") else None

    # --- what the bot does ----------------------------------------------------------------

    def new_update(self, update: dict) -> dict:
        """``update`` with the next update_id (for updates a test delivers itself, e.g.
        webhook)."""
        return {"update_id": next(self._update_ids), **update}

    def _push(self, update: dict) -> None:
        with self._changed:
            self._updates.append(self.new_update(update))
            self._changed.notify_all()

    def _answer(self, method: str, params: dict) -> tuple[int, dict]:
        with self._changed:
            self.calls.append((method, params))
            self._changed.notify_all()
            if method == "getUpdates":
                return 200, {"ok": True, "result": self._updates_after(params)}
            return self.store.answer(ApiCall(method, params, _document(params)))

    def _updates_after(self, params: dict) -> list[dict]:
        offset = int(params.get("offset", 0))
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + min(float(params.get("timeout", 0)), self.long_poll_seconds)
        while not self._updates and (left := deadline - time.monotonic()) > 0:
            self._changed.wait(left)  # every call notifies: wait on until an update is queued
        return self._updates[: int(params.get("limit", 100))]


@dataclass(frozen=True)
class Fault:
    """What the next call of a method meets instead of a normal answer."""

    kind: str  # "fail", "delay", "hold" or "drop"
    code: int = 500
    description: str = "Internal Server Error"
    retry_after: int | None = None
    seconds: float = 0.0
    processed: bool = False  # delay/hold/drop: the call took effect, its answer late or lost
    chat_id: int | None = None  # only calls to this chat meet the fault


class _Server(ThreadingHTTPServer):
    """One thread per connection; a backlog for the bot's burst of new connections.

    The default backlog of 5 overflows when the bot opens dozens of connections at once (it
    handles updates concurrently); the kernel then drops them and the bot sees ReadError.
    """

    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet about a client that hung up (a bot stopping mid long-poll), loud about the
        rest."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FaultAwareRequest(AiohttpRequest):
    """The bot's own HTTP client (transport.request) for a FakeBotApi: every call may take up
    to WAIT_SECONDS (a bound on a hang), except a call the fake holds (hold_next), which times
    out after HELD_READ_TIMEOUT. A short timeout on every call would also fire, now and then,
    on a busy machine where nothing was injected."""

    __slots__ = ("_api",)

    def __init__(self, api: FakeBotApi, connections: int = 32) -> None:
        limit = WAIT_SECONDS
        super().__init__(
            connections,
            read_timeout=limit,
            write_timeout=limit,
            connect_timeout=limit,
            pool_timeout=limit,
        )
        self._api = api

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None = BaseRequest.DEFAULT_NONE,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        params = request_data.parameters if request_data is not None else {}
        if self._api.holds(url.rstrip("/").rsplit("/", 1)[-1], params):
            read_timeout = HELD_READ_TIMEOUT
        return await super().do_request(url, method, request_data, read_timeout, *args, **kwargs)


def _user(user_id: int, first_name: str) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "ko"}


def _document(params: dict) -> tuple[str, bytes] | None:
    """(file name, content) of an uploaded document, as LocalBotApi records it."""
    if "document_bytes" not in params:
        return None
    return params.get("document_name", "file"), params["document_bytes"]


def _handler_for(api: FakeBotApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like api.telegram.org
        disable_nagle_algorithm = True  # else every reply waits ~40 ms for a delayed ACK

        def do_POST(self) -> None:
            self._respond()

        def do_GET(self) -> None:
            self._respond()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test reports what matters."""

        def _respond(self) -> None:
            method = self.path.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
            params = self._params()
            fault = api._take_fault(method, params)
            if fault and fault.kind == "hold":
                self._wait_for_hang_up()
            answer = (
                api._faulty_answer(fault, method, params) if fault else api._answer(method, params)
            )
            if answer is None:  # a dropped connection: no status line, no body
                self.close_connection = True
                return
            code, body = answer
            if api.on_call:  # outside the lock: the callback may push updates
                api.on_call(method, params, body)
            payload = json.dumps(body).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the bot gave up waiting (a timeout)
                self.close_connection = True

        def _wait_for_hang_up(self) -> None:
            """Blocks until the client closes the connection (at most WAIT_SECONDS): it sends
            nothing more while it waits for this answer, so the next read is the end."""
            self.connection.settimeout(WAIT_SECONDS)
            try:
                self.connection.recv(1, socket.MSG_PEEK)
            except OSError:  # reset by the client, or no hang-up within WAIT_SECONDS
                pass
            finally:
                self.connection.settimeout(None)

        def _params(self) -> dict:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            content_type = self.headers.get("Content-Type", "")
            if content_type.startswith("multipart/form-data"):
                return _multipart(content_type, body)
            if content_type.startswith("application/json"):
                return json.loads(body or b"{}")
            return {k: _decode(k, v) for k, v in parse_qsl(body.decode())}

    return Handler


def _multipart(content_type: str, body: bytes) -> dict:
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    params: dict = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        if filename:
            params[f"{name}_name"] = filename
            params[f"{name}_bytes"] = part.get_payload(decode=True)
        else:
            params[name] = _decode(name, part.get_payload(decode=True).decode())
    return params


def _decode(name: str, value: str) -> Any:
    if name in TEXT_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
