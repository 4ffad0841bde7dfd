"""Text clean-up shared by the parsers: HTML fragments, spacing, numbers."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_BLOCK_TAG = re.compile(r"<\s*(li|p|br|/ul|/li|/p|ul)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def strip_html(fragment: str) -> list[str]:
    """Turn an HTML list fragment into clean text lines (one per <li>/<p>), tags removed."""
    text = _BLOCK_TAG.sub("\n", fragment)
    text = html.unescape(_ANY_TAG.sub(" ", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return [line for line in lines if line]


def clean(text: str) -> str:
    """Collapse runs of spaces and strip; leaves line breaks alone."""
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n")).strip()


def compact(text: str) -> str:
    """Text with every whitespace removed — for comparing names spaced differently."""
    return "".join(text.split())


def to_number(text: str) -> float | None:
    """Parse a document number such as '1,234', '△95', '4.6' or '-'; None when not a number."""
    cleaned = text.strip().replace(",", "").replace("△", "-")
    try:
        return float(cleaned)
    except ValueError:
        return None


@dataclass(frozen=True)
class Line:
    """One source line with its 1-based number (what every Source line range is made of)."""

    number: int
    text: str

    @property
    def cells(self) -> list[str]:
        """Tab-separated table cells, stripped."""
        return [cell.strip() for cell in self.text.split("\t")]

    @property
    def is_row(self) -> bool:
        """True for a table row (the export writes tables as tab-separated lines)."""
        return "\t" in self.text

    @property
    def key(self) -> str:
        """The line without whitespace, for comparing markers spaced differently."""
        return compact(self.text)
