"""Saved web pages: navigation, scripts, styles and comments dropped; h1–h4 and table captions
make sections; tables keep their header → cell pairs; lists keep their nesting.

Line numbers are the page source's, so an answer can point at the line an admin opens.
"""

from __future__ import annotations

import lxml.etree
import lxml.html

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
from knowledge.readers.text import decode

DROPPED_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "iframe",
    "svg",
    "template",
)
# Site chrome that pages mark by class or id rather than by tag.
DROPPED_MARKS = (
    "gnb",
    "lnb",
    "snb",
    "breadcrumb",
    "skip",
    "footer",
    "header",
    "sitemap",
    "quick",
    "util",
    "location",
)
HEADING_LEVELS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
BLOCK_TAGS = ("p", "div", "section", "article", "main", "dd", "dt", "blockquote", "pre", "address")


def read(raw: bytes, doc: DocumentInfo) -> Reading:
    """Entries of one saved page."""
    return build_entries(blocks(decode(raw)), doc)


def blocks(text: str) -> list[Block]:
    """Blocks of a page in reading order."""
    if not text.strip():
        return []
    try:
        root = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ReadError(f"HTML로 읽을 수 없습니다: {exc}") from None
    for element in root.xpath("//comment() | //processing-instruction()"):
        _drop(element)
    for element in root.iter(*DROPPED_TAGS):
        element.set("data-drop", "1")
    for element in root.iter():
        marks = f"{element.get('class', '')} {element.get('id', '')}".lower()
        if isinstance(element.tag, str) and any(m in marks.split() for m in DROPPED_MARKS):
            element.set("data-drop", "1")
    for element in list(root.xpath("//*[@data-drop]")):
        _drop(element)
    out: list[Block] = []
    _walk(root.find("body") if root.find("body") is not None else root, out, 0)
    return out


def _walk(element, out: list[Block], depth: int) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    line = element.sourceline or 1
    if tag in HEADING_LEVELS:
        if text := _text(element):
            out.append(Block(HEADING, text, HEADING_LEVELS[tag] + depth, line=line))
        return
    if tag == "table":
        caption = element.find("caption")
        if caption is not None and (text := _text(caption)):
            out.append(Block(HEADING, text, 5, line=caption.sourceline or line))
        rows, header = [], None
        for row in element.iter("tr"):
            cells = [_text(cell) for cell in row if cell.tag in ("td", "th")]
            if not rows:
                header = all(cell.tag == "th" for cell in row if cell.tag in ("td", "th")) or None
            rows.append(tuple(cells))
        if rows:
            out.append(
                Block(
                    TABLE, rows=tuple(rows), header=header, line=line, line_end=_last_line(element)
                )
            )
        return
    if tag in ("ul", "ol"):
        _list(element, out, 1)
        return
    if tag in ("p", "dt", "dd", "blockquote", "pre", "address", "li"):
        if text := _text(element):
            out.append(Block(PARAGRAPH, text, line=line))
        return
    if element.text and element.text.strip() and tag not in ("body", "html"):
        out.append(Block(PARAGRAPH, element.text.strip(), line=line))
    for child in element:
        _walk(child, out, depth)
        if child.tail and child.tail.strip():
            out.append(Block(PARAGRAPH, child.tail.strip(), line=child.sourceline or line))


def _list(element, out: list[Block], depth: int) -> None:
    for item in element.iterchildren("li"):
        own = " ".join(" ".join(part.split()) for part in _own_text(item) if part.strip())
        if own:
            out.append(Block(ITEM, own, depth, line=item.sourceline or 1))
        for nested in item.iter("ul", "ol"):
            if nested.getparent() is item or nested.getparent().getparent() is item:
                _list(nested, out, depth + 1)


def _own_text(item) -> list[str]:
    """The text of a list item without its nested lists."""
    parts = [item.text or ""]
    for child in item:
        if child.tag not in ("ul", "ol"):
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return parts


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _last_line(element) -> int:
    return max(
        (e.sourceline or 0 for e in element.iter() if isinstance(e.tag, str)),
        default=element.sourceline or 1,
    )


def _drop(element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
