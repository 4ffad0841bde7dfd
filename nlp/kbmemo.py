"""Data derived from every entry of a knowledge base, computed once per knowledge base.

Browsing questions look words up in every entry's text and title. Rebuilding those strings from
each entry on every question is an O(entries) loop of string work per question: at 10,000 entries
one listing question spent ~80 ms of CPU there (benchmarks/README.md, latency). A knowledge base
never changes once built (a /reload builds a new one), so what is derived from it is kept beside
it for as long as it lives and dropped with it: nothing of an old knowledge base is ever used
with a new one.

Usage:
    titles = per_kb(kb, _compact_titles)   # _compact_titles(kb) runs once for this kb
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import TypeVar

from knowledge.base import KnowledgeBase

T = TypeVar("T")

# id(kb) → (kb's weak reference, {compute function: its result}). A knowledge base is a frozen
# dataclass holding unhashable entries, so it cannot be a dictionary key itself; its id is
# unique while it lives, and the entry is removed when it is collected.
_derived: dict[int, tuple[weakref.ref, dict[Callable, object]]] = {}
_lock = threading.Lock()


def per_kb(kb: KnowledgeBase, compute: Callable[[KnowledgeBase], T]) -> T:
    """``compute(kb)``, computed on first use and kept while ``kb`` lives.

    ``compute`` must be a module-level function (its identity is the key) whose result depends
    on ``kb`` alone; callers must not modify the result."""
    slot = _derived.get(id(kb))
    if slot is None or slot[0]() is not kb:
        with _lock:
            slot = _derived.get(id(kb))
            if slot is None or slot[0]() is not kb:
                slot = (weakref.ref(kb), {})
                _derived[id(kb)] = slot
                weakref.finalize(kb, _forget, id(kb), slot[0])
    values = slot[1]
    if compute not in values:
        values[compute] = compute(kb)  # a race computes it twice, with the same result
    return values[compute]  # type: ignore[return-value]


def _forget(key: int, ref: weakref.ref) -> None:
    with _lock:
        if _derived.get(key, (None,))[0] is ref:
            del _derived[key]
