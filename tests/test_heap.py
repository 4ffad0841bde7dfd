"""A built knowledge base is kept out of full garbage collections (nlp.heap.settle), without
leaking what is dropped."""

from __future__ import annotations

import gc
import weakref

from knowledge.model import Entry, Source
from nlp.heap import settle
from nlp.retrieval import build_knowledge_base
from nlp.tokenizer import Tokenizer


class Node:
    """Something the collector tracks; ``self.loop = self`` makes a reference cycle."""


def _tracked(thing: object) -> bool:
    """Whether a collection would walk ``thing`` (frozen objects are in no generation)."""
    return any(o is thing for o in gc.get_objects())


def test_settle_takes_live_objects_out_of_collections():
    kept = Node()
    assert _tracked(kept)
    settle()
    assert not _tracked(kept)


def test_a_settled_object_is_still_freed_when_dropped():
    kept = Node()
    gone = weakref.ref(kept)
    settle()
    del kept
    assert gone() is None


def test_settle_collects_garbage_cycles_instead_of_freezing_them():
    node = Node()
    node.loop = node
    gone = weakref.ref(node)
    del node
    settle()
    assert gone() is None


def test_a_cycle_frozen_alive_is_collected_by_the_next_settle():
    """The cycles of a knowledge base replaced by /reload are not leaked for good."""
    node = Node()
    node.loop = node
    gone = weakref.ref(node)
    settle()
    del node
    gc.collect()
    assert gone() is not None  # frozen: an ordinary collection skips it
    settle()
    assert gone() is None


def test_a_built_knowledge_base_is_out_of_collections(tokenizer: Tokenizer):
    entry = Entry(
        id="jb-program-1",
        kind="program",
        region="전라북도",
        title="새마을지도자 자녀 장학금",
        source=Source("plan.hwp", 1, 1, "업무계획", 2024),
        body="지원대상: 새마을지도자 자녀",
    )
    kb = build_knowledge_base([entry], tokenizer=tokenizer)
    assert not _tracked(kb) and not _tracked(kb.index)
