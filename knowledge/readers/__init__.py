"""Readers by file type: each turns a file's bytes into entries plus warnings for the admin.

A reader is ``read(raw, doc) -> Reading``. Generic readers (HTML, PDF, DOCX, HWP/HWPX, Markdown
and plain text) produce blocks that one sectioning step (``knowledge.readers.sections``) turns
into entries; sheets (XLSX, CSV) read FAQ sheets and contact directories by their column names.
The five layout parsers of ``knowledge.parsers`` stay the specialised readers of their documents.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from knowledge.model import DocumentInfo
from knowledge.readers.sections import ReadError, Reading

Reader = Callable[[bytes, DocumentInfo], Reading]

# File suffix → reader name written to the manifest's ``parser:``.
READER_BY_SUFFIX = {
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".hwpx": "hwp",
    ".hwp": "hwp",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".xlsx": "sheet",
    ".csv": "sheet",
}


def _html(raw: bytes, doc: DocumentInfo) -> Reading:
    from knowledge.readers.html import read

    return read(raw, doc)


def _pdf(raw: bytes, doc: DocumentInfo) -> Reading:
    from knowledge.readers.pdf import read

    return read(raw, doc)


def _docx(raw: bytes, doc: DocumentInfo) -> Reading:
    from knowledge.readers.docx import read

    return read(raw, doc)


def _hwp(raw: bytes, doc: DocumentInfo) -> Reading:
    from knowledge.readers.hwp import read

    return read(raw, doc)


def _text(raw: bytes, doc: DocumentInfo) -> Reading:
    from knowledge.readers.text import read

    return read(raw, doc)


def _sheet(raw: bytes, doc: DocumentInfo) -> Reading:
    from knowledge.readers.sheet import read

    return read(raw, doc)


# Reader modules are imported on first use: a knowledge base of text files never loads
# pdfplumber or python-docx.
READERS: dict[str, Reader] = {
    "html": _html,
    "pdf": _pdf,
    "docx": _docx,
    "hwp": _hwp,
    "markdown": _text,
    "text": _text,
    "sheet": _sheet,
}


def reader_for(file: str | PurePath) -> str:
    """The reader name for a file, by its suffix; ReadError for a type nobody reads."""
    suffix = PurePath(file).suffix.lower()
    if suffix not in READER_BY_SUFFIX:
        kinds = ", ".join(sorted({s.lstrip(".") for s in READER_BY_SUFFIX}))
        raise ReadError(
            f"읽을 수 없는 파일 형식입니다({suffix or '확장자 없음'}). 읽을 수 있는 형식: {kinds}"
        )
    return READER_BY_SUFFIX[suffix]


__all__ = ["READERS", "READER_BY_SUFFIX", "ReadError", "Reading", "reader_for"]
