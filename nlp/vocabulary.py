"""The bot's built-in everyday → administrative vocabulary (nlp/vocabulary.txt), read once.

Citizens say "애들", "동사무소", "돈 주는 거"; every Korean local government writes 아동,
행정복지센터, 지원금. The search index (nlp/index.py) lets a question word match an entry that
uses one of its administrative words, more weakly than the word itself, and one way only.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from nlp.normalizer import compact

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.txt")


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
