"""Parser for the 전북 대외국제소통국 2025 results article (source 001): one NEWS entry per
numbered section, plus one for the article lead.

The page export opens with a date + weather widget ("  • 맑음서울 -0.5℃" … "기상청 제공") and
ends with "배너" lines; both are page furniture, recognised by pattern wherever they occur and
never put into an entry. Paragraphs are separated by blank and lone-space lines. The lead is
everything between the widget and "1. …": headline, sub-headline and intro paragraphs. Sections
run from "N. heading" to the next heading; the closing quote of the 국장 stays in section 11,
where the document puts it, so every source range is one contiguous block.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from knowledge.model import NEWS, DocumentInfo, Entry, ParseError, make_id
from knowledge.parsers.text import Line, clean, compact

NOISE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\d{4}\.\d{1,2}\.\d{1,2}\s*\(\S\)"),  # widget date: 2026.01.07 (수)
    re.compile(r"•.*-?\d+(?:\.\d+)?\s*℃"),  # weather bullet: • 맑음서울 -0.5℃
    re.compile(r"기상청\s*제공"),
    re.compile(r"배너"),
)
# The heading's topic phrase becomes an alias ("고향사랑기부 확산으로 …" → 고향사랑기부). Reading
# stops at a noun that names the action rather than the topic …
ACTION_NOUNS = frozenset(
    {
        "변화",
        "확산",
        "활성화",
        "설계",
        "확대",
        "확장",
        "기반",
        "홍보",
        "제공",
        "제작",
        "구축",
        "강화",
        "해결",
        "도모",
        "창출",
        "대응",
    }
)
# … at a word carrying one of these particles (the word's stem is kept) …
PARTICLES = ("으로", "로", "를", "을", "에", "과", "와", "의")
# … or at a modifier ("전략적", "기반한"). A modifier right after a particle word ("수요에 기반한")
# means the words so far were a modifier clause, so reading starts over — except "통한"
# ("매체를 통한"), where the words before are the topic.
MODIFIER_ENDINGS = ("한", "적")
THROUGH = "통한"
MIN_STEM = 2  # "성과" must not lose its "과": a particle is only stripped from a longer word
REPLACEMENT_CHAR = "\ufffd"  # left where an export cut a character in half; never content
DEPARTMENT_PATTERN = re.compile(r"([가-힣]{2,}국)(?:장)?은(?=\s|$)")  # "대외국제소통국은"

_HEADING = re.compile(r"(?P<number>\d{1,2})\.\s+(?P<title>\S.*)")


def parse(text: str, doc: DocumentInfo) -> list[Entry]:
    """The lead and each numbered section of the article, page furniture dropped."""
    lines = _content_lines(text)
    starts = [i for i, line in enumerate(lines) if _HEADING.fullmatch(line.text)]
    if not starts:
        raise ParseError(
            doc.file, 1, "번호가 붙은 섹션(1. …)이 없습니다 — 보도 기사 형식이 아닙니다"
        )
    _check_numbering([lines[i] for i in starts], doc)
    department = _department(lines, doc)
    lead = lines[: starts[0]]
    entries = [_lead(lead, department, doc)] if lead else []
    for start, end in zip(starts, starts[1:] + [len(lines)]):
        entries.append(_section(lines[start:end], department, doc))
    return entries


def _content_lines(text: str) -> list[Line]:
    """Non-blank lines that are not page furniture, cleaned, with their line numbers."""
    content = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = clean(raw.replace(REPLACEMENT_CHAR, ""))
        if line and not any(pattern.fullmatch(line) for pattern in NOISE_PATTERNS):
            content.append(Line(number, line))
    return content


def _check_numbering(headings: Sequence[Line], doc: DocumentInfo) -> None:
    """Sections must run 1, 2, 3 … without gaps; a gap means a lost or mangled heading."""
    for expected, line in enumerate(headings, start=1):
        number = int(_HEADING.fullmatch(line.text)["number"])
        if number != expected:
            raise ParseError(
                doc.file, line.number, f"섹션 번호가 {expected}이어야 하는데 {number}입니다"
            )


def _department(lines: Sequence[Line], doc: DocumentInfo) -> str:
    """The bureau the article reports on, as the article names it ("대외국제소통국은 …")."""
    for line in lines:
        match = DEPARTMENT_PATTERN.search(line.text)
        if match:
            return match.group(1)
    raise ParseError(doc.file, lines[0].number, "기사에서 담당 국(…국은) 이름을 찾지 못했습니다")


def _lead(lines: Sequence[Line], department: str, doc: DocumentInfo) -> Entry:
    """Headline as title; sub-headline and intro paragraphs as body."""
    return _entry(lines[0].text, lines[1:], lines, department, doc, aliases=())


def _section(lines: Sequence[Line], department: str, doc: DocumentInfo) -> Entry:
    """A numbered section: heading (without its number) as title, its paragraphs as body."""
    title = _HEADING.fullmatch(lines[0].text)["title"]
    if len(lines) < 2:
        raise ParseError(doc.file, lines[0].number, f"섹션 '{title}'에 본문이 없습니다")
    topic = _topic_phrase(title)
    return _entry(
        title,
        lines[1:],
        lines,
        department,
        doc,
        aliases=(topic,) if topic and compact(topic) != compact(title) else (),
    )


def _entry(
    title: str,
    paragraphs: Sequence[Line],
    lines: Sequence[Line],
    department: str,
    doc: DocumentInfo,
    *,
    aliases: tuple[str, ...],
) -> Entry:
    body = "\n".join(line.text for line in paragraphs)
    return Entry(
        id=make_id(doc.region_code, NEWS, title),
        kind=NEWS,
        region=doc.region,
        title=title,
        source=doc.source(lines[0].number, lines[-1].number),
        body=body,
        fields={"내용": body} if body else {},
        department=department,
        aliases=aliases,
    )


def _topic_phrase(heading: str) -> str:
    """The noun phrase a heading opens with: "전북사랑도민증 활성화로 …" → "전북사랑도민증".

    See ACTION_NOUNS, PARTICLES and MODIFIER_ENDINGS for where reading stops; the result may be
    empty when the heading opens with an action or a modifier.
    """
    phrase: list[str] = []
    after_particle = False
    for word in heading.replace(",", " ").split():
        if after_particle:
            if word != THROUGH and word.endswith(MODIFIER_ENDINGS):
                phrase, after_particle = [], False
                continue
            break
        stem, after_particle = _strip_particle(word)
        if stem in ACTION_NOUNS or word.endswith(MODIFIER_ENDINGS):
            break
        phrase.append(stem)
    return " ".join(phrase)


def _strip_particle(word: str) -> tuple[str, bool]:
    """(stem, True) when ``word`` ends in a particle after a stem of at least MIN_STEM
    syllables."""
    for particle in PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= MIN_STEM:
            return word[: -len(particle)], True
    return word, False
