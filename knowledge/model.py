"""Typed knowledge-base entries built from the government documents.

Every fact the bot states comes from an ``Entry``; an entry always knows its region and the
file and line range it was read from, so every answer can cite its source.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

REGIONS: tuple[str, ...] = ("전라북도", "전주시", "인천광역시", "나주시")
REGION_CODES: Mapping[str, str] = MappingProxyType(
    {"전라북도": "jb", "전주시": "jj", "인천광역시": "ic", "나주시": "nj"}
)

# Entry kinds. Parsers use these constants, never bare strings.
PROGRAM = "program"  # 세부사업 (000) — one budgeted project
UNIT_PROJECT = "unit_project"  # 단위사업 (000)
WORK_PLAN = "work_plan"  # 인천 2020 주요업무 추진계획 (003)
DEPARTMENT = "department"  # 국/과/담당관실
TEAM = "team"  # 팀 (000)
PLEDGE = "pledge"  # 공약 (002, 004)
NEWS = "news"  # numbered news section (001)
COMMITTEE = "committee"  # 위원회 (003)
CIVIC_GROUP = "civic_group"  # 국민운동 및 건전시민단체 (003)
AUDIT = "audit"  # 행정사무감사 지적사항 처리계획 (003)
INDICATOR = "indicator"  # 성과지표 (000)
KINDS: tuple[str, ...] = (
    PROGRAM, UNIT_PROJECT, WORK_PLAN, DEPARTMENT, TEAM, PLEDGE, NEWS, COMMITTEE,
    CIVIC_GROUP, AUDIT, INDICATOR,
)
KIND_LABELS: Mapping[str, str] = MappingProxyType({
    PROGRAM: "세부사업", UNIT_PROJECT: "단위사업", WORK_PLAN: "주요업무", DEPARTMENT: "부서",
    TEAM: "팀", PLEDGE: "공약", NEWS: "보도", COMMITTEE: "위원회", CIVIC_GROUP: "시민단체",
    AUDIT: "감사 지적사항", INDICATOR: "성과지표",
})


@dataclass(frozen=True)
class Source:
    """Where an entry was read from: the document and the 1-based inclusive line range."""

    file: str
    line_start: int
    line_end: int
    document: str  # human title, e.g. "전라북도 대외협력국 2021 주요업무계획"
    year: int | None = None

    def cite(self, region: str) -> str:
        """One-line citation shown under every answer."""
        year = f", {self.year}" if self.year else ""
        return f"{region} · {self.document}{year} ({self.file} {self.line_start}–{self.line_end}행)"


@dataclass(frozen=True)
class Entry:
    """One answerable thing: a program, department, pledge, committee …

    ``fields`` holds the labelled facts in document order, keyed by the document's own Korean
    label (사업내용, 지원조건, 예산, 팀, 연락처 …). ``inferred`` names the attributes the parser
    inferred rather than read (e.g. ``("team",)``) so answers can say so.
    """

    id: str
    kind: str
    region: str
    title: str
    source: Source
    body: str = ""
    aliases: tuple[str, ...] = ()
    fields: Mapping[str, str] = field(default_factory=dict)
    department: str | None = None
    team: str | None = None
    parent_id: str | None = None
    budget: tuple[tuple[str, float], ...] = ()  # (label, 백만원), e.g. ("2021예산", 45.0)
    inferred: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", MappingProxyType(dict(self.fields)))
        object.__setattr__(self, "aliases", tuple(self.aliases))

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (``kb export --json``)."""
        return {
            "id": self.id, "kind": self.kind, "region": self.region, "title": self.title,
            "aliases": list(self.aliases), "fields": dict(self.fields),
            "department": self.department, "team": self.team, "parent_id": self.parent_id,
            "budget": [list(b) for b in self.budget], "inferred": list(self.inferred),
            "body": self.body,
            "source": {"file": self.source.file, "line_start": self.source.line_start,
                       "line_end": self.source.line_end, "document": self.source.document,
                       "year": self.source.year},
        }


def make_id(region: str, kind: str, key: str) -> str:
    """Stable id from region, kind and a natural key (title or document number).

    Short ASCII keys such as a pledge number ("5-1") are kept readable; anything else is
    hashed, so ids survive reloads as long as the key does and stay far below Telegram's
    64-byte callback_data limit.
    """
    code = REGION_CODES[region]
    compact = "".join(key.split())
    if compact and len(compact) <= 12 and all(c.isascii() and (c.isalnum() or c in "-_.") for c in compact):
        suffix = compact
    else:
        suffix = hashlib.sha1(compact.encode("utf-8")).hexdigest()[:8]
    return f"{code}-{kind}-{suffix}"


@dataclass(frozen=True)
class DocumentInfo:
    """What the manifest says about one source file; parsers receive it with the text."""

    file: str
    parser: str
    region: str
    document: str
    year: int | None = None
    sha256: str | None = None  # of the file as exported; a mismatch means it was cut or changed

    def source(self, line_start: int, line_end: int) -> Source:
        """Source for lines ``line_start..line_end`` (1-based, inclusive) of this file."""
        return Source(self.file, line_start, line_end, self.document, self.year)


class ParseError(Exception):
    """A source document does not have the layout its parser expects."""

    def __init__(self, file: str, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line
        self.message = message
