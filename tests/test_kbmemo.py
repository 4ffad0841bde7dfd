"""Data derived from a knowledge base is computed once per knowledge base and dropped with it
(nlp.kbmemo.per_kb)."""

from __future__ import annotations

import weakref

from knowledge.base import Curated, KnowledgeBase
from nlp.kbmemo import per_kb

CALLS: list[int] = []


def _count_entries(kb: KnowledgeBase) -> int:
    CALLS.append(id(kb))
    return len(kb.entries)


def _empty_kb() -> KnowledgeBase:
    return KnowledgeBase((), Curated(), index=None)


def test_computed_once_per_knowledge_base():
    CALLS.clear()
    first, second = _empty_kb(), _empty_kb()
    assert [per_kb(first, _count_entries) for _ in range(3)] == [0, 0, 0]
    assert per_kb(second, _count_entries) == 0
    assert CALLS == [id(first), id(second)]


def test_a_knowledge_base_is_not_kept_alive_by_what_was_derived_from_it():
    kb = _empty_kb()
    per_kb(kb, _count_entries)
    gone = weakref.ref(kb)
    del kb
    assert gone() is None


def test_a_new_knowledge_base_never_gets_an_old_ones_data():
    """A collected knowledge base's id can be reused by the next one (a /reload)."""
    CALLS.clear()
    for _ in range(5):
        kb = _empty_kb()
        per_kb(kb, _count_entries)
        del kb
    assert len(CALLS) == 5
