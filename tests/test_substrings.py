"""Which texts hold a word, looked up by bigram postings (nlp.substrings), and the browsing
filter built on it (nlp.listing.mentioning): exactly what a scan of every text finds."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.base import KnowledgeBase
from nlp.listing import mentioning
from nlp.substrings import SubstringIndex

# A few letters, so that words often occur in the texts and bigrams repeat.
LETTERS = st.sampled_from("가나다라마ab1 \ud800")
TEXTS = st.lists(st.text(LETTERS, max_size=40), max_size=25)
WORDS = st.text(LETTERS, max_size=6)


def _scan(texts: list[str], word: str) -> frozenset[int]:
    return frozenset(n for n, text in enumerate(texts) if word in text)


@given(TEXTS, WORDS)
def test_containing_is_exactly_the_texts_holding_the_word(texts, word):
    assert SubstringIndex(texts).containing(word) == _scan(texts, word)


@pytest.mark.parametrize(
    "word, expected",
    [
        ("", {0, 1, 2, 3}),  # the empty word is in every text, as `in` says
        ("공", {0, 1}),  # one letter has no bigram
        ("공예", {0, 1}),
        ("전통공예", {0}),
        ("통공예작", {0}),
        ("공예작가지원", set()),  # every bigram is somewhere, never together
        ("예술", {2}),
        ("없는말", set()),
        ("\ud800", {3}),  # a lone surrogate (hostile input) is a letter like any other
    ],
)
def test_containing_table(word, expected):
    texts = ["전통공예작가", "공예지원", "예술인", "깨진\ud800글자"]
    assert SubstringIndex(texts).containing(word) == expected


@pytest.mark.parametrize(
    "words",
    [
        ["다문화"],
        ["자원봉사"],
        ["청년", "창업"],
        ["공예"],
        ["반려동물"],
        ["강아지"],
        ["없는말"],
        [],
    ],
)
def test_mentioning_finds_what_a_scan_of_every_entry_finds(kb: KnowledgeBase, words):
    """Curated synonyms count (강아지 → 반려동물), and an entry the knowledge base does not hold
    (an edited copy) is judged by its own text."""
    foreign = replace(kb.entries[0], body=" ".join(words))

    def holds(entry, word):
        text = " ".join((entry.title, *entry.aliases, entry.body, entry.department or ""))
        text = text.replace(" ", "").lower()
        return any(w in text for w in (word, *kb.index.synonyms_of(word)))

    pool = [*kb.entries, foreign]
    assert mentioning(kb, pool, words) == [e for e in pool if all(holds(e, w) for w in words)]
