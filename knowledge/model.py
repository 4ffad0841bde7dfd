"""Typed knowledge-base entries built from the government documents.

Every fact the bot states comes from an ``Entry``; an entry always knows its region and the
file and line range it was read from, so every answer can cite its source.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# Entry kinds: a small fixed core that readers produce. Readers use these constants, never
# bare strings. The first group comes from the specialised layout parsers, the second from the
# generic readers (sheets, pages, outlines).
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
FAQ = "faq"  # one question and its answer from an FAQ sheet
SECTION = "section"  # one headed section of a page, report or outline
KINDS: tuple[str, ...] = (
    PROGRAM,
    UNIT_PROJECT,
    WORK_PLAN,
    DEPARTMENT,
    TEAM,
    PLEDGE,
    NEWS,
    COMMITTEE,
    CIVIC_GROUP,
    AUDIT,
    INDICATOR,
    FAQ,
    SECTION,
)
KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {
        PROGRAM: "세부사업",
        UNIT_PROJECT: "단위사업",
        WORK_PLAN: "주요업무",
        DEPARTMENT: "부서",
        TEAM: "팀",
        PLEDGE: "공약",
        NEWS: "보도",
        COMMITTEE: "위원회",
        CIVIC_GROUP: "시민단체",
        AUDIT: "감사 지적사항",
        INDICATOR: "성과지표",
        FAQ: "자주 묻는 질문",
        SECTION: "안내",
    }
)


@dataclass(frozen=True)
class Region:
    """A region the knowledge directory declares (``regions.yaml``), never a constant in code.

    ``code`` is the short ASCII prefix of entry ids and region buttons; ``spellings`` are the
    words citizens use for it (전북, 전북도 …); ``phone``/``note`` is a representative contact
    (city hall, 민원 콜센터) shown when no department is known.
    """

    name: str
    code: str
    spellings: tuple[str, ...] = ()
    short: str | None = None
    phone: str | None = None
    note: str | None = None

    @property
    def words(self) -> tuple[str, ...]:
        """Every word that names this region in a question: the name and its spellings."""
        return tuple(dict.fromkeys((self.name, *self.spellings)))

    @property
    def label(self) -> str:
        """The short form for lists in messages ("전북"), else the name."""
        return self.short or self.name


def region_code(name: str) -> str:
    """An ASCII code for a region an admin names without one (``kb add --region``)."""
    return "r" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:5]


@dataclass(frozen=True)
class Source:
    """Where an entry was read from: the document and the 1-based inclusive line range."""

    file: str
    line_start: int
    line_end: int
    document: str  # human title of the document it comes from
    year: int | None = None
    unit: str = "행"  # what line_start..line_end count: 행 (lines, rows) or 쪽 (PDF pages)

    def cite(self, region: str) -> str:
        """One-line citation shown under every answer."""
        year = f", {self.year}" if self.year else ""
        where = (
            f"{self.line_start}–{self.line_end}"
            if self.line_end != self.line_start or self.unit == "행"
            else str(self.line_start)
        )
        return f"{region} · {self.document}{year} ({self.file} {where}{self.unit})"


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
            "id": self.id,
            "kind": self.kind,
            "region": self.region,
            "title": self.title,
            "aliases": list(self.aliases),
            "fields": dict(self.fields),
            "department": self.department,
            "team": self.team,
            "parent_id": self.parent_id,
            "budget": [list(b) for b in self.budget],
            "inferred": list(self.inferred),
            "body": self.body,
            "source": {
                "file": self.source.file,
                "line_start": self.source.line_start,
                "line_end": self.source.line_end,
                "document": self.source.document,
                "year": self.source.year,
                "unit": self.source.unit,
            },
        }


def make_id(code: str, kind: str, key: str) -> str:
    """Stable id from a region code, kind and a natural key (title or document number).

    Short ASCII keys such as a pledge number ("5-1") are kept readable; anything else is
    hashed, so ids survive reloads as long as the key does and stay far below Telegram's
    64-byte callback_data limit.
    """
    compact = "".join(key.split())
    if (
        compact
        and len(compact) <= 12
        and all(c.isascii() and (c.isalnum() or c in "-_.") for c in compact)
    ):
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
    region_code: str = ""  # the region's id prefix (regions.yaml)

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
