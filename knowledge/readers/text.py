"""Markdown and plain text, including the Korean administrative outline.

Markdown headings (``#``), pipe tables and indented lists are read as such. In plain text the
outline markers of Korean public documents — Ⅰ. 1. 가. □ 1) 가) ○ - · — take their levels in the
order a document first uses them (documents differ: one opens with □, another with 1.). A
marked line that is short and not a sentence is a heading when its marker is one of the first
HEADING_MARKER_LEVELS kinds; everything else marked is a list item at its depth. Tab-separated
lines are table rows.
"""

from __future__ import annotations

import html
import re

from knowledge.model import DocumentInfo
from knowledge.readers.sections import (
    HEADING,
    ITEM,
    PARAGRAPH,
    TABLE,
    Block,
    ReadError,
    Reading,
    build_entries,
)

# Outline marker kinds, as regular expressions on the start of a stripped line.
MARKERS = (
    ("roman", r"[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+\.?\s"),
    ("number", r"\d{1,2}\.\s"),
    ("hangul", r"[가-하]\.\s"),
    ("square", r"[□■❑❏]\s?"),
    ("paren_number", r"\d{1,2}\)\s"),
    ("paren_hangul", r"[가-하]\)\s"),
    ("circle", r"[○◦●◎]\s?"),
    ("dash", r"[-–]\s"),
    ("dot", r"[·•∙]\s?"),
)
_MARKER = [(name, re.compile(pattern)) for name, pattern in MARKERS]
HEADING_MARKER_LEVELS = 2  # the first two marker kinds a document uses make headings
MAX_HEADING_CHARS = 40  # a longer marked line is a statement, not a heading
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LIST = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$")
_SENTENCE_END = re.compile(r"(다|요|음|함|임)\.?$")


def read(raw: bytes, doc: DocumentInfo) -> Reading:
    """Entries of a Markdown or plain-text file, each with its line range."""
    return build_entries(blocks(decode(raw), markdown=doc.parser == "markdown"), doc)


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else CP949 as Korean Windows saves it."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReadError("글자 인코딩을 알 수 없습니다(UTF-8 또는 CP949로 저장해 주세요)")


def blocks(text: str, *, markdown: bool = False, order: list[str] | None = None) -> list[Block]:
    """Blocks of a text with 1-based line numbers. ``order`` holds the marker kinds in order of
    first use; readers that feed a document paragraph by paragraph pass one list for all."""
    out: list[Block] = []
    order = [] if order is None else order
    table: list[tuple[str, ...]] = []
    table_lines: list[int] = []
    table_start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        cells = _table_cells(raw, markdown)
        if cells is not None:
            if not table:
                table_start = number
            if not all(set(c) <= set("-: ") for c in cells):  # the |---|---| rule
                table.append(cells)
                table_lines.append(number)
            continue
        if table:
            out.append(_table_block(table, table_lines, table_start, number - 1, markdown))
            table, table_lines = [], []
        if not line:
            continue
        heading = _MD_HEADING.match(line) if markdown or line.startswith("#") else None
        if heading:
            out.append(Block(HEADING, heading.group(2), len(heading.group(1)), line=number))
            continue
        listed = _MD_LIST.match(raw) if markdown else None
        if listed:
            depth = len(listed.group(1).expandtabs(2)) // 2 + 1
            out.append(Block(ITEM, listed.group(2), depth, line=number))
            continue
        kind, rest = _marker(line)
        if kind is None:
            out.append(Block(PARAGRAPH, line, line=number))
            continue
        if kind not in order:
            order.append(kind)
        level = order.index(kind) + 1
        if (
            level <= HEADING_MARKER_LEVELS
            and len(rest) <= MAX_HEADING_CHARS
            and not _SENTENCE_END.search(rest)
            and ":" not in rest
        ):
            out.append(Block(HEADING, rest, level + (1 if markdown else 0), line=number))
        else:
            out.append(Block(ITEM, rest, max(level - HEADING_MARKER_LEVELS, 1), line=number))
    if table:
        out.append(_table_block(table, table_lines, table_start, table_lines[-1], markdown))
    return out


def _table_block(
    rows: list[tuple[str, ...]], row_lines: list[int], start: int, end: int, markdown: bool
) -> Block:
    """A table's rows (lines ``start``–``end``); Markdown tables have a header row."""
    return Block(
        TABLE,
        rows=tuple(rows),
        line=start,
        line_end=end,
        header=True if markdown else None,
        row_lines=tuple(row_lines),
    )


def _marker(line: str) -> tuple[str | None, str]:
    for name, pattern in _MARKER:
        match = pattern.match(line)
        if match and line[match.end() :].strip():
            return name, line[match.end() :].strip()
    return None, line


def _table_cells(raw: str, markdown: bool) -> tuple[str, ...] | None:
    stripped = raw.strip()
    if stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 3:
        return tuple(_plain(cell) for cell in stripped[1:-1].split("|"))
    if "\t" in raw.strip("\t ") and not markdown:
        return tuple(_plain(cell) for cell in raw.split("\t"))
    return None


_BREAK_TAG = re.compile(r"<\s*(?:br|/?li|/?p|/?ul|/?ol|/?div)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]{1,200}>")


def _plain(cell: str) -> str:
    """A cell's text: exports often leave HTML lists in cells (<ul><li>• …); one item a line."""
    if "<" not in cell:
        return cell.strip()
    text = html.unescape(_ANY_TAG.sub(" ", _BREAK_TAG.sub("\n", cell)))
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
