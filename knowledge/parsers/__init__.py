"""One parser per document layout: each exposes ``parse(text, doc) -> list[Entry]``.

Words a parser matches on that are curated by hand (team keywords, alias candidates) are YAML
files next to the parsers, read once at import by ``read_words`` and ``read_team_keywords``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent


class WordListError(Exception):
    """A curated word list next to the parsers is malformed; the message names the file."""


def read_words(name: str) -> tuple[str, ...]:
    """A YAML list of words from ``DATA_DIR / name``, in file order."""
    data = _read(name)
    if not _is_words(data):
        raise WordListError(f"{name}: 낱말 목록(list)이어야 합니다")
    return tuple(data)


def read_team_keywords(name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(team, keywords) pairs, in file order, from a YAML list of ``{team, keywords}``."""
    data = _read(name)
    if not isinstance(data, list) or not all(
        isinstance(item, dict)
        and item.keys() == {"team", "keywords"}
        and _is_words([item["team"]])
        and _is_words(item["keywords"])
        for item in data
    ):
        raise WordListError(f"{name}: team 과 keywords 를 가진 항목의 목록이어야 합니다")
    return tuple((item["team"], tuple(item["keywords"])) for item in data)


def _read(name: str) -> object:
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))


def _is_words(data: object) -> bool:
    return isinstance(data, list) and all(isinstance(word, str) and word for word in data)
