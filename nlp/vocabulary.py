"""The bot's built-in everyday → administrative vocabulary (nlp/vocabulary.txt), read once.

Citizens say "애들", "동사무소", "돈 주는 거"; every Korean local government writes 아동,
행정복지센터, 지원금. The search index (nlp/index.py) lets a question word match an entry that
uses one of its administrative words, more weakly than the word itself, and one way only.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from pathlib import Path

from nlp.analyzer import strip_particle, words_of
from nlp.normalizer import compact

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.txt")
# The meaning model reads a question with the first this many administrative words of each of
# its everyday words ("외국인 며느리 친정" → "… 외국인주민 다문화 결혼이민자 다문화가족 고향").
# Every spent set (blind A–Z, AA–AN; 5,550 title questions) through the fused ranking: top-1
# +21, top-3 +10, 85 more answers as often right (0.960); one word +16 / +17 but two more
# out-of-scope questions answered; every word +5 / +10 and answers right 0.956.
MEANING_WORDS_PER_WORD = 2


class VocabularyFileError(ValueError):
    """The vocabulary file is malformed (a line without "=", an empty side, a word twice)."""


def read_vocabulary(path: Path = VOCABULARY_FILE) -> dict[str, tuple[str, ...]]:
    """Each everyday word (compact, lower-case) with the administrative words it stands for,
    in file order and without itself."""
    vocabulary: dict[str, tuple[str, ...]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line or (line.startswith("[") and line.endswith("]")):
            continue
        everyday, sep, admin = line.partition("=")
        keys = [compact(w).lower() for w in everyday.split()]
        values = [compact(w).lower() for w in admin.split()]
        if not sep or not keys or not values:
            raise VocabularyFileError(f"{path.name}:{number}: expected 'everyday = admin'")
        for key in keys:
            if key in vocabulary:
                raise VocabularyFileError(f"{path.name}:{number}: {key} is on the left twice")
            vocabulary[key] = tuple(v for v in dict.fromkeys(values) if v != key)
    return vocabulary


EVERYDAY: Mapping[str, tuple[str, ...]] = read_vocabulary()


def looked_up(word: str, known: Container[str]) -> str:
    """A typed word as a vocabulary ``known`` would hold it: as typed when it does ("국제회의",
    which ends like the particle 의), else without its particle ("애들이" → 애들)."""
    return word if word in known else strip_particle(word)


def with_administrative_words(text: str) -> str:
    """``text`` followed by the administrative words of the everyday words in it (see
    MEANING_WORDS_PER_WORD); ``text`` itself when it has none."""
    added: list[str] = []
    for word in words_of(text):
        word = looked_up(word, EVERYDAY)
        added.extend(a for a in EVERYDAY.get(word, ())[:MEANING_WORDS_PER_WORD] if a not in added)
    return f"{text} {' '.join(added)}" if added else text
