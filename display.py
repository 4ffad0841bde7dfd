"""How times and text look to people, for every front end: Telegram replies, the web console,
the shell commands and the notices the data layer stores for citizens.

Usage:
    kst_text("2025-03-01T05:05:00+00:00")   # '2025-03-01 14:05'
    pad("접수번호", 10)                       # padded to 10 terminal cells
    telegram_length("안내 😀")                # 5: UTF-16 units, as Telegram counts its limits

A leaf: it imports only the time zone from db.database, so any layer may use it.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from db.database import KST


def kst_text(iso_timestamp: str) -> str:
    """A stored UTC timestamp as Korean local time: '2025-03-01 14:05'."""
    return datetime.fromisoformat(iso_timestamp).astimezone(KST).strftime("%Y-%m-%d %H:%M")


def telegram_length(text: str) -> int:
    """Length as Telegram counts it for its limits: UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` terminal cells (left-aligned column)."""
    return text + " " * (width - display_width(text))


def pad_left(text: str, width: int) -> str:
    """Spaces then ``text`` up to ``width`` terminal cells, at least one (right-aligned column)."""
    return " " * max(width - display_width(text), 1) + text
