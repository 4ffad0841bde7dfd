"""The parsers' text toolkit: HTML fragments, spacing, numbers, Markdown-ish sections and
tables rendered as readable lines, and the plain-text body every entry carries.

Usage:
    sections = split_sections(lines, (start, end), "추진사항", heading_label)
    fields = {label: field_text(render_lines([lines[i] for i in indices])) for ...}
    body = entry_body(fields, title=title)
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

_BLOCK_TAG = re.compile(r"<\s*(li|p|br|/ul|/li|/p|ul)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
# Table cells written letter by letter ("블 로 그", "네 이 버 T V") have only tokens this short.
SPACED_TOKEN_MAX = 2
LIST_ITEM = re.compile(r"( *)-\s+(.*)")
PIPE_ROW = re.compile(r"\s*(?:-\s*)?\|(.*)\|\s*")
PIPE_RULE = re.compile(r"[\s:-]*")
NOISE = re.compile(r"-{3,}|\d{1,3}|#+")  # '---' rules, page numbers, empty headings
BULLET = re.compile(r"(?:-|○)\s+")
LEADER = re.compile(r"\s*\.{3,}\s*")
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>])")


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


def split_sections(
    lines: Sequence[str],
    span: tuple[int, int],
    first_label: str,
    heading: Callable[[int], str | None],
) -> list[tuple[str, list[int]]]:
    """Indices of ``lines[start:end]`` grouped under their headings (``heading(i)`` is a line's
    label, None for content); lines before the first heading go to ``first_label``, sections
    with only blank lines are dropped."""
    sections: list[tuple[str, list[int]]] = [(first_label, [])]
    for i in range(*span):
        label = heading(i)
        if label:
            sections.append((label, []))
        else:
            sections[-1][1].append(i)
    return [
        (label, indices) for label, indices in sections if any(lines[i].strip() for i in indices)
    ]


def render_lines(raw: Sequence[str]) -> list[str]:
    """Readable lines from Markdown-ish text: nested '-' items keep their depth, a line after
    a hard break ('  ') is indented under its item, tables become one line per row (pipe-table
    cells one item each), page numbers and '---' are dropped and escapes are undone."""
    out: list[str] = []
    table: list[list[str]] = []
    depth = 0
    hard_break = False
    for line in [*raw, ""]:
        if "\t" in line:
            table.append(line.split("\t"))
            continue
        if table:
            out.extend(render_table(table))
            table = []
        stripped = line.strip()
        if not stripped or NOISE.fullmatch(stripped):
            hard_break = False
            continue
        pipe = PIPE_ROW.fullmatch(line)
        item = LIST_ITEM.fullmatch(line)
        if pipe:
            cells = [clean(cell) for cell in pipe.group(1).split("|")]
            indent = "  " * (depth + 1)
            out.extend(
                f"{indent}- {cell}" for cell in cells if cell and not PIPE_RULE.fullmatch(cell)
            )
        elif item:
            depth = len(item.group(1)) // 2
            out.append("  " * depth + "- " + inline_markdown(item.group(2)))
        else:
            out.append("  " * (depth + 1 if hard_break else 0) + inline_markdown(stripped))
        hard_break = line.endswith("  ")
    return [line for line in out if line.strip()]


def field_text(lines: Sequence[str]) -> str:
    """A field value from rendered lines; a lone item loses its bullet ('- 확대' → '확대')."""
    if len(lines) == 1:
        return BULLET.sub("", lines[0], count=1)
    return "\n".join(lines)


def inline_markdown(text: str) -> str:
    """Undo Markdown escapes ('\\*' → '*')
    and dotted leaders ('추진 ..... \\'20. 2.' → '추진: …')."""
    return clean(LEADER.sub(": ", MARKDOWN_ESCAPE.sub(r"\1", text)))


def render_table(rows: Sequence[Sequence[str]]) -> list[str]:
    """One ' · '-joined line per table row; a row's empty leading cells repeat the row above
    (merged cells), and letter-spaced cells are closed up ('블 로 그' → '블로그')."""
    out = []
    previous: list[str] = []
    for row in rows:
        cells = [despace(clean(cell)) for cell in row]
        for n, cell in enumerate(cells):
            if cell or n >= len(previous):
                break
            cells[n] = previous[n]
        previous = cells
        values = [cell for cell in cells if cell]
        if values:
            out.append(" · ".join(values))
    return out


def despace(cell: str) -> str:
    """Close up a cell written letter by letter; leave ordinary text alone."""
    tokens = cell.split()
    spaced = (
        len(tokens) > 1
        and all(len(token) <= SPACED_TOKEN_MAX for token in tokens)
        and sum(len(token) == 1 for token in tokens) * 2 >= len(tokens)
    )
    return "".join(tokens) if spaced else cell


def last_content_line(lines: Sequence[str], span: tuple[int, int]) -> int:
    """Last index of a span whose line is neither blank nor noise such as '---' or a page
    number; the span's start when there is none."""
    start, end = span
    return next(
        (
            i
            for i in range(end - 1, start, -1)
            if lines[i].strip() and not NOISE.fullmatch(lines[i].strip())
        ),
        start,
    )


def entry_body(fields: Mapping[str, str], *, title: str | None = None) -> str:
    """An entry's plain text for search and quoting: the title (if given), then 'label: value'
    per field, or 'label:' followed by the lines of a multi-line value."""
    lines = [title] if title is not None else []
    lines += [
        f"{label}:\n{value}" if "\n" in value else f"{label}: {value}"
        for label, value in fields.items()
    ]
    return "\n".join(lines)
