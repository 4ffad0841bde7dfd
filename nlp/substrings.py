"""Which of many texts hold a word, without looking through every text.

Browsing questions keep the entries whose text holds every topic word ("다문화" in 다문화가족…);
a scan of every entry's text costs an O(entries) Python loop per question (~15 ms of CPU at
10,000 entries). Here each text's character bigrams are posted once: a word of two characters
is its own bigram, so its posting is the answer; a longer word can only be in the texts that
hold its rarest bigrams, and only those are checked. The result is exactly the texts for which
``word in text`` holds.

Usage:
    index = SubstringIndex(["전통공예작가지원", "청년창업"])
    index.containing("공예")      # → frozenset({0})
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# A longer word's candidates are the texts holding all of its this many rarest bigrams (postings
# intersected in numpy); the exact check removes the rest, so this trades numpy calls against
# string checks and changes no result. Not tuned: two made a listing question's lookup ~1 ms.
RAREST_BIGRAMS = 2


def _bigram_codes(text: str) -> np.ndarray:
    """Each pair of neighbouring characters as one number (code points side by side)."""
    raw = text.encode("utf-32-le", "surrogatepass")  # a lone surrogate is a character too
    points = np.frombuffer(raw, dtype=np.uint32).astype(np.uint64)
    return (points[:-1] << np.uint64(32)) | points[1:]


class SubstringIndex:
    """Immutable once built; ``containing`` is safe to call from many threads."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = tuple(texts)
        codes, owners = [], []
        for number, text in enumerate(self._texts):
            if len(text) >= 2:
                grams = np.unique(_bigram_codes(text))
                codes.append(grams)
                owners.append(np.full(len(grams), number, dtype=np.int32))
        all_codes = np.concatenate(codes) if codes else np.zeros(0, dtype=np.uint64)
        all_owners = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int32)
        order = np.argsort(all_codes, kind="stable")  # owners stay ascending within a bigram
        self._owners = all_owners[order]
        self._codes, self._starts = np.unique(all_codes[order], return_index=True)
        self._ends = np.append(self._starts[1:], len(self._owners))

    def __len__(self) -> int:
        return len(self._texts)

    def containing(self, word: str) -> frozenset[int]:
        """The numbers of the texts that hold ``word`` (``word in text``)."""
        if len(word) < 2:  # no bigram to look up ("" is in every text); topic words are longer
            return frozenset(n for n, text in enumerate(self._texts) if word in text)
        postings = sorted((self._posting(code) for code in set(_bigram_codes(word))), key=len)
        if len(word) == 2:
            return frozenset(postings[0].tolist())
        candidates = postings[0]
        for posting in postings[1:RAREST_BIGRAMS]:
            candidates = np.intersect1d(candidates, posting, assume_unique=True)
        return frozenset(n for n in candidates.tolist() if word in self._texts[n])

    def _posting(self, code: np.uint64) -> np.ndarray:
        """The ascending numbers of the texts holding the bigram ``code``."""
        at = int(np.searchsorted(self._codes, code))
        if at == len(self._codes) or self._codes[at] != code:
            return self._owners[:0]
        return self._owners[self._starts[at] : self._ends[at]]
