"""Comparisons across regions ("전북이랑 인천 주민참여예산 차이", "지역별 홍보 사업").

The same topic is looked up once per region and shown side by side, each with the field the
question asks for (or the entry's first core fact), so a citizen sees both instead of the one
region the matcher happened to rank first.

Usage:
    comparison = find_comparison(kb, text)      # None unless two or more regions are compared
    format_comparison(comparison)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.base import KnowledgeBase
from knowledge.model import Entry
from nlp.listing import mentioned_regions, region_names

_COMPARE = re.compile(
    r"차이|비교|다른\s*점|다른\s*가|다른지|달라|다르|vs|VS|대비|지역별|각\s*지역|어디가\s*더"
)
# Words of a comparison request that name no topic.
_FILLER = re.compile(
    r"(해\s*줘|해\s*주세요|해\s*주실래요|하면|해\s*봐|뭐가|뭔가요|뭐예요|어떻게|둘\s*다|각각|"
    r"있어요|있나요|점|요)(?=\s|[?.!]|$)|[?.!]"
)
_ALL_REGIONS = re.compile(r"지역별|각\s*지역|지역마다")
# A named region's entry must be at least a "did you mean" match (nlp.responder's 30); for
# "지역별" (every region) one the bot would answer with (45): at 30 "지역별 자원봉사 사업" showed
# a 전주 pledge on local currency.
MIN_SCORE = 30.0
ALL_REGIONS_MIN_SCORE = 45.0
# "전북 파워블로거랑 인천 블로그기자단": each side of the conjunction names its own topic.
_SIDES = re.compile(r"(?:이랑|랑|하고|와|과|vs|VS|대비)\s+")
MAX_VALUE_CHARS = 90  # four regions side by side stay within ~600 characters


@dataclass(frozen=True)
class Comparison:
    """One topic per region: the best entry there (None when the region has nothing on it)."""

    topic: str
    rows: tuple[tuple[str, Entry | None, str | None], ...]  # region, entry, (field, value)

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(e for _, e, _ in self.rows if e is not None)


def is_comparison(kb: KnowledgeBase, text: str) -> bool:
    """Whether the message compares regions (two named, or "지역별")."""
    if not _COMPARE.search(text):
        return False
    return bool(_ALL_REGIONS.search(text)) or len(mentioned_regions(kb, text)) >= 2


def find_comparison(
    kb: KnowledgeBase, text: str, *, fields: tuple[str, ...] = ()
) -> Comparison | None:
    """The topic's best entry in each compared region; None when not a comparison or when no
    region has the topic at all."""
    if not is_comparison(kb, text):
        return None
    every = bool(_ALL_REGIONS.search(text))
    regions = region_names(kb) if every else mentioned_regions(kb, text)
    topic = _without_regions(kb, _COMPARE.sub(" ", text))
    if not kb.index.analyze(topic).tokens:
        return None
    topics = _topics_by_region(kb, text, regions, topic)
    floor = ALL_REGIONS_MIN_SCORE if every else MIN_SCORE
    rows = []
    for region in regions:
        ranked = kb.index.search(
            kb.index.analyze(topics[region]), preferred_region=region, limit=10
        )
        best = next(
            (s.entry for s in ranked if s.entry.region == region and s.score >= floor), None
        )
        rows.append((region, best, _fact(best, fields) if best else None))
    if not any(entry for _, entry, _ in rows):
        return None
    return Comparison(" ".join(topic.split()), tuple(rows))


def format_comparison(comparison: Comparison) -> str:
    """One line per region; the first sentence says where the topic exists."""
    having = [region for region, entry, _ in comparison.rows if entry is not None]
    lacking = [region for region, entry, _ in comparison.rows if entry is None]
    head = (
        f"'{comparison.topic}'을(를) 지역별로 비교합니다: "
        f"자료가 있는 지역은 {', '.join(having)}입니다."
    )
    if lacking:
        head += f" {', '.join(lacking)} 자료에는 관련 항목이 없습니다."
    lines = [head]
    for region, entry, fact in comparison.rows:
        if entry is None:
            continue
        line = f"■ {region}: {entry.title}"
        if fact:
            line += f"\n   · {fact}"
        lines.append(line)
    lines.append("항목 버튼을 누르면 자세히 알려 드립니다.")
    return "\n".join(lines)


def _topics_by_region(
    kb: KnowledgeBase, text: str, regions: list[str], shared: str
) -> dict[str, str]:
    """Each region's own words when the sides of "A랑 B" name different things, else the
    words the question shares."""
    topics = {region: shared for region in regions}
    for side in _SIDES.split(text):
        named = mentioned_regions(kb, side)
        own = _without_regions(kb, _COMPARE.sub(" ", side))
        if len(named) == 1 and named[0] in topics and len(own.replace(" ", "")) >= 2:
            topics[named[0]] = own
    return topics


def _fact(entry: Entry, fields: tuple[str, ...]) -> str | None:
    for name in (*fields, "예산", "사업내용", "목표", "주요내용", "분야", "구성", "소관부서"):
        value = entry.fields.get(name)
        if value:
            value = " / ".join(line.strip() for line in value.splitlines() if line.strip())
            clipped = (
                value if len(value) <= MAX_VALUE_CHARS else value[: MAX_VALUE_CHARS - 1] + "…"
            )
            return f"{name}: {clipped}"
    return None


def _without_regions(kb: KnowledgeBase, text: str) -> str:
    """The topic words: regions, the conjunctions joining the sides and fillers taken out."""
    for word in kb.index.region_words:
        text = re.sub(rf"{word}(이랑|랑|하고|과|와|및|,|의|은|는|이|가|도)?", " ", text)
    text = re.sub(r"(이랑|랑|하고)(?=\s|$)", " ", text)
    return " ".join(_FILLER.sub(" ", text).split())
