"""The HTTP client the bot uses for the Bot API: aiohttp in place of python-telegram-bot's httpx.

Both send the same parameters (a JSON object here, form-encoded there; multipart for files).
Measured on this project's 2-core machines against a local server, httpx spent 2.4 ms of CPU
per request and aiohttp 0.25 ms; a question costs one request and a complaint about a dozen,
so with httpx the requests alone capped the bot below 50 complaints/s (benchmarks/load.py).

Usage:
    ApplicationBuilder().request(AiohttpRequest(64)).get_updates_request(AiohttpRequest(1))

Timeouts follow HTTPXRequest's defaults and meaning, as far as aiohttp has them: ``pool``
(waiting for a free connection) plus ``connect`` bound getting a connection, ``read`` each
read of the answer. aiohttp has no write timeout: ``write`` plus ``read`` bound the whole
request instead (``media_write`` plus ``read`` for uploads). Proxies come from the usual
environment variables (HTTPS_PROXY, NO_PROXY), as with httpx, looked up once per host (aiohttp's
own ``trust_env`` looks them and ~/.netrc up in a thread on every request: 10% of the bot's CPU).
"""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON = "application/json"
_DEFAULT = type(BaseRequest.DEFAULT_NONE)  # python-telegram-bot's DefaultValue (private module)


class AiohttpRequest(BaseRequest):
    """A ``telegram.request.BaseRequest`` on one ``aiohttp.ClientSession``."""

    __slots__ = (
        "_connections",
        "_read",
        "_write",
        "_connect",
        "_pool",
        "_media_write",
        "_session",
        "_proxies",
    )

    def __init__(
        self,
        connections: int = 1,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        if connections < 1:
            raise ValueError("connections must be at least 1")
        self._connections = connections
        self._read, self._write, self._connect = read_timeout, write_timeout, connect_timeout
        self._pool, self._media_write = pool_timeout, media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}  # (scheme, host) -> proxy URL

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (python-telegram-bot adds it to getUpdates' long poll)."""
        return self._read

    async def initialize(self) -> None:
        """Opens the session; it must be made inside the running event loop."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections)
            )

    async def shutdown(self) -> None:
        """Closes the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Sends one request; TimedOut or NetworkError as python-telegram-bot expects them."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        read = self._chosen(read_timeout, self._read)
        write = self._chosen(write_timeout, self._media_write if files else self._write)
        connect = self._chosen(connect_timeout, self._connect)
        pool = self._chosen(pool_timeout, self._pool)
        timeout = aiohttp.ClientTimeout(
            total=None if write is None or read is None else write + read,
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(
                method,
                url,
                data=_body(request_data),
                timeout=timeout,
                headers=_headers(request_data, self.USER_AGENT),
                proxy=self._proxy_for(url),
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts subclass it
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    def _proxy_for(self, url: str) -> str | None:
        """The proxy the environment names for ``url``'s scheme, unless NO_PROXY exempts its
        host."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            bypass = urllib.request.proxy_bypass(key[1])
            self._proxies[key] = None if bypass else urllib.request.getproxies().get(key[0])
        return self._proxies[key]

    @staticmethod
    def _chosen(value: float | None, default: float | None) -> float | None:
        """``default`` when the caller left the timeout at python-telegram-bot's DefaultValue."""
        return default if isinstance(value, _DEFAULT) else value


def _headers(request_data: RequestData | None, user_agent: str) -> dict[str, str]:
    if request_data is None or request_data.contains_files:  # aiohttp sets the multipart type
        return {"User-Agent": user_agent}
    return {"User-Agent": user_agent, "Content-Type": JSON}


def _body(request_data: RequestData | None) -> bytes | aiohttp.FormData | None:
    """A JSON object, or a multipart form when files are attached.

    The Bot API takes both JSON and form-encoded parameters. Form-encoding (HTTPXRequest's
    way, and aiohttp's for a dict) percent-encodes Korean text byte by byte in Python: a fifth
    of the cost of editing a long message into a receipt; ``json.dumps`` runs in C.
    """
    if request_data is None:
        return None
    if not request_data.contains_files:
        return json.dumps(request_data.parameters, ensure_ascii=False).encode("utf-8")
    # Unquoted: Telegram takes a UTF-8 file name as it is (as httpx sends it) and would show
    # aiohttp's default percent-encoding ("%EB%AF%BC…csv") to the user.
    form = aiohttp.FormData(request_data.json_parameters, quote_fields=False)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
