"""한글 documents, HWPX and HWP 5 (syhwp: pure Python, MIT).

Both candidates read the test fixture (tests/fixtures/render.py hwpx) into the same text.
syhwp (MIT) was chosen over hwp-hwpx-parser (Apache-2.0) because it returns typed blocks —
paragraphs and tables with their cell grid — in reading order, which is what the sectioning
step takes; hwp-hwpx-parser returns the text with tables inlined as Markdown (a cell holding
"|" or a line break would have to be parsed back) and the tables again separately.
pyhwp (AGPL) is not used.
Paragraphs go through the outline rules of plain text; line numbers count blocks.
"""

from __future__ import annotations

import os
import tempfile

from knowledge.model import DocumentInfo
from knowledge.readers.sections import TABLE, Block, ReadError, Reading, build_entries
from knowledge.readers.text import blocks as text_blocks


def read(raw: bytes, doc: DocumentInfo) -> Reading:
    """Entries of an .hwp or .hwpx file; ReadError for an encrypted or corrupt one."""
    import syhwp

    # syhwp detects the format from a path, so the bytes go through a temporary file.
    handle, path = tempfile.mkstemp(suffix=".hwp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(raw)
        document = syhwp.open(path)
    except syhwp.EncryptedDocumentError:
        raise ReadError("암호가 걸린 한글 문서입니다. 암호를 풀어 다시 저장해 주세요") from None
    except (syhwp.SyhwpError, OSError, ValueError, KeyError) as exc:
        raise ReadError(
            f"한글 문서가 손상되었거나 읽을 수 없는 형식입니다 ({type(exc).__name__})"
        ) from None
    finally:
        os.unlink(path)
    found: list[Block] = []
    order: list[str] = []
    for number, block in enumerate(document.blocks, start=1):
        if isinstance(block, syhwp.Table):
            rows = tuple(tuple(" ".join(cell.split()) for cell in row) for row in block.grid())
            found.append(Block(TABLE, rows=rows, line=number))
        elif block.text.strip():
            found.extend(
                Block(b.kind, b.text, b.level, b.rows, b.header, line=number)
                for b in text_blocks(block.text, order=order)
            )
    return build_entries(found, doc)
