"""An entry for nlp-level tests: a title and its fields, written into the body as "name: value"
lines the way the parsers write them, with a fixed source, so a test states only what it is
about."""

from __future__ import annotations

from knowledge.model import Entry, Source

SOURCE = Source("test.txt", 1, 2, "시험 문서", 2021)


def make(
    key: str,
    title: str,
    *,
    kind: str = "program",
    region: str = "전라북도",
    parent: str | None = None,
    source: Source = SOURCE,
    **fields: str,
) -> Entry:
    """An entry whose body is its ``fields`` one per line."""
    return Entry(
        id=key,
        kind=kind,
        region=region,
        title=title,
        source=source,
        fields=fields,
        body="\n".join(f"{k}: {v}" for k, v in fields.items()),
        parent_id=parent,
    )
