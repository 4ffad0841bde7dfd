"""Korea's cities, counties and districts (nlp/places.txt), to tell a question about a place the
knowledge base does not cover ("수원시 청년 월세 지원", "해운대구 주차") from one about its own
("군산 …" in a 전라북도 knowledge base, "부평구 …" in 인천광역시's)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from nlp.analyzer import PARTICLES, read_words

PLACES_FILE = Path(__file__).with_name("places.txt")
_AMBIGUOUS = "ambiguous stems"
# A stem shorter than this (중구 → 중) is never a place by itself.
MIN_STEM_CHARS = 2
_TAILS = "place tails"
_WORD = re.compile(r"[0-9A-Za-z가-힣]+")


def _spellings(name: str, ambiguous: frozenset[str]) -> tuple[str, ...]:
    """The name as written and, unless it is an everyday word, without its 시/군/구."""
    stem = name[:-1]
    if len(stem) >= MIN_STEM_CHARS and stem not in ambiguous and name[-1] in "시군구":
        return (name, stem)
    return (name,)


@lru_cache(maxsize=8)
def other_districts(own: frozenset[str]) -> tuple[str, ...]:
    """Every spelling of a 시·군·구 outside the knowledge base's regions, longest first.

    ``own`` holds the knowledge base's region names and spellings: a 시·도 among them covers
    all its districts; a district among them (전주, 나주) is its own although its 시·도 is not.
    A spelling that is also one of an own district (중구 of 인천 and of 서울) is left out."""
    sections = _sections()
    ambiguous = frozenset(sections.get(_AMBIGUOUS, ()))
    mine: set[str] = set()
    others: set[str] = set()
    for province, names in sections.items():
        if province in (_AMBIGUOUS, _TAILS):
            continue
        for name in names:
            spellings = _spellings(name, ambiguous)
            covered = province in own or any(s in own for s in (*spellings, name[:-1]))
            (mine if covered else others).update(spellings)
    return tuple(sorted(others - mine, key=len, reverse=True))


def named_district(text: str, own: Iterable[str]) -> tuple[int, str] | None:
    """The first 시·군·구 outside ``own`` that the text names, with the number of its word, or
    None. A name counts only as a whole word, alone or with a particle or a place word after it
    ("수원에서", "해운대 근처", "수원시청"): "봉사하는" holds no 사하, "보여주는" no 여주."""
    spellings = other_districts(frozenset(own))
    for number, word in enumerate(_WORD.findall(text)):
        for spelling in spellings:  # longest first
            if word.startswith(spelling) and _is_tail(word[len(spelling) :]):
                return number, spelling
    return None


@lru_cache(maxsize=1)
def _sections() -> dict[str, tuple[str, ...]]:
    """places.txt read once: each 시·도's districts, the ambiguous stems, the place tails."""
    return read_words(PLACES_FILE)


def _is_tail(rest: str) -> bool:
    return not rest or rest in PARTICLES or rest in _sections()[_TAILS]
