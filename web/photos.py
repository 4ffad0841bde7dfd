"""Complaint photos for the console: fetched once through the bot (Telegram's getFile), then
served from a cache on disk beside the database, or a placeholder saying why there is none.

The console never talks to Telegram itself: whoever serves it passes a ``FileFetcher`` (the
bot process passes one built on its Bot, ``python bot.py web`` one built on a Bot of its own
when TELEGRAM_BOT_TOKEN is set). The cache keeps one folder per complaint; folders of
complaints the retention purge has deleted go with the next purge (``purge_orphans``).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from xml.sax.saxutils import escape

logger = logging.getLogger(__name__)

CACHE_DIR_NAME = "photo_cache"
FileFetcher = Callable[[str], Awaitable[bytes]]
NO_BOT_TEXT = "봇이 함께 실행 중이 아니라 사진을 불러올 수 없습니다"
GONE_TEXT = "텔레그램에서 이 사진을 더 이상 받을 수 없습니다"
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF8", "image/gif"),
    (b"RIFF", "image/webp"),
)


class PhotoUnavailable(Exception):
    "Telegram could not give the file (gone, too old, or the bot cannot reach Telegram)."


def cache_dir(database_path: Path) -> Path:
    """Where photos are cached: beside the database (data/photo_cache by default)."""
    return Path(database_path).parent / CACHE_DIR_NAME


def cached_path(directory: Path, receipt: str, file_id: str) -> Path:
    """The cache file of one photo of one complaint."""
    digest = hashlib.sha256(file_id.encode()).hexdigest()[:32]
    return directory / receipt / digest


async def photo(
    directory: Path, receipt: str, file_id: str, fetch: FileFetcher | None
) -> tuple[bytes, str]:
    """The photo's bytes and media type: from the cache, else fetched (and cached); a
    placeholder SVG naming the reason when it cannot be had."""
    path = cached_path(directory, receipt, file_id)
    if path.is_file():
        data = path.read_bytes()
        return data, media_type(data)
    if fetch is None:
        return placeholder(NO_BOT_TEXT), "image/svg+xml"
    try:
        data = await fetch(file_id)
    except (PhotoUnavailable, TimeoutError) as exc:
        logger.info("photo of %s could not be fetched: %s", receipt, exc)
        return placeholder(GONE_TEXT), "image/svg+xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)  # a reader never sees half a photo
    return data, media_type(data)


def media_type(data: bytes) -> str:
    """The image type its first bytes say (Telegram's photos are JPEG)."""
    return next((kind for sign, kind in _SIGNATURES if data.startswith(sign)), "image/jpeg")


def placeholder(text: str) -> bytes:
    """A grey 320×120 SVG with ``text``: shown where a photo would be."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120" viewBox="0 0 320 120">'
        '<rect width="320" height="120" fill="#eee" stroke="#999"/>'
        '<text x="160" y="55" font-size="13" text-anchor="middle" fill="#333">사진 없음</text>'
        f'<text x="160" y="80" font-size="10" text-anchor="middle" fill="#555">{escape(text)}'
        "</text></svg>"
    ).encode()


def purge_orphans(directory: Path, kept: Callable[[str], bool]) -> int:
    """Deletes the cached photos of the complaints ``kept`` says are gone; returns how many
    complaints' folders went."""
    if not directory.is_dir():
        return 0
    gone = 0
    for folder in directory.iterdir():
        if folder.is_dir() and not kept(folder.name):
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
    return gone
